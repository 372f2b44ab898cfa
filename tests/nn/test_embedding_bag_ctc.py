"""F.embedding_bag / nn.EmbeddingBag and F.ctc_loss / nn.CTCLoss against PyTorch: values and
gradients in float64 and float32 on every device, gradcheck, every option, errors."""
import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from nn.functional.ctc import ctc_loss
from nn.functional.embedding import embedding_bag
from nn.layers.embedding import EmbeddingBag
from tests.conftest import DEVICES, requires_torch, torch
from tests.nn._layer_parity import DTYPES, check_module, close, run_both

pytestmark = requires_torch
TF = torch.nn.functional if torch is not None else None
IDX = np.array([1, 2, 4, 5, 4, 3, 2, 9, 4, 0, 7, 7])


def _weight(dtype, rows=10, cols=3, seed=0):
    return np.random.default_rng(seed).standard_normal((rows, cols)).astype(dtype)


# ----------------------------------------------------------------------------- embedding_bag
BAG_CASES = {  # name: (input, offsets, keyword arguments)
    "2d_sum": (IDX.reshape(3, 4), None, dict(mode="sum")),
    "2d_mean": (IDX.reshape(3, 4), None, dict(mode="mean")),
    "2d_max": (IDX.reshape(4, 3), None, dict(mode="max")),
    "offsets_sum_empty_bags": (IDX, [0, 0, 5, 5, 9], dict(mode="sum")),
    "offsets_mean_empty_bags": (IDX, [0, 3, 3, 12], dict(mode="mean")),
    "offsets_max_empty_bags": (IDX, [0, 4, 4, 7, 12], dict(mode="max")),
    "max_ties_first_row_wins": (np.array([4, 4, 1, 1, 1]), [0, 2], dict(mode="max")),
    "padding_mean": (IDX, [0, 4, 6, 9], dict(mode="mean", padding_idx=4)),
    "padding_sum_negative": (IDX, [0, 4, 6, 9], dict(mode="sum", padding_idx=-3)),
    "padding_max": (IDX, [0, 4, 6, 9], dict(mode="max", padding_idx=4)),
    "padding_only_bag_is_zero": (np.array([4, 4, 1, 4]), [0, 2], dict(mode="mean",
                                                                       padding_idx=4)),
    "padding_2d_max": (IDX.reshape(3, 4), None, dict(mode="max", padding_idx=2)),
    "last_offset_sum": (IDX, [0, 5, 5, 12], dict(mode="sum", include_last_offset=True)),
    "last_offset_mean": (IDX, [0, 5, 8, 12], dict(mode="mean", include_last_offset=True)),
    "last_offset_max": (IDX, [0, 0, 8, 12], dict(mode="max", include_last_offset=True)),
    # every index used twice: PyTorch 2.13's CPU kernel divides by the right count here
    "freq_sum": (np.array([3, 1, 3, 5, 1, 5]), [0, 2], dict(mode="sum",
                                                             scale_grad_by_freq=True)),
    "freq_mean": (np.array([3, 1, 3, 5, 1, 5]), [0, 4], dict(mode="mean",
                                                              scale_grad_by_freq=True)),
    "int32": (IDX.astype(np.int32), np.array([0, 4, 9], dtype=np.int32), dict(mode="mean")),
    "empty_input": (np.array([], dtype=np.int64), [0, 0], dict(mode="mean")),
}


