"""Empty batches through layers, functional ops and losses: Ember gives PyTorch's outcome
(the same empty or NaN values and gradients, or the same exception class)."""
import numpy as np
import pytest

import autograd as ag
import nn
from tests.autograd.parity_rows import check
from tests.conftest import DEVICES, requires_torch
from tests.nn._layer_parity import copy_weights, torch

# NumPy warns on empty means; PyTorch on empty reductions and size-0 batches
pytestmark = [requires_torch, pytest.mark.filterwarnings("ignore::RuntimeWarning"),
              pytest.mark.filterwarnings("ignore::UserWarning")]


def _z(*shape):
    return np.zeros(shape)


def _r(*shape, seed=0):
    return np.random.default_rng(seed + len(shape)).standard_normal(shape)


def _long(L, shape, high=3):
    return L.long(np.random.default_rng(1).integers(0, high, size=shape))


# ----------------------------------------------------------------------------- functional
FUNCTIONAL = {
    "conv1d": (lambda L, x, w: L.nn.functional.conv1d(x, w, padding=1), [_z(0, 2, 5),
                                                                         _r(3, 2, 3)]),
    "conv2d": (lambda L, x, w: L.nn.functional.conv2d(x, w), [_z(0, 2, 4, 4), _r(3, 2, 3, 3)]),
    "conv2d_stride": (lambda L, x, w: L.nn.functional.conv2d(x, w, stride=2, padding=1),
                      [_z(0, 2, 5, 5), _r(3, 2, 3, 3)]),
    "conv3d": (lambda L, x, w: L.nn.functional.conv3d(x, w), [_z(0, 1, 3, 3, 3),
                                                              _r(2, 1, 2, 2, 2)]),
    "conv_transpose1d": (lambda L, x, w: L.nn.functional.conv_transpose1d(x, w),
                         [_z(0, 2, 4), _r(2, 3, 3)]),
    "conv_transpose2d": (lambda L, x, w: L.nn.functional.conv_transpose2d(x, w, stride=2),
                         [_z(0, 2, 3, 3), _r(2, 3, 2, 2)]),
    "max_pool1d": (lambda L, x: L.nn.functional.max_pool1d(x, 2), [_z(0, 2, 6)]),
    "max_pool2d": (lambda L, x: L.nn.functional.max_pool2d(x, 2), [_z(0, 2, 4, 4)]),
    "max_pool2d_indices": (lambda L, x: L.nn.functional.max_pool2d(x, 2, return_indices=True),
                           [_z(0, 2, 4, 4)]),
    "max_pool3d": (lambda L, x: L.nn.functional.max_pool3d(x, 2), [_z(0, 1, 4, 4, 4)]),
    "avg_pool1d": (lambda L, x: L.nn.functional.avg_pool1d(x, 2), [_z(0, 2, 6)]),
    "avg_pool2d": (lambda L, x: L.nn.functional.avg_pool2d(x, 2), [_z(0, 2, 4, 4)]),
    "avg_pool3d": (lambda L, x: L.nn.functional.avg_pool3d(x, 2), [_z(0, 1, 4, 4, 4)]),
    "adaptive_avg_pool1d": (lambda L, x: L.nn.functional.adaptive_avg_pool1d(x, 3),
                            [_z(0, 2, 6)]),
    "adaptive_avg_pool2d": (lambda L, x: L.nn.functional.adaptive_avg_pool2d(x, (2, 3)),
                            [_z(0, 2, 5, 7)]),
    "adaptive_max_pool2d": (lambda L, x: L.nn.functional.adaptive_max_pool2d(x, 2),
                            [_z(0, 2, 4, 4)]),
    "lp_pool2d": (lambda L, x: L.nn.functional.lp_pool2d(x, 2, 2), [_z(0, 2, 4, 4)]),
    "interpolate_nearest": (lambda L, x: L.nn.functional.interpolate(x, scale_factor=2),
                            [_z(0, 2, 3, 3)]),
    "interpolate_bilinear": (lambda L, x: L.nn.functional.interpolate(
        x, size=(5, 4), mode="bilinear", align_corners=False), [_z(0, 2, 3, 3)]),
    "interpolate_linear": (lambda L, x: L.nn.functional.interpolate(x, size=7, mode="linear"),
                           [_z(0, 2, 3)]),
    "pixel_shuffle": (lambda L, x: L.nn.functional.pixel_shuffle(x, 2), [_z(0, 4, 2, 2)]),
    "unfold": (lambda L, x: L.nn.functional.unfold(x, 2), [_z(0, 2, 4, 4)]),
    "fold": (lambda L, x: L.nn.functional.fold(x, (3, 3), 2), [_z(0, 8, 4)]),
    "pad_reflect": (lambda L, x: L.nn.functional.pad(x, (1, 1), mode="reflect"),
                    [_z(0, 2, 4)]),
    "pad_replicate": (lambda L, x: L.nn.functional.pad(x, (1, 1, 1, 1), mode="replicate"),
                      [_z(0, 2, 3, 3)]),
    "linear": (lambda L, x, w, b: L.nn.functional.linear(x, w, b), [_z(0, 3), _r(2, 3),
                                                                    _r(2)]),
    "linear_3d": (lambda L, x, w: L.nn.functional.linear(x, w), [_z(2, 0, 3), _r(4, 3)]),
    "bilinear": (lambda L, x, y, w: L.nn.functional.bilinear(x, y, w), [_z(0, 2), _z(0, 3),
                                                                        _r(4, 2, 3)]),
    "embedding": (lambda L, w: L.nn.functional.embedding(_long(L, (0, 3)), w), [_r(4, 2)]),
    "one_hot": (lambda L: L.nn.functional.one_hot(_long(L, (0,)), 3), []),
    "softmax": (lambda L, x: L.nn.functional.softmax(x, dim=1), [_z(0, 3)]),
    "log_softmax": (lambda L, x: L.nn.functional.log_softmax(x, dim=0), [_z(0, 3)]),
    "gelu": (lambda L, x: L.nn.functional.gelu(x), [_z(0, 3)]),
    "glu": (lambda L, x: L.nn.functional.glu(x), [_z(0, 4)]),
    "dropout_eval": (lambda L, x: L.nn.functional.dropout(x, 0.5, training=False), [_z(0, 3)]),
    "dropout_train": (lambda L, x: L.nn.functional.dropout(x, 0.5), [_z(0, 3)]),
    "normalize": (lambda L, x: L.nn.functional.normalize(x, dim=1), [_z(0, 3)]),
    "cosine_similarity": (lambda L, x, y: L.nn.functional.cosine_similarity(x, y),
                          [_z(0, 3), _z(0, 3)]),
    "pairwise_distance": (lambda L, x, y: L.nn.functional.pairwise_distance(x, y),
                          [_z(0, 3), _z(0, 3)]),
    "layer_norm": (lambda L, x, w, b: L.nn.functional.layer_norm(x, (3,), w, b),
                   [_z(0, 3), _r(3), _r(3)]),
    "layer_norm_empty_shape": (lambda L, x: L.nn.functional.layer_norm(x, (0,)), [_z(2, 0)]),
    "group_norm": (lambda L, x, w, b: L.nn.functional.group_norm(x, 2, w, b),
                   [_z(0, 4, 3), _r(4), _r(4)]),
    "batch_norm_train": (lambda L, x: L.nn.functional.batch_norm(
        x, L.const(np.zeros(3)), L.const(np.ones(3)), training=True), [_z(0, 3)]),
    "batch_norm_eval": (lambda L, x, w, b: L.nn.functional.batch_norm(
        x, L.const(np.zeros(3)), L.const(np.ones(3)), w, b), [_z(0, 3), _r(3),
                                                                        _r(3)]),
    "instance_norm": (lambda L, x: L.nn.functional.instance_norm(x), [_z(0, 2, 4)]),
    "local_response_norm": (lambda L, x: L.nn.functional.local_response_norm(x, 2),
                            [_z(0, 3, 4)]),
    "scaled_dot_product_attention": (
        lambda L, q, k, v: L.nn.functional.scaled_dot_product_attention(q, k, v),
        [_z(0, 2, 3, 4), _z(0, 2, 5, 4), _z(0, 2, 5, 4)]),
    "sdpa_no_keys": (lambda L, q, k, v: L.nn.functional.scaled_dot_product_attention(q, k, v),
                     [_r(1, 2, 3, 4), _z(1, 2, 0, 4), _z(1, 2, 0, 4)]),
}

