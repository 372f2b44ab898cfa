"""The optimisers' multi-tensor CUDA kernels (one launch per parameter group), run on the
host by the kernel emulator, against the per-parameter NumPy updates of the same
optimiser: same formula, every parameter of a group of mixed sizes."""
import numpy as np
import pytest

from autograd.backend.foreach import MultiTensor
from autograd.ops import optim_update as U

from .kernel_emulator import available, emulate_multi

pytestmark = pytest.mark.skipif(not available(), reason="needs a C++ compiler (g++)")
SHAPES = [(3, 4), (1,), (17,), (2, 3, 5)]


def _lists(rng, count, dtype):
    return [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(count)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", [
    (U._sgd, 1, (0.1, 0.01, False)),
    (U._sgd_momentum, 2, (0.1, 0.01, 0.9, 0.1, False, True, False)),
    (U._sgd_momentum, 2, (0.1, 0.0, 0.9, 0.0, True, False, True)),
    (U._adam, 3, (1e-3, 0.9, 0.999, 1e-8, 0.01, 0.19, 0.0447, True, False)),
    (U._adam_amsgrad, 4, (1e-3, 0.9, 0.999, 1e-8, 0.01, 0.19, 0.0447, False, True)),
], ids=lambda c: c[0].name if hasattr(c[0], "name") else str(c))
def test_multi_tensor_update_matches_per_parameter_update(case, dtype):
    fused, n_out, scalars = case
    rng = np.random.default_rng(0)
    grads, *outs = _lists(rng, 1 + n_out, dtype)
    for arrays in outs[2:]:  # second moments are non-negative
        for v in arrays:
            np.abs(v, out=v)
    if n_out == 4:
        for vmax, v in zip(outs[3], outs[2]):
            np.maximum(vmax, v, out=vmax)
    ref = [[a.copy() for a in arrays] for arrays in outs]
    for k in range(len(SHAPES)):
        fused(grads[k], *scalars, *(arrays[k] for arrays in ref))
    emulate_multi(MultiTensor(fused), [grads] + outs, scalars, dtype)
    tol = 20 * np.finfo(dtype).eps
    for got, want in zip(outs, ref):
        for a, b in zip(got, want):
            np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def _every_update():
    from autograd import backend
    from autograd.ops import optim_update as M
    found = [v for v in vars(M).values() if isinstance(v, backend.Fused)]
    return found + list(M._RMSPROP.values())


@pytest.mark.parametrize("flag", [False, True])
@pytest.mark.parametrize("fused", _every_update(), ids=lambda f: f.name)
def test_every_optimiser_multi_tensor_kernel_matches_its_per_parameter_kernel(fused, flag):
    """Each remaining optimiser's kernel as one multi-tensor launch vs its host update;
    non-negative states (second moments) keep the square roots real."""
    multi = MultiTensor(fused)
    n_out = len(multi.tensors) - 1
    rng = np.random.default_rng(3)
    grads, *outs = _lists(rng, 1 + n_out, np.float64)
    for arrays in outs[1:]:
        for v in arrays:
            np.abs(v, out=v)
    # RMSprop's kernels without a momentum buffer are only used with momentum 0
    zero = set() if "momentum" in fused.name else {"momentum"}
    scalars = tuple(flag if t == "bool" else 0.0 if var in zero else 0.3
                    for t, var in multi.scalars)
    ref = [[a.copy() for a in arrays] for arrays in outs]
    for k in range(len(SHAPES)):
        fused(grads[k], *scalars, *(arrays[k] for arrays in ref))
    emulate_multi(multi, [grads] + outs, scalars, np.float64)
    for got, want in zip(outs, ref):
        for a, b in zip(got, want):
            np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13)
