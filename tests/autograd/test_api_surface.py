"""Walks the autograd section of the API contract (shared/API.md): every op named there
exists as a Tensor method and as an `autograd.` function wherever PyTorch has each, and
one call of each form, written with PyTorch's keyword names, gives PyTorch's values."""
import numpy as np
import pytest

import autograd as ag
from tests.conftest import requires_torch, torch

pytestmark = requires_torch

# The names of API.md's "autograd" section, in its order.
API_NAMES = """
tensor from_numpy zeros ones full empty zeros_like ones_like rand randn randint arange linspace
eye manual_seed set_default_dtype float16 float32 float64 int32 int64 bool
numpy item tolist detach requires_grad_ retain_grad register_hook backward to cpu cuda float
double long type type_as view_as size numel clone t pow eq ne lt le gt ge __len__ __index__
add_ sub_ mul_ div_ zero_ fill_ copy_ clamp_ __array__ __dlpack__ __dlpack_device__ from_dlpack
abs exp log log1p expm1 sqrt rsqrt sin cos tanh sigmoid relu clamp maximum minimum where sign
reciprocal sum mean prod var std amax amin logsumexp norm max min argmax argmin cumsum softmax
log_softmax reshape view flatten unflatten squeeze unsqueeze transpose permute expand
broadcast_to repeat flip roll cat stack split chunk tril triu gather scatter_add index_select
masked_fill matmul einsum outer dot no_grad enable_grad set_grad_enabled grad Function
gradcheck gradgradcheck detect_anomaly checkpoint
""".split()
NOT_FUNCTIONS = {"cpu", "cuda", "float", "double", "long"}  # torch.<name> is a module/dtype


@pytest.mark.parametrize("name", API_NAMES)
def test_name_exists_where_torch_has_it(name):
    if hasattr(torch.Tensor, name):
        assert hasattr(ag.Tensor, name), f"Tensor.{name} is missing"
    if hasattr(torch, name) and name not in NOT_FUNCTIONS and not name.startswith("__"):
        assert hasattr(ag, name), f"autograd.{name} is missing"
    if name in ("float", "double", "long"):  # dtype aliases: dtype=torch.long
        assert str(getattr(ag, name)) == str(getattr(torch, name))


X = np.random.default_rng(0).uniform(0.5, 2.0, (3, 4))
Y = np.random.default_rng(1).uniform(0.5, 2.0, (3, 4))


def _idx(L, v):
    return L.tensor(np.asarray(v, dtype=np.int64))


