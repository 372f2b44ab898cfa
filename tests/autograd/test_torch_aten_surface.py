"""torch's aten-level top-level functions (autograd/torch_extras_aten.py: the method and
copy forms, aten's own signatures of the nn-level functions) and the process-wide switches
(autograd/torch_switches.py) against torch: values, gradients, error classes."""
import warnings

import numpy as np
import pytest

import autograd as A
from tests.conftest import requires_torch

pytestmark = requires_torch
rng = np.random.default_rng(0)


def R(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, shape)


def I(*vals):  # noqa: E743 (an int64 array)
    return np.array(vals, dtype=np.int64)


class K:
    """A constant input: a tensor that does not require grad."""

    def __init__(self, a):
        self.a = a


def _conv(x, lib, grad):
    """numpy -> a tensor of `lib` (float arrays as leaves that require grad)."""
    if isinstance(x, K):
        return lib.tensor(x.a)
    if isinstance(x, np.ndarray):
        t = lib.tensor(x)
        if grad and x.dtype.kind == "f":
            t.requires_grad_(True)
        return t
    if isinstance(x, list) and x and isinstance(x[0], np.ndarray):
        return [_conv(v, lib, grad) for v in x]
    return x


def _leaves(args):
    out = []
    for a in args:
        out += _leaves(a) if isinstance(a, list) else [a]
    return [a for a in out if hasattr(a, "requires_grad") and a.requires_grad]