LOSS_2 = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
          "binary_cross_entropy_with_logits", "kl_div", "poisson_nll_loss"]
LOSSES = {}
for _name in LOSS_2:
    for _red in ["mean", "sum", "none"]:
        LOSSES[f"{_name}-{_red}"] = (
            (lambda n, r: lambda L, x, y: getattr(L.nn.functional, n)(x, y, reduction=r))(
                _name, _red), [_z(0, 3), _z(0, 3)])
# (multi_margin_loss is left out: PyTorch's sum over an empty batch is uninitialised memory)
for _red in ["mean", "sum", "none"]:
    LOSSES[f"soft_margin-{_red}"] = (  # PyTorch's target may not require grad
        (lambda r: lambda L, x: L.nn.functional.soft_margin_loss(
            x, L.const(np.ones((0, 3))), reduction=r))(_red), [_z(0, 3)])
    LOSSES[f"binary_cross_entropy-{_red}"] = (
        (lambda r: lambda L, x: L.nn.functional.binary_cross_entropy(
            x, L.const(np.zeros((0, 3))), reduction=r))(_red), [np.full((0, 3), 0.5)])
    LOSSES[f"cross_entropy-{_red}"] = (
        (lambda r: lambda L, x: L.nn.functional.cross_entropy(x, _long(L, (0,)),
                                                              reduction=r))(_red), [_z(0, 3)])
    LOSSES[f"cross_entropy_probs-{_red}"] = (
        (lambda r: lambda L, x, p: L.nn.functional.cross_entropy(x, p, reduction=r))(_red),
        [_z(0, 3), _z(0, 3)])
    LOSSES[f"cross_entropy_smoothing-{_red}"] = (
        (lambda r: lambda L, x: L.nn.functional.cross_entropy(
            x, _long(L, (0,)), label_smoothing=0.1, reduction=r))(_red), [_z(0, 3)])
    LOSSES[f"cross_entropy_2d-{_red}"] = (
        (lambda r: lambda L, x: L.nn.functional.cross_entropy(x, _long(L, (0, 2, 2)),
                                                              reduction=r))(_red),
        [_z(0, 3, 2, 2)])
    LOSSES[f"nll_loss-{_red}"] = (
        (lambda r: lambda L, x: L.nn.functional.nll_loss(x, _long(L, (0,)), reduction=r))(_red),
        [_z(0, 3)])
    LOSSES[f"nll_loss_weight-{_red}"] = (
        (lambda r: lambda L, x: L.nn.functional.nll_loss(
            x, _long(L, (0,)), weight=L.const([1.0, 2.0, 3.0]), reduction=r))(_red), [_z(0, 3)])
    LOSSES[f"margin_ranking-{_red}"] = (
        (lambda r: lambda L, x, y: L.nn.functional.margin_ranking_loss(
            x, y, L.const(np.ones(0)), reduction=r))(_red), [_z(0), _z(0)])
    LOSSES[f"cosine_embedding-{_red}"] = (
        (lambda r: lambda L, x, y: L.nn.functional.cosine_embedding_loss(
            x, y, L.const(np.ones(0)), reduction=r))(_red), [_z(0, 3), _z(0, 3)])
    LOSSES[f"hinge_embedding-{_red}"] = (
        (lambda r: lambda L, x: L.nn.functional.hinge_embedding_loss(
            x, L.const(np.ones((0, 3))), reduction=r))(_red), [_z(0, 3)])
    LOSSES[f"triplet_margin-{_red}"] = (
        (lambda r: lambda L, a, p, n: L.nn.functional.triplet_margin_loss(a, p, n,
                                                                          reduction=r))(_red),
        [_z(0, 3), _z(0, 3), _z(0, 3)])
    LOSSES[f"gaussian_nll-{_red}"] = (
        (lambda r: lambda L, x, y, v: L.nn.functional.gaussian_nll_loss(x, y, v,
                                                                        reduction=r))(_red),
        [_z(0, 3), _z(0, 3), np.ones((0, 3))])