# name: call(L, x, y) written as a PyTorch user writes it; each name is called both as a
# method (m) and as a function (f) where PyTorch has both.
CALLS = {
    "pow": dict(m=lambda L, x, y: x.pow(2.5), f=lambda L, x, y: L.pow(x, exponent=y)),
    "eq": dict(m=lambda L, x, y: x.eq(y), f=lambda L, x, y: L.eq(x, other=1.0)),
    "add": dict(m=lambda L, x, y: x.add(y, alpha=2), f=lambda L, x, y: L.add(x, other=y)),
    "sub": dict(m=lambda L, x, y: x.sub(y), f=lambda L, x, y: L.sub(x, y, alpha=0.5)),
    "mul": dict(m=lambda L, x, y: x.mul(y), f=lambda L, x, y: L.mul(x, other=3)),
    "div": dict(m=lambda L, x, y: x.div(y, rounding_mode="floor"),
                f=lambda L, x, y: L.div(x, other=y)),
    "clamp": dict(m=lambda L, x, y: x.clamp(min=0.8, max=1.5),
                  f=lambda L, x, y: L.clamp(x, max=y)),
    "maximum": dict(m=lambda L, x, y: x.maximum(y), f=lambda L, x, y: L.maximum(x, other=y)),
    "minimum": dict(m=lambda L, x, y: x.minimum(y), f=lambda L, x, y: L.minimum(x, y)),
    "where": dict(m=lambda L, x, y: x.where(x > 1, y),
                  f=lambda L, x, y: L.where(x > 1, input=x, other=y)),
    "sum": dict(m=lambda L, x, y: x.sum(dim=1, keepdim=True),
                f=lambda L, x, y: L.sum(x, dim=(0, 1))),
    "mean": dict(m=lambda L, x, y: x.mean(-1), f=lambda L, x, y: L.mean(x, dim=0, keepdim=True)),
    "prod": dict(m=lambda L, x, y: x.prod(dim=1), f=lambda L, x, y: L.prod(x)),
    "var": dict(m=lambda L, x, y: x.var(dim=1, correction=0),
                f=lambda L, x, y: L.var(x, 0, keepdim=True)),
    "std": dict(m=lambda L, x, y: x.std(), f=lambda L, x, y: L.std(x, dim=1, unbiased=False)),
    "amax": dict(m=lambda L, x, y: x.amax(dim=(0, 1)), f=lambda L, x, y: L.amax(x, 1, True)),
    "amin": dict(m=lambda L, x, y: x.amin(), f=lambda L, x, y: L.amin(x, dim=-1)),
    "logsumexp": dict(m=lambda L, x, y: x.logsumexp(dim=1),
                      f=lambda L, x, y: L.logsumexp(x, dim=(0, 1), keepdim=True)),
    "norm": dict(m=lambda L, x, y: x.norm(), f=lambda L, x, y: L.norm(x, p=1, dim=1)),
    "max": dict(m=lambda L, x, y: x.max(dim=1, keepdim=True)[0],
                f=lambda L, x, y: L.max(x, y)),
    "max-values": dict(m=lambda L, x, y: x.max(1).values, f=lambda L, x, y: L.max(x)),
    "min": dict(m=lambda L, x, y: x.min(dim=0).indices, f=lambda L, x, y: L.min(x, 1)[1]),
    "argmax": dict(m=lambda L, x, y: x.argmax(dim=1), f=lambda L, x, y: L.argmax(x)),
    "argmin": dict(m=lambda L, x, y: x.argmin(1, keepdim=True),
                   f=lambda L, x, y: L.argmin(x, dim=0)),
    "cumsum": dict(m=lambda L, x, y: x.cumsum(dim=1), f=lambda L, x, y: L.cumsum(x, 0)),
    "softmax": dict(m=lambda L, x, y: x.softmax(dim=1), f=lambda L, x, y: L.softmax(x, 0)),
    "log_softmax": dict(m=lambda L, x, y: x.log_softmax(-1),
                        f=lambda L, x, y: L.log_softmax(x, dim=0)),
    "reshape": dict(m=lambda L, x, y: x.reshape(2, 6), f=lambda L, x, y: L.reshape(x, (4, -1))),
    "view": dict(m=lambda L, x, y: x.view(-1), f=None),
    "view-tuple": dict(m=lambda L, x, y: x.view((6, 2)), f=None),
    "flatten": dict(m=lambda L, x, y: x.flatten(), f=lambda L, x, y: L.flatten(x, start_dim=1)),
    "unflatten": dict(m=lambda L, x, y: x.unflatten(1, (2, 2)),
                      f=lambda L, x, y: L.unflatten(x, dim=0, sizes=(3, 1))),
    "squeeze": dict(m=lambda L, x, y: x[None].squeeze(0), f=lambda L, x, y: L.squeeze(x[None])),
    "unsqueeze": dict(m=lambda L, x, y: x.unsqueeze(-1), f=lambda L, x, y: L.unsqueeze(x, dim=0)),
    "transpose": dict(m=lambda L, x, y: x.transpose(0, 1),
                      f=lambda L, x, y: L.transpose(x, dim0=1, dim1=0)),
    "permute": dict(m=lambda L, x, y: x.permute(1, 0), f=lambda L, x, y: L.permute(x, (1, 0))),
    "permute-tuple": dict(m=lambda L, x, y: x.permute((1, 0)),
                          f=lambda L, x, y: L.permute(x, dims=(1, 0))),
    "expand": dict(m=lambda L, x, y: x[:, :1].expand(3, 5), f=None),
    "expand-tuple": dict(m=lambda L, x, y: x[:1].expand((2, -1)), f=None),
    "broadcast_to": dict(m=lambda L, x, y: x.broadcast_to((2, 3, 4)),
                         f=lambda L, x, y: L.broadcast_to(x, (2, 3, 4))),
    "repeat": dict(m=lambda L, x, y: x.repeat(2, 1), f=None),
    "flip": dict(m=lambda L, x, y: x.flip(0), f=lambda L, x, y: L.flip(x, dims=(0, 1))),
    "roll": dict(m=lambda L, x, y: x.roll(1, 1), f=lambda L, x, y: L.roll(x, shifts=2)),
    "cat": dict(m=None, f=lambda L, x, y: L.cat((x, y), dim=1)),
    "stack": dict(m=None, f=lambda L, x, y: L.stack([x, y], dim=-1)),
    "split": dict(m=lambda L, x, y: x.split(2, dim=1)[1],
                  f=lambda L, x, y: L.split(x, [1, 2], 0)[1]),
    "chunk": dict(m=lambda L, x, y: x.chunk(2)[1], f=lambda L, x, y: L.chunk(x, 2, dim=1)[0]),
    "tril": dict(m=lambda L, x, y: x.tril(), f=lambda L, x, y: L.tril(x, diagonal=1)),
    "triu": dict(m=lambda L, x, y: x.triu(-1), f=lambda L, x, y: L.triu(x)),
    "gather": dict(m=lambda L, x, y: x.gather(1, _idx(L, [[0, 0], [1, 2], [3, 3]])),
                   f=lambda L, x, y: L.gather(x, dim=0, index=_idx(L, [[0, 2, 1, 0]]))),
    "scatter_add": dict(m=lambda L, x, y: x.scatter_add(0, _idx(L, [[0, 1, 2, 0]]), y[:1]),
                        f=lambda L, x, y: L.scatter_add(x, dim=1, index=_idx(L, [[0], [1], [1]]),
                                                        src=y[:, :1])),
    "index_select": dict(m=lambda L, x, y: x.index_select(1, _idx(L, [3, 0, 3])),
                         f=lambda L, x, y: L.index_select(x, dim=0, index=_idx(L, [2]))),
    "masked_fill": dict(m=lambda L, x, y: x.masked_fill(x > 1, 0.0),
                        f=lambda L, x, y: L.masked_fill(x, mask=y > 1, value=-1.0)),
    "matmul": dict(m=lambda L, x, y: x.matmul(y.t()), f=lambda L, x, y: L.matmul(x, other=y.T)),
    "einsum": dict(m=None, f=lambda L, x, y: L.einsum("ij,kj->ik", x, y)),
    "einsum-list": dict(m=None, f=lambda L, x, y: L.einsum("ij,ij->i", [x, y])),
    "outer": dict(m=lambda L, x, y: x[0].outer(y[1]), f=lambda L, x, y: L.outer(x[0], vec2=y[0])),
    "dot": dict(m=lambda L, x, y: x[0].dot(y[0]), f=lambda L, x, y: L.dot(x[1], y[1])),
    "size": dict(m=lambda L, x, y: L.tensor(x.size(dim=1)), f=None),
    "view_as": dict(m=lambda L, x, y: x.reshape(12).view_as(y), f=None),
    "type_as": dict(m=lambda L, x, y: x.type_as(L.ones(1, dtype=L.float32)), f=None),
    "t": dict(m=lambda L, x, y: x.t(), f=lambda L, x, y: L.t(x)),
    "clone": dict(m=lambda L, x, y: x.clone(), f=lambda L, x, y: L.clone(x)),
    "float": dict(m=lambda L, x, y: x.float(), f=None),
    "long": dict(m=lambda L, x, y: (x * 10).long(), f=lambda L, x, y: x.to(L.long)),
    "double": dict(m=lambda L, x, y: x.float().double(), f=None),
    "type": dict(m=lambda L, x, y: x.type(L.float32), f=None),
    "mT": dict(m=lambda L, x, y: x.mT, f=None),
    "T": dict(m=lambda L, x, y: x.T, f=None),
    "data": dict(m=lambda L, x, y: x.data, f=None),
}
for _u in ["abs", "exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "sin", "cos", "tanh",
           "sigmoid", "relu", "sign", "reciprocal", "neg", "detach"]:
    CALLS[_u] = dict(m=lambda L, x, y, _u=_u: getattr(x, _u)(),
                     f=lambda L, x, y, _u=_u: getattr(L, _u)(x))
