"""autograd.onnx.export: the written model passes onnx.checker, and ONNX Runtime computes
what Ember computes, at the export batch size and at another size of a dynamic axis.

Tolerance: float32 throughout, unit roundoff u = 2**-24 ~ 6e-8. ONNX Runtime sums the
dot products and reductions in another order (and fuses some), so each output may differ
by about k * u * sum(|terms|) for a sum of k terms; these models sum at most ~100 terms
per output through a few layers of O(1) activations, which bounds the difference by a
few 1e-6, so rtol = atol = 1e-5 fails on a wrong graph (errors of order 1e-1) and not on
rounding.
"""
import io
import math

import numpy as np
import pytest

import autograd as torch
import nn
import nn.functional as F

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

RTOL = ATOL = 1e-5


def export_and_run(model, args, other_args, dynamic_axes, names=None, **kwargs):
    """Export, check, and compare ONNX Runtime with Ember on `args` and `other_args`."""
    args = args if isinstance(args, tuple) else (args,)
    names = names or [f"x{i}" for i in range(len(args))]
    f = io.BytesIO()
    proto = torch.onnx.export(model, args, f, input_names=names, dynamic_axes=dynamic_axes,
                              **kwargs)
    onnx.checker.check_model(proto)
    sess = ort.InferenceSession(f.getvalue(), providers=["CPUExecutionProvider"])
    was_training = model.training
    model.eval()
    for inputs in (args, other_args):
        with torch.no_grad():
            ref = model(*inputs)
        ref = ref if isinstance(ref, tuple) else (ref,)
        ref = [r.numpy() for r in _flat(ref)]
        got = sess.run(None, {n: x.numpy() for n, x in zip(names, inputs)})
        assert len(got) == len(ref)
        for r, g in zip(ref, got):
            assert r.shape == g.shape
            np.testing.assert_allclose(g, r, rtol=RTOL, atol=ATOL)
    model.train(was_training)
    return proto


def _flat(obj):
    if isinstance(obj, (tuple, list)):
        return [t for o in obj for t in _flat(o)]
    return [obj]


def param_inits(proto):
    """Initializer names that are state-dict keys (the others are constants)."""
    return {i.name for i in proto.graph.initializer}


def check_names(proto, model):
    """Every parameter and buffer the graph reads is an initializer under its state-dict
    name (batch norm's step counter is not read in eval mode)."""
    keys = {k for k in model.state_dict() if not k.endswith("num_batches_tracked")}
    inits = param_inits(proto)
    missing = {k for k in keys if k not in inits}
    # tied weights are stored once, under their first name
    params = dict(model.named_parameters(remove_duplicate=False))
    tied = {k for k in missing if k in params and any(params[k] is params.get(j)
                                                      for j in keys - missing)}
    assert missing == tied, missing
    assert not any(i.startswith(("weight", "bias")) for i in inits - keys)


def test_mlp():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 16),
                          nn.Tanh(), nn.Linear(16, 3), nn.LogSoftmax(dim=-1))
    model.train()
    proto = export_and_run(model, torch.randn(5, 6), (torch.randn(9, 6),),
                           {"x0": {0: "batch"}})
    assert model.training  # the flags come back
    check_names(proto, model)
    dim = proto.graph.input[0].type.tensor_type.shape.dim
    assert dim[0].dim_param == "batch" and dim[1].dim_value == 6
    out = proto.graph.output[0].type.tensor_type.shape.dim
    assert out[0].dim_param == "batch"


def test_cnn_conv_batchnorm_pooling():
    torch.manual_seed(1)
    model = nn.Sequential(
        nn.Conv2d(2, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 8, 3, stride=2, padding=1, groups=2), nn.BatchNorm2d(8), nn.GELU(),
        nn.AvgPool2d(2, ceil_mode=True, count_include_pad=False), nn.AdaptiveAvgPool2d(1),
        nn.Flatten(), nn.Linear(8, 4))
    model.train()
    for _ in range(3):  # running statistics away from their initial values
        model(torch.randn(8, 2, 14, 14) * 2 + 1)
    proto = export_and_run(model, torch.randn(3, 2, 14, 14), (torch.randn(6, 2, 14, 14),),
                           {"x0": [0]})
    check_names(proto, model)
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "x0_dynamic_axes_1"
    assert {n.op_type for n in proto.graph.node} >= {"Conv", "MaxPool", "AveragePool"}


