"""Linear, Bilinear and activations against PyTorch (values and all gradients, float64
and float32), gradchecks, and in-place variants."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import autograd as ag
import nn
import nn.functional as F
from tests.conftest import DEVICES

from .helpers import check_module_parity, close, pair

DTYPES = [np.float64, np.float32]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (4,)])
def test_linear_matches_torch(dtype, bias, shape, device):
    check_module_parity(nn.Linear(4, 3, bias=bias), torch.nn.Linear(4, 3, bias=bias),
                        [np.random.randn(*shape)], dtype, device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_matches_torch(dtype, bias, device):
    check_module_parity(nn.Bilinear(3, 4, 2, bias=bias), torch.nn.Bilinear(3, 4, 2, bias=bias),
                        [np.random.randn(5, 3), np.random.randn(5, 4)], dtype, device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_linear_gradcheck_and_gradgradcheck(device):
    x = ag.tensor(np.random.randn(3, 4), device=device, requires_grad=True)
    w = ag.tensor(np.random.randn(2, 4), device=device, requires_grad=True)
    b = ag.tensor(np.random.randn(2), device=device, requires_grad=True)
    assert ag.gradcheck(F.linear, (x, w, b))
    assert ag.gradgradcheck(F.linear, (x, w, b))
    w3 = ag.tensor(np.random.randn(2, 4, 3), device=device, requires_grad=True)
    x2 = ag.tensor(np.random.randn(3, 3), device=device, requires_grad=True)
    assert ag.gradcheck(F.bilinear, (x, x2, w3, b))


def test_linear_errors_name_shapes_and_dtypes():
    lin = nn.Linear(4, 3)
    with pytest.raises(RuntimeError, match=r"linear: .*last dimension 4.*\(2, 5\)"):
        lin(ag.randn(2, 5))
    with pytest.raises(RuntimeError, match="float64"):
        lin(ag.randn(2, 4, dtype=ag.float64))


def test_linear_device_and_dtype_arguments():
    lin = nn.Linear(3, 2, device="cpu", dtype=ag.float64)
    assert lin.weight.dtype == ag.float64 and lin.bias.dtype == ag.float64
    assert lin.weight.requires_grad and lin.weight.is_leaf
    assert tuple(lin.weight.shape) == (2, 3)


# ----------------------------------------------------------------------------- activations
ACTIVATIONS = [
    ("relu", lambda: nn.ReLU(), lambda: torch.nn.ReLU()),
    ("leaky_relu", lambda: nn.LeakyReLU(0.2), lambda: torch.nn.LeakyReLU(0.2)),
    ("leaky_relu_default", lambda: nn.LeakyReLU(), lambda: torch.nn.LeakyReLU()),
    ("elu", lambda: nn.ELU(), lambda: torch.nn.ELU()),
    ("elu_alpha", lambda: nn.ELU(alpha=0.7), lambda: torch.nn.ELU(alpha=0.7)),
    ("gelu", lambda: nn.GELU(), lambda: torch.nn.GELU()),
    ("gelu_tanh", lambda: nn.GELU("tanh"), lambda: torch.nn.GELU("tanh")),
    ("silu", lambda: nn.SiLU(), lambda: torch.nn.SiLU()),
    ("sigmoid", lambda: nn.Sigmoid(), lambda: torch.nn.Sigmoid()),
    ("tanh", lambda: nn.Tanh(), lambda: torch.nn.Tanh()),
    ("softplus", lambda: nn.Softplus(), lambda: torch.nn.Softplus()),
    ("softplus_beta", lambda: nn.Softplus(beta=2.0, threshold=3.0),
     lambda: torch.nn.Softplus(beta=2.0, threshold=3.0)),
    ("logsigmoid", lambda: nn.LogSigmoid(), lambda: torch.nn.LogSigmoid()),
    ("softmax", lambda: nn.Softmax(dim=1), lambda: torch.nn.Softmax(dim=1)),
    ("softmax_neg", lambda: nn.Softmax(dim=-1), lambda: torch.nn.Softmax(dim=-1)),
    ("log_softmax", lambda: nn.LogSoftmax(dim=0), lambda: torch.nn.LogSoftmax(dim=0)),
]


def _act_input(dtype):
    # includes 0 (ties), large magnitudes and values past softplus thresholds
    x = np.random.randn(4, 5) * 3
    x[0, :3] = [0.0, 25.0, -25.0]
    return x.astype(dtype)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,ours,theirs", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_matches_torch(name, ours, theirs, dtype, device):
    check_module_parity(ours(), theirs(), [_act_input(dtype)], dtype, device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name,ours,theirs", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_gradcheck_and_gradgradcheck(name, ours, theirs, device):
    m = ours()
    x = np.random.randn(3, 4)
    x[np.abs(x) < 0.05] = 0.3  # keep away from kinks (relu, leaky_relu, elu at 0)
    t = ag.tensor(x, device=device, requires_grad=True)
    assert ag.gradcheck(m, (t,))
    if name not in ("relu", "leaky_relu", "leaky_relu_default"):
        assert ag.gradgradcheck(m, (t,))


FUNCTIONAL = [
    ("relu", lambda f, x: f.relu(x)),
    ("leaky_relu", lambda f, x: f.leaky_relu(x, 0.1)),
    ("elu", lambda f, x: f.elu(x, 2.0)),
    ("gelu", lambda f, x: f.gelu(x)),
    ("gelu_tanh", lambda f, x: f.gelu(x, approximate="tanh")),
    ("silu", lambda f, x: f.silu(x)),
    ("softplus", lambda f, x: f.softplus(x, beta=0.5, threshold=10)),
    ("sigmoid", lambda f, x: f.sigmoid(x)),
    ("tanh", lambda f, x: f.tanh(x)),
    ("logsigmoid", lambda f, x: f.logsigmoid(x)),
    ("softmax", lambda f, x: f.softmax(x, dim=0)),
    ("log_softmax", lambda f, x: f.log_softmax(x, dim=-1)),
    ("normalize", lambda f, x: f.normalize(x) * x),
    ("normalize_l1_dim0", lambda f, x: f.normalize(x, p=1, dim=0) * x),
    ("pad", lambda f, x: f.pad(x, (1, 2), value=0.5) ** 2),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,fn", FUNCTIONAL, ids=[f[0] for f in FUNCTIONAL])
def test_functional_matches_torch(name, fn, dtype, device):
    a, b = pair(_act_input(dtype), requires_grad=True, device=device)
    out_a, out_b = fn(F, a), fn(TF, b)
    close(out_a, out_b, dtype, name, device)
    out_a.sum().backward()
    out_b.sum().backward()
    close(a.grad, b.grad, dtype, name + " grad", device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name,ours,theirs", [
    ("relu", lambda x: F.relu(x, inplace=True), lambda x: TF.relu(x, inplace=True)),
    ("leaky", lambda x: F.leaky_relu(x, 0.3, True), lambda x: TF.leaky_relu(x, 0.3, True)),
    ("elu", lambda x: F.elu(x, 1.0, True), lambda x: TF.elu(x, 1.0, True)),
    ("silu", lambda x: F.silu(x, True), lambda x: TF.silu(x, True)),
])
def test_inplace_activation_writes_input_and_backprops(name, ours, theirs, device):
    a, b = pair(np.random.randn(3, 4), requires_grad=True, device=device)
    ya, yb = a * 2, b * 2
    out_a, out_b = ours(ya), theirs(yb)
    assert out_a is ya
    close(ya, yb, np.float64, device=device)
    (out_a * out_a).sum().backward()
    (out_b * out_b).sum().backward()
    close(a.grad, b.grad, np.float64, device=device)


def test_inplace_modules_are_accepted():
    x = ag.randn(3) * 1
    out = nn.ReLU(inplace=True)(x)
    assert out is x and (x.numpy() >= 0).all()
    assert repr(nn.SiLU(inplace=True)) == "SiLU(inplace=True)"


@pytest.mark.parametrize("device", DEVICES)
def test_large_inputs_stay_finite(device):
    x = ag.tensor([-1e4, -50.0, 50.0, 1e4], dtype=ag.float64, device=device,
                  requires_grad=True)
    for f in (F.silu, F.softplus, F.logsigmoid, F.elu, F.gelu, F.sigmoid):
        x.grad = None
        y = f(x)
        y.sum().backward()
        assert np.isfinite(y.detach().cpu().numpy()).all()
        assert np.isfinite(x.grad.cpu().numpy()).all()


def test_softmax_without_dim_warns_and_uses_torch_rule():
    x = ag.randn(2, 3)
    with pytest.warns(UserWarning, match="Implicit dimension"):
        out = F.softmax(x)
    np.testing.assert_allclose(out.detach().numpy().sum(1), [1, 1], rtol=1e-6)


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(RuntimeError, match="approximate"):
        F.gelu(ag.randn(2), approximate="fast")


def test_float32_stays_float32():
    x = ag.randn(3, 4)
    for f in (F.gelu, F.silu, F.softplus, F.elu, F.leaky_relu, F.logsigmoid):
        assert f(x).dtype == ag.float32
    assert nn.Linear(4, 2)(x).dtype == ag.float32


def test_one_hot_matches_torch_and_rejects_bad_classes():
    idx = np.array([[0, 3], [2, 1], [3, 3]])
    for k in (-1, 6):
        out = F.one_hot(ag.tensor(idx), k)
        expected = TF.one_hot(torch.tensor(idx), k)
        assert out.dtype == ag.int64 and out.numpy().tolist() == expected.tolist()
    with pytest.raises(RuntimeError, match="one_hot"):
        F.one_hot(ag.tensor(idx), 3)
    with pytest.raises(RuntimeError, match="int64"):
        F.one_hot(ag.tensor([0.0, 1.0]))


@pytest.mark.parametrize("device", DEVICES)
def test_normalize_of_zero_rows_uses_eps_like_torch(device):
    x = np.zeros((2, 3))
    x[1] = [3.0, 0.0, 4.0]
    a, b = pair(x, requires_grad=True, device=device)
    out_a, out_b = F.normalize(a, dim=1), TF.normalize(b, dim=1)
    close(out_a, out_b, np.float64, "normalize", device)
    (out_a * ag.tensor(np.arange(6.0).reshape(2, 3), device=device)).sum().backward()
    (out_b * torch.tensor(np.arange(6.0).reshape(2, 3))).sum().backward()
    close(a.grad, b.grad, np.float64, "normalize grad", device)
