"""interpolate/Upsample, pixel_shuffle, InstanceNorm, RMSNorm, LocalResponseNorm,
cosine_similarity/pairwise_distance and their losses, adaptive_max_pool against PyTorch:
values and gradients in float64 and float32, gradcheck/gradgradcheck, errors."""
import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from tests.conftest import DEVICES, requires_torch
from tests.nn._layer_parity import DTYPES, check_module, close, run_both, torch

pytestmark = requires_torch


def _x(shape, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _tdt(dtype):
    return getattr(torch, np.dtype(dtype).name)


def _g(*arrays, device="cpu"):
    return [ag.tensor(a, device=device, requires_grad=True) for a in arrays]


# ----------------------------------------------------------------------------- interpolate
_SIZES = [dict(size=11), dict(size=3), dict(size=1), dict(size=5), dict(scale_factor=1.7),
          dict(scale_factor=0.6), dict(scale_factor=2), dict(scale_factor=3.0),
          dict(scale_factor=0.34), dict(scale_factor=1.19), dict(scale_factor=2.05),
          dict(scale_factor=1.3, recompute_scale_factor=True),
          dict(scale_factor=0.45, recompute_scale_factor=True)]
_CASES = ([(m, None) for m in ("nearest", "nearest-exact")] +
          [("linear", False), ("linear", True)])


def _spatial(kw, ndim):
    """Per-axis size / scale for 4-d inputs (different along H and W)."""
    if ndim == 3:
        return kw
    kw = dict(kw)
    if "size" in kw:
        kw["size"] = (kw["size"], kw["size"] + 2)
    else:
        kw["scale_factor"] = (kw["scale_factor"], kw["scale_factor"] * 1.25)
    return kw


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ndim", [3, 4])
@pytest.mark.parametrize("mode,align_corners", _CASES, ids=str)
@pytest.mark.parametrize("kw", _SIZES, ids=str)
def test_interpolate_matches_torch(kw, mode, align_corners, ndim, dtype, device):
    if mode == "linear" and ndim == 4:
        mode = "bilinear"
    kw = _spatial(kw, ndim)
    x = _x((2, 3, 7) if ndim == 3 else (2, 3, 5, 6), dtype)
    def fe(t):
        return F.interpolate(t, mode=mode, align_corners=align_corners, **kw)

    def ft(t):
        return torch.nn.functional.interpolate(t, mode=mode, align_corners=align_corners, **kw)

    if ndim == 3 and mode == "nearest" and kw.get("scale_factor") in (1.19, 2.05):
        # PyTorch's 1-d nearest backward takes out == in and out == 2 in as exact cases
        # while its forward applies the scale: its gradient is not the forward's adjoint,
        # so only values are compared (gradcheck covers ours)
        close(fe(ag.tensor(x, device=device)), ft(torch.tensor(x)), dtype, "output", device)
        assert ag.gradcheck(fe, _g(_x(x.shape), device=device))
        return
    run_both(fe, ft, [x], dtype, device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("mode,align_corners,ndim", [
    ("nearest", None, 4), ("nearest-exact", None, 3), ("linear", False, 3),
    ("linear", True, 3), ("bilinear", False, 4), ("bilinear", True, 4)], ids=str)
def test_interpolate_gradcheck_and_gradgradcheck(mode, align_corners, ndim, device):
    shape = (1, 2, 4) if ndim == 3 else (1, 2, 3, 4)
    x = _g(_x(shape), device=device)
    for kw in (dict(size=7 if ndim == 3 else (5, 7)), dict(scale_factor=0.6)):
        def fn(t):
            return F.interpolate(t, mode=mode, align_corners=align_corners, **kw)
        assert ag.gradcheck(fn, x)
        assert ag.gradgradcheck(fn, x)


def test_interpolate_area_integer_input_and_identity_copy():
    x = _x((2, 3, 6, 8))
    run_both(lambda t: F.interpolate(t, size=(3, 5), mode="area"),
             lambda t: torch.nn.functional.interpolate(t, size=(3, 5), mode="area"),
             [x], np.float64)
    run_both(lambda t: F.interpolate(t, scale_factor=0.5, mode="area"),
             lambda t: torch.nn.functional.interpolate(t, scale_factor=0.5, mode="area"),
             [x], np.float64)
    xi = np.arange(12).reshape(1, 1, 3, 4)
    for mode in ("nearest", "bilinear"):
        _raises_like_torch(lambda: F.interpolate(ag.tensor(xi), scale_factor=2, mode=mode),
                           lambda: torch.nn.functional.interpolate(torch.tensor(xi),
                                                                   scale_factor=2, mode=mode))
    t = ag.tensor(_x((1, 1, 3, 4)))
    same = F.interpolate(t, size=(3, 4), mode="bilinear")
    assert same is not t and np.array_equal(same.numpy(), t.numpy())


def _raises_like_torch(fe, ft, match=None):
    with pytest.raises(Exception) as te:
        ft()
    with pytest.raises(type(te.value), match=match):
        fe()


@pytest.mark.parametrize("args,kwargs", [
    ((), dict(scale_factor=0.1)), ((), dict(size=0)), ((), dict(scale_factor=-1.0)),
    ((), dict(size=(2.5,))), ((), dict(scale_factor=2, mode="foo")),
    ((), dict(size=3, scale_factor=2)), ((), dict()),
    ((), dict(size=3, recompute_scale_factor=True)),
    ((), dict(size=3, align_corners=True)), ((), dict(size=3, mode="bilinear")),
    ((), dict(size=(3, 3))), ((), dict(scale_factor=(2, 2))),
    ((), dict(size=3, mode="linear", antialias=True)),
], ids=str)
def test_interpolate_errors_match_torch(args, kwargs):
    x = _x((2, 3, 5))
    _raises_like_torch(lambda: F.interpolate(ag.tensor(x), *args, **kwargs),
                       lambda: torch.nn.functional.interpolate(torch.tensor(x), *args, **kwargs))


def test_interpolate_errors_other_ranks():
    for shape, kw in [((3, 5), dict(scale_factor=2)), ((2, 3, 5, 4), dict(size=3, mode="linear")),
                      ((2, 0, 5, 4), dict(scale_factor=2, mode="bilinear")),
                      ((2, 3, 0, 4), dict(scale_factor=2, mode="bilinear"))]:
        x = np.zeros(shape)
        _raises_like_torch(lambda: F.interpolate(ag.tensor(x), **kw),
                           lambda: torch.nn.functional.interpolate(torch.tensor(x), **kw))
    out = F.interpolate(ag.zeros(0, 3, 5, 4), scale_factor=2, mode="bilinear")
    assert tuple(out.shape) == (0, 3, 10, 8)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_upsample_modules_match_torch(dtype, device):
    x = _x((2, 3, 4, 5), dtype)
    pairs = [(nn.Upsample(scale_factor=2), torch.nn.Upsample(scale_factor=2)),
             (nn.Upsample(size=(3, 7), mode="bilinear"),
              torch.nn.Upsample(size=(3, 7), mode="bilinear")),
             (nn.Upsample(scale_factor=(1.5, 0.8), mode="nearest-exact"),
              torch.nn.Upsample(scale_factor=(1.5, 0.8), mode="nearest-exact")),
             (nn.UpsamplingNearest2d(scale_factor=3), torch.nn.UpsamplingNearest2d(scale_factor=3)),
             (nn.UpsamplingBilinear2d(size=(6, 9)), torch.nn.UpsamplingBilinear2d(size=(6, 9))),
             (nn.UpsamplingBilinear2d(scale_factor=2.5),
              torch.nn.UpsamplingBilinear2d(scale_factor=2.5))]
    for em, tm in pairs:
        assert repr(em) == repr(tm)
        check_module(em, tm, [x], dtype, device=device)
    x1 = _x((2, 3, 6), dtype)
    check_module(nn.Upsample(scale_factor=1.5, mode="linear", align_corners=True),
                 torch.nn.Upsample(scale_factor=1.5, mode="linear", align_corners=True),
                 [x1], dtype, device=device)


# ----------------------------------------------------------------------------- pixel shuffle
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,r", [((2, 8, 3, 4), 2), ((9, 2, 3), 3), ((2, 1, 4, 2, 2), 2)],
                         ids=str)
def test_pixel_shuffle_roundtrip_matches_torch(shape, r, dtype, device):
    x = _x(shape, dtype)
    check_module(nn.PixelShuffle(r), torch.nn.PixelShuffle(r), [x], dtype, device=device)
    y = _x(shape[:-3] + (shape[-3] // (r * r), shape[-2] * r, shape[-1] * r), dtype)
    check_module(nn.PixelUnshuffle(r), torch.nn.PixelUnshuffle(r), [y], dtype, device=device)
    out = F.pixel_unshuffle(F.pixel_shuffle(ag.tensor(x, device=device), r), r)
    np.testing.assert_array_equal(out.cpu().numpy(), x)
    assert repr(nn.PixelShuffle(r)) == repr(torch.nn.PixelShuffle(r))


@pytest.mark.parametrize("fn,shape,r", [
    ("pixel_shuffle", (2, 7, 3, 3), 2), ("pixel_shuffle", (3, 3), 2),
    ("pixel_shuffle", (2, 8, 3, 3), 0), ("pixel_shuffle", (2, 8, 3, 3), -2),
    ("pixel_shuffle", (2, 8, 3, 3), 2.0), ("pixel_unshuffle", (2, 2, 5, 6), 2),
    ("pixel_unshuffle", (2, 2, 4, 5), 2), ("pixel_unshuffle", (4, 5), 2),
    ("pixel_unshuffle", (2, 2, 4, 6), 0)], ids=str)
def test_pixel_shuffle_errors_match_torch(fn, shape, r):
    x = np.zeros(shape)
    _raises_like_torch(lambda: getattr(F, fn)(ag.tensor(x), r),
                       lambda: getattr(torch.nn.functional, fn)(torch.tensor(x), r))


# ----------------------------------------------------------------------------- norms
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", [dict(), dict(affine=True), dict(track_running_stats=True),
                                dict(affine=True, track_running_stats=True, momentum=0.3),
                                dict(track_running_stats=True, momentum=None, eps=1e-3)],
                         ids=str)
@pytest.mark.parametrize("cls,shape", [("InstanceNorm1d", (4, 3, 5)),
                                       ("InstanceNorm1d", (3, 6)),
                                       ("InstanceNorm2d", (2, 3, 4, 5)),
                                       ("InstanceNorm2d", (3, 4, 5))], ids=str)
def test_instance_norm_train_then_eval_matches_torch(cls, shape, kw, dtype, device):
    em = getattr(nn, cls)(3, dtype=dtype, **kw)
    tm = getattr(torch.nn, cls)(3, **kw).to(_tdt(dtype))
    if torch.__version__.startswith("2.13"):  # the pinned version: torch 2.11 adds bias=
        assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    for step in range(2):  # running stats accumulate
        check_module(em, tm, [_x(shape, dtype, step) * 2 + 0.5], dtype, seed=step,
                     device=device)
        em.zero_grad()
        tm.zero_grad()
    em.eval()
    tm.eval()
    check_module(em, tm, [_x(shape, dtype, 7)], dtype, device=device)


def test_instance_norm_errors_match_torch():
    cases = [(lambda m: m.InstanceNorm1d(3), (2, 3, 4, 5)),
             (lambda m: m.InstanceNorm1d(3, affine=True), (2, 4, 5)),
             (lambda m: m.InstanceNorm2d(3), (3, 5)),
             (lambda m: m.InstanceNorm1d(3), (2, 3, 1))]
    for make, shape in cases:
        x = np.zeros(shape)
        _raises_like_torch(lambda: make(nn)(ag.tensor(x)), lambda: make(torch.nn)(torch.tensor(x)))
    _raises_like_torch(lambda: F.instance_norm(ag.zeros(2, 3, 4), use_input_stats=False),
                       lambda: torch.nn.functional.instance_norm(torch.zeros(2, 3, 4),
                                                                 use_input_stats=False))
    with pytest.warns(UserWarning, match="does not match num_features"):
        nn.InstanceNorm1d(4)(ag.randn(2, 3, 5))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", [dict(), dict(eps=1e-3), dict(elementwise_affine=False)], ids=str)
@pytest.mark.parametrize("shape,normalized", [((4, 5), 5), ((2, 3, 4), (3, 4))], ids=str)
def test_rms_norm_matches_torch(shape, normalized, kw, dtype, device):
    em, tm = nn.RMSNorm(normalized, dtype=dtype, **kw), torch.nn.RMSNorm(normalized, **kw)
    tm.to(_tdt(dtype))
    assert repr(em) == repr(tm)
    if em.weight is not None:  # a weight other than ones
        tm.weight.data.uniform_(0.5, 1.5)
    check_module(em, tm, [_x(shape, dtype)], dtype, device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,size", [((2, 5, 4), 3), ((2, 6, 3, 2), 2), ((1, 4, 3, 3), 5),
                                        ((2, 3, 2, 2, 2), 1)], ids=str)