def _bag_fns(offsets, kw, psw=False):
    def fe(w, x, *rest):
        return embedding_bag(x, w, rest[0] if offsets is not None else None, **kw,
                             per_sample_weights=rest[-1] if psw else None)

    def ft(w, x, *rest):
        return TF.embedding_bag(x, w, rest[0] if offsets is not None else None, **kw,
                                per_sample_weights=rest[-1] if psw else None)
    return fe, ft


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", list(BAG_CASES))
def test_embedding_bag_matches_torch(case, dtype, device):
    x, offsets, kw = BAG_CASES[case]
    arrays = [_weight(dtype), x] + ([np.asarray(offsets)] if offsets is not None else [])
    fe, ft = _bag_fns(offsets, kw)
    run_both(fe, ft, arrays, dtype, grads=[True] + [False] * (len(arrays) - 1), device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("two_d,padding_idx", [(False, None), (True, None), (False, 4)])
def test_embedding_bag_per_sample_weights_match_torch(two_d, padding_idx, dtype, device):
    x, offsets = (IDX.reshape(3, 4), None) if two_d else (IDX, [0, 4, 4, 9])
    psw = np.random.default_rng(1).standard_normal(x.shape).astype(dtype)
    arrays = [_weight(dtype), x] + ([np.asarray(offsets)] if offsets is not None else [])
    fe, ft = _bag_fns(offsets, dict(mode="sum", padding_idx=padding_idx), psw=True)
    run_both(fe, ft, arrays + [psw], dtype, device=device,
             grads=[True] + [False] * (len(arrays) - 1) + [True])


def test_embedding_bag_scale_grad_by_freq_divides_by_each_index_count():
    # PyTorch 2.13's CPU kernel divides some rows by another index's count (pytorch#190063);
    # the documented rule is each row's gradient over its own frequency in the batch
    w = ag.zeros(6, 1, dtype=ag.float64, requires_grad=True)
    embedding_bag(ag.tensor([1, 1, 3, 2, 2, 2]), w, ag.tensor([0, 4]), mode="sum",
                  scale_grad_by_freq=True).sum().backward()
    np.testing.assert_allclose(w.grad.numpy()[:, 0], [0, 1, 1, 1, 0, 0])


def test_embedding_bag_include_last_offset_ends_the_last_bag_there():
    # CSR as documented: elements past offsets[-1] are in no bag
    w = ag.tensor(np.arange(10.0).reshape(10, 1))
    out = embedding_bag(ag.tensor([1, 2, 3, 4]), w, ag.tensor([0, 1, 3]), mode="sum",
                        include_last_offset=True)
    np.testing.assert_allclose(out.numpy()[:, 0], [1, 5])


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_max_norm_renormalises_used_rows_like_torch(mode, device):
    w = _weight(np.float64) * 3
    we, wt = ag.tensor(w.copy(), device=device, requires_grad=True), torch.tensor(w.copy(),
                                                                                  requires_grad=True)
    x, off = np.array([1, 2, 4, 4, 9]), np.array([0, 2])
    oe = embedding_bag(ag.tensor(x, device=device), we, ag.tensor(off, device=device),
                       max_norm=1.5, norm_type=1.0, mode=mode)
    ot = TF.embedding_bag(torch.tensor(x), wt, torch.tensor(off), max_norm=1.5, norm_type=1.0,
                          mode=mode)
    close(oe, ot, np.float64, "output", device)
    close(we, wt, np.float64, "renormalised weight", device)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 4])
def test_embedding_bag_gradcheck(mode, padding_idx):
    w = ag.tensor(_weight(np.float64, 8, 2), requires_grad=True)
    x, off = ag.tensor([1, 2, 4, 4, 6, 3, 3]), ag.tensor([0, 3, 3])
    assert ag.gradcheck(lambda w: embedding_bag(x, w, off, mode=mode, padding_idx=padding_idx),
                        (w,))
    if mode != "max":
        assert ag.gradgradcheck(
            lambda w: embedding_bag(x, w, off, mode=mode, padding_idx=padding_idx), (w,))


def test_embedding_bag_per_sample_weights_gradcheck_and_gradgradcheck():
    w = ag.tensor(_weight(np.float64, 8, 2), requires_grad=True)
    psw = ag.tensor(np.random.default_rng(2).standard_normal(6), requires_grad=True)
    x, off = ag.tensor([1, 2, 4, 4, 6, 3]), ag.tensor([0, 3, 3])

    def fn(w, p):
        return embedding_bag(x, w, off, mode="sum", per_sample_weights=p)
    assert ag.gradcheck(fn, (w, psw))
    assert ag.gradgradcheck(fn, (w, psw))


@pytest.mark.skipif(not hasattr(F, "embedding_bag"), reason="wired by the integrator")
def test_embedding_bag_through_nn_functional():
    w = ag.tensor(_weight(np.float64))
    out = F.embedding_bag(ag.tensor(IDX), w, ag.tensor([0, 5]), mode="sum")
    np.testing.assert_allclose(out.numpy(), [w.numpy()[IDX[:5]].sum(0),
                                             w.numpy()[IDX[5:]].sum(0)])


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw,offsets", [
    (dict(mode="mean"), [0, 4, 4]),
    (dict(mode="max", padding_idx=2), [0, 7]),
    (dict(mode="sum", include_last_offset=True), [0, 4, 12]),
    (dict(mode="sum", padding_idx=-1), None),
])
def test_embedding_bag_module_matches_torch(kw, offsets, dtype, device):
    ours, theirs = EmbeddingBag(10, 3, **kw), torch.nn.EmbeddingBag(10, 3, **kw)
    x = IDX if offsets is not None else IDX.reshape(4, 3)
    inputs = [x] + ([np.asarray(offsets)] if offsets is not None else [])
    theirs.to({np.float64: torch.float64, np.float32: torch.float32}[dtype])
    ours.to(dtype)
    check_module(ours, theirs, inputs, dtype, grads=[False] * len(inputs), device=device)