def _flat(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _np(t):
    return t.detach().cpu().numpy() if hasattr(t, "detach") else np.asarray(t)


def _tol(t):
    return dict(rtol=1e-9, atol=1e-11) if t.dtype == np.float64 else dict(rtol=0, atol=0)


def parity(name, args, kwargs=None, grad=True):
    """torch.name(*args) and Ember's agree in value and (for float outputs, with a fixed
    random weighting of each output) in the gradients of every float input."""
    import torch
    kwargs = kwargs or {}
    ta, ea = [_conv(a, torch, grad) for a in args], [_conv(a, A, grad) for a in args]
    tout, eout = _flat(getattr(torch, name)(*ta, **kwargs)), _flat(getattr(A, name)(*ea, **kwargs))
    assert len(tout) == len(eout), name
    for t, e in zip(tout, eout):
        want = _np(t)
        got = _np(e)
        assert got.shape == want.shape, (name, got.shape, want.shape)
        np.testing.assert_allclose(got, want, **_tol(want), err_msg=name)
    if not grad:
        return
    tl, el = _leaves(ta), _leaves(ea)
    pairs = [(t, e) for t, e in zip(tout, eout) if t.dtype == torch.float64 and t.requires_grad]
    if not tl or not pairs:
        return
    ws = [R(*t.shape) for t, _ in pairs]
    sum((t * torch.tensor(w)).sum() for (t, _), w in zip(pairs, ws)).backward()
    sum((e * A.tensor(w)).sum() for (_, e), w in zip(pairs, ws)).backward()
    for t, e in zip(tl, el):
        tg = np.zeros(t.shape) if t.grad is None else t.grad.numpy()
        eg = np.zeros(e.shape) if e.grad is None else _np(e.grad)
        np.testing.assert_allclose(eg, tg, rtol=1e-8, atol=1e-10, err_msg=f"{name} grad")


X = R(2, 3, 8)
CASES = {
    "layer_norm": ([R(2, 3, 4), [4], R(4), R(4), 1e-5, True], {}),
    "group_norm": ([R(2, 4, 3), 2, R(4), R(4), 1e-5, True], {}),
    "instance_norm": ([R(2, 3, 4), R(3), R(3), None, None, True, 0.1, 1e-5, False], {}),
    "embedding": ([R(5, 3), I(0, 2, 4, 2).reshape(2, 2)], {}),
    "embedding-pad": ([R(5, 3), I(0, 2, 4, 2), 2], {}),
    "max_pool1d": ([X, [3], [], [1], [1], False], {}),
    "max_pool1d_with_indices": ([X, [3], [2]], {}),
    "max_pool2d": ([R(1, 2, 5, 5), [2, 2]], {}),
    "max_pool3d": ([R(1, 1, 4, 4, 4), [2, 2, 2], [1, 1, 1]], {}),
    "avg_pool1d": ([X, [3], [2], [1], False, False], {}),
    "adaptive_avg_pool1d": ([X, [3]], {}),
    "adaptive_max_pool1d": ([X, [3]], {}),
    "convolution": ([R(1, 2, 5), R(3, 2, 3), R(3), [1], [1], [1], False, [0], 1], {}),
    "convolution-t": ([R(1, 4, 5), R(4, 1, 3), R(2), [2], [1], [1], True, [1], 2], {}),
    "convolution-2d": ([R(1, 2, 4, 4), R(3, 2, 2, 2), None, [1, 1], [0, 0], [1, 1], False,
                        [0, 0], 1], {}),
    "conv_tbc": ([R(5, 2, 3), R(2, 3, 4), R(4), 1], {}),
    "conv_transpose1d": ([R(1, 3, 5), R(3, 2, 3), R(2), 2], {}),
    "conv_transpose2d": ([R(1, 2, 3, 3), R(2, 2, 2, 2)], {}),
    "constant_pad_nd": ([R(2, 3), [1, 2], 0.5], {}),
    "bilinear": ([R(2, 3), R(2, 4), R(5, 3, 4), R(5)], {}),
    "celu": ([R(3, 4), 0.5], {}),  # 1 / alpha exact: torch rounds it to float32
    "selu": ([R(3, 4)], {}),
    "threshold": ([R(3, 4), 0.1, -1.0], {}),
    "hardshrink": ([R(3, 4), 0.3], {}),
    "prelu": ([R(2, 3, 4), R(3)], {}),
    "rrelu": ([R(3, 4), 0.1, 0.3, False], {}),
    "pixel_shuffle": ([R(1, 8, 2, 2), 2], {}),
    "pixel_unshuffle": ([R(1, 2, 4, 4), 2], {}),
    "channel_shuffle": ([R(1, 6, 2, 2), 3], {}),
    "pdist": ([R(4, 3), 2.0], {}),
    "pairwise_distance": ([R(3, 4), R(3, 4), 1.5, 1e-6, True], {}),
    "cosine_similarity": ([R(3, 4), R(3, 4), 1, 1e-8], {}),
    "kl_div": ([np.log(R(3, 4, lo=0.1)), R(3, 4, lo=0.1), 1], {}),
    "kl_div-log": ([R(3, 4), R(3, 4), 2], {"log_target": True}),
    "binary_cross_entropy_with_logits": ([R(3, 4), R(3, 4, lo=0), K(R(4)), K(R(4, lo=0.5)),
                                          1], {}),
    "cosine_embedding_loss": ([R(3, 4), R(3, 4), np.array([1.0, -1.0, 1.0]), 0.1, 1], {}),
    "hinge_embedding_loss": ([R(3, 4), np.sign(R(3, 4)), 1.0, 2], {}),
    "margin_ranking_loss": ([R(5), R(5), np.sign(R(5)), 0.2, 0], {}),
    "poisson_nll_loss": ([R(3, 4), R(3, 4, lo=0.1, hi=3), True, True, 1e-8, 1], {}),
    "triplet_margin_loss": ([R(3, 4), R(3, 4), R(3, 4), 1.0, 2.0, 1e-6, True, 1], {}),
    "grid_sampler": ([R(1, 2, 4, 4), R(1, 3, 3, 2, lo=-0.9, hi=0.9), 0, 0, False], {}),
    "grid_sampler_2d": ([R(1, 2, 4, 4), R(1, 3, 3, 2, lo=-0.9, hi=0.9), 1, 1, True], {}),
    "affine_grid_generator": ([R(1, 2, 3), [1, 1, 3, 4], False], {}),
    "lstm_cell": ([R(2, 3), [R(2, 4), R(2, 4)], R(16, 3), R(16, 4), R(16), R(16)], {}),
    "gru_cell": ([R(2, 3), R(2, 4), R(12, 3), R(12, 4), R(12), R(12)], {}),
    "rnn_tanh_cell": ([R(2, 3), R(2, 4), R(4, 3), R(4, 4), R(4), R(4)], {}),
    "rnn_relu_cell": ([R(2, 3), R(2, 4), R(4, 3), R(4, 4)], {}),
    # method forms and copy forms
    "addr": ([R(2, 3), R(2), R(3)], {"beta": 0.5, "alpha": 2.0}),
    "frexp": ([R(3, 4) * 10], {}),
    "ldexp": ([R(3, 4), I(1, 2, 3, 0)], {}),  # torch: no gradient for 2 ** negative ints
    "fix": ([R(3, 4) * 5], {}),
    "dsplit": ([R(2, 2, 4), 2], {}),
    "hsplit": ([R(2, 4), [1, 3]], {}),
    "vsplit": ([R(4, 2), 2], {}),
    "unsafe_chunk": ([R(5, 2), 2], {}),
    "unsafe_split": ([R(5, 2), 2, 0], {}),
    "unsafe_split_with_sizes": ([R(5, 2), [2, 3]], {}),
    "view_copy": ([R(3, 4), (4, 3)], {}),
    "permute_copy": ([R(2, 3, 4), (2, 0, 1)], {}),
    "t_copy": ([R(3, 4)], {}),
    "select_copy": ([R(3, 4), 1, 2], {}),
    "diagonal_copy": ([R(3, 4), 1], {}),
    "expand_copy": ([R(1, 3), (2, 3)], {}),
    "squeeze_copy": ([R(3, 1, 4)], {}),
    "unsqueeze_copy": ([R(3, 4), 1], {}),
    "transpose_copy": ([R(3, 4), 0, 1], {}),
    "unbind_copy": ([R(3, 4), 1], {}),
    "split_copy": ([R(5, 4), 2], {}),
    "split_with_sizes_copy": ([R(5, 4), [2, 3]], {}),
    "slice_copy": ([R(3, 5), 1, 0, 4, 2], {}),
    "unfold_copy": ([R(3, 5), 1, 2, 1], {}),
    "alias_copy": ([R(3, 4)], {}),
    "detach_copy": ([R(3, 4)], {}),
    "as_strided_copy": ([R(3, 4), (2, 2), (1, 3), 1], {}),
    "narrow_copy": ([R(3, 5), 1, 1, 2], {}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_values_and_gradients_match_torch(case):
    args, kwargs = CASES[case]
    # torch has no derivative for detach_copy (its result never requires grad)
    parity(case.split("-")[0], args, kwargs, grad=case != "detach_copy")


def test_ctc_loss_matches_torch():
    logp = np.log(np.exp(R(6, 2, 4)) / np.exp(R(6, 2, 4)).sum(-1, keepdims=True))
    logp = logp - np.log(np.exp(logp).sum(-1, keepdims=True))
    targets = I(1, 2, 3, 2, 1, 0).reshape(2, 3)
    for reduction in (0, 1, 2):
        parity("ctc_loss", [logp, targets, [6, 5], [3, 2], 0, reduction, False])


INPLACE = ["abs_", "acos_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_",
           "arctanh_", "asin_", "atan_", "ceil_", "cos_", "cosh_", "deg2rad_", "erf_",
           "exp2_", "exp_", "expm1_", "fix_", "floor_", "frac_", "log10_", "log1p_", "log2_",
           "log_", "neg_", "negative_", "rad2deg_", "reciprocal_", "relu_", "round_",
           "rsqrt_", "sigmoid_", "sin_", "sinh_", "sqrt_", "square_", "tan_", "tanh_",
           "trunc_"]


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_forms_write_into_their_input(name):
    import torch
    x = R(3, 4, lo=0.05, hi=0.95) + (1.0 if name == "arccosh_" else 0.0)
    t, e = torch.tensor(x), A.tensor(x)
    tout, eout = getattr(torch, name)(t), getattr(A, name)(e)
    assert eout is e
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-12, atol=1e-14)
    assert tout is t


@pytest.mark.parametrize("name,extra", [
    ("clamp_min_", (0.3,)), ("clamp_max_", (0.3,)), ("clip_", (0.2, 0.5)),
    ("xlogy_", (R(3, 4, lo=0.1),)), ("ldexp_", (I(1, 2, 0, -1),)),
    ("index_put_", ((I(0, 2),), R(2, 4))), ("addmv_", (R(3, 5), R(5)))])
def test_inplace_forms_with_arguments(name, extra):
    import torch
    x = R(3, 4)
    t, e = torch.tensor(x), A.tensor(x)
    conv = (lambda lib: tuple(tuple(lib.tensor(v) for v in a) if isinstance(a, tuple)
                              else lib.tensor(a) if isinstance(a, np.ndarray) else a
                              for a in extra))
    if name == "addmv_":
        t, e = torch.tensor(x[:, 0].copy()), A.tensor(x[:, 0].copy())
    getattr(torch, name)(t, *conv(torch))
    assert getattr(A, name)(e, *conv(A)) is e
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-12, atol=1e-14)


def test_nan_to_num_and_predicates():
    import torch
    x = np.array([np.nan, np.inf, -np.inf, 1.0])
    t, e = torch.tensor(x), A.tensor(x)
    torch.nan_to_num_(t, 0.5)
    A.nan_to_num_(e, 0.5)
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    for v in ([0.0], [3], [True]):
        assert A.is_nonzero(A.tensor(v)) == torch.is_nonzero(torch.tensor(v))
    for v in ([1, 2], []):
        with pytest.raises(RuntimeError, match="ambiguous"):
            torch.is_nonzero(torch.tensor(v))
        with pytest.raises(RuntimeError, match="ambiguous"):
            A.is_nonzero(A.tensor(v))
    assert A.is_same_size(A.zeros(2, 3), A.ones(2, 3)) and not A.is_same_size(A.zeros(2),
                                                                              A.zeros(3))
    for dt in ("float32", "int64", "uint8", "bool"):
        assert A.is_signed(A.zeros(1, dtype=getattr(A, dt))) == \
            torch.is_signed(torch.zeros(1, dtype=getattr(torch, dt)))
    assert A.is_inference(A.zeros(1)) == torch.is_inference(torch.zeros(1))
    with pytest.raises(TypeError, match="must be Tensor"):
        A.exp_(3.0)


def test_copy_forms_do_not_alias():
    x = A.arange(12.0).reshape(3, 4)
    for out in (A.view_copy(x, (12,)), A.t_copy(x), A.select_copy(x, 0, 1),
                A.alias_copy(x), A.unbind_copy(x)[0]):
        out.fill_(-1.0)
    assert (x >= 0).all()
    assert not A.detach_copy(A.ones(2, requires_grad=True)).requires_grad


@pytest.mark.filterwarnings("ignore:torch.lu_solve is deprecated")
def test_linalg_method_forms_match_torch():
    import torch
    m = R(3, 3) + 3 * np.eye(3)
    b = R(3, 2)
    lu, piv = torch.linalg.lu_factor(torch.tensor(m))
    want = torch.lu_solve(torch.tensor(b), lu, piv)
    got = A.lu_solve(A.tensor(b), A.tensor(lu.numpy()), A.tensor(piv.numpy()))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-10)
    a, tau = torch.geqrf(torch.tensor(R(4, 3)))
    ea, etau = A.tensor(a.numpy()), A.tensor(tau.numpy())
    np.testing.assert_allclose(A.orgqr(ea, etau).numpy(), torch.orgqr(a, tau).numpy(),
                               rtol=1e-10, atol=1e-12)
    c = R(4, 2)
    np.testing.assert_allclose(A.ormqr(ea, etau, A.tensor(c), True, True).numpy(),
                               torch.ormqr(a, tau, torch.tensor(c), True, True).numpy(),
                               rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------------------- dropout
@pytest.mark.parametrize("name", ["dropout", "feature_dropout", "alpha_dropout",
                                  "feature_alpha_dropout"])
def test_dropout_family_aten_signature(name):
    import torch
    x = A.tensor(R(4, 6, 3))
    assert A.equal(getattr(A, name)(x, 0.3, False), x)  # not training: the input
    out = getattr(A, name)(x, 0.3, True)
    assert out.shape == x.shape and out.dtype == x.dtype
    for lib, inp in ((torch, torch.ones(3)), (A, A.ones(3))):
        with pytest.raises(RuntimeError, match="dropout probability"):
            getattr(lib, name)(inp.reshape(1, 3), 1.5, True)
    y = A.ones(4, 6, 3)
    assert getattr(A, name + "_")(y, 0.5, True) is y


def test_dropout_keeps_scaled_values_and_feature_dropout_drops_whole_channels():
    x = A.ones(64, 32, 5, requires_grad=True)
    out = A.dropout(x, 0.25, True)
    vals = np.unique(out.detach().numpy())
    assert len(vals) == 2 and vals[0] == 0 and np.isclose(vals[1], 1 / 0.75, rtol=1e-6)
    f = A.feature_dropout(x, 0.5, True).detach().numpy()
    assert (f.min(-1) == f.max(-1)).all() and 0.3 < (f[..., 0] == 0).mean() < 0.7
    A.feature_dropout(x, 0.5, True).sum().backward()
    assert x.grad is not None
    assert (A.feature_dropout(A.ones(3, 4), 1.0, True) == 0).all()
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        A.feature_dropout(A.ones(3), 0.5, True)


def test_embedding_renorm_matches_torch():
    import torch
    w = R(5, 3) * 4
    t, e = torch.tensor(w), A.tensor(w)
    torch.embedding_renorm_(t, torch.tensor([0, 2, 2]), 1.0, 2.0)
    A.embedding_renorm_(e, A.tensor([0, 2, 2]), 1.0, 2.0)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-12)


