"""Rows of the layer bad-input table (see tests/autograd/bad_input.py): (id, fn(lib)).
Each builds a layer of nn with deterministic parameters and calls it on one input."""
import autograd as ag
from tests.autograd.bad_input import fixed, ints, t, torch

ROWS = []


def row(rid, fn):
    ROWS.append((rid, fn))


def call(L, make, *inputs):
    """make(nn) builds the layer; inputs are callables of L."""
    layer = fixed(make(L.nn), L)
    return layer(*[i(L) for i in inputs])


def x(*shape, dtype=None):
    return lambda L: t(L, *shape, dtype=getattr(L, dtype) if dtype else None)


def ix(*shape, high=3):
    return lambda L: ints(L, *shape, high=high)


LAYERS = {
    "Linear": (lambda nn: nn.Linear(4, 3), {
        "ok": [x(2, 4)], "in": [x(2, 5)], "0d": [x()], "int": [ix(2, 4)],
        "f64": [x(2, 4, dtype="float64")], "1d-ok": [x(4)], "3d-ok": [x(2, 3, 4)]}),
    "Bilinear": (lambda nn: nn.Bilinear(3, 4, 2), {
        "ok": [x(2, 3), x(2, 4)], "in1": [x(2, 4), x(2, 4)], "batch": [x(2, 3), x(3, 4)]}),
    "Conv1d": (lambda nn: nn.Conv1d(3, 4, 3), {
        "ok": [x(2, 3, 5)], "channels": [x(2, 2, 5)], "rank": [x(2, 1, 3, 5)],
        "small": [x(2, 3, 2)], "unbatched-ok": [x(3, 5)], "1d": [x(5)]}),
    "Conv2d": (lambda nn: nn.Conv2d(3, 4, 3), {
        "ok": [x(1, 3, 5, 5)], "channels": [x(1, 2, 5, 5)], "rank": [x(1, 3, 5)],
        "rank5": [x(1, 1, 3, 5, 5)], "small": [x(1, 3, 2, 5)], "int": [ix(1, 3, 5, 5)]}),
    "Conv3d": (lambda nn: nn.Conv3d(2, 2, 2), {
        "ok": [x(1, 2, 3, 3, 3)], "channels": [x(1, 3, 3, 3, 3)], "rank": [x(2, 3, 3, 3)]}),
    "ConvTranspose1d": (lambda nn: nn.ConvTranspose1d(3, 2, 3), {
        "ok": [x(1, 3, 4)], "channels": [x(1, 2, 4)], "rank": [x(1, 1, 3, 4)]}),
    "ConvTranspose2d": (lambda nn: nn.ConvTranspose2d(3, 2, 3), {
        "ok": [x(1, 3, 4, 4)], "channels": [x(1, 2, 4, 4)], "rank": [x(3, 4)]}),
    "BatchNorm1d": (lambda nn: nn.BatchNorm1d(4), {
        "ok": [x(3, 4)], "features": [x(3, 5)], "3d-ok": [x(2, 4, 3)], "rank": [x(4)],
        "4d": [x(1, 4, 2, 2)], "channels-3d": [x(2, 5, 3)]}),
    "BatchNorm2d": (lambda nn: nn.BatchNorm2d(3), {
        "ok": [x(2, 3, 2, 2)], "channels": [x(2, 4, 2, 2)], "rank": [x(2, 3, 2)]}),
    "BatchNorm3d": (lambda nn: nn.BatchNorm3d(2), {
        "ok": [x(1, 2, 2, 2, 2)], "channels": [x(1, 3, 2, 2, 2)], "rank": [x(2, 2, 2, 2)]}),
    "InstanceNorm1d": (lambda nn: nn.InstanceNorm1d(3, affine=True), {
        "ok": [x(2, 3, 4)], "channels": [x(2, 5, 4)], "rank": [x(2, 3, 4, 4)]}),
    "InstanceNorm2d": (lambda nn: nn.InstanceNorm2d(3, affine=True), {
        "ok": [x(2, 3, 4, 4)], "channels": [x(2, 5, 4, 4)], "rank": [x(2, 3)]}),
    "LayerNorm": (lambda nn: nn.LayerNorm(4), {
        "ok": [x(2, 4)], "shape": [x(2, 5)], "0d": [x()], "int": [ix(2, 4)]}),
    "LayerNorm2": (lambda nn: nn.LayerNorm((3, 4)), {
        "ok": [x(2, 3, 4)], "shape": [x(2, 4, 3)], "rank": [x(4)]}),
    "GroupNorm": (lambda nn: nn.GroupNorm(2, 4), {
        "ok": [x(2, 4, 3)], "channels": [x(2, 6, 3)], "rank": [x(4)]}),
    "RMSNorm": (lambda nn: nn.RMSNorm(4), {"ok": [x(2, 4)], "shape": [x(2, 5)]}),
    "LocalResponseNorm": (lambda nn: nn.LocalResponseNorm(2), {
        "ok": [x(1, 3, 4)], "rank": [x(3)]}),
    "Embedding": (lambda nn: nn.Embedding(5, 3), {
        "ok": [ix(2, 3, high=5)], "oob": [lambda L: ints(L, 3) + 5],
        "neg": [lambda L: ints(L, 3) - 5], "float": [x(3)], "0d-ok": [ix()]}),
    "EmbeddingBag": (lambda nn: nn.EmbeddingBag(5, 3), {
        "ok": [ix(2, 3, high=5)], "oob": [lambda L: ints(L, 2, 3) + 5],
        "1d-no-offsets": [ix(3)], "float": [x(2, 3)]}),
    "RNN": (lambda nn: nn.RNN(3, 4), {
        "ok": [x(5, 2, 3)], "input-size": [x(5, 2, 4)], "rank": [x(2, 3, 5, 3)],
        "h0": [x(5, 2, 3), x(1, 3, 4)], "h0-size": [x(5, 2, 3), x(1, 2, 5)],
        "unbatched-ok": [x(5, 3)], "1d": [x(3)], "int": [ix(5, 2, 3)]}),
    "LSTM": (lambda nn: nn.LSTM(3, 4), {
        "ok": [x(5, 2, 3)], "input-size": [x(5, 2, 4)], "rank": [x(3)],
        "h0-tensor": [x(5, 2, 3), x(1, 2, 4)],
        "h0": [x(5, 2, 3), lambda L: (t(L, 1, 3, 4), t(L, 1, 3, 4))],
        "c0-size": [x(5, 2, 3), lambda L: (t(L, 1, 2, 4), t(L, 1, 2, 5))]}),
    "GRU": (lambda nn: nn.GRU(3, 4, batch_first=True), {
        "ok": [x(2, 5, 3)], "input-size": [x(2, 5, 4)], "h0": [x(2, 5, 3), x(2, 2, 4)],
        "h0-rank": [x(2, 5, 3), x(2, 4)]}),
    "RNNCell": (lambda nn: nn.RNNCell(3, 4), {
        "ok": [x(2, 3)], "input-size": [x(2, 4)], "h-size": [x(2, 3), x(2, 5)],
        "h-batch": [x(2, 3), x(3, 4)], "rank": [x(1, 2, 3)]}),
    "LSTMCell": (lambda nn: nn.LSTMCell(3, 4), {
        "ok": [x(2, 3)], "input-size": [x(2, 4)],
        "hc": [x(2, 3), lambda L: (t(L, 2, 5), t(L, 2, 4))]}),
    "GRUCell": (lambda nn: nn.GRUCell(3, 4), {
        "ok": [x(2, 3)], "input-size": [x(2, 4)], "h-size": [x(2, 3), x(2, 5)]}),
    "MultiheadAttention": (lambda nn: nn.MultiheadAttention(4, 2), {
        "ok": [x(3, 2, 4), x(3, 2, 4), x(3, 2, 4)],
        "embed": [x(3, 2, 5), x(3, 2, 5), x(3, 2, 5)],
        "kv-len": [x(3, 2, 4), x(5, 2, 4), x(4, 2, 4)],
        "batch": [x(3, 2, 4), x(3, 3, 4), x(3, 3, 4)],
        "rank": [x(4), x(4), x(4)]}),
    "TransformerEncoderLayer": (lambda nn: nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0), {
        "ok": [x(3, 2, 4)], "d_model": [x(3, 2, 5)], "rank": [x(4)]}),
    "TransformerDecoderLayer": (lambda nn: nn.TransformerDecoderLayer(4, 2, 8, dropout=0.0), {
        "ok": [x(3, 2, 4), x(5, 2, 4)], "d_model": [x(3, 2, 4), x(5, 2, 6)],
        "batch": [x(3, 2, 4), x(5, 3, 4)]}),
    "MaxPool1d": (lambda nn: nn.MaxPool1d(3), {
        "ok": [x(1, 2, 6)], "kernel-big": [x(1, 2, 2)], "rank": [x(1, 1, 2, 6)]}),
    "MaxPool2d": (lambda nn: nn.MaxPool2d(3), {
        "ok": [x(1, 2, 6, 6)], "kernel-big": [x(1, 2, 2, 6)], "rank": [x(6, 6)]}),
    "MaxPool3d": (lambda nn: nn.MaxPool3d(2), {
        "ok": [x(1, 1, 2, 2, 2)], "kernel-big": [x(1, 1, 1, 2, 2)], "rank": [x(2, 2)]}),
    "AvgPool1d": (lambda nn: nn.AvgPool1d(3), {
        "ok": [x(1, 2, 6)], "kernel-big": [x(1, 2, 2)], "rank": [x(6)]}),
    "AvgPool2d": (lambda nn: nn.AvgPool2d(3), {
        "ok": [x(1, 2, 6, 6)], "kernel-big": [x(1, 2, 2, 6)], "rank": [x(1, 1, 1, 6, 6)]}),
    "AvgPool3d": (lambda nn: nn.AvgPool3d(2), {
        "ok": [x(1, 1, 2, 2, 2)], "kernel-big": [x(1, 1, 1, 2, 2)]}),
    "LPPool1d": (lambda nn: nn.LPPool1d(2, 3), {"ok": [x(1, 2, 6)], "big": [x(1, 2, 2)]}),
    "LPPool2d": (lambda nn: nn.LPPool2d(2, 3), {"ok": [x(1, 2, 6, 6)], "big": [x(1, 2, 2, 2)]}),
    "AdaptiveAvgPool2d": (lambda nn: nn.AdaptiveAvgPool2d(2), {
        "ok": [x(1, 2, 4, 4)], "rank": [x(4)]}),
    "AdaptiveMaxPool1d": (lambda nn: nn.AdaptiveMaxPool1d(2), {
        "ok": [x(1, 2, 4)], "rank": [x(1, 1, 2, 4)]}),
    "PixelShuffle": (lambda nn: nn.PixelShuffle(2), {
        "ok": [x(1, 4, 2, 2)], "div": [x(1, 3, 2, 2)], "rank": [x(4, 2)]}),
    "Upsample": (lambda nn: nn.Upsample(scale_factor=2, mode="bilinear"), {
        "ok": [x(1, 1, 2, 2)], "rank": [x(1, 1, 2)]}),
    "Flatten": (lambda nn: nn.Flatten(1, 3), {"ok": [x(1, 2, 3, 4)], "rank": [x(2, 3)]}),
    "Unflatten": (lambda nn: nn.Unflatten(1, (2, 3)), {"ok": [x(2, 6)], "size": [x(2, 5)]}),
    "Fold": (lambda nn: nn.Fold((3, 3), 2), {"ok": [x(1, 4, 4)], "bad": [x(1, 5, 4)]}),
    "Unfold": (lambda nn: nn.Unfold(2), {"ok": [x(1, 1, 3, 3)], "rank": [x(3, 3)]}),
    "PReLU": (lambda nn: nn.PReLU(3), {"ok": [x(2, 3)], "channels": [x(2, 4)]}),
    "ZeroPad2d": (lambda nn: nn.ZeroPad2d(1), {"ok": [x(1, 2, 2)], "1d": [x(2)]}),
    "ReflectionPad1d": (lambda nn: nn.ReflectionPad1d(3), {
        "ok": [x(1, 4)], "big": [x(1, 3)]}),
    "ReplicationPad2d": (lambda nn: nn.ReplicationPad2d(1), {
        "ok": [x(1, 2, 2)], "rank": [x(2)]}),
    "Softmax": (lambda nn: nn.Softmax(2), {"ok": [x(1, 2, 3)], "dim": [x(2, 3)]}),
    "LogSoftmax": (lambda nn: nn.LogSoftmax(1), {"ok": [x(2, 3)], "dim": [x(3)]}),
    "GLU": (lambda nn: nn.GLU(), {"ok": [x(2, 4)], "odd": [x(2, 3)]}),
    "CosineSimilarity": (lambda nn: nn.CosineSimilarity(), {
        "ok": [x(2, 3), x(2, 3)], "shape": [x(2, 3), x(2, 4)]}),
    "PairwiseDistance": (lambda nn: nn.PairwiseDistance(), {
        "ok": [x(2, 3), x(2, 3)], "shape": [x(2, 3), x(3, 3)]}),
    "CrossEntropyLoss": (lambda nn: nn.CrossEntropyLoss(), {
        "ok": [x(3, 4), ix(3)], "batch": [x(3, 4), ix(2)], "float-shape": [x(3, 4), x(3, 5)],
        "oob": [x(3, 4), lambda L: ints(L, 3) + 4]}),
    "NLLLoss": (lambda nn: nn.NLLLoss(), {
        "ok": [x(3, 4), ix(3)], "oob": [x(3, 4), lambda L: ints(L, 3) + 4],
        "float": [x(3, 4), x(3)]}),
    "MSELoss": (lambda nn: nn.MSELoss(), {"ok": [x(3), x(3)], "shape": [x(3), x(4)]}),
    "BCELoss": (lambda nn: nn.BCELoss(), {
        "ok": [lambda L: t(L, 3).sigmoid(), lambda L: t(L, 3).abs()],
        "shape": [lambda L: t(L, 3).sigmoid(), lambda L: t(L, 4).abs()]}),
    "CTCLoss": (lambda nn: nn.CTCLoss(), {
        "ok": [lambda L: t(L, 5, 2, 4).log_softmax(2), lambda L: ints(L, 2, 3) + 1,
               lambda L: L.tensor([5, 5]), lambda L: L.tensor([3, 3])]}),
}
for cls, (make, cases) in LAYERS.items():
    for kind, inputs in cases.items():
        row(f"{cls}-{kind}", lambda L, make=make, inputs=inputs: call(L, make, *inputs))