def test_conv1d_conv3d_transposed_and_norms():
    torch.manual_seed(2)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv1d(3, 4, 3, padding=2, dilation=2)
            self.gn = nn.GroupNorm(2, 4)
            self.up = nn.ConvTranspose1d(4, 3, 3, stride=2, padding=1, output_padding=1)
            self.c3 = nn.Conv3d(1, 2, 2)
            self.bn3 = nn.BatchNorm3d(2)
            self.pool3 = nn.MaxPool3d(2)
            self.inorm = nn.InstanceNorm2d(2, affine=True)
            self.up2 = nn.ConvTranspose2d(2, 2, 2, stride=2)
            self.pool1 = nn.AdaptiveAvgPool1d(2)
            self.rms = nn.RMSNorm(2)
            self.ln = nn.LayerNorm(3)

        def forward(self, x, v):
            y = self.up(F.silu(self.gn(self.c1(x))))
            z = self.pool3(self.bn3(self.c3(v)))
            w = self.up2(self.inorm(z.flatten(2, 3)))
            return self.ln(y.transpose(1, 2)), self.rms(self.pool1(w.flatten(2)))

    model = Net().eval()
    args = (torch.randn(2, 3, 8), torch.randn(2, 1, 5, 5, 5))
    other = (torch.randn(4, 3, 8), torch.randn(4, 1, 5, 5, 5))
    proto = export_and_run(model, args, other, {"x0": {0: "n"}, "x1": {0: "n"}})
    check_names(proto, model)


def test_lstm_and_gru_states_follow_the_batch():
    torch.manual_seed(3)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(4, 7, num_layers=2, batch_first=True)
            self.gru = nn.GRU(7, 5, bidirectional=True)
            self.head = nn.Linear(10, 2)

        def forward(self, x):
            y, (h, c) = self.lstm(x)
            z, hz = self.gru(y.transpose(0, 1))
            return self.head(z[-1]), h, c

    model = Net()
    proto = export_and_run(model, torch.randn(3, 6, 4), (torch.randn(5, 6, 4),),
                           {"x0": {0: "batch"}})
    check_names(proto, model)


def test_transformer_encoder_with_padding_mask():
    torch.manual_seed(4)
    layer = nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, batch_first=True,
                                       activation="gelu")
    model = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(16))
    proto = export_and_run(model, torch.randn(3, 7, 16), (torch.randn(2, 7, 16),),
                           {"x0": {0: "batch"}})
    check_names(proto, model)


def test_transformer_decoder_with_causal_mask():
    torch.manual_seed(5)
    layer = nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, batch_first=True)
    dec = nn.TransformerDecoder(layer, 2)
    mask = nn.Transformer.generate_square_subsequent_mask(5)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.dec = dec

        def forward(self, tgt, memory):
            return self.dec(tgt, memory, tgt_mask=mask)

    model = Net()
    export_and_run(model, (torch.randn(2, 5, 8), torch.randn(2, 4, 8)),
                   (torch.randn(3, 5, 8), torch.randn(3, 4, 8)),
                   {"x0": {0: "b"}, "x1": {0: "b"}})


