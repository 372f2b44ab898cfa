"""Padding, 3-d conv/pool/norm, fold/unfold, channel shuffle, LP pooling, max unpooling and
the dropout variants against PyTorch: values, gradients, reprs, state dicts and errors."""
import warnings

import numpy as np
import pytest

import autograd as ag
import nn
from nn.functional import im2col as FF
from nn.functional import padding as FP
from nn.functional import pooling as FPO
from nn.functional import pooling_extra as FX
from nn.functional.conv import conv3d
from nn.layers import conv as LC
from nn.layers import dropout as LD
from nn.layers import fold as LF
from nn.layers import norm as LN
from nn.layers import padding as LP
from nn.layers import pooling as LPO
from nn.layers import pooling_extra as LX
from tests.conftest import DEVICES, requires_torch
from tests.nn._layer_parity import DTYPES, check_module, run_both, torch

pytestmark = requires_torch
TF = torch.nn.functional if torch is not None else None


def _x(shape, dtype=np.float64, seed=0, positive=False):
    a = np.random.default_rng(seed).standard_normal(shape)
    return (np.abs(a) + 0.1 if positive else a).astype(dtype)


# ----------------------------------------------------------------------------- functional
PAD_CASES = [  # (shape, pad, mode)
    ((2, 3, 5), (1, 2), "reflect"), ((3, 5), (2, 1), "replicate"), ((2, 3, 5), (3, 4), "circular"),
    ((2, 3, 4, 5), (1, 2, 3, 0), "reflect"), ((3, 4, 5), (1, 1, 2, 2), "replicate"),
    ((2, 3, 4, 5), (2, 1, 1, 3), "circular"), ((1, 2, 3, 4, 5), (1, 2, 0, 1, 2, 1), "reflect"),
    ((2, 3, 4, 5), (2, 1, 1, 2, 1, 0), "replicate"), ((2, 2, 3, 4, 5), (1, 1, 2, 2, 3, 3), "circular"),
    ((2, 3, 5), (-1, 2), "reflect"), ((2, 3, 5), (-1, 2), "circular"), ((2, 3, 5), (1, -2), "circular"),
    ((2, 3, 4, 5), (-1, 2, 1, -2), "circular"), ((2, 3, 5), (2, -1), "replicate"),
    ((2, 3, 4), (1, 2, 0, 1, 1, 1), "constant"), ((2, 3, 5), (-2, 1), "constant"),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,widths,mode", PAD_CASES, ids=str)
def test_pad_modes_match_torch(shape, widths, mode, dtype, device):
    run_both(lambda x: FP.pad(x, widths, mode), lambda x: TF.pad(x, widths, mode),
             [_x(shape, dtype)], dtype, device=device)


def test_pad_constant_value_matches_torch():
    run_both(lambda x: FP.pad(x, (1, 2, 2, 0), value=2.5),
             lambda x: TF.pad(x, (1, 2, 2, 0), value=2.5), [_x((2, 3, 4))], np.float64)


PAD_ERRORS = [  # (shape, pad, mode, kwargs)
    ((2, 3, 4), (1,), "constant", {}), ((2, 3, 4), (1,) * 8, "replicate", {}),
    ((2, 3, 4), (1, 1), "foo", {}), ((2, 3, 4), (4, 0), "reflect", {}),
    ((2, 3, 4), (5, 0), "circular", {}), ((4,), (1, 1), "reflect", {}),
    ((2, 3, 4, 5, 6, 7), (1, 1), "replicate", {}), ((2, 3, 4), (1, 1), "reflect", {"value": 1.0}),
    ((2, 3, 4), (-3, -3), "constant", {}), ((2, 3, 4), (-3, -3), "reflect", {}),
    ((2, 3, 0), (1, 1), "replicate", {}), ((2, 3, 4), (1, 1, 1, 1, 1, 1), "circular", {}),
]


@pytest.mark.parametrize("shape,widths,mode,kw", PAD_ERRORS, ids=str)
def test_pad_errors_match_torch_types(shape, widths, mode, kw):
    x = _x(shape)
    with pytest.raises(Exception) as theirs:
        TF.pad(torch.tensor(x), widths, mode, **kw)
    with pytest.raises(theirs.type):
        FP.pad(ag.tensor(x), widths, mode, **kw)


CONV3D_CASES = [
    dict(), dict(stride=2, padding=1), dict(padding=(1, 0, 2), dilation=(1, 2, 1)),
    dict(padding="same", dilation=2), dict(padding="valid", stride=(1, 2, 1)), dict(groups=2),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", CONV3D_CASES, ids=str)
def test_conv3d_matches_torch(kw, dtype, device):
    arrays = [_x((2, 4, 5, 6, 5), dtype), _x((6, 4 // kw.get("groups", 1), 3, 2, 3), dtype, 1),
              _x((6,), dtype, 2)]
    run_both(lambda x, w, b: conv3d(x, w, b, **kw), lambda x, w, b: TF.conv3d(x, w, b, **kw),
             arrays, dtype, device=device)


def test_conv3d_unbatched_and_no_bias_match_torch():
    run_both(lambda x, w: conv3d(x, w, padding=1), lambda x, w: TF.conv3d(x, w, padding=1),
             [_x((2, 4, 4, 3)), _x((3, 2, 2, 3, 2), seed=1)], np.float64)


POOL3D_MAX = [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
              dict(kernel_size=(2, 3, 2), stride=(1, 2, 2), dilation=(2, 1, 1)),
              dict(kernel_size=2, stride=1, return_indices=True),
              dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, return_indices=True)]
POOL3D_AVG = [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
              dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
              dict(kernel_size=(2, 3, 2), stride=(1, 2, 3), padding=1, divisor_override=4)]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", POOL3D_MAX, ids=str)
def test_max_pool3d_matches_torch(kw, dtype, device):
    run_both(lambda x: FPO.max_pool3d(x, **kw), lambda x: TF.max_pool3d(x, **kw),
             [_x((2, 2, 5, 6, 7), dtype)], dtype, device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", POOL3D_AVG, ids=str)
def test_avg_pool3d_matches_torch(kw, dtype, device):
    run_both(lambda x: FPO.avg_pool3d(x, **kw), lambda x: TF.avg_pool3d(x, **kw),
             [_x((2, 2, 5, 6, 7), dtype)], dtype, device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", [2, (3, None, 4), (1, 5, 2)], ids=str)
def test_adaptive_avg_pool3d_matches_torch(size, dtype, device):
    run_both(lambda x: FPO.adaptive_avg_pool3d(x, size),
             lambda x: TF.adaptive_avg_pool3d(x, size), [_x((2, 3, 5, 6, 7), dtype)], dtype,
             device=device)
    run_both(lambda x: FPO.adaptive_avg_pool3d(x, size),
             lambda x: TF.adaptive_avg_pool3d(x, size), [_x((3, 5, 6, 7), dtype)], dtype,
             device=device)


FOLD_CASES = [dict(kernel_size=2), dict(kernel_size=(2, 3), stride=2, padding=1),
              dict(kernel_size=3, dilation=(2, 1), padding=(2, 1), stride=(1, 2))]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", FOLD_CASES, ids=str)
def test_unfold_and_fold_match_torch(kw, dtype, device):
    x = _x((2, 3, 6, 7), dtype)
    run_both(lambda x: FF.unfold(x, **kw), lambda x: TF.unfold(x, **kw), [x], dtype,
             device=device)
    run_both(lambda x: FF.unfold(x, **kw), lambda x: TF.unfold(x, **kw), [x[0]], dtype,
             device=device)
    cols = TF.unfold(torch.tensor(x), **kw).numpy()
    run_both(lambda c: FF.fold(c, (6, 7), **kw), lambda c: TF.fold(c, (6, 7), **kw), [cols],
             dtype, device=device)
    run_both(lambda c: FF.fold(c, (6, 7), **kw), lambda c: TF.fold(c, (6, 7), **kw), [cols[1]],
             dtype, device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_channel_shuffle_matches_torch(dtype, device):
    run_both(lambda x: FF.channel_shuffle(x, 3), lambda x: TF.channel_shuffle(x, 3),
             [_x((2, 6, 4, 3), dtype)], dtype, device=device)
    run_both(lambda x: FF.channel_shuffle(x, 2), lambda x: TF.channel_shuffle(x, 2),
             [_x((2, 4, 5), dtype)], dtype, device=device)


LP_CASES = [(2.0, 3, None, False), (1.5, 2, 1, False), (3.0, 3, 2, True)]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p,k,stride,ceil", LP_CASES, ids=str)
def test_lp_pool_matches_torch(p, k, stride, ceil, dtype, device):
    x = _x((2, 3, 7, 8), dtype, positive=True)
    run_both(lambda x: FX.lp_pool2d(x, p, k, stride, ceil),
             lambda x: TF.lp_pool2d(x, p, k, stride, ceil), [x], dtype, device=device)
    run_both(lambda x: FX.lp_pool1d(x, p, k, stride, ceil),
             lambda x: TF.lp_pool1d(x, p, k, stride, ceil), [x[0]], dtype, device=device)
    run_both(lambda x: FX.lp_pool3d(x, p, 2, stride, ceil),
             lambda x: TF.lp_pool3d(x, p, 2, stride, ceil), [x[:, None]], dtype, device=device)


UNPOOL_CASES = [(2, None, 0), (3, 2, 1), (3, 1, 1)]  # the last has repeated indices


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("k,stride,pad", UNPOOL_CASES, ids=str)
def test_max_unpool_matches_torch(k, stride, pad, dtype, device):
    # sizes the windows tile exactly: otherwise PyTorch itself rejects the indices
    shapes = ((2, 3, 9), (2, 3, 7, 9), (1, 2, 5, 7, 5)) if stride == 2 else \
        ((2, 3, 8), (2, 3, 6, 8), (1, 2, 4, 6, 4))
    for nd, shape in zip((1, 2, 3), shapes):
        pool = getattr(TF, f"max_pool{nd}d")
        unpool_t = getattr(TF, f"max_unpool{nd}d")
        unpool_e = getattr(FX, f"max_unpool{nd}d")
        y, idx = pool(torch.tensor(_x(shape, dtype)), k, stride, pad, return_indices=True)
        arrays = [y.numpy(), idx.numpy()]
        run_both(lambda y, i: unpool_e(y, i, k, stride, pad),
                 lambda y, i: unpool_t(y, i, k, stride, pad), arrays, dtype,
                 grads=[True, False], device=device)
        size = tuple(s + 1 for s in unpool_t(y, idx, k, stride, pad).shape[-nd:])
        if stride != 1:  # output_size one larger than the default, given in full
            run_both(lambda y, i: unpool_e(y, i, k, stride, pad, y.shape[:2] + size),
                     lambda y, i: unpool_t(y, i, k, stride, pad, y.shape[:2] + size), arrays,
                     dtype, grads=[True, False], device=device)


def test_max_unpool_takes_our_max_pool_indices():
    x = ag.tensor(_x((2, 3, 6, 6)))
    y, idx = FPO.max_pool2d(x, 2, return_indices=True)
    out = FX.max_unpool2d(y, idx, 2)
    yt, it = TF.max_pool2d(torch.tensor(x.numpy()), 2, return_indices=True)
    np.testing.assert_array_equal(out.numpy(), TF.max_unpool2d(yt, it, 2).numpy())


# ----------------------------------------------------------------------------- gradcheck
def _leaf(shape, seed=0, positive=False):
    return ag.tensor(_x(shape, seed=seed, positive=positive), requires_grad=True)


GRADCHECKS = [
    ("pad_reflect", lambda x: FP.pad(x, (1, 2, 2, 1), "reflect"), [(1, 2, 3, 4)]),
    ("pad_replicate", lambda x: FP.pad(x, (1, 2, 0, 1, 1, 1), "replicate"), [(1, 2, 2, 3, 2)]),
    ("pad_circular", lambda x: FP.pad(x, (-1, 2), "circular"), [(2, 2, 4)]),
    ("conv3d", lambda x, w, b: conv3d(x, w, b, stride=(1, 2, 1), padding=1, dilation=(2, 1, 1)),
     [(1, 2, 4, 4, 3), (2, 2, 2, 2, 2), (2,)]),
    ("conv3d_groups", lambda x, w: conv3d(x, w, groups=2, padding="same"),
     [(1, 4, 3, 3, 3), (2, 2, 3, 1, 2)]),
    ("max_pool3d", lambda x: FPO.max_pool3d(x, 2, 1, ceil_mode=True), [(1, 2, 3, 3, 4)]),
    ("avg_pool3d", lambda x: FPO.avg_pool3d(x, 2, 2, 1, count_include_pad=False),
     [(1, 2, 3, 3, 4)]),
    ("adaptive_avg_pool3d", lambda x: FPO.adaptive_avg_pool3d(x, (2, 3, 2)), [(1, 2, 3, 4, 5)]),
    ("unfold", lambda x: FF.unfold(x, 2, padding=1, stride=2), [(1, 2, 3, 4)]),
    ("fold", lambda c: FF.fold(c, (3, 4), 2, padding=1, stride=(1, 2)), [(1, 8, 12)]),
    ("channel_shuffle", lambda x: FF.channel_shuffle(x, 2), [(1, 4, 3)]),
    ("lp_pool2d", lambda x: FX.lp_pool2d(x, 2.0, 2, 1), [(1, 2, 3, 3)]),
]


@pytest.mark.parametrize("name,fn,shapes", GRADCHECKS, ids=[g[0] for g in GRADCHECKS])
def test_gradcheck_and_gradgradcheck(name, fn, shapes):
    inputs = [_leaf(s, i, positive=name.startswith("lp")) for i, s in enumerate(shapes)]
    assert ag.gradcheck(fn, inputs)
    assert ag.gradgradcheck(fn, inputs)


def test_max_unpool_gradcheck_and_gradgradcheck():
    y, idx = FPO.max_pool2d(ag.tensor(_x((1, 2, 4, 4))), 2, return_indices=True)
    y = y.detach().requires_grad_()
    fn = lambda y: FX.max_unpool2d(y, idx, 2)  # noqa: E731
    assert ag.gradcheck(fn, [y])
    assert ag.gradgradcheck(fn, [y])
