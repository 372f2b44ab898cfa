"""Conv1d/Conv2d/ConvTranspose1d/2d against PyTorch: values, input and parameter gradients,
float64 and float32; gradcheck and gradgradcheck in float64."""
import math

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from tests.conftest import DEVICES, requires_torch
from tests.nn._layer_parity import DTYPES, check_module, run_both, torch

pytestmark = [requires_torch, pytest.mark.filterwarnings("ignore:Using padding=.same.")]

CONV2D_CASES = [
    dict(),
    dict(stride=2, padding=1),
    dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2)),
    dict(padding="same", dilation=2),
    dict(padding="valid"),
    dict(groups=2, padding=1),
    dict(groups=4, stride=2),  # depthwise (4 input channels)
]


def _arrays(rng, dtype, *shapes):
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", CONV2D_CASES, ids=str)
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_values_and_grads_match_torch(kw, bias, dtype, device):
    rng = np.random.default_rng(1)
    g = kw.get("groups", 1)
    x, w, b = _arrays(rng, dtype, (2, 4, 7, 8), (4 if g == 4 else 6, 4 // g, 3, 2),
                      (4 if g == 4 else 6,))
    arrays = [x, w, b] if bias else [x, w]
    run_both(lambda *a: F.conv2d(*a, **kw), lambda *a: torch.nn.functional.conv2d(*a, **kw),
             arrays, dtype, device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_conv2d_unbatched_even_kernel_same_padding_matches_torch(dtype, device):
    rng = np.random.default_rng(2)
    x, w = _arrays(rng, dtype, (3, 6, 5), (2, 3, 4, 2))
    run_both(lambda *a: F.conv2d(*a, padding="same"),
             lambda *a: torch.nn.functional.conv2d(*a, padding="same"), [x, w], dtype,
             device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=1, dilation=2),
                                dict(groups=3, padding="same")], ids=str)