def test_embedding_bag_module_init_from_pretrained_and_repr():
    ag.manual_seed(0)
    bag = EmbeddingBag(5, 2, padding_idx=-2)
    assert bag.padding_idx == 3 and not bag.weight.detach().numpy().any(1)[3]
    assert bag.weight.detach().numpy().any(1)[[0, 1, 2, 4]].all()
    for kw in [dict(), dict(max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True,
                            mode="max", padding_idx=-1)]:
        assert repr(EmbeddingBag(5, 2, **kw)) == repr(torch.nn.EmbeddingBag(5, 2, **kw))
    emb = ag.tensor(_weight(np.float64, 4, 2))
    frozen = EmbeddingBag.from_pretrained(emb, mode="sum", include_last_offset=True)
    assert not frozen.weight.requires_grad and frozen.mode == "sum"
    assert frozen.include_last_offset
    np.testing.assert_array_equal(frozen.weight.detach().numpy(), emb.numpy())
    assert EmbeddingBag.from_pretrained(emb, freeze=False).weight.requires_grad
    out = frozen(ag.tensor([0, 1, 3]), ag.tensor([0, 2, 3]))
    np.testing.assert_allclose(out.numpy(), [emb.numpy()[[0, 1]].sum(0), emb.numpy()[3]])
    with pytest.raises(AssertionError):
        EmbeddingBag(5, 2, padding_idx=5)
    with pytest.raises(AssertionError):
        EmbeddingBag(5, 2, _weight=ag.zeros(4, 2))


@pytest.mark.skipif(not hasattr(nn, "EmbeddingBag"), reason="wired by the integrator")
def test_embedding_bag_module_through_nn():
    assert nn.EmbeddingBag is EmbeddingBag


def _bag_call(lib, x=IDX, off=(0, 4), w=None, **kw):
    t = ag.tensor if lib == "ember" else torch.tensor
    fn = embedding_bag if lib == "ember" else TF.embedding_bag
    w = t(_weight(np.float64)) if w is None else t(w)
    x = t(np.asarray(x))
    off = None if off is None else t(np.asarray(off))
    psw = kw.pop("psw", None)
    return fn(x, w, off, per_sample_weights=None if psw is None else t(psw), **kw)


BAG_ERRORS = {
    "1d_without_offsets": dict(off=None),
    "2d_with_offsets": dict(x=IDX.reshape(3, 4)),
    "3d_input": dict(x=IDX.reshape(2, 3, 2), off=None),
    "2d_offsets": dict(off=[[0, 4]]),
    "first_offset_not_zero": dict(off=[1, 4]),
    "last_offset_past_input": dict(off=[0, 13]),
    "index_too_large": dict(x=[1, 10]),
    "negative_index": dict(x=[1, -1]),
    "float_input": dict(x=[1.0, 2.0]),
    "float_offsets": dict(off=[0.0, 1.0]),
    "weight_1d": dict(w=np.zeros(10)),
    "bad_mode": dict(mode="median"),
    "max_with_freq": dict(mode="max", scale_grad_by_freq=True),
    "max_sparse": dict(mode="max", sparse=True),
    "psw_with_mean": dict(mode="mean", psw=np.ones(12)),
    "psw_with_max": dict(mode="max", psw=np.ones(12)),
    "psw_wrong_shape": dict(mode="sum", psw=np.ones(11)),
    "psw_wrong_dtype": dict(mode="sum", psw=np.ones(12, dtype=np.float32)),
    "padding_out_of_range": dict(padding_idx=10),
}


@pytest.mark.parametrize("case", list(BAG_ERRORS))
def test_embedding_bag_errors_match_torch(case):
    with pytest.raises(Exception) as theirs:
        _bag_call("torch", **dict(BAG_ERRORS[case]))
    with pytest.raises(type(theirs.value)):
        _bag_call("ember", **dict(BAG_ERRORS[case]))


def test_embedding_bag_sparse_is_a_clear_error():
    with pytest.raises(NotImplementedError, match="sparse"):
        _bag_call("ember", sparse=True)