for _c in ["ne", "lt", "le", "gt", "ge"]:
    CALLS[_c] = dict(m=lambda L, x, y, _c=_c: getattr(x, _c)(y),
                     f=lambda L, x, y, _c=_c: getattr(L, _c)(x, 1.2))
FORMS = [(name, form) for name, c in CALLS.items() for form in ("m", "f") if c[form]]


@pytest.mark.parametrize("name,form", FORMS, ids=[f"{n}-{'method' if f == 'm' else 'function'}"
                                                  for n, f in FORMS])
def test_one_call_matches_torch(name, form):
    fn = CALLS[name][form]
    ours = fn(ag, ag.tensor(X, requires_grad=True), ag.tensor(Y))
    theirs = fn(torch, torch.tensor(X, requires_grad=True), torch.tensor(Y))
    assert str(ours.dtype) == str(theirs.dtype)
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(),
                               rtol=1e-10, atol=1e-12)
    assert ours.requires_grad == theirs.requires_grad


def test_every_api_op_has_a_call_row():
    """The walk above covers every differentiable op named in the contract."""
    ops = ("pow eq ne lt le gt ge abs exp log log1p expm1 sqrt rsqrt sin cos tanh sigmoid relu "
           "clamp maximum minimum where sign reciprocal sum mean prod var std amax amin "
           "logsumexp norm max min argmax argmin cumsum softmax log_softmax reshape view "
           "flatten unflatten squeeze unsqueeze transpose permute expand broadcast_to repeat "
           "flip roll cat stack split chunk tril triu gather scatter_add index_select "
           "masked_fill matmul einsum outer dot").split()
    assert set(ops) <= set(API_NAMES)
    assert not [op for op in ops if op not in CALLS]


def _lib(x):
    return torch if isinstance(x, torch.Tensor) else ag


@pytest.mark.parametrize("call", [
    lambda x: x.new_zeros(2, 3), lambda x: x.new_zeros((2,)), lambda x: x.new_ones(3),
    lambda x: x.new_full((2, 2), 7), lambda x: x.new_tensor([1, 2]),
    lambda x: x.new_tensor([1.5], dtype=_lib(x).float32),
    lambda x: x.new_zeros(2, dtype=_lib(x).int32),
    lambda x: x.new_empty(0, 2),
], ids=["zeros", "zeros-tuple", "ones", "full", "tensor", "tensor-dtype", "zeros-int32",
        "empty"])
def test_new_factories_take_self_dtype_like_torch(call):
    ours = call(ag.tensor(X, requires_grad=True))
    theirs = call(torch.tensor(X, requires_grad=True))
    assert str(ours.dtype) == str(theirs.dtype)
    assert tuple(ours.shape) == tuple(theirs.shape) and not ours.requires_grad
    if ours.numel():
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
