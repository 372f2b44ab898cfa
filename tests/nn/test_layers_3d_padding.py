"""Padding, 3-d conv/pool/norm, fold/unfold, channel shuffle, LP pooling, max unpooling and
the dropout variants against PyTorch: values, gradients, reprs, state dicts and errors."""
import warnings

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as FD  # the dropout family: `nn.functional.dropout` is the function
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
    ((2, 3, 4, 5), (2, 1, 1, 2, 1, 0), "replicate"),
    ((2, 2, 3, 4, 5), (1, 1, 2, 2, 3, 3), "circular"),
    ((2, 3, 5), (-1, 2), "reflect"), ((2, 3, 5), (-1, 2), "circular"),
    ((2, 3, 5), (1, -2), "circular"),
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


# ----------------------------------------------------------------------------- modules
def _tm(name, *args, **kw):
    return getattr(torch.nn, name)(*args, **kw)


MODULES = [  # (ember class, torch name, args, kwargs, input shape)
    (LC.Conv3d, "Conv3d", (2, 4, 3), dict(stride=2, padding=1), (2, 2, 5, 6, 5)),
    (LC.Conv3d, "Conv3d", (2, 4, (3, 2, 3)), dict(padding="same", padding_mode="circular"),
     (2, 2, 4, 5, 4)),
    (LC.Conv3d, "Conv3d", (4, 2, 2), dict(groups=2, bias=False, padding=1,
                                          padding_mode="reflect"), (1, 4, 3, 4, 3)),
    (LC.Conv3d, "Conv3d", (2, 2, 3), dict(padding=(1, 0, 1), padding_mode="replicate",
                                          dilation=(1, 2, 1)), (1, 2, 4, 5, 4)),
    (LPO.MaxPool3d, "MaxPool3d", (2,), dict(ceil_mode=True), (2, 2, 5, 4, 3)),
    (LPO.AvgPool3d, "AvgPool3d", (3, 2, 1), dict(count_include_pad=False), (2, 2, 5, 4, 3)),
    (LPO.AvgPool3d, "AvgPool3d", (2,), dict(divisor_override=3), (2, 2, 5, 4, 3)),
    (LPO.AdaptiveAvgPool3d, "AdaptiveAvgPool3d", ((2, None, 3),), {}, (2, 2, 5, 4, 7)),
    (LN.BatchNorm3d, "BatchNorm3d", (3,), {}, (2, 3, 2, 3, 2)),
    (LN.BatchNorm3d, "BatchNorm3d", (3,), dict(affine=False, momentum=0.3), (2, 3, 2, 3, 2)),
    (LF.Unfold, "Unfold", ((2, 3),), dict(padding=1, stride=2), (2, 3, 5, 6)),
    (LF.Fold, "Fold", ((4, 5), 2), dict(stride=1), (2, 12, 12)),
    (LF.ChannelShuffle, "ChannelShuffle", (2,), {}, (2, 4, 3)),
    (LX.LPPool1d, "LPPool1d", (2, 3), dict(stride=2), (2, 3, 8)),
    (LX.LPPool2d, "LPPool2d", (1.5, (2, 3)), dict(ceil_mode=True), (2, 3, 5, 7)),
]
for dims in (1, 2, 3):
    shape = (2, 3) + (7, 8, 9)[:dims]
    for kind, args in (("ZeroPad", (1,)), ("ConstantPad", ((2,) * (2 * dims), 1.5)),
                       ("ReflectionPad", (tuple(range(1, 2 * dims + 1)),)),
                       ("ReplicationPad", (2,)), ("CircularPad", (tuple(range(2 * dims)),))):
        name = f"{kind}{dims}d"
        MODULES.append((getattr(LP, name), name, args, {}, shape))


def _module_id(case):
    return f"{case[1]}{case[2]}{case[3]}"


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", MODULES, ids=_module_id)
def test_module_matches_torch(case, dtype, device):
    cls, name, args, kw, shape = case
    torch.manual_seed(0)
    tm = _tm(name, *args, **kw).to({np.float32: torch.float32, np.float64: torch.float64}[dtype])
    em = cls(*args, **kw).to(dtype)
    positive = name.startswith("LP")
    check_module(em, tm, [_x(shape, dtype, positive=positive)], dtype, device=device)
    if torch.__version__.startswith("2.13"):  # the pinned version: torch 2.11 adds bias=
        assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())


@pytest.mark.parametrize("device", DEVICES)
def test_batchnorm3d_eval_uses_running_stats(device):
    tm, em = torch.nn.BatchNorm3d(3).double(), LN.BatchNorm3d(3).to(np.float64)
    x = _x((2, 3, 2, 3, 2))
    check_module(em, tm, [x], np.float64, device=device)   # one training step
    tm.eval(), em.eval()
    check_module(em, tm, [x + 1], np.float64, device=device)
    with pytest.raises(ValueError):
        em(ag.tensor(x[0], device=device))