class CausalSelfAttention(nn.Module):
    def __init__(self, d, heads, block):
        super().__init__()
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.heads = heads
        self.register_buffer("mask", torch.tril(torch.ones(block, block)).view(1, 1, block,
                                                                             block))

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(x).split(c, dim=2)
        q, k, v = (z.view(b, t, self.heads, c // self.heads).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.shape[-1]))
        att = att.masked_fill(self.mask[:, :, :t, :t] == 0, float("-inf"))
        y = F.softmax(att, dim=-1) @ v
        return self.proj(y.transpose(1, 2).contiguous().view(b, t, c))


class Block(nn.Module):
    def __init__(self, d, heads, block):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = CausalSelfAttention(d, heads, block)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(approximate="tanh"),
                                 nn.Linear(4 * d, d), nn.Dropout(0.1))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(self, vocab=11, d=16, heads=2, block=8, layers=2, tied=True):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(block, d)
        self.blocks = nn.Sequential(*[Block(d, heads, block) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)
        if tied:
            self.head.weight = self.tok.weight

    def forward(self, idx):
        t = idx.shape[1]
        x = self.tok(idx) + self.pos(torch.arange(t))
        return self.head(self.ln_f(self.blocks(x)))


@pytest.mark.parametrize("tied", [True, False])
def test_gpt_style_decoder(tied):
    torch.manual_seed(6)
    model = GPT(tied=tied)
    idx = torch.randint(0, 11, (3, 6))
    proto = export_and_run(model, idx, (torch.randint(0, 11, (5, 6)),),
                           {"x0": {0: "batch"}}, output_names=["logits"])
    check_names(proto, model)
    assert proto.graph.output[0].name == "logits"
    names = param_inits(proto)
    assert ("head.weight" in names) != tied  # a tied head reads tok.weight
    assert "blocks.0.attn.mask" in names


def test_gpt_with_dynamic_batch_and_sequence():
    """Positions (arange(t)) become Range, and the mask buffer's [:t, :t] slice bounds
    follow the sequence axis."""
    torch.manual_seed(8)
    model = GPT()
    proto = export_and_run(model, torch.randint(0, 11, (3, 6)),
                           (torch.randint(0, 11, (2, 4)),), {"x0": {0: "b", 1: "t"}})
    assert "Range" in {n.op_type for n in proto.graph.node}


def test_causal_attention_with_dynamic_sequence():
    class Net(nn.Module):
        def forward(self, q, k, v):
            return F.scaled_dot_product_attention(q, k, v, is_causal=True)

    torch.manual_seed(13)
    shapes = [(2, 2, 5, 4), (3, 2, 3, 4)]
    args = [tuple(torch.randn(*s) for _ in range(3)) for s in shapes]
    axes = {f"x{i}": {0: "b", 2: "t"} for i in range(3)}
    export_and_run(Net(), args[0], args[1], axes)


def test_encoder_dynamic_sequence_and_mha_padding_mask():
    torch.manual_seed(9)
    layer = nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, batch_first=True)
    export_and_run(nn.TransformerEncoder(layer, 1), torch.randn(3, 7, 16),
                   (torch.randn(2, 5, 16),), {"x0": {0: "b", 1: "t"}})

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.attn = nn.MultiheadAttention(8, 2)

        def forward(self, q, pad):
            return self.attn(q, q, q, key_padding_mask=pad)

    pad = torch.zeros(3, 5, dtype=torch.bool)
    pad[0, 3:] = True
    pad2 = torch.zeros(4, 5, dtype=torch.bool)
    pad2[1, 2:] = True
    export_and_run(Net(), (torch.randn(5, 3, 8), pad), (torch.randn(5, 4, 8), pad2),
                   {"x0": {1: "b"}, "x1": {0: "b"}})


# Tensor ops, each through a model of its own, batch axis dynamic
OPS = {
    "arith": lambda x: (x + 1) * x - x / 3 + (-x) ** 2 + 2 ** x.clamp(-1, 1),
    "unary": lambda x: x.exp() + x.abs().sqrt() + x.sin() * x.cos() + x.tanh() + x.sigmoid()
    + x.abs().log1p() + x.abs().add(1).log() + x.floor() + x.ceil() + x.round() + x.trunc()
    + x.sign() + x.atan() + x.expm1() + x.abs().add(1).rsqrt() + x.square(),
    "activations": lambda x: F.relu(x) + F.gelu(x) + F.silu(x) + F.elu(x) + F.selu(x)
    + F.leaky_relu(x, 0.1) + F.softplus(x, beta=2) + F.logsigmoid(x) + F.hardswish(x)
    + F.hardsigmoid(x) + F.hardtanh(x) + F.relu6(x) + F.mish(x) + F.softsign(x)
    + F.tanhshrink(x) + F.celu(x) + F.softshrink(x) + F.hardshrink(x)
    + F.threshold(x, 0.2, -1.0),
    "softmax": lambda x: F.softmax(x, -1) + F.log_softmax(x, 1) + F.glu(x, -1).sum(-1,
                                                                           keepdim=True),
    "reductions": lambda x: x.sum(1, keepdim=True) + x.mean(-1, keepdim=True)
    + x.amax(1, keepdim=True) - x.amin(-1, keepdim=True) + x.var(1, keepdim=True)
    + x.std(-1, keepdim=True, unbiased=False) + x.logsumexp(-1, keepdim=True)
    + x.prod(-1, keepdim=True) + x.norm(dim=-1, keepdim=True) + x.cumsum(1)
    + x.norm(p=3, dim=-1, keepdim=True),
    "compare": lambda x: torch.where(x > 0, x, x * 0.5) + (x >= 0.1).float()
    + (x == x).float() + ((x < 0) & (x > -1)).float() + x.masked_fill(x.abs() < 0.2, 3.0)
    + torch.maximum(x, x.flip(-1)) + torch.minimum(x, 0.5 * x) + (~(x > 0)).float()
    + x.isnan().float() + x.argmax(-1, keepdim=True) + x.argmin(1, keepdim=True)
    + (x > -5).all(-1, keepdim=True).float() + (x > 1).any(1, keepdim=True).float(),
    "shape": lambda x: (x.reshape(x.shape[0], 2, 4).permute(0, 2, 1).flatten(1)
                        + x.unsqueeze(1).expand(-1, 3, -1).sum(1)
                        + torch.cat([x[:, :4], x[:, 4:]], 1) + x.flip(1)
                        + torch.stack([x, x], 0).mean(0)
                        + F.pad(x, (1, 2))[:, 1:-2] + x.repeat(1, 2)[:, ::2]
                        + x.view(-1, 4, 2).transpose(1, 2).contiguous().view(x.shape[0], 8)
                        + x.tril() + x[:, None].squeeze(1) + x.t().t()),
    "indexing": lambda x: (x[:, 1:7:2].sum(-1, keepdim=True) + x[:, -1:] + x[..., 2, None]
                           + x.index_select(1, torch.tensor([3, 1, 0, 2, 4, 5, 7, 6]))
                           + x.gather(1, torch.tensor([[1, 0, 2, 3, 4, 5, 6, 7]]).expand(
                               x.shape[0], 8))
                           + x[:, torch.tensor([0, 2, 4, 6, 1, 3, 5, 7])]),
    "matmul": lambda x: x @ x.t() @ x + torch.einsum("bi,bj->bij", x, x).sum(-1),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_tensor_ops(name):
    class Net(nn.Module):
        def forward(self, x):
            return OPS[name](x)

    torch.manual_seed(10)
    export_and_run(Net(), torch.randn(3, 8), (torch.randn(5, 8),), {"x0": {0: "batch"}})


class Loss(nn.Module):
    def __init__(self, loss):
        super().__init__()
        self.loss = loss

    def forward(self, a, b):
        return self.loss(a, b)


def _pair(a, b):
    return lambda n: (a(n), b(n))


# more layers: (model, inputs for batch size n)
LAYERS = {
    "bilinear": (lambda: nn.Bilinear(3, 4, 5), _pair(lambda n: torch.randn(n, 3),
                                                     lambda n: torch.randn(n, 4))),
    "rnn_relu": (lambda: nn.RNN(3, 4, 2, nonlinearity="relu", batch_first=True),
                 lambda n: (torch.randn(n, 5, 3),)),
    "batchnorm1d": (lambda: nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)),
                    lambda n: (torch.randn(n, 3),)),
    "embedding_padding_idx": (lambda: nn.Embedding(10, 4, padding_idx=0),
                              lambda n: (torch.randint(0, 10, (n, 5)),)),
    "adaptive_avg_uneven": (lambda: nn.AdaptiveAvgPool2d((3, 2)),
                            lambda n: (torch.randn(n, 3, 7, 5),)),
    "maxpool_dilation_ceil": (lambda: nn.MaxPool2d(3, 2, 1, dilation=2, ceil_mode=True),
                              lambda n: (torch.randn(n, 3, 9, 9),)),
    "conv_same_padding": (lambda: nn.Conv2d(3, 4, (3, 5), padding="same", dilation=(1, 2)),
                          lambda n: (torch.randn(n, 3, 6, 7),)),
    "conv_transpose_groups": (lambda: nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1,
                                                         output_padding=1, groups=2),
                              lambda n: (torch.randn(n, 4, 5, 5),)),
    "adaptive_max": (lambda: nn.Sequential(nn.AdaptiveMaxPool2d((3, 2)), nn.Flatten(1),
                                           nn.Unflatten(1, (3, 6)), nn.AdaptiveMaxPool1d(4)),
                     lambda n: (torch.randn(n, 3, 7, 5),)),
    "avgpool1d": (lambda: nn.AvgPool1d(3, 2, 1), lambda n: (torch.randn(n, 3, 9),)),
    "activation_modules": (lambda: nn.Sequential(nn.ELU(0.5), nn.Softplus(2, 5),
                                                  nn.LeakyReLU(0.2), nn.Softmax(dim=1)),
                           lambda n: (torch.randn(n, 5),)),
    "upsample_nearest": (lambda: nn.Upsample(scale_factor=2),
                         lambda n: (torch.randn(n, 3, 4, 4),)),
    "upsample_bilinear": (lambda: nn.Upsample(scale_factor=1.5, mode="bilinear",
                                              align_corners=True),
                          lambda n: (torch.randn(n, 3, 4, 4),)),
    "pixel_shuffle": (lambda: nn.PixelShuffle(2), lambda n: (torch.randn(n, 8, 3, 3),)),
    "transformer": (lambda: nn.Transformer(8, 2, 1, 1, 16, batch_first=True),
                    _pair(lambda n: torch.randn(n, 4, 8), lambda n: torch.randn(n, 3, 8))),
    "mse_loss": (lambda: Loss(nn.MSELoss()),
                 _pair(lambda n: torch.randn(n, 5), lambda n: torch.randn(n, 5))),
    "cross_entropy": (lambda: Loss(nn.CrossEntropyLoss(weight=torch.rand(5) + 0.5,
                                                       ignore_index=2)),
                      _pair(lambda n: torch.randn(n, 5, 3),
                            lambda n: torch.randint(0, 5, (n, 3)))),
    "nll_loss": (lambda: Loss(nn.NLLLoss(reduction="sum")),
                 _pair(lambda n: torch.randn(n, 4).log_softmax(1),
                       lambda n: torch.randint(0, 4, (n,)))),
    "bce_loss": (lambda: Loss(nn.BCELoss()),
                 _pair(lambda n: torch.rand(n, 5), lambda n: torch.rand(n, 5))),
    "bce_with_logits": (lambda: Loss(nn.BCEWithLogitsLoss(pos_weight=torch.ones(5) * 2)),
                        _pair(lambda n: torch.randn(n, 5), lambda n: torch.rand(n, 5))),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layers(name):
    torch.manual_seed(11)
    make, inputs = LAYERS[name]
    args = inputs(2)
    axes = {f"x{i}": {0: "batch"} for i in range(len(args))}
    export_and_run(make(), args, inputs(3), axes)