# ----------------------------------------------------------------------------- ctc_loss
T, N, C = 7, 3, 5
TARGETS = np.array([[1, 1, 3], [2, 4, 0], [3, 2, 2]])  # repeats need a blank between
CTC_CASES = {  # name: (input_lengths, target_lengths, keyword arguments)
    "full": ([7, 7, 7], [3, 2, 3], dict()),
    "short_inputs": ([7, 4, 6], [3, 2, 3], dict(reduction="sum")),
    "none": ([7, 5, 6], [3, 1, 2], dict(reduction="none")),
    "empty_target_and_input": ([7, 0, 3], [3, 0, 0], dict(reduction="none")),
    "impossible_is_inf": ([7, 2, 6], [3, 2, 3], dict(reduction="none")),
    "zero_infinity": ([7, 2, 3], [3, 2, 3], dict(zero_infinity=True)),
    "blank_last": ([7, 6, 7], [3, 2, 3], dict(blank=4, reduction="none")),
}


def _ctc_fns(target, in_len, tgt_len, kw, log_softmax=True, as_tensors=False):
    def make(lib):
        t = ag.tensor if lib == "ember" else torch.tensor
        fn = ctc_loss if lib == "ember" else TF.ctc_loss
        lsm = (lambda x: F.log_softmax(x, 2)) if lib == "ember" else (
            lambda x: TF.log_softmax(x, 2))
        lengths = (t(np.asarray(in_len)), t(np.asarray(tgt_len))) if as_tensors else (
            in_len, tgt_len)

        def f(x, y):
            return fn(lsm(x) if log_softmax else x, y, *lengths, **kw)
        return f
    return make("ember"), make("torch")


def _log_probs(dtype, shape=(T, N, C), normalise=True):
    x = np.random.default_rng(3).standard_normal(shape)
    if normalise:  # a leaf of log-probabilities, as in PyTorch's example
        x = x - np.log(np.exp(x).sum(-1, keepdims=True))
    return x.astype(dtype)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", list(CTC_CASES))
def test_ctc_loss_through_log_softmax_matches_torch(case, dtype, device):
    in_len, tgt_len, kw = CTC_CASES[case]
    fe, ft = _ctc_fns(TARGETS, in_len, tgt_len, kw)
    target = np.where(np.arange(3) < np.array(tgt_len)[:, None], TARGETS, 0)
    if kw.get("blank") == 4:
        target = np.where(target == 4, 0, target)
    run_both(fe, ft, [_log_probs(dtype, normalise=False), target], dtype, device=device,
             grads=[True, False])


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", ["full", "short_inputs", "impossible_is_inf",
                                  "zero_infinity"])
def test_ctc_loss_log_prob_leaf_gradient_is_torchs(case, dtype, device):
    in_len, tgt_len, kw = CTC_CASES[case]
    fe, ft = _ctc_fns(TARGETS, in_len, tgt_len, kw, log_softmax=False)
    run_both(fe, ft, [_log_probs(dtype), TARGETS], dtype, device=device, grads=[True, False])


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_ctc_loss_concatenated_targets_and_tensor_lengths_match_torch(dtype, device):
    in_len, tgt_len = [7, 5, 6], [3, 1, 2]
    flat = np.concatenate([TARGETS[n, :k] for n, k in enumerate(tgt_len)])
    for as_tensors in (False, True):
        fe, ft = _ctc_fns(flat, in_len, tgt_len, dict(reduction="none"), as_tensors=as_tensors)
        run_both(fe, ft, [_log_probs(dtype, normalise=False), flat], dtype, device=device,
                 grads=[True, False])


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_ctc_loss_unbatched_matches_torch(reduction, device):
    for lengths in [([6], [3]), (torch.tensor(6), torch.tensor(3))]:
        in_len, tgt_len = lengths

        def fe(x, y, in_len=in_len, tgt_len=tgt_len):
            conv = (lambda v: v if isinstance(v, list) else ag.tensor(v.numpy()))
            return ctc_loss(F.log_softmax(x, 1), y, conv(in_len), conv(tgt_len),
                            reduction=reduction)

        def ft(x, y, in_len=in_len, tgt_len=tgt_len):
            return TF.ctc_loss(TF.log_softmax(x, 1), y, in_len, tgt_len, reduction=reduction)
        run_both(fe, ft, [_log_probs(np.float64, (T, C), False), TARGETS[0]], np.float64,
                 device=device, grads=[True, False])