def test_local_response_norm_matches_torch(shape, size, dtype, device):
    em, tm = nn.LocalResponseNorm(size, alpha=0.5, beta=0.6, k=1.5), torch.nn.LocalResponseNorm(
        size, alpha=0.5, beta=0.6, k=1.5)
    assert repr(em) == repr(tm)
    check_module(em, tm, [_x(shape, dtype)], dtype, device=device)


def test_norm_function_errors_match_torch():
    for args in [((2, 3), (4,)), ((2, 3), [3], (2,)), ((2, 3), [2, 3], (2,)), ((2, 3), 3)]:
        x = np.zeros(args[0])
        w = [np.ones(args[2])] if len(args) > 2 else []
        _raises_like_torch(
            lambda: F.rms_norm(ag.tensor(x), args[1], *[ag.tensor(a) for a in w]),
            lambda: torch.nn.functional.rms_norm(torch.tensor(x), args[1],
                                                 *[torch.tensor(a) for a in w]))
    _raises_like_torch(lambda: F.local_response_norm(ag.zeros(2, 3), 2),
                       lambda: torch.nn.functional.local_response_norm(torch.zeros(2, 3), 2))


@pytest.mark.parametrize("device", DEVICES)
def test_norm_gradchecks(device):
    x, w, b = _g(_x((2, 3, 4)), _x((3,), seed=1), _x((3,), seed=2), device=device)
    rm, rv = ag.zeros(3, dtype=ag.float64, device=device), ag.ones(3, dtype=ag.float64,
                                                                  device=device)
    for fn, inputs in [(lambda x, w, b: F.instance_norm(x, weight=w, bias=b), (x, w, b)),
                       (lambda x: F.instance_norm(x, rm, rv, use_input_stats=False), (x,)),
                       (lambda x, w: F.rms_norm(x, (4,), ag.stack([w, w]).flatten()[:4]),
                        (x, w)),
                       (lambda x: F.local_response_norm(x, 2, alpha=0.5), (x,))]:
        assert ag.gradcheck(fn, inputs)
        assert ag.gradgradcheck(fn, inputs)