def test_max_pool3d_and_unpool_modules_with_indices():
    x = _x((1, 2, 4, 6, 4))
    tp, ep = torch.nn.MaxPool3d(2, return_indices=True), LPO.MaxPool3d(2, return_indices=True)
    tu, eu = torch.nn.MaxUnpool3d(2), LX.MaxUnpool3d(2)
    assert repr(ep) == repr(tp) and repr(eu) == repr(tu)
    run_both(lambda x: eu(*ep(x)), lambda x: tu(*tp(x)), [x], np.float64)
    for e, t in ((LX.MaxUnpool1d(3, 2, 1), torch.nn.MaxUnpool1d(3, 2, 1)),
                 (LX.MaxUnpool2d((2, 3)), torch.nn.MaxUnpool2d((2, 3)))):
        assert repr(e) == repr(t)
    y, i = torch.nn.functional.max_pool2d(torch.tensor(_x((1, 2, 4, 6))), 2, return_indices=True)
    run_both(lambda y, i: LX.MaxUnpool2d(2)(y, i, output_size=(5, 7)),
             lambda y, i: torch.nn.MaxUnpool2d(2)(y, i, output_size=(5, 7)),
             [y.numpy(), i.numpy()], np.float64, grads=[True, False])


def test_module_reprs_match_torch():
    pairs = [(LC.Conv3d(2, 4, 3, padding="same", padding_mode="circular"),
              torch.nn.Conv3d(2, 4, 3, padding="same", padding_mode="circular")),
             (LD.Dropout1d(), torch.nn.Dropout1d()), (LD.Dropout3d(0.2), torch.nn.Dropout3d(0.2)),
             (LD.AlphaDropout(0.2), torch.nn.AlphaDropout(0.2)),
             (LD.FeatureAlphaDropout(), torch.nn.FeatureAlphaDropout()),
             (LPO.MaxPool3d(2), torch.nn.MaxPool3d(2)), (LPO.AvgPool3d(2), torch.nn.AvgPool3d(2)),
             (LX.LPPool2d(2, 3), torch.nn.LPPool2d(2, 3)),
             (LX.LPPool3d(2, 3), torch.nn.LPPool3d(2, 3)),
             (LP.ZeroPad2d((1, 2)), torch.nn.ZeroPad2d((1, 2))),
             (LP.ConstantPad1d(1, 2), torch.nn.ConstantPad1d(1, 2)),
             (LF.Fold((4, 5), 2), torch.nn.Fold((4, 5), 2))]
    for e, t in pairs:
        assert repr(e) == repr(t)


def test_circular_pad_module_checks_rank_like_torch():
    for e, t, shape in ((LP.CircularPad1d(1), torch.nn.CircularPad1d(1), (1, 2, 3, 4)),
                        (LP.CircularPad2d(1), torch.nn.CircularPad2d(1), (3, 4))):
        x = _x(shape)
        with pytest.raises(ValueError):
            t(torch.tensor(x))
        with pytest.raises(ValueError):
            e(ag.tensor(x))


# ----------------------------------------------------------------------------- errors
def _same_error(fe, ft, *arrays):
    with pytest.raises(Exception) as theirs:
        ft(*[torch.tensor(a) for a in arrays])
    with pytest.raises(theirs.type):
        fe(*[ag.tensor(a) for a in arrays])