TORCH_BACKWARD_FAILS = {"pixel_shuffle"}


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", list(FUNCTIONAL) + list(LOSSES))
def test_functional_on_empty_batch_matches_torch(name, dtype, device):
    fn, arrays = FUNCTIONAL.get(name) or LOSSES[name]
    # PyTorch's pixel_shuffle backward fails its own shape check on an empty batch
    check(fn, [a.astype(dtype) for a in arrays], grad=name not in TORCH_BACKWARD_FAILS,
          device=device)


# ----------------------------------------------------------------------------- modules
MODULES = {  # name: (make(nn_namespace), input shape, call(module, x) or None)
    "Linear": (lambda N: N.Linear(3, 2), (0, 3), None),
    "Bilinear": (lambda N: N.Bilinear(3, 3, 2), (0, 3), lambda m, x: m(x, x)),
    "Conv1d": (lambda N: N.Conv1d(2, 3, 3, padding=1), (0, 2, 5), None),
    "Conv2d": (lambda N: N.Conv2d(2, 3, 3), (0, 2, 4, 4), None),
    "Conv3d": (lambda N: N.Conv3d(1, 2, 2), (0, 1, 3, 3, 3), None),
    "ConvTranspose1d": (lambda N: N.ConvTranspose1d(2, 3, 3), (0, 2, 4), None),
    "ConvTranspose2d": (lambda N: N.ConvTranspose2d(2, 3, 3, stride=2), (0, 2, 3, 3), None),
    "MaxPool2d": (lambda N: N.MaxPool2d(2), (0, 2, 4, 4), None),
    "AvgPool2d": (lambda N: N.AvgPool2d(2), (0, 2, 4, 4), None),
    "AdaptiveAvgPool2d": (lambda N: N.AdaptiveAvgPool2d(1), (0, 2, 4, 4), None),
    "AdaptiveMaxPool1d": (lambda N: N.AdaptiveMaxPool1d(2), (0, 2, 4), None),
    "BatchNorm1d": (lambda N: N.BatchNorm1d(3), (0, 3), None),
    "BatchNorm1d_eval": (lambda N: N.BatchNorm1d(3).eval(), (0, 3), None),
    "BatchNorm2d": (lambda N: N.BatchNorm2d(3), (0, 3, 2, 2), None),
    "BatchNorm2d_eval": (lambda N: N.BatchNorm2d(3).eval(), (0, 3, 2, 2), None),
    "LayerNorm": (lambda N: N.LayerNorm(3), (0, 3), None),
    "GroupNorm": (lambda N: N.GroupNorm(2, 4), (0, 4, 3), None),
    "InstanceNorm1d": (lambda N: N.InstanceNorm1d(2), (0, 2, 4), None),
    "InstanceNorm1d_affine": (lambda N: N.InstanceNorm1d(2, affine=True), (0, 2, 4), None),
    "InstanceNorm1d_stats": (lambda N: N.InstanceNorm1d(2, track_running_stats=True),
                             (0, 2, 4), None),
    "LocalResponseNorm": (lambda N: N.LocalResponseNorm(2), (0, 3, 4), None),
    "Embedding": (lambda N: N.Embedding(4, 2), None, None),
    "EmbeddingBag": (lambda N: N.EmbeddingBag(4, 2), None, "bag"),
    "RNN": (lambda N: N.RNN(3, 4, batch_first=True), (0, 2, 3), None),
    "RNN_seq_first": (lambda N: N.RNN(3, 4), (2, 0, 3), None),
    "LSTM": (lambda N: N.LSTM(3, 4, batch_first=True), (0, 2, 3), None),
    "LSTM_2layers": (lambda N: N.LSTM(3, 4, num_layers=2), (2, 0, 3), None),
    "GRU": (lambda N: N.GRU(3, 4, batch_first=True, bidirectional=True), (0, 2, 3), None),
    "RNNCell": (lambda N: N.RNNCell(3, 4), (0, 3), None),
    "LSTMCell": (lambda N: N.LSTMCell(3, 4), (0, 3), None),
    "GRUCell": (lambda N: N.GRUCell(3, 4), (0, 3), None),
    "MultiheadAttention": (lambda N: N.MultiheadAttention(4, 2, batch_first=True),
                           (0, 3, 4), lambda m, x: m(x, x, x)),
    "MultiheadAttention_seq_first": (lambda N: N.MultiheadAttention(4, 2), (3, 0, 4),
                                     lambda m, x: m(x, x, x)),
    "TransformerEncoderLayer": (lambda N: N.TransformerEncoderLayer(
        4, 2, dim_feedforward=8, dropout=0.0, batch_first=True), (0, 3, 4), None),
    "TransformerDecoderLayer": (lambda N: N.TransformerDecoderLayer(
        4, 2, dim_feedforward=8, dropout=0.0, batch_first=True), (0, 3, 4),
        lambda m, x: m(x, x)),
    "Flatten": (lambda N: N.Flatten(), (0, 2, 3), None),
    "Unflatten": (lambda N: N.Unflatten(1, (2, 3)), (0, 6), None),
    "Upsample": (lambda N: N.Upsample(scale_factor=2), (0, 1, 2, 2), None),
    "Dropout": (lambda N: N.Dropout(0.5), (0, 3), None),
    "PReLU": (lambda N: N.PReLU(3), (0, 3), None),
    "Softmax": (lambda N: N.Softmax(dim=1), (0, 3), None),
    "Identity": (lambda N: N.Identity(), (0, 3), None),
    "Sequential": (lambda N: N.Sequential(N.Linear(3, 4), N.ReLU(), N.Linear(4, 2)), (0, 3),
                   None),
}


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [y for o in out for y in _flat(o)]
    return [] if out is None else [out]


