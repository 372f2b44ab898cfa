"""Formula: one elementwise definition run by NumPy, as a generated CUDA kernel body, and
with Tensor ops under create_graph; the three must agree."""
import numpy as np
import pytest
import torch

import autograd as ag
import nn.functional as F
from autograd.ops import activation as act
from autograd.ops import loss as ops_loss
from autograd.ops import unary
from autograd.ops.formula import Formula, cuda_body

FORMULAS = [v for m in (act, ops_loss, unary) for v in vars(m).values()
            if isinstance(v, Formula)]


def _args(formula, rng):
    """Random arguments for a formula's declared parameters (float64 arrays, bool masks,
    scalars; class indices for the int placeholders)."""
    params = formula.fused._spec[0]
    out = []
    for param in params.split(","):
        kind, name = param.split()
        if kind == "T":
            out.append(rng.normal(size=(4, 5)) * 3)
        elif kind == "bool":
            out.append(rng.normal(size=(4, 5)) > 0)
        elif kind == "float64":
            out.append({"threshold": 2.0}.get(name, float(rng.uniform(0.5, 1.5))))
        else:
            out.append(rng.integers(0, 5, size=(4, 5)))
    return out


@pytest.mark.parametrize("formula", FORMULAS, ids=lambda f: f.name)
def test_formula_numpy_and_tensor_paths_agree(formula):
    rng = np.random.default_rng(0)
    args = _args(formula, rng)
    fused = formula.fused(*args)
    tensors = [ag.tensor(a, requires_grad=a.dtype == np.float64) if isinstance(a, np.ndarray)
               else a for a in args]
    graph = formula(*tensors)  # an input requires grad: the Tensor-op path
    assert graph.requires_grad
    np.testing.assert_allclose(graph.detach().numpy(), fused, rtol=1e-13, atol=1e-13)
    with ag.no_grad():  # no graph: the fused path, the same numbers
        plain = formula(*tensors)
    assert not plain.requires_grad
    np.testing.assert_array_equal(plain.numpy(), fused)


def test_cuda_body_is_one_statement_per_step():
    body = cuda_body("T g, bool positive, float64 slope",
                     lambda ns, g, positive, slope: ns.where(positive, g, g * slope))
    assert body.splitlines() == ["T v0 = g * (T)slope;", "T v1 = positive ? g : v0;",
                                 "out = v1;"]


SECOND = [
    ("gelu", lambda f, x: f.gelu(x)),
    ("gelu_tanh", lambda f, x: f.gelu(x, approximate="tanh")),
    ("silu", lambda f, x: f.silu(x)),
    ("mish", lambda f, x: f.mish(x)),
    ("elu", lambda f, x: f.elu(x, 0.7)),
    ("selu", lambda f, x: f.selu(x)),
    ("celu", lambda f, x: f.celu(x, 0.5)),  # 1/alpha exact: torch rounds it in backward
    ("softplus", lambda f, x: f.softplus(x, 2.0, 3.0)),
    ("hardswish", lambda f, x: f.hardswish(x)),
    ("leaky_relu", lambda f, x: f.leaky_relu(x, 0.2)),
    ("relu", lambda f, x: f.relu(x)),
]


@pytest.mark.parametrize("name,fn", SECOND, ids=[s[0] for s in SECOND])
def test_activation_second_derivative_matches_torch(name, fn):
    x = np.random.default_rng(1).normal(size=(3, 7)) * 2.5
    v = np.cos(np.arange(21.0)).reshape(3, 7)
    xe = ag.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    (ge,) = ag.autograd.grad((fn(F, xe) ** 2).sum(), xe, create_graph=True)
    (gt,) = torch.autograd.grad((fn(torch.nn.functional, xt) ** 2).sum(), xt,
                                create_graph=True)
    (he,) = ag.autograd.grad((ge * ag.tensor(v)).sum(), xe)
    (ht,) = torch.autograd.grad((gt * torch.tensor(v)).sum(), xt)
    np.testing.assert_allclose(ge.detach().numpy(), gt.detach().numpy(), rtol=1e-10,
                               atol=1e-12)
    np.testing.assert_allclose(he.numpy(), ht.numpy(), rtol=1e-9, atol=1e-11)
    assert ag.gradgradcheck(lambda t: fn(F, t), (xe,))