# ----------------------------------------------------------------------------- errors
def test_out_of_range_enums_are_refused():
    # torch does not check these ints (an unknown reduction or mode gives garbage)
    with pytest.raises(RuntimeError, match="reduction must be 0"):
        A.kl_div(A.zeros(2), A.zeros(2), 5)
    with pytest.raises(RuntimeError, match="interpolation_mode"):
        A.grid_sampler(A.zeros(1, 1, 3, 3), A.zeros(1, 2, 2, 2), 7, 0, False)


@pytest.mark.parametrize("call", [
    lambda L, T: L.convolution(T(R(2, 3)), T(R(2, 3)), None, [1], [0], [1], False, [0], 1),
    lambda L, T: L.set_deterministic_debug_mode("bogus"),
    lambda L, T: L.set_deterministic_debug_mode(5),
])
def test_bad_input_raises_torch_class(call):
    import torch
    with pytest.raises(Exception) as want:
        call(torch, torch.tensor)
    with pytest.raises(want.type):
        call(A, A.tensor)


# ----------------------------------------------------------------------------- switches
@pytest.fixture
def restore_switches():
    yield
    A.use_deterministic_algorithms(False)
    A.set_float32_matmul_precision("highest")
    A.set_warn_always(False)
    A.set_anomaly_enabled(False)
    A.set_autocast_enabled("cpu", False)
    A.set_autocast_dtype("cpu", A.bfloat16)
    A.set_autocast_enabled("cuda", False)
    A.set_autocast_dtype("cuda", A.float16)
    A.set_autocast_cache_enabled(True)