def _module_outcome(module, x, call, is_torch):
    try:
        if call == "bag":
            idx = (torch.zeros((0, 2), dtype=torch.int64) if is_torch
                   else ag.tensor(np.zeros((0, 2), np.int64)))
            outs = _flat(module(idx))
        elif x is None:
            idx = (torch.zeros((0, 3), dtype=torch.int64) if is_torch
                   else ag.tensor(np.zeros((0, 3), np.int64)))
            outs = _flat(module(idx))
        else:
            outs = _flat(call(module, x) if call else module(x))
    except Exception as exc:  # noqa: BLE001 - the class is the outcome
        return ("raise", type(exc), str(exc))
    diff = [o for o in outs if o.requires_grad]
    if diff:
        loss = sum((o * o).sum() for o in diff)
        try:
            loss.backward()
        except Exception as exc:  # noqa: BLE001
            return ("raise-backward", type(exc), str(exc))
    return ("ok", [o.detach().numpy() if is_torch else o.detach().cpu().numpy() for o in outs])


@pytest.mark.parametrize("name", list(MODULES))
def test_module_on_empty_batch_matches_torch(name):
    make, shape, call = MODULES[name]
    torch.manual_seed(0)
    tm = make(torch.nn).double()
    em = make(nn).double()
    copy_weights(tm, em)
    arr = None if shape is None else np.zeros(shape)
    tx = None if arr is None else torch.tensor(arr, requires_grad=True)
    ex = None if arr is None else ag.tensor(arr, requires_grad=True)
    theirs = _module_outcome(tm, tx, call, True)
    ours = _module_outcome(em, ex, call, False)
    assert ours[0] == theirs[0], f"Ember: {ours}, torch: {theirs}"
    if theirs[0] != "ok":
        assert issubclass(ours[1], theirs[1]), f"Ember: {ours}, torch: {theirs}"
        return
    assert len(ours[1]) == len(theirs[1])
    for k, (e, t) in enumerate(zip(ours[1], theirs[1])):
        assert e.shape == t.shape, f"output {k}: {e.shape}, torch {t.shape}"
        np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12, equal_nan=True)
    if tx is not None:
        assert tuple(ex.grad.shape if ex.grad is not None else arr.shape) == arr.shape
    e_params = dict(em.named_parameters())
    for pname, tp in tm.named_parameters():
        ep = e_params[pname]
        tg = np.zeros(tp.shape) if tp.grad is None else tp.grad.numpy()
        eg = np.zeros(tuple(ep.shape)) if ep.grad is None else ep.grad.detach().cpu().numpy()
        np.testing.assert_allclose(eg, tg, rtol=1e-10, atol=1e-12, equal_nan=True,
                                   err_msg=f"grad of {pname}")
    for bname, tb in tm.named_buffers():
        eb = dict(em.named_buffers())[bname]
        np.testing.assert_allclose(eb.detach().cpu().numpy(), tb.numpy(), rtol=1e-10,
                                   atol=1e-12, equal_nan=True, err_msg=f"buffer {bname}")