@pytest.mark.parametrize("reduction", ["none", "mean"])
def test_ctc_loss_gradcheck_through_log_softmax(reduction):
    x = ag.tensor(_log_probs(np.float64, (5, 2, 4), False), requires_grad=True)
    y = ag.tensor([[1, 1], [2, 3]])
    assert ag.gradcheck(lambda x: ctc_loss(F.log_softmax(x, 2), y, [5, 4], [2, 1],
                                           reduction=reduction), (x,))


def test_ctc_loss_double_backward_raises_like_torch():
    x = ag.tensor(_log_probs(np.float64, (5, 2, 4)), requires_grad=True)
    loss = ctc_loss(x, ag.tensor([[1, 1], [2, 3]]), [5, 4], [2, 1])
    (g,) = ag.grad(loss, x, create_graph=True)
    with pytest.raises(RuntimeError, match="double backward"):
        g.sum().backward()


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("kw", [dict(), dict(blank=2, reduction="sum"),
                                dict(reduction="none", zero_infinity=True)])
def test_ctc_loss_module_matches_torch(kw, device):
    ours, theirs = nn.loss.CTCLoss(**kw), torch.nn.CTCLoss(**kw)
    in_len, tgt_len = [7, 2, 6], [3, 2, 3]
    target = np.where(TARGETS == kw.get("blank", 0), 1, TARGETS)
    run_both(lambda x, y: ours(F.log_softmax(x, 2), y, in_len, tgt_len),
             lambda x, y: theirs(TF.log_softmax(x, 2), y, in_len, tgt_len),
             [_log_probs(np.float64, normalise=False), target], np.float64, device=device,
             grads=[True, False])
    assert (ours.blank, ours.reduction, ours.zero_infinity) == (
        theirs.blank, theirs.reduction, theirs.zero_infinity)


@pytest.mark.skipif(not hasattr(nn, "CTCLoss") or not hasattr(F, "ctc_loss"),
                    reason="wired by the integrator")
def test_ctc_loss_through_nn_and_functional():
    assert nn.CTCLoss is nn.loss.CTCLoss and F.ctc_loss is ctc_loss


CTC_ERRORS = {
    "input_length_past_T": dict(in_len=[8, 7, 7]),
    "negative_input_length": dict(in_len=[7, -1, 7]),
    "negative_target_length": dict(tgt_len=[3, -1, 3]),
    "target_length_past_width": dict(tgt_len=[4, 2, 3]),
    "input_lengths_size": dict(in_len=[7, 7]),
    "target_lengths_size": dict(tgt_len=[3, 3]),
    "blank_too_large": dict(blank=5),
    "blank_negative": dict(blank=-1),
    "bad_reduction": dict(reduction="avg"),
    "integer_log_probs": dict(lp=np.zeros((T, N, C), dtype=np.int64)),
    "float_lengths_tensor": dict(in_len="float_tensor"),
    "concatenated_wrong_total": dict(target=np.array([1, 2, 3, 4]), tgt_len=[3, 1, 1]),
    "int_lengths_unbatched": dict(lp=np.zeros((T, C)), target=TARGETS[0], in_len=7,
                                  tgt_len=3),
}


def _ctc_call(lib, lp=None, target=TARGETS, in_len=(7, 7, 7), tgt_len=(3, 2, 3), **kw):
    t = ag.tensor if lib == "ember" else torch.tensor
    fn = ctc_loss if lib == "ember" else TF.ctc_loss
    lp = _log_probs(np.float64) if lp is None else lp
    if isinstance(in_len, str):
        in_len, tgt_len = t(np.array([7.0, 7.0, 7.0])), t(np.array(tgt_len))
    in_len = list(in_len) if isinstance(in_len, tuple) else in_len
    tgt_len = list(tgt_len) if isinstance(tgt_len, tuple) else tgt_len
    return fn(t(lp), t(target), in_len, tgt_len, **kw)


@pytest.mark.parametrize("case", list(CTC_ERRORS))
def test_ctc_loss_errors_match_torch(case):
    with pytest.raises(Exception) as theirs:
        _ctc_call("torch", **CTC_ERRORS[case])
    with pytest.raises(type(theirs.value)):
        _ctc_call("ember", **CTC_ERRORS[case])


def test_ctc_loss_target_label_out_of_range_raises():
    with pytest.raises(RuntimeError, match="target labels"):
        _ctc_call("ember", target=np.array([[1, 1, 3], [2, 7, 0], [3, 2, 2]]))
