"""torch.nn.functional's remaining names and their modules, against PyTorch: values,
gradients (gradcheck in float64 for the new pooling op), errors."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import autograd as ag
import nn
import nn.functional as F


def _t(a, grad=False):
    return ag.tensor(a, requires_grad=grad), torch.tensor(a, requires_grad=grad)


def _close(a, b, dtype=np.float32):
    tol = 1e-5 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(np.asarray(a.detach().numpy(), dtype=np.float64),
                               b.detach().numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("size", [(2, 3, 2), 1, (None, 2, 3), (4, 5, 3)])
def test_adaptive_max_pool3d_matches_torch(size):
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5, 3)).astype(np.float32)
    a, b = _t(x, True)
    (oa, ia), (ob, ib) = (F.adaptive_max_pool3d(a, size, return_indices=True),
                          TF.adaptive_max_pool3d(b, size, return_indices=True))
    _close(oa, ob)
    assert (ia.numpy() == ib.numpy()).all()
    g = np.random.default_rng(1).standard_normal(ob.shape).astype(np.float32)
    oa.backward(ag.tensor(g)), ob.backward(torch.tensor(g))
    _close(a.grad, b.grad)
    m = nn.AdaptiveMaxPool3d(size)
    _close(m(a), torch.nn.AdaptiveMaxPool3d(size)(b))


def test_adaptive_max_pool3d_gradcheck_and_errors():
    x = ag.tensor(np.random.default_rng(2).standard_normal((1, 2, 3, 4, 5)),
                  requires_grad=True)
    assert ag.gradcheck(lambda t: F.adaptive_max_pool3d(t, (2, 3, 2)), (x,))
    with pytest.raises(RuntimeError, match="4D or 5D"):
        F.adaptive_max_pool3d(ag.zeros(3, 4, 5), 2)
    unbatched = ag.tensor(x.detach().numpy()[0])
    _close(F.adaptive_max_pool3d(unbatched, 2),
           TF.adaptive_max_pool3d(torch.tensor(x.detach().numpy()[0]), 2), np.float64)


@pytest.mark.parametrize("name,args", [
    ("max_pool1d_with_indices", (3,)), ("max_pool2d_with_indices", (2,)),
    ("max_pool3d_with_indices", (2,)), ("adaptive_max_pool1d_with_indices", (2,)),
    ("adaptive_max_pool2d_with_indices", ((2, 1),)),
    ("adaptive_max_pool3d_with_indices", (2,))])
def test_with_indices_forms(name, args):
    shape = {"1d": (2, 3, 6), "2d": (2, 3, 4, 4), "3d": (1, 2, 4, 4, 4)}[name.split("_")[-3][-2:]]
    x = np.random.default_rng(3).standard_normal(shape).astype(np.float32)
    a, b = _t(x)
    (oa, ia), (ob, ib) = getattr(F, name)(a, *args), getattr(TF, name)(b, *args)
    _close(oa, ob)
    assert (ia.numpy() == ib.numpy()).all()


def test_pdist_values_grads_and_errors():
    x = np.random.default_rng(4).standard_normal((5, 3))
    for p in (1.0, 2.0, 3.0, float("inf")):
        a, b = _t(x, True)
        oa, ob = F.pdist(a, p), TF.pdist(b, p)
        _close(oa, ob, np.float64)
        oa.sum().backward(), ob.sum().backward()
        _close(a.grad, b.grad, np.float64)
    a = ag.tensor(x, requires_grad=True)
    assert ag.gradcheck(lambda t: F.pdist(t), (a,))
    with pytest.raises(RuntimeError, match="2D"):
        F.pdist(ag.zeros(2, 3, 4))


@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_triplet_with_distance(swap, reduction):
    rng = np.random.default_rng(5)
    xs = [rng.standard_normal((4, 3)).astype(np.float32) for _ in range(3)]
    ours = [ag.tensor(x, requires_grad=True) for x in xs]
    theirs = [torch.tensor(x, requires_grad=True) for x in xs]
    oa = F.triplet_margin_with_distance_loss(*ours, swap=swap, reduction=reduction)
    ob = TF.triplet_margin_with_distance_loss(*theirs, swap=swap, reduction=reduction)
    _close(oa, ob)
    oa.sum().backward(), ob.sum().backward()
    for o, t in zip(ours, theirs):
        _close(o.grad, t.grad)
    cos = nn.TripletMarginWithDistanceLoss(
        distance_function=lambda u, v: 1 - F.cosine_similarity(u, v), margin=0.5)
    tcos = torch.nn.TripletMarginWithDistanceLoss(
        distance_function=lambda u, v: 1 - TF.cosine_similarity(u, v), margin=0.5)
    _close(cos(*ours), tcos(*theirs))
    with pytest.raises(ValueError, match="margin"):
        F.triplet_margin_with_distance_loss(*ours, margin=0)
    with pytest.raises(RuntimeError, match="dimensions"):
        F.triplet_margin_with_distance_loss(ours[0], ours[1], ours[2][0])


def test_conv_tbc_matches_torch():
    rng = np.random.default_rng(6)
    x, w, bias = (rng.standard_normal(s).astype(np.float32)
                  for s in [(7, 2, 3), (3, 3, 4), (4,)])
    ours = [ag.tensor(v, requires_grad=True) for v in (x, w, bias)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (x, w, bias)]
    oa, ob = F.conv_tbc(*ours, 1), TF.conv_tbc(*theirs, 1)
    _close(oa, ob)
    oa.sum().backward(), ob.sum().backward()
    for o, t in zip(ours, theirs):
        _close(o.grad, t.grad)
    with pytest.raises(RuntimeError, match="conv_tbc"):
        F.conv_tbc(ours[0], ours[1][0], ours[2])


@pytest.mark.parametrize("extra", [(), (2,)])
def test_linear_cross_entropy_and_module(extra):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((6, 4)).astype(np.float32)
    w = rng.standard_normal((3, *extra, 4)).astype(np.float32)
    bias = rng.standard_normal((3, *extra)).astype(np.float32)
    t = rng.integers(0, 3, (6, *extra))
    ours = [ag.tensor(v, requires_grad=True) for v in (x, w, bias)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (x, w, bias)]
    oa = F.linear_cross_entropy(ours[0], ours[1], ag.tensor(t), linear_bias=ours[2],
                                label_smoothing=0.1)
    ob = TF.linear_cross_entropy(theirs[0], theirs[1], torch.tensor(t), linear_bias=theirs[2],
                                 label_smoothing=0.1)
    _close(oa, ob)
    oa.backward(), ob.backward()
    for o, th in zip(ours, theirs):
        _close(o.grad, th.grad)
    m = nn.LinearCrossEntropyLoss(4, 3, out_features=extra, bias=True,
                                  options=nn.LinearCrossEntropyOptions())
    tm = torch.nn.LinearCrossEntropyLoss(4, 3, out_features=extra, bias=True)
    assert list(m.state_dict()) == list(tm.state_dict())
    tm.load_state_dict({k: torch.tensor(v.detach().numpy())
                        for k, v in m.state_dict().items()})
    _close(m(ag.tensor(x), ag.tensor(t)), tm(torch.tensor(x), torch.tensor(t)))
    with pytest.raises(RuntimeError, match="label_smoothing"):
        nn.LinearCrossEntropyLoss(4, 3, label_smoothing=2.0)


def test_gumbel_softmax_properties():
    ag.manual_seed(0)
    logits = ag.tensor(np.log(np.array([[0.7, 0.2, 0.1]] * 4000, dtype=np.float32)),
                       requires_grad=True)
    soft = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(soft.detach().numpy().sum(-1), 1, rtol=1e-5)
    hard = F.gumbel_softmax(logits, hard=True)
    h = hard.detach().numpy()
    assert set(np.unique(h)) <= {0.0, 1.0} and (h.sum(-1) == 1).all()
    # Gumbel-max: the argmax is a draw from softmax(logits); 3 standard errors
    freq = h.mean(0)
    assert np.all(np.abs(freq - [0.7, 0.2, 0.1]) < 3 * np.sqrt(0.25 / 4000) + 1e-3)
    (hard * ag.tensor([1.0, 2.0, 3.0])).sum().backward()  # straight-through gradient
    assert logits.grad is not None and np.isfinite(logits.grad.numpy()).all()
    with pytest.warns(UserWarning, match="eps"):
        F.gumbel_softmax(logits, eps=1e-3)


def test_small_names():
    with pytest.warns(FutureWarning, match="NLLLoss2d"):
        loss = nn.NLLLoss2d()
    x = np.log(np.random.default_rng(8).dirichlet(np.ones(3), (2, 4, 4)).astype(np.float32))
    x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    t = np.random.default_rng(9).integers(0, 3, (2, 4, 4))
    _close(loss(ag.tensor(x), ag.tensor(t)), TF.nll_loss(torch.tensor(x), torch.tensor(t)))
    m = nn.Module()
    m.buf = nn.Buffer(ag.ones(2), persistent=False)
    m.kept = nn.Buffer(ag.zeros(1))
    assert list(m.state_dict()) == ["kept"] and [n for n, _ in m.named_buffers()] == [
        "buf", "kept"]
    assert isinstance(nn.Buffer(ag.ones(1)), nn.Buffer)
    assert not isinstance(m.kept, nn.Buffer) and not isinstance(ag.ones(1), nn.Buffer)
    with pytest.warns(FutureWarning):
        c = nn.Container(lin=nn.Linear(2, 2))
    assert list(dict(c.named_children())) == ["lin"]
    assert nn.factory_kwargs({"device": "cpu", "factory_kwargs": {"dtype": ag.float64}}) == \
        {"device": "cpu", "dtype": ag.float64}
    with pytest.raises(TypeError):
        nn.factory_kwargs({"bad": 1})
    x = ag.randn(2, 6, 3)
    assert (F.native_channel_shuffle(x, 2).numpy() == F.channel_shuffle(x, 2).numpy()).all()
    F.assert_int_or_pair(3, "k", "{} bad")
    with pytest.raises(AssertionError, match="k bad"):
        F.assert_int_or_pair((1, 2, 3), "k", "{} bad")
    assert F.Tensor is ag.Tensor


@pytest.mark.parametrize("shapes,offs", [(((8, 16), (2, 16, 4)), [3, 8]),
                                         (((4, 16), (16, 8)), [8, 16]),
                                         (((2, 4, 16), (16, 8)), [4, 8]),
                                         (((2, 4, 16), (2, 16, 8)), None),
                                         (((9, 16), (2, 16, 4)), [3, 7])])
def test_grouped_mm_matches_torch_and_differentiates(shapes, offs):
    rng = np.random.default_rng(11)
    a, b = (rng.standard_normal(s).astype(np.float32) for s in shapes)
    ko = {} if offs is None else {"offs": ag.tensor(offs, dtype=ag.int32)}
    kt = {} if offs is None else {"offs": torch.tensor(offs, dtype=torch.int32)}
    ao, bo = ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)
    out, ref = F.grouped_mm(ao, bo, **ko), TF.grouped_mm(torch.tensor(a), torch.tensor(b), **kt)
    assert out.shape == ref.shape
    valid = (slice(None),) * 1 if offs is None or len(shapes[0]) != 2 or \
        len(shapes[1]) != 3 else (slice(0, offs[-1]),)  # torch leaves later rows unset
    _close(out[valid], ref[valid])
    # gradients (PyTorch's CPU kernel has none): those of the per-group products
    out.sum().backward()
    assert ao.grad.shape == ao.shape and bo.grad.shape == bo.shape
    if offs is None:
        np.testing.assert_allclose(ao.grad.numpy(), np.ones((2, 4, 8)) @ b.transpose(0, 2, 1),
                                   rtol=1e-5, atol=1e-5 * 8)  # float32 sums of 8 terms


def test_grouped_mm_errors():
    a, b = ag.zeros(4, 8), ag.zeros(2, 8, 4)
    with pytest.raises(RuntimeError, match="int32"):
        F.grouped_mm(a, b, offs=ag.tensor([2, 4]))
    with pytest.raises(RuntimeError, match="offsets"):
        F.grouped_mm(a, b)
    with pytest.raises(RuntimeError, match="Float32"):
        F.grouped_mm(a.double(), b.double(), offs=ag.tensor([2, 4], dtype=ag.int32))
    with pytest.raises(RuntimeError, match="Bias"):
        F.grouped_mm(a, b, offs=ag.tensor([2, 4], dtype=ag.int32), bias=ag.zeros(4))