def test_conv1d_matches_torch(kw, dtype, device):
    rng = np.random.default_rng(3)
    x, w, b = _arrays(rng, dtype, (2, 6, 9), (3, 6 // kw.get("groups", 1), 3), (3,))
    run_both(lambda *a: F.conv1d(*a, **kw), lambda *a: torch.nn.functional.conv1d(*a, **kw),
             [x, w, b], dtype, device=device)


CONVT_CASES = [
    dict(),
    dict(stride=2, padding=1, output_padding=1),
    dict(stride=(2, 3), padding=(0, 1), output_padding=(1, 2), dilation=(2, 1)),
    dict(groups=2, stride=2),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", CONVT_CASES, ids=str)
def test_conv_transpose2d_matches_torch(kw, dtype, device):
    rng = np.random.default_rng(4)
    x, w, b = _arrays(rng, dtype, (2, 4, 5, 4), (4, 3, 3, 2), (3 * kw.get("groups", 1),))
    run_both(lambda *a: F.conv_transpose2d(*a, **kw),
             lambda *a: torch.nn.functional.conv_transpose2d(*a, **kw), [x, w, b], dtype,
             device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_conv_transpose1d_matches_torch(device):
    rng = np.random.default_rng(5)
    x, w, b = _arrays(rng, np.float64, (2, 4, 6), (4, 2, 3), (2,))
    kw = dict(stride=2, padding=1, output_padding=1)
    run_both(lambda *a: F.conv_transpose1d(*a, **kw),
             lambda *a: torch.nn.functional.conv_transpose1d(*a, **kw), [x, w, b], np.float64,
             device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("kw", [dict(stride=2, padding=1), dict(dilation=2, groups=2),
                                dict(stride=(1, 2), padding=(2, 0), groups=2)], ids=str)
def test_conv2d_gradcheck_and_gradgradcheck(kw, device):
    rng = np.random.default_rng(6)
    shape_w = (2, 2 // kw.get("groups", 1), 3, 2)
    x, w, b = (ag.tensor(a, requires_grad=True, device=device)
               for a in _arrays(rng, np.float64, (2, 2, 5, 5), shape_w, (2,)))
    fn = lambda x, w, b: F.conv2d(x, w, b, **kw)
    assert ag.gradcheck(fn, (x, w, b))
    assert ag.gradgradcheck(fn, (x, w, b))


@pytest.mark.parametrize("device", DEVICES)
def test_conv_transpose2d_gradcheck_and_gradgradcheck(device):
    rng = np.random.default_rng(7)
    x, w, b = (ag.tensor(a, requires_grad=True, device=device)
               for a in _arrays(rng, np.float64, (1, 2, 3, 3), (2, 2, 2, 3), (4,)))
    fn = lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1,
                                            groups=2)
    assert ag.gradcheck(fn, (x, w, b))
    assert ag.gradgradcheck(fn, (x, w, b))


def test_conv2d_keeps_float32_and_rejects_wrong_channels():
    x = ag.randn(1, 3, 5, 5)
    w = ag.randn(4, 3, 3, 3)
    assert F.conv2d(x, w).dtype == ag.float32
    with pytest.raises(RuntimeError, match="conv2d"):
        F.conv2d(ag.randn(1, 2, 5, 5), w)
    with pytest.raises(RuntimeError, match="strided"):
        F.conv2d(x, w, stride=2, padding="same")


# ----------------------------------------------------------------------------- modules
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=1, bias=False),
                                dict(padding="same", dilation=2, groups=2),
                                dict(padding=1, padding_mode="reflect"),
                                dict(padding=(1, 2), padding_mode="circular"),
                                dict(padding="same", padding_mode="replicate")], ids=str)
def test_conv2d_module_matches_torch(kw, dtype, device):
    tdt = getattr(torch, np.dtype(dtype).name)
    tm = torch.nn.Conv2d(4, 6, (3, 2), **kw).to(tdt)
    em = nn.Conv2d(4, 6, (3, 2), dtype=dtype, **kw)
    x = np.random.default_rng(8).standard_normal((2, 4, 6, 7)).astype(dtype)
    check_module(em, tm, [x], dtype, device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_conv1d_module_matches_torch(dtype, device):
    tdt = getattr(torch, np.dtype(dtype).name)
    tm = torch.nn.Conv1d(4, 6, 3, stride=2, padding=2, padding_mode="reflect").to(tdt)
    em = nn.Conv1d(4, 6, 3, stride=2, padding=2, padding_mode="reflect", dtype=dtype)
    x = np.random.default_rng(9).standard_normal((2, 4, 9)).astype(dtype)
    check_module(em, tm, [x], dtype, device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_conv_transpose2d_module_matches_torch(dtype, device):
    tdt = getattr(torch, np.dtype(dtype).name)
    tm = torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1,
                                  groups=2).to(tdt)
    em = nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2,
                            dtype=dtype)
    x = np.random.default_rng(10).standard_normal((2, 4, 4, 5)).astype(dtype)
    check_module(em, tm, [x], dtype, device=device)
    copy_out = em(ag.tensor(x, device=device), output_size=(8, 10))
    ref = tm(torch.tensor(x), output_size=(8, 10))
    assert tuple(copy_out.shape) == tuple(ref.shape)


@pytest.mark.parametrize("device", DEVICES)
def test_conv_transpose1d_module_matches_torch(device):
    tm = torch.nn.ConvTranspose1d(3, 2, 4, stride=3).double()
    em = nn.ConvTranspose1d(3, 2, 4, stride=3, dtype=ag.float64)
    x = np.random.default_rng(11).standard_normal((2, 3, 5))
    check_module(em, tm, [x], np.float64, device=device)


def test_conv_parameter_names_shapes_and_init_match_torch():
    em, tm = nn.Conv2d(4, 8, 3, groups=2), torch.nn.Conv2d(4, 8, 3, groups=2)
    e_shapes = {k: tuple(v.shape) for k, v in em.state_dict().items()}
    assert e_shapes == {k: tuple(v.shape) for k, v in tm.state_dict().items()}
    assert em.weight.dtype == ag.float32
    bound = 1 / math.sqrt(2 * 9)  # fan_in = in/groups * kh * kw
    w = em.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    assert np.abs(em.bias.detach().numpy()).max() <= bound
    et = nn.ConvTranspose2d(4, 6, 3, groups=2)
    tt = torch.nn.ConvTranspose2d(4, 6, 3, groups=2)
    assert tuple(et.weight.shape) == tuple(tt.weight.shape) == (4, 3, 3, 3)