# ----------------------------------------------------------------------------- distances
_DIST_SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 4))]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes", _DIST_SHAPES, ids=str)
def test_cosine_similarity_and_pairwise_distance_match_torch(shapes, dtype, device):
    a, b = _x(shapes[0], dtype), _x(shapes[1], dtype, 1)
    for dim in (-1, 0):
        run_both(lambda u, v: F.cosine_similarity(u, v, dim=dim),
                 lambda u, v: torch.nn.functional.cosine_similarity(u, v, dim=dim),
                 [a, b], dtype, device=device)
    for p, keepdim in [(2.0, False), (1, True), (3.5, False), (float("inf"), False),
                       (0.5, True)]:
        run_both(lambda u, v: F.pairwise_distance(u, v, p=p, keepdim=keepdim),
                 lambda u, v: torch.nn.functional.pairwise_distance(u, v, p=p, keepdim=keepdim),
                 [a, b], dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cosine_similarity_small_norms_clamp_value_not_gradient(dtype):
    # rows whose norm is below eps: the value uses eps, the gradient the plain norm
    a = _x((3, 4), dtype)
    b = _x((3, 4), dtype, 1) * np.array([[1], [1e-9], [0.02]], dtype=dtype)
    for eps in (1e-8, 0.1):
        run_both(lambda u, v: F.cosine_similarity(u, v, eps=eps),
                 lambda u, v: torch.nn.functional.cosine_similarity(u, v, eps=eps),
                 [a, b], dtype)
    check_module(nn.CosineSimilarity(dim=0, eps=0.5), torch.nn.CosineSimilarity(dim=0, eps=0.5),
                 [a, b], dtype)
    check_module(nn.PairwiseDistance(p=1.5, keepdim=True),
                 torch.nn.PairwiseDistance(p=1.5, keepdim=True), [a, b], dtype)
    run_both(F.pairwise_distance, torch.nn.functional.pairwise_distance,
             [a[0, 0], b[0, 0]], dtype)  # two 0-d tensors


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", [dict(), dict(margin=0.5, p=1.0, swap=True),
                                dict(margin=3.0, reduction="sum"), dict(reduction="none")],
                         ids=str)
