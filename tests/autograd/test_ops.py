"""Every row of the op table: values and gradients against PyTorch (float64 and float32),
then gradcheck and gradgradcheck in float64."""
import zlib

import numpy as np
import pytest

import autograd as ag
from tests.autograd.op_table import OPS, Namespace
from tests.conftest import DEVICES, requires_torch, torch

pytestmark = requires_torch

TOL = {"float64": dict(rtol=1e-10, atol=1e-12), "float32": dict(rtol=1e-5, atol=1e-6)}
GRAD_OPS = [op for op in OPS if op.grad]


def _tuple(out):
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def _host(t):
    return t.detach().cpu().numpy() if t is not None else None


def _run_both(op, device, dtype):
    arrays = op.arrays(np.dtype(dtype))
    requires = op.grad
    ours = [ag.tensor(a, device=device, requires_grad=requires) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=requires) for a in arrays]
    np_dtype = arrays[0].dtype if arrays else np.dtype(dtype)
    out_ag = _tuple(op.fn(Namespace(ag, device, np_dtype), *ours))
    out_t = _tuple(op.fn(Namespace(torch, "cpu", np_dtype), *theirs))
    return ours, theirs, out_ag, out_t


def _assert_close(ours, theirs, what, dtype):
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} != torch's {theirs.shape}"
    np.testing.assert_allclose(ours, theirs, err_msg=what, **TOL[dtype])


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("op", OPS, ids=repr)
def test_op_values_and_grads_match_torch(op, dtype, device):
    if op.int_inputs and dtype == "float32":
        pytest.skip("integer inputs do not depend on the float dtype")
    ours, theirs, out_ag, out_t = _run_both(op, device, dtype)
    assert len(out_ag) == len(out_t)
    for k, (o, t) in enumerate(zip(out_ag, out_t)):
        assert str(o.dtype) == str(t.dtype), \
            f"output {k}: dtype {o.dtype}, torch gives {t.dtype}"
        _assert_close(_host(o), t.detach().numpy(), f"output {k}", dtype)
    if not (op.grad and op.torch_grad):
        return
    pairs = [(o, t) for o, t in zip(out_ag, out_t) if t.requires_grad]
    assert all(o.requires_grad for o, _ in pairs)
    rng = np.random.default_rng(zlib.crc32(op.name.encode()) + 1)
    ups = [rng.standard_normal(tuple(t.shape)).astype(dtype) for _, t in pairs]
    g_ag = ag.grad([o for o, _ in pairs], ours,
                   [ag.tensor(u, device=device) for u in ups], allow_unused=True)
    g_t = torch.autograd.grad([t for _, t in pairs], theirs, [torch.tensor(u) for u in ups],
                              allow_unused=True)
    for k, (x, gx, gt) in enumerate(zip(ours, g_ag, g_t)):
        # an unused input: None on either side means a zero gradient
        gx = np.zeros(x.shape, dtype) if gx is None else _host(gx)
        gt = np.zeros(x.shape, dtype) if gt is None else gt.numpy()
        assert gx.dtype == np.dtype(dtype), f"grad of input {k} has dtype {gx.dtype}"
        _assert_close(gx, gt, f"grad of input {k}", dtype)


def _float64_inputs(op, device):
    return [ag.tensor(a, device=device, requires_grad=True) for a in op.arrays(np.float64)]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("op", [op for op in GRAD_OPS if op.gradcheck], ids=repr)
def test_op_gradcheck(op, device):
    L = Namespace(ag, device, np.float64)
    assert ag.gradcheck(lambda *xs: op.fn(L, *xs), _float64_inputs(op, device))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("op", [op for op in GRAD_OPS if op.gradgradcheck], ids=repr)
def test_op_gradgradcheck(op, device):
    L = Namespace(ag, device, np.float64)
    assert ag.gradgradcheck(lambda *xs: op.fn(L, *xs), _float64_inputs(op, device))


def test_op_table_names_are_unique():
    names = [op.name for op in OPS]
    assert len(names) == len(set(names))