# ----------------------------------------------------------------------------- NaN and inf
# NaN, +inf and -inf in one (2, 3, 4, 4) batch: they stay in the windows, bins and rows
# that hold them (an averaging matmul would spread 0 * inf = NaN everywhere).
_X_NAN = np.random.default_rng(0).standard_normal((2, 3, 4, 4))
_X_NAN[0, 0, 1, 1], _X_NAN[1, 2, 0, 0], _X_NAN[0, 1, 2, 3] = np.nan, np.inf, -np.inf
NAN_FUNCTIONAL = {
    "max_pool2d": lambda L, x: L.nn.functional.max_pool2d(x, 2),
    "max_pool2d_indices": lambda L, x: L.nn.functional.max_pool2d(x, 2, return_indices=True),
    "max_pool1d": lambda L, x: L.nn.functional.max_pool1d(x.flatten(2), 4),
    "avg_pool2d": lambda L, x: L.nn.functional.avg_pool2d(x, 2),
    "adaptive_max_pool2d": lambda L, x: L.nn.functional.adaptive_max_pool2d(x, 3),
    "adaptive_avg_pool2d": lambda L, x: L.nn.functional.adaptive_avg_pool2d(x, 3),
    "adaptive_avg_pool2d_down": lambda L, x: L.nn.functional.adaptive_avg_pool2d(x, (2, 1)),
    "adaptive_avg_pool1d": lambda L, x: L.nn.functional.adaptive_avg_pool1d(x.flatten(2), 5),
    "adaptive_avg_pool3d": lambda L, x: L.nn.functional.adaptive_avg_pool3d(x, (2, 3, 3)),
    "layer_norm": lambda L, x: L.nn.functional.layer_norm(x, (4,)),
    "group_norm": lambda L, x: L.nn.functional.group_norm(x, 3),
    "instance_norm": lambda L, x: L.nn.functional.instance_norm(x),
    "normalize": lambda L, x: L.nn.functional.normalize(x, dim=1),
    "softmax": lambda L, x: L.nn.functional.softmax(x, dim=1),
    "conv2d": lambda L, x: L.nn.functional.conv2d(x, L.const(np.ones((2, 3, 2, 2)))),
    "interpolate_bilinear": lambda L, x: L.nn.functional.interpolate(x, size=(5, 5),
                                                                     mode="bilinear"),
    "interpolate_nearest": lambda L, x: L.nn.functional.interpolate(x, scale_factor=2),
    "pixel_unshuffle": lambda L, x: L.nn.functional.pixel_unshuffle(x, 2),
    "local_response_norm": lambda L, x: L.nn.functional.local_response_norm(x, 2),
    "glu": lambda L, x: L.nn.functional.glu(x, 3),
    "cosine_similarity": lambda L, x: L.nn.functional.cosine_similarity(x, x.flip(0), dim=1),
    "pairwise_distance": lambda L, x: L.nn.functional.pairwise_distance(
        x.flatten(1), x.flip(0).flatten(1)),
}


@pytest.mark.parametrize("name", list(NAN_FUNCTIONAL))
def test_functional_with_nan_and_inf_matches_torch(name):
    check(NAN_FUNCTIONAL[name], [_X_NAN])