def test_triplet_margin_loss_matches_torch(kw, dtype, device):
    xs = [_x((5, 4), dtype, s) for s in range(3)]
    check_module(nn.TripletMarginLoss(**kw), torch.nn.TripletMarginLoss(**kw), xs, dtype,
                 device=device)
    run_both(lambda a, p, n: F.triplet_margin_loss(a, p, n, **kw),
             lambda a, p, n: torch.nn.functional.triplet_margin_loss(a, p, n, **kw),
             [x[0] for x in xs], dtype, device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", [dict(), dict(margin=0.2), dict(margin=-0.5, reduction="sum"),
                                dict(reduction="none")], ids=str)
def test_cosine_embedding_loss_matches_torch(kw, dtype, device):
    x1, x2 = _x((6, 4), dtype), _x((6, 4), dtype, 1)
    target = np.array([1, -1, 1, -1, -1, 0])
    check_module(nn.CosineEmbeddingLoss(**kw), torch.nn.CosineEmbeddingLoss(**kw),
                 [x1, x2, target], dtype, grads=[True, True, False], device=device)
    run_both(lambda a, b, t: F.cosine_embedding_loss(a, b, t, **kw),
             lambda a, b, t: torch.nn.functional.cosine_embedding_loss(a, b, t, **kw),
             [x1[0], x2[0], np.array(-1)], dtype, grads=[True, True, False], device=device)