def test_file_path_and_no_folding(tmp_path):
    torch.manual_seed(7)
    model = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid())
    path = tmp_path / "m.onnx"
    torch.onnx.export(model, torch.randn(2, 3), str(path), do_constant_folding=False,
                      opset_version=14)
    proto = onnx.load(str(path))
    assert proto.opset_import[0].version == 14
    got = ort.InferenceSession(str(path)).run(None, {"input": np.ones((2, 3), np.float32)})
    with torch.no_grad():
        np.testing.assert_allclose(got[0], model(torch.ones(2, 3)).numpy(), rtol=RTOL,
                                   atol=ATOL)


def test_constant_folding_folds_constant_subgraphs():
    class Net(nn.Module):
        def forward(self, x):
            scale = torch.arange(4.0).reshape(2, 2).exp().sum(0)  # constants only
            return x * scale

    folded = torch.onnx.export(Net(), torch.randn(3, 2), io.BytesIO())
    unfolded = torch.onnx.export(Net(), torch.randn(3, 2), io.BytesIO(),
                                 do_constant_folding=False)
    assert [n.op_type for n in folded.graph.node] == ["Mul", "Identity"]
    assert {"Exp", "ReduceSum"} <= {n.op_type for n in unfolded.graph.node}


class Erfinv(nn.Module):
    def forward(self, x):
        return x.erfinv()  # no ONNX operator computes erfinv