IDX = np.zeros((1, 1, 2, 2), dtype=np.int64)
ERRORS = [
    ("conv3d_weight_rank", lambda x, w: conv3d(x, w), lambda x, w: TF.conv3d(x, w),
     [_x((1, 2, 3, 3, 3)), _x((2, 2, 3, 3))]),
    ("conv3d_channels", lambda x, w: conv3d(x, w), lambda x, w: TF.conv3d(x, w),
     [_x((1, 3, 3, 3, 3)), _x((2, 2, 3, 3, 3))]),
    ("conv3d_too_small", lambda x, w: conv3d(x, w), lambda x, w: TF.conv3d(x, w),
     [_x((1, 2, 2, 3, 3)), _x((2, 2, 3, 3, 3))]),
    ("max_pool3d_rank", lambda x: FPO.max_pool3d(x, 2), lambda x: TF.max_pool3d(x, 2),
     [_x((2, 3, 4))]),
    ("avg_pool3d_pad", lambda x: FPO.avg_pool3d(x, 2, 1, 2), lambda x: TF.avg_pool3d(x, 2, 1, 2),
     [_x((1, 1, 4, 4, 4))]),
    ("unfold_rank", lambda x: FF.unfold(x, 2), lambda x: TF.unfold(x, 2), [_x((1, 2, 3, 4, 5))]),
    ("unfold_big_kernel", lambda x: FF.unfold(x, 5), lambda x: TF.unfold(x, 5),
     [_x((1, 2, 3, 4))]),
    ("fold_blocks", lambda c: FF.fold(c, (5, 5), 2), lambda c: TF.fold(c, (5, 5), 2),
     [_x((2, 8, 15))]),
    ("fold_channels", lambda c: FF.fold(c, (5, 5), 2), lambda c: TF.fold(c, (5, 5), 2),
     [_x((2, 7, 16))]),
    ("fold_rank", lambda c: FF.fold(c, (5, 5), 2), lambda c: TF.fold(c, (5, 5), 2),
     [_x((1, 2, 3, 4))]),
    ("shuffle_groups", lambda x: FF.channel_shuffle(x, 2), lambda x: TF.channel_shuffle(x, 2),
     [_x((2, 5, 4))]),
    ("shuffle_zero", lambda x: FF.channel_shuffle(x, 0), lambda x: TF.channel_shuffle(x, 0),
     [_x((2, 4, 4))]),
    ("shuffle_rank", lambda x: FF.channel_shuffle(x, 2), lambda x: TF.channel_shuffle(x, 2),
     [_x((2, 6))]),
    ("unpool_size", lambda x, i: FX.max_unpool2d(x, i, 2, output_size=(7, 7)),
     lambda x, i: TF.max_unpool2d(x, i, 2, output_size=(7, 7)), [_x((1, 1, 2, 2)), IDX]),
    ("unpool_size_len", lambda x, i: FX.max_unpool2d(x, i, 2, output_size=(1, 5, 5)),
     lambda x, i: TF.max_unpool2d(x, i, 2, output_size=(1, 5, 5)), [_x((1, 1, 2, 2)), IDX]),
    ("unpool_index", lambda x, i: FX.max_unpool2d(x, i, 2),
     lambda x, i: TF.max_unpool2d(x, i, 2), [_x((1, 1, 2, 2)), IDX + 99]),
    ("unpool_negative_index", lambda x, i: FX.max_unpool2d(x, i, 2),
     lambda x, i: TF.max_unpool2d(x, i, 2), [_x((1, 1, 2, 2)), IDX - 1]),
    ("unpool_float_index", lambda x, i: FX.max_unpool2d(x, i, 2),
     lambda x, i: TF.max_unpool2d(x, i, 2), [_x((1, 1, 2, 2)), _x((1, 1, 2, 2))]),
    ("unpool_shape", lambda x, i: FX.max_unpool2d(x, i, 2),
     lambda x, i: TF.max_unpool2d(x, i, 2), [_x((1, 1, 2, 2)), IDX[..., :1]]),
    ("unpool_rank", lambda x, i: FX.max_unpool2d(x, i, 2),
     lambda x, i: TF.max_unpool2d(x, i, 2), [_x((2, 2)), IDX[0, 0]]),
    ("lp_pool_small", lambda x: FX.lp_pool2d(x, 2, 5), lambda x: TF.lp_pool2d(x, 2, 5),
     [_x((1, 2, 4, 4))]),
    ("dropout1d_rank", lambda x: FD.dropout1d(x), lambda x: TF.dropout1d(x), [_x((2, 3, 4, 5))]),
    ("feature_alpha_rank", lambda x: FD.feature_alpha_dropout(x, 0.5, True),
     lambda x: TF.feature_alpha_dropout(x, 0.5, True), [_x((3,))]),
    ("alpha_p", lambda x: FD.alpha_dropout(x, 1.5, True),
     lambda x: TF.alpha_dropout(x, 1.5, True), [_x((3,))]),
    ("dropout3d_p", lambda x: FD.dropout3d(x, -0.1), lambda x: TF.dropout3d(x, -0.1),
     [_x((2, 3, 2, 2, 2))]),
]