def test_distance_errors_match_torch():
    z = np.zeros
    cases = [
        ("cosine_similarity", (z((2, 3)), z((4, 3))), {}),
        ("cosine_similarity", (z((2, 3)), z((2, 3))), dict(dim=2)),
        ("cosine_similarity", (z((2, 3), dtype=np.int64), z((2, 3), dtype=np.int64)), {}),
        ("pairwise_distance", (z((2, 3)), z((4, 3))), {}),
        ("triplet_margin_loss", (z((2, 3)), z((2, 3)), z(3)), {}),
        ("triplet_margin_loss", (z((2, 3)),) * 3, dict(margin=0)),
        ("triplet_margin_loss", (z((2, 3)),) * 3, dict(reduction="foo")),
        ("cosine_embedding_loss", (z((2, 3)), z((2, 3)), z((2, 1))), {}),
        ("cosine_embedding_loss", (z((2, 3)), z((2, 3)), z(())), {}),
        ("cosine_embedding_loss", (z(3), z(3), z(2)), {}),
    ]
    for name, arrays, kw in cases:
        _raises_like_torch(lambda: getattr(F, name)(*map(ag.tensor, arrays), **kw),
                           lambda: getattr(torch.nn.functional, name)(*map(torch.tensor, arrays),
                                                                      **kw))
    with pytest.raises(ValueError, match="margin"):
        nn.TripletMarginLoss(margin=-1)


@pytest.mark.parametrize("device", DEVICES)
def test_distance_gradchecks(device):
    a, b, c = _g(_x((3, 4)), _x((3, 4), seed=1), _x((3, 4), seed=2), device=device)
    t = ag.tensor([1, -1, 1], device=device)
    for fn, inputs in [(lambda u, v: F.cosine_similarity(u, v), (a, b)),
                       (lambda u, v: F.pairwise_distance(u, v, p=3.0), (a, b)),
                       (lambda u, v, w: F.triplet_margin_loss(u, v, w, margin=2.0, swap=True),
                        (a, b, c)),
                       (lambda u, v: F.cosine_embedding_loss(u, v, t, margin=-0.5), (a, b))]:
        assert ag.gradcheck(fn, inputs)
        assert ag.gradgradcheck(fn, inputs)