def test_unsupported_op_names_op_module_and_opset():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Tanh(), Erfinv()))
    with pytest.raises(RuntimeError) as e:
        torch.onnx.export(model, torch.randn(1, 2), io.BytesIO(), opset_version=16)
    msg = str(e.value)
    assert "Erfinv" in msg and "'1.1'" in msg and "opset 16" in msg


def test_numbers_from_shapes_follow_the_dynamic_axis():
    class Net(nn.Module):
        def forward(self, x, t):
            return F.kl_div(x, t, reduction="batchmean") + x.sum() / (2 * x.shape[0])

    export_and_run(Net(), (torch.randn(3, 4), torch.rand(3, 4)),
                   (torch.randn(6, 4), torch.rand(6, 4)), {"x0": {0: "b"}, "x1": {0: "b"}})


@pytest.mark.parametrize("forward, axes, why", [
    (lambda x: x * x.max().item(), None, "changes with the input"),
    (lambda x: x.clamp(max=float(x.shape[0])), {"input": {0: "b"}}, "changes with the input"),
    (lambda x: x + torch.randn(x.shape[0], 1), {"input": {0: "b"}}, "outside the traced ops"),
    (lambda x: x[x > 0], None, "bool mask"),
    (lambda x: x[:, x[0].argmax()], None, "changes with the input"),
    (lambda x: x[:, torch.stack([x[0].argmax()] * 2)], None, "index tensor that changes"),
])
def test_values_the_graph_would_freeze_are_refused(forward, axes, why):
    """Numbers and tensors computed outside the traced ops from the input's values or
    sizes would be frozen at the export's values: export raises instead."""
    class Net(nn.Module):
        def forward(self, x):
            return forward(x)

    with pytest.raises(RuntimeError, match=why):
        torch.onnx.export(Net(), torch.randn(3, 4), io.BytesIO(), dynamic_axes=axes)