@pytest.mark.parametrize("name,fe,ft,arrays", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_match_torch_types(name, fe, ft, arrays):
    _same_error(fe, ft, *arrays)


# ----------------------------------------------------------------------------- dropout
FEATURE = [(FD.dropout1d, (4, 50, 3)), (FD.dropout1d, (50, 3)), (FD.dropout3d, (4, 50, 2, 2, 2)),
           (FD.dropout3d, (50, 2, 2, 2))]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("fn,shape", FEATURE, ids=lambda v: getattr(v, "__name__", str(v)))
def test_channel_dropout_masks_whole_channels(fn, shape, device):
    ag.manual_seed(0)
    x = ag.ones(*shape, dtype=ag.float64, device=device)
    out = fn(x, 0.3).cpu().numpy()
    spatial = 1 if fn is FD.dropout1d else 3
    per_channel = out.reshape(out.shape[:out.ndim - spatial] + (-1,))
    assert np.all(per_channel == per_channel[..., :1])          # one draw per channel
    assert set(np.unique(per_channel)) <= {0.0, 1 / 0.7}
    kept = (per_channel[..., 0] > 0).mean()
    assert 0.5 < kept < 0.9
    assert fn(x, 0.3, training=False) is x
    assert not np.any(fn(x, 1.0).cpu().numpy())


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("feature", [False, True])
def test_alpha_dropout_keeps_mean_and_variance(feature, device):
    ag.manual_seed(1)
    x = ag.tensor(_x((400, 50, 10)), device=device)
    fn = FD.feature_alpha_dropout if feature else FD.alpha_dropout
    for p in (0.2, 0.5):
        out = fn(x, p, True).cpu().numpy()
        assert abs(out.mean()) < 0.03 and abs(out.std() - 1) < 0.03
        # dropped units all take one value, a * (-alpha') + b
        alpha = 1.7580993408473766
        a = ((1 - p) * (1 + p * alpha ** 2)) ** -0.5
        dropped = np.isclose(out, a * (-alpha) + a * alpha * p, rtol=1e-12, atol=0)
        assert 0.8 * p < dropped.mean() < 1.2 * p
        if feature:  # dropped channels are dropped whole
            per_channel = dropped.reshape(400, 50, 10)
            assert np.all(per_channel == per_channel[..., :1])
    assert fn(x, 0.5) is x                       # training defaults to False, as in PyTorch
    assert not np.any(fn(x, 1.0, True).cpu().numpy())


def test_alpha_dropout_gradient_is_the_kept_scale():
    ag.manual_seed(2)
    x = ag.tensor(_x((4, 6)), requires_grad=True)
    out = FD.alpha_dropout(x, 0.4, True)
    out.sum().backward()
    p, alpha = 0.4, 1.7580993408473766
    a = ((1 - p) * (1 + p * alpha ** 2)) ** -0.5
    kept = ~np.isclose(out.detach().numpy(), a * (-alpha) + a * alpha * p, rtol=1e-12, atol=0)
    np.testing.assert_allclose(x.grad.numpy(), kept * a)


@pytest.mark.parametrize("cls", [LD.Dropout1d, LD.Dropout3d, LD.AlphaDropout,
                                 LD.FeatureAlphaDropout])
def test_dropout_modules_reproducible_and_identity_in_eval(cls):
    x = ag.tensor(_x((2, 4, 3, 2, 2) if cls is LD.Dropout3d else (2, 4, 5)))
    m = cls(0.4)
    ag.manual_seed(5)
    first = m(x).numpy()
    ag.manual_seed(5)
    np.testing.assert_array_equal(m(x).numpy(), first)
    assert not np.array_equal(m(x).numpy(), first)
    m.eval()
    assert m(x) is x
    with pytest.raises(ValueError):
        cls(1.2)


def test_dropout3d_warns_on_other_ranks_like_torch():
    x = _x((2, 3, 4))
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        TF.dropout3d(torch.tensor(x), 0.5)
    with pytest.warns(UserWarning, match="dropout3d"):
        FD.dropout3d(ag.tensor(x), 0.5)
    assert theirs and issubclass(theirs[0].category, UserWarning)


# ----------------------------------------------------------------------------- wired names
@pytest.mark.skipif(not hasattr(nn, "Conv3d"), reason="wired by the integrator")
def test_public_names_are_wired():
    import nn.functional as F
    for name in ("Conv3d", "MaxPool3d", "AvgPool3d", "AdaptiveAvgPool3d", "BatchNorm3d",
                 "Fold", "Unfold", "ChannelShuffle", "LPPool1d", "LPPool2d", "LPPool3d",
                 "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d", "Dropout1d", "Dropout3d",
                 "AlphaDropout", "FeatureAlphaDropout", "ZeroPad2d", "ConstantPad3d",
                 "ReflectionPad1d", "ReplicationPad3d", "CircularPad2d"):
        assert getattr(nn, name).__name__ == name
    x = ag.tensor(_x((1, 2, 4, 4, 4))).float()  # the module's float32 weights
    assert nn.Conv3d(2, 3, 3)(x).shape == (1, 3, 2, 2, 2)
    assert callable(F.conv3d)


def test_functional_names_are_wired():
    import nn.functional as F
    for name in ("pad", "conv3d", "max_pool3d", "avg_pool3d", "adaptive_avg_pool3d", "unfold",
                 "fold", "dropout1d", "dropout3d", "alpha_dropout", "feature_alpha_dropout",
                 "channel_shuffle", "lp_pool1d", "lp_pool2d", "lp_pool3d", "max_unpool1d",
                 "max_unpool2d", "max_unpool3d"):
        assert callable(getattr(F, name))
    x = _x((2, 3, 5))
    run_both(lambda x: F.pad(x, (1, 2), "reflect"), lambda x: TF.pad(x, (1, 2), "reflect"),
             [x], np.float64)