CONSTRUCT = {  # bad constructor arguments
    "Linear-neg": lambda nn: nn.Linear(-1, 3),
    "Linear-float": lambda nn: nn.Linear(2.5, 3),
    "Conv2d-groups": lambda nn: nn.Conv2d(3, 4, 3, groups=2),
    "Conv2d-out-groups": lambda nn: nn.Conv2d(4, 3, 3, groups=2),
    "Conv2d-padding-str": lambda nn: nn.Conv2d(3, 4, 3, padding="full"),
    "Conv2d-same-stride": lambda nn: nn.Conv2d(3, 4, 3, padding="same", stride=2),
    "Conv2d-padding_mode": lambda nn: nn.Conv2d(3, 4, 3, padding_mode="wrap"),
    "Conv2d-zero-channels": lambda nn: nn.Conv2d(0, 4, 3),
    "Conv1d-groups0": lambda nn: nn.Conv1d(3, 4, 3, groups=0),
    "ConvTranspose2d-padding_mode": lambda nn: nn.ConvTranspose2d(3, 4, 3,
                                                                  padding_mode="reflect"),
    "Dropout-p": lambda nn: nn.Dropout(1.5),
    "Dropout-p-neg": lambda nn: nn.Dropout(-0.1),
    "Dropout2d-p": lambda nn: nn.Dropout2d(2.0),
    "AlphaDropout-p": lambda nn: nn.AlphaDropout(1.5),
    "MultiheadAttention-heads": lambda nn: nn.MultiheadAttention(5, 2),
    "TransformerEncoderLayer-heads": lambda nn: nn.TransformerEncoderLayer(5, 2),
    "TransformerEncoderLayer-activation": lambda nn: nn.TransformerEncoderLayer(
        4, 2, activation="swish"),
    "RNN-nonlinearity": lambda nn: nn.RNN(3, 4, nonlinearity="gelu"),
    "RNN-dropout": lambda nn: nn.RNN(3, 4, dropout=1.5),
    "RNN-layers0": lambda nn: nn.RNN(3, 4, num_layers=0),
    "LSTM-proj": lambda nn: nn.LSTM(3, 4, proj_size=4),
    "LSTM-proj-neg": lambda nn: nn.LSTM(3, 4, proj_size=-1),
    "GRU-hidden0": lambda nn: nn.GRU(3, 0),
    "GroupNorm-div": lambda nn: nn.GroupNorm(3, 4),
    "Embedding-padding": lambda nn: nn.Embedding(5, 3, padding_idx=5),
    "Embedding-padding-neg": lambda nn: nn.Embedding(5, 3, padding_idx=-6),
    "Embedding-neg": lambda nn: nn.Embedding(-1, 3),
    "EmbeddingBag-mode": lambda nn: nn.EmbeddingBag(5, 3, mode="median"),
    "Upsample-mode": lambda nn: nn.Upsample(scale_factor=2, mode="cubic"),
    "Softmax-ok": lambda nn: nn.Softmax(),
    "CrossEntropyLoss-reduction": lambda nn: nn.CrossEntropyLoss(reduction="avg"),
    "MSELoss-reduction": lambda nn: nn.MSELoss(reduction="avg"),
    "Sequential-bad": lambda nn: nn.Sequential(3),
    "ModuleList-bad": lambda nn: nn.ModuleList([3]),
    "ModuleDict-bad": lambda nn: nn.ModuleDict({"a": 3}),
    "Transformer-d_model": lambda nn: nn.Transformer(5, 2, 1, 1, 8),
    "PixelShuffle-neg": lambda nn: nn.PixelShuffle(-1)(t(nn_lib(nn), 1, 4, 2, 2)),
    "LayerNorm-neg": lambda nn: nn.LayerNorm(-1),
    "BatchNorm1d-zero": lambda nn: nn.BatchNorm1d(0),
    "MaxPool2d-neg-kernel": lambda nn: nn.MaxPool2d(-1)(t(nn_lib(nn), 1, 1, 4, 4)),
    "AvgPool2d-pad-big": lambda nn: nn.AvgPool2d(2, padding=2)(t(nn_lib(nn), 1, 1, 4, 4)),
    "Unflatten-bad": lambda nn: nn.Unflatten(1, (2, "a")),
    "Flatten-ok": lambda nn: nn.Flatten(),
    "Parameter-int": lambda nn: nn.Parameter(ints(nn_lib(nn), 3)),
    "register_buffer-bad": lambda nn: nn.Module().register_buffer("a", 3),
    "register_parameter-bad": lambda nn: nn.Module().register_parameter(
        "a", t(nn_lib(nn), 3)),
    "add_module-dot": lambda nn: nn.Module().add_module("a.b", nn.Identity()),
    "load_state_dict-missing": lambda nn: nn.Linear(2, 2).load_state_dict({}),
    "load_state_dict-shape": lambda nn: nn.Linear(2, 2).load_state_dict(
        {"weight": t(nn_lib(nn), 3, 3), "bias": t(nn_lib(nn), 2)}),
}


def nn_lib(nn):
    """The tensor library of an nn module namespace (torch for torch.nn)."""
    return ag if nn is ag.nn else torch


for rid, make in CONSTRUCT.items():
    row(f"new-{rid}", lambda L, make=make: make(L.nn) and None)  # random init: raising only