def test_process_switches_answer_back_as_torch(restore_switches):
    import torch
    assert not A.are_deterministic_algorithms_enabled()
    assert A.get_deterministic_debug_mode() == torch.get_deterministic_debug_mode() == 0
    A.use_deterministic_algorithms(True, warn_only=True)
    assert A.are_deterministic_algorithms_enabled()
    assert A.is_deterministic_algorithms_warn_only_enabled()
    assert A.get_deterministic_debug_mode() == 1
    A.set_deterministic_debug_mode("error")
    assert A.get_deterministic_debug_mode() == 2 and not \
        A.is_deterministic_algorithms_warn_only_enabled()
    with pytest.raises(TypeError):
        A.use_deterministic_algorithms("yes")
    assert A.get_float32_matmul_precision() == "highest"
    A.set_float32_matmul_precision("medium")
    assert A.get_float32_matmul_precision() == "medium"
    with pytest.warns(UserWarning, match="not one of"):
        A.set_float32_matmul_precision("fast")
    assert A.get_float32_matmul_precision() == "medium"
    A.set_warn_always(True)
    assert A.is_warn_always_enabled()
    assert A.set_flush_denormal(False) is False
    assert A.get_num_interop_threads() >= 1 and A.init_num_threads() is None
    with pytest.raises(RuntimeError, match="positive"):
        A.set_num_interop_threads(0)
    assert A.is_anomaly_check_nan_enabled() == torch.is_anomaly_check_nan_enabled()
    A.set_anomaly_enabled(True, False)
    assert A.is_anomaly_enabled() and not A.is_anomaly_check_nan_enabled()
    assert A.autograd.is_anomaly_enabled()