def test_in_place_ops_in_forward():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)

        def forward(self, x):
            x.mul_(2)
            y = self.fc(x)
            y[:, 0] = 0.0
            y.add_(x).relu_()
            return y

    torch.manual_seed(12)
    model = Net()
    x, x2 = torch.randn(3, 4), torch.randn(5, 4)
    f = io.BytesIO()
    torch.onnx.export(model, x.clone(), f, input_names=["x"], dynamic_axes={"x": [0]})
    sess = ort.InferenceSession(f.getvalue())
    for a in (x, x2):
        got = sess.run(None, {"x": a.numpy()})[0]
        with torch.no_grad():
            want = model(a.clone()).numpy()
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)


def test_in_place_writes_through_views():
    class Net(nn.Module):
        def forward(self, x):
            y = x * 1
            y[:, 1:3].zero_()        # reaches y through its view: flat positions in y
            y[0, ::2] = x[1, :2]
            y.view(-1)[5] = -1.0
            return y

    x = torch.randn(3, 4)
    f = io.BytesIO()
    torch.onnx.export(Net(), x, f)
    got = ort.InferenceSession(f.getvalue()).run(None, {"input": x.numpy()})[0]
    with torch.no_grad():
        np.testing.assert_array_equal(got, Net()(x).numpy())


def test_custom_function_is_refused_by_name():
    class Twice(torch.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class Net(nn.Module):
        def forward(self, x):
            return Twice.apply(x) + 1

    with pytest.raises(RuntimeError, match="Twice"):
        torch.onnx.export(Net(), torch.randn(2), io.BytesIO())


def test_non_tensor_arguments_are_fixed_and_none_outputs_left_out():
    class Net(nn.Module):
        def forward(self, x, scale, shift=0.0):
            return x * scale + shift, None

    x = torch.randn(2, 3)
    f = io.BytesIO()
    proto = torch.onnx.export(Net(), (x, 2.0, {"shift": 1.0}), f)
    assert [i.name for i in proto.graph.input] == ["input"]
    assert len(proto.graph.output) == 1
    got = ort.InferenceSession(f.getvalue()).run(None, {"input": x.numpy()})[0]
    np.testing.assert_allclose(got, x.numpy() * 2 + 1, rtol=RTOL, atol=ATOL)


def test_bad_arguments():
    model = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="args"):
        torch.onnx.export(model, [1, 2], io.BytesIO())
    with pytest.raises(ValueError, match="dynamic_axes"):
        torch.onnx.export(model, torch.randn(1, 2), io.BytesIO(), dynamic_axes={"x": [0]})
    with pytest.raises(ValueError, match="opset"):
        torch.onnx.export(model, torch.randn(1, 2), io.BytesIO(), opset_version=9)


def test_missing_onnx_says_which_extra(monkeypatch):
    import builtins
    real = builtins.__import__

    def no_onnx(name, *args, **kwargs):
        if name == "onnx" or name.startswith("onnx."):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_onnx)
    with pytest.raises(ImportError, match=r'pip install "ember-grad\[onnx\]"'):
        torch.onnx.export(nn.Linear(2, 2), torch.randn(1, 2), io.BytesIO())