# ----------------------------------------------------------------------------- adaptive max
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,size", [((2, 3, 7, 5), (3, 2)), ((3, 7, 5), (10, 4)),
                                        ((2, 3, 7, 5), (2, None)), ((2, 3, 4, 4), 1),
                                        ((2, 3, 6, 6), 6)], ids=str)
def test_adaptive_max_pool2d_matches_torch(shape, size, dtype, device):
    # small integers: many ties, which must pick PyTorch's (first, row-major) maximum
    x = np.random.default_rng(0).integers(0, 4, shape).astype(dtype)
    run_both(lambda t: F.adaptive_max_pool2d(t, size, return_indices=True),
             lambda t: torch.nn.functional.adaptive_max_pool2d(t, size, return_indices=True),
             [x], dtype, device=device)
    check_module(nn.AdaptiveMaxPool2d(size), torch.nn.AdaptiveMaxPool2d(size), [_x(shape, dtype)],
                 dtype, device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,size", [((2, 3, 7), 3), ((3, 7), 10), ((2, 3, 5), (2,))],
                         ids=str)
def test_adaptive_max_pool1d_matches_torch(shape, size, dtype, device):
    x = np.random.default_rng(0).integers(0, 3, shape).astype(dtype)
    run_both(lambda t: F.adaptive_max_pool1d(t, size, return_indices=True),
             lambda t: torch.nn.functional.adaptive_max_pool1d(t, size, return_indices=True),
             [x], dtype, device=device)
    check_module(nn.AdaptiveMaxPool1d(size, True), torch.nn.AdaptiveMaxPool1d(size, True),
                 [_x(shape, dtype)], dtype, device=device)


def test_adaptive_max_pool_errors_and_gradcheck():
    cases = [("adaptive_max_pool2d", (2, 3), 2), ("adaptive_max_pool2d", (2, 3, 4, 5), (2, 3, 4)),
             ("adaptive_max_pool2d", (2, 0, 4, 5), 2), ("adaptive_max_pool2d", (2, 3, 0, 5), 2),
             ("adaptive_max_pool1d", (2, 3, 5), (2, 3)), ("adaptive_max_pool1d", (5,), 2),
             ("adaptive_max_pool1d", (2, 3, 4, 5), 2)]
    for name, shape, size in cases:
        x = np.zeros(shape)
        _raises_like_torch(lambda: getattr(F, name)(ag.tensor(x), size),
                           lambda: getattr(torch.nn.functional, name)(torch.tensor(x), size))
    (x,) = _g(_x((2, 2, 5, 4)))
    assert ag.gradcheck(lambda t: F.adaptive_max_pool2d(t, (3, 2)), (x,))
    assert ag.gradgradcheck(lambda t: F.adaptive_max_pool2d(t, (3, 2)), (x,))
    assert ag.gradcheck(lambda t: F.adaptive_max_pool1d(t.flatten(-2), 3), (x,))


@requires_torch
@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_interpolate_gradient_keeps_a_nan_where_torch_does(mode):
    # the host adjoint is a matrix product only for finite gradients: a nan upstream
    # reaches only the pixels that fed that output, as in PyTorch
    x = _x((1, 1, 3, 4))
    g = np.ones((1, 1, 6, 8))
    g[0, 0, 2, 5] = np.nan
    xe, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    F.interpolate(xe, scale_factor=2, mode=mode).backward(ag.tensor(g))
    torch.nn.functional.interpolate(xt, scale_factor=2, mode=mode).backward(torch.tensor(g))
    np.testing.assert_array_equal(np.isnan(xe.grad.numpy()), np.isnan(xt.grad.numpy()))
    finite = ~np.isnan(xt.grad.numpy())
    np.testing.assert_allclose(xe.grad.numpy()[finite], xt.grad.numpy()[finite], rtol=1e-12)