def test_autocast_switches_drive_amp_state(restore_switches):
    import torch
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert str(A.get_autocast_cpu_dtype()) == str(torch.get_autocast_cpu_dtype())
        assert str(A.get_autocast_gpu_dtype()) == str(torch.get_autocast_gpu_dtype())
        assert A.is_autocast_cpu_enabled() is False
    A.set_autocast_dtype("cpu", A.float16)
    A.set_autocast_enabled("cpu", True)
    assert A.is_autocast_enabled("cpu") and A.get_autocast_dtype("cpu") == A.float16
    out = A.matmul(A.ones(2, 2), A.ones(2, 2))  # an enabled region: the matmul lowers
    assert out.dtype == A.float16
    A.set_autocast_enabled(True)  # the one-argument form: 'cuda'
    assert A.is_autocast_enabled("cuda")
    A.set_autocast_cache_enabled(False)
    assert not A.is_autocast_cache_enabled()
    A.clear_autocast_cache()
    with pytest.raises(RuntimeError, match="device_type"):
        A.set_autocast_enabled("tpu", True)


def test_dtype_queries_match_torch():
    import torch
    names = ["bool", "uint8", "int8", "int32", "int64", "float16", "bfloat16", "float32",
             "float64"]
    for a in names:
        for b in names:
            assert A.can_cast(getattr(A, a), getattr(A, b)) == \
                torch.can_cast(getattr(torch, a), getattr(torch, b)), (a, b)
    with pytest.raises(TypeError, match="dtype"):
        A.can_cast(A.zeros(2), A.int32)
    pairs = [(np.zeros(2, np.int32), 2.0), (np.array(1.0), np.zeros(2, np.float32)),
             (2, 3.0), (np.zeros(2, np.uint8), -1), (True, 2), (np.zeros(2, np.int16), True)]
    for a, b in pairs:
        conv = (lambda lib, v: lib.tensor(v) if isinstance(v, np.ndarray) else v)
        assert str(A.result_type(conv(A, a), conv(A, b))) == \
            str(torch.result_type(conv(torch, a), conv(torch, b))), (a, b)
    for v in (np.zeros(2, np.float32), np.zeros(2, np.int64)):
        assert A.typename(A.tensor(v)) == torch.typename(torch.tensor(v))
    assert A.typename(3) == torch.typename(3) == "int"
    assert A.typename(np.ndarray) == torch.typename(np.ndarray)
    assert A.OutOfMemoryError is A.cuda.OutOfMemoryError


@pytest.mark.parametrize("idx,shape", [([4, 7, 9, -1], (2, 4)), (5, (2, 4)), ([3], 8),
                                       ([[1, 5], [2, 0]], (3, 2))])
def test_unravel_index_matches_torch(idx, shape):
    import torch
    want = torch.unravel_index(torch.tensor(idx), shape)
    got = A.unravel_index(A.tensor(idx), shape)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.dtype == A.int64
        np.testing.assert_array_equal(g.numpy(), w.numpy())


def test_unravel_index_errors_match_torch():
    import torch
    for lib in (torch, A):
        with pytest.raises(TypeError, match="integer dtype"):
            lib.unravel_index(lib.tensor([1.0]), (2, 2))
        with pytest.raises(ValueError, match="negative"):
            lib.unravel_index(lib.tensor([1]), (2, -2))


def test_low_rank_svd_and_pca_match_torch_on_exact_rank():
    import torch
    a = R(8, 3) @ R(3, 5)  # rank 3: q = 4 recovers it whatever the random draw
    for lib_a, ours in ((torch.tensor(a), False), (A.tensor(a), True)):
        lib = A if ours else torch
        U, S, V = lib.svd_lowrank(lib_a, q=4)
        assert tuple(U.shape) == (8, 4) and tuple(S.shape) == (4,) and tuple(V.shape) == (5, 4)
        np.testing.assert_allclose(_np((U * S) @ V.mT), a, atol=1e-10)
        if ours:
            np.testing.assert_allclose(_np(S)[:3], torch.linalg.svdvals(torch.tensor(a))[:3],
                                       rtol=1e-10)
    Ut, St, Vt = A.svd_lowrank(A.tensor(a.T), q=4)  # wide input: the transposed route
    assert tuple(Ut.shape) == (5, 4) and tuple(Vt.shape) == (8, 4)
    want = torch.pca_lowrank(torch.tensor(a))[1][:3]
    np.testing.assert_allclose(_np(A.pca_lowrank(A.tensor(a))[1])[:3], want.numpy(),
                               rtol=1e-10)
    # full rank, q = min(m, n): the exact SVD, so the gradient of sum(S) is U V^T
    b = R(5, 3)
    tb, eb = torch.tensor(b, requires_grad=True), A.tensor(b, requires_grad=True)
    torch.svd_lowrank(tb, q=3)[1].sum().backward()
    A.svd_lowrank(eb, q=3)[1].sum().backward()
    np.testing.assert_allclose(_np(eb.grad), tb.grad.numpy(), rtol=1e-8, atol=1e-10)
    for lib in (torch, A):
        with pytest.raises(ValueError, match="must be non-negative integer"):
            lib.pca_lowrank(lib.tensor(R(4, 3)), q=5)


def test_bfloat16_legacy_constructor():
    import torch
    t = A.BFloat16Tensor(2, 3)
    assert t.dtype == A.bfloat16 and tuple(t.shape) == (2, 3)
    assert A.BFloat16Tensor([1.5]).type() == torch.BFloat16Tensor([1.5]).type()
    assert A.zeros(2).type("torch.BFloat16Tensor").dtype == A.bfloat16


def _rnn_params(gates, layers, dirs, i, h, proj=0, biases=True):
    out = []
    hp = proj or h
    for layer in range(layers):
        for _ in range(dirs):
            inp = i if layer == 0 else hp * dirs
            out += [R(gates * h, inp), R(gates * h, hp)]
            out += [R(gates * h), R(gates * h)] if biases else []
            out += [R(proj, h)] if proj else []
    return out


_KINDS = [("lstm", 4), ("gru", 3), ("rnn_tanh", 1), ("rnn_relu", 1)]


@pytest.mark.parametrize("kind,gates,bidirectional,batch_first,proj,biases", [
    (k, g, *rest) for k, g in _KINDS
    for rest in ((False, False, 0, True), (True, True, 0, False))] + [
    ("lstm", 4, True, False, 2, True)])  # proj_size: the LSTM's
def test_functional_rnn_runs_match_torch(kind, gates, bidirectional, batch_first, proj,
                                         biases):
    layers, dirs, n, t, i, h = 2, 2 if bidirectional else 1, 2, 4, 3, 4
    x = R(n, t, i) if batch_first else R(t, n, i)
    hx = [R(layers * dirs, n, proj or h), R(layers * dirs, n, h)] if kind == "lstm" \
        else R(layers * dirs, n, h)
    params = _rnn_params(gates, layers, dirs, i, h, proj, biases)
    parity(kind, [x, hx, params, biases, layers, 0.3, False, bidirectional, batch_first])


@pytest.mark.parametrize("kind,gates", [("lstm", 4), ("gru", 3)])
def test_functional_rnn_packed_form_matches_torch(kind, gates):
    data, sizes = R(6, 3), I(3, 2, 1)  # three sequences of lengths 3, 2, 1
    hx = [R(2, 3, 4), R(2, 3, 4)] if kind == "lstm" else R(2, 3, 4)
    parity(kind, [data, sizes, hx, _rnn_params(gates, 1, 2, 3, 4), True, 1, 0.0, False, True])


def test_functional_rnn_dropout_and_errors():
    x, hx = A.tensor(R(4, 2, 3)), A.tensor(R(2, 2, 4))
    params = [A.tensor(p) for p in _rnn_params(3, 2, 1, 3, 4)]
    out, hn = A.gru(x, hx, params, True, 2, 0.5, True, False, False)
    assert tuple(out.shape) == (4, 2, 4) and tuple(hn.shape) == (2, 2, 4)
    with pytest.raises(RuntimeError, match="expected 8 parameters"):
        A.gru(x, hx, params[:-1], True, 2, 0.0, False, False, False)
    with pytest.raises(RuntimeError, match="3-D input"):
        A.gru(x[0], hx, params, True, 2, 0.0, False, False, False)
