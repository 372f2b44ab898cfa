"""Graph semantics, dtype promotion, creation functions and numerical stability, each
checked against what PyTorch does."""
import numpy as np
import pytest

import autograd as ag
from tests.conftest import requires_torch, torch


def _dt(torch_dtype):
    return str(torch_dtype)


# ----------------------------------------------------------------------------- graph
def test_leaf_grad_accumulates_across_backward_calls_like_torch():
    x = ag.tensor([1.0, -2.0, 3.0], requires_grad=True)
    for _ in range(3):
        (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * 2 * np.array([1.0, -2.0, 3.0]))


def test_non_leaf_grad_is_none_unless_retain_grad():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    z = x * 4
    z.retain_grad()
    (y.sum() + (z * z).sum()).backward()
    assert y.grad is None and not y.is_leaf and x.is_leaf
    np.testing.assert_allclose(z.grad.numpy(), 2 * np.array([4.0, 8.0]))


def test_retain_graph_allows_second_backward_and_accumulates():
    x = ag.tensor([0.5, 1.5], dtype=ag.float64, requires_grad=True)
    y = x.tanh().sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * (1 - np.tanh([0.5, 1.5]) ** 2), rtol=1e-12)


def test_second_backward_through_freed_graph_raises_runtime_error():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x.sigmoid() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError):
        y.backward()


def test_backward_on_non_scalar_without_gradient_raises():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="backward"):
        (x * 2).backward()


def test_backward_on_non_scalar_with_gradient_is_a_vjp():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).backward(ag.tensor([3.0, -1.0]))
    np.testing.assert_allclose(x.grad.numpy(), [6.0, -2.0])


def test_chain_of_10000_ops_backward_is_iterative():
    x = ag.tensor(0.3, dtype=ag.float64, requires_grad=True)
    y = x
    for _ in range(10000):
        y = y + x * 1e-4
    y.backward()
    assert abs(x.grad.item() - 2.0) < 1e-9


def test_requires_grad_propagates_like_torch():
    a = ag.tensor([1.0], requires_grad=True)
    b = ag.tensor([2.0])
    assert (a + b).requires_grad and not (b * 2).requires_grad
    assert (b + a.detach()).grad_fn is None
    assert not (a > 0).requires_grad  # comparisons carry no gradient
    with pytest.raises(RuntimeError):
        ag.tensor([1, 2]).requires_grad_()  # integer tensors cannot require grad


def test_no_grad_enable_grad_set_grad_enabled_as_context_managers():
    x = ag.tensor([1.0], requires_grad=True)
    with ag.no_grad():
        assert not (x * 2).requires_grad
        with ag.enable_grad():
            assert (x * 2).requires_grad
    with ag.set_grad_enabled(False):
        assert not (x * 2).requires_grad
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()
    with ag.set_grad_enabled(True):
        assert (x * 2).requires_grad


def test_no_grad_enable_grad_set_grad_enabled_as_decorators():
    x = ag.tensor([1.0], requires_grad=True)

    @ag.no_grad()
    def off():
        return x * 2

    @ag.enable_grad()
    def on():
        return x * 2

    @ag.set_grad_enabled(False)
    def off2():
        return x * 2

    assert not off().requires_grad and not off2().requires_grad
    with ag.no_grad():
        assert on().requires_grad
    assert ag.is_grad_enabled()


def test_no_grad_restores_mode_after_exception():
    with pytest.raises(ValueError):
        with ag.no_grad():
            raise ValueError("boom")
    assert ag.is_grad_enabled()


def test_detach_shares_storage():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.grad_fn is None
    d.array[0] = 5.0
    assert x.array[0] == 5.0


def test_data_supports_manual_sgd_update():
    p = ag.tensor([1.0, 2.0], requires_grad=True)
    (p * p).sum().backward()
    p.data -= 0.1 * p.grad
    np.testing.assert_allclose(p.detach().numpy(), [0.8, 1.6], rtol=1e-6)
    assert p.requires_grad and p.is_leaf


def test_manual_sgd_under_no_grad_and_inplace_on_leaf_raises():
    p = ag.tensor([1.0, 2.0], requires_grad=True)
    (3 * p).sum().backward()
    with ag.no_grad():
        p -= 0.5 * p.grad
    np.testing.assert_allclose(p.detach().numpy(), [-0.5, 0.5])
    with pytest.raises(RuntimeError):
        p += 1


def test_numpy_refuses_tensor_requiring_grad():
    x = ag.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        x.numpy()
    assert x.detach().numpy().tolist() == [1.0]


def test_item_and_tolist():
    assert ag.tensor(2.5).item() == 2.5
    assert isinstance(ag.tensor(3).item(), int)
    assert ag.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert ag.tensor([True, False]).tolist() == [True, False]
    with pytest.raises(RuntimeError):
        ag.tensor([1.0, 2.0]).item()


# ----------------------------------------------------------------------------- promotion
def _promotion_cases():
    f32 = np.array([1.5, 2.5], np.float32)
    f64 = np.array([1.5, 2.5], np.float64)
    i64 = np.array([1, 2], np.int64)
    i32 = np.array([1, 2], np.int32)
    b = np.array([True, False])
    return [
        ("f32+f64", f32, f64), ("i64*2.5", i64, 2.5), ("2.5*i64", 2.5, i64),
        ("i64+f32", i64, f32), ("0d f64 + f32", np.array(2.0), f32),
        ("f32 + 0d f64", f32, np.array(2.0)), ("bool+i64", b, i64), ("bool+1", b, 1),
        ("bool+1.5", b, 1.5), ("i32+i64", i32, i64), ("i32+7", i32, 7),
        ("f32+2", f32, 2), ("0d i64 + f32", np.array(3), f32),
        ("0d f32 + i64", np.array(3.0, np.float32), i64),
    ]


@requires_torch
@pytest.mark.parametrize("op", ["add", "mul", "div", "sub"])
@pytest.mark.parametrize("case", _promotion_cases(), ids=lambda c: c[0])
def test_dtype_promotion_matches_torch(case, op):
    _, a, b = case

    def wrap(lib, v):
        if isinstance(v, np.ndarray):
            return ag.tensor(v) if lib is ag else torch.tensor(v)
        return v

    fn = {"add": lambda x, y: x + y, "mul": lambda x, y: x * y, "div": lambda x, y: x / y,
          "sub": lambda x, y: x - y}[op]
    if op == "sub" and any(getattr(v, "dtype", None) == np.bool_ for v in (a, b)):
        for lib in (torch, ag):  # subtracting a bool tensor is an error
            with pytest.raises(RuntimeError, match="(?i)sub"):
                fn(wrap(lib, a), wrap(lib, b))
        return
    ours = fn(wrap(ag, a), wrap(ag, b))
    ref = fn(wrap(torch, a), wrap(torch, b))
    assert str(ours.dtype) == _dt(ref.dtype)
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-6)


@requires_torch
def test_grad_dtype_follows_each_input_under_promotion():
    a = ag.tensor(np.ones(3, np.float32), requires_grad=True)
    b = ag.tensor(np.ones(3, np.float64), requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype == ag.float32 and b.grad.dtype == ag.float64


# ----------------------------------------------------------------------------- creation
@requires_torch
@pytest.mark.parametrize("data", [[1.0, 2.0], [1, 2], [True, False], 3.0, 7, True,
                                  [[1, 2.5]], np.array([1, 2], np.int32),
                                  np.array([1.0], np.float64), np.array([1.0], np.float16)],
                         ids=repr)
def test_tensor_dtype_inference_matches_torch(data):
    ref = torch.tensor(data) if not isinstance(data, np.ndarray) else torch.from_numpy(data)
    assert str(ag.tensor(data).dtype) == _dt(ref.dtype)


@requires_torch
@pytest.mark.parametrize("name,args,kw", [
    ("zeros", (2, 3), {}), ("zeros", ((2, 3),), {}), ("ones", (4,), {"dtype": "float64"}),
    ("full", ((2, 2), 1.5), {}), ("full", ((2,), 7), {}), ("full", ((2,), True), {}),
    ("arange", (5,), {}), ("arange", (1, 4, 0.5), {}), ("arange", (0.0, 3), {}),
    ("arange", (2, 10, 3), {}), ("linspace", (0, 1, 5), {}), ("eye", (3,), {}),
    ("eye", (2, 4), {}), ("empty", (2, 3), {}),
])
def test_creation_shape_dtype_and_values_match_torch(name, args, kw):
    tkw = {k: getattr(torch, v) for k, v in kw.items()}
    akw = {k: getattr(ag, v) for k, v in kw.items()}
    ours = getattr(ag, name)(*args, **akw)
    ref = getattr(torch, name)(*args, **tkw)
    assert tuple(ours.shape) == tuple(ref.shape)
    assert str(ours.dtype) == _dt(ref.dtype)
    if name != "empty":
        np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-6)


@requires_torch
@pytest.mark.parametrize("name,args,kw", [
    ("rand", (2, 3), {}), ("randn", (4,), {}), ("rand", ((3, 2),), {"dtype": "float64"}),
    ("randn", (2, 2), {"dtype": "float64"}), ("randint", (0, 10, (3, 4)), {}),
    ("randint", (5, (6,)), {}),
])
def test_random_creation_shapes_dtypes_like_torch_and_reseeding_reproduces(name, args, kw):
    tkw = {k: getattr(torch, v) for k, v in kw.items()}
    akw = {k: getattr(ag, v) for k, v in kw.items()}
    ag.manual_seed(123)
    first = getattr(ag, name)(*args, **akw)
    second = getattr(ag, name)(*args, **akw)
    ag.manual_seed(123)
    again = getattr(ag, name)(*args, **akw)
    ref = getattr(torch, name)(*args, **tkw)
    assert tuple(first.shape) == tuple(ref.shape)
    assert str(first.dtype) == _dt(ref.dtype)
    np.testing.assert_array_equal(first.numpy(), again.numpy())
    assert not np.array_equal(first.numpy(), second.numpy())
    if name == "rand":
        assert first.numpy().min() >= 0 and first.numpy().max() < 1
    if name == "randint":
        lo, hi = (0, args[0]) if len(args) == 2 else args[:2]
        assert first.numpy().min() >= lo and first.numpy().max() < hi


def test_numpy_array_keeps_dtype_and_from_numpy_shares_memory():
    arr = np.arange(3, dtype=np.int32)
    assert ag.tensor(arr).dtype == ag.int32
    t = ag.from_numpy(arr)
    arr[0] = 9
    assert t.tolist()[0] == 9
    assert ag.tensor(arr).tolist()[0] == 9 and ag.tensor(arr).array is not arr


def test_set_default_dtype_changes_python_float_tensors():
    try:
        ag.set_default_dtype(ag.float64)
        assert ag.tensor([1.0]).dtype == ag.float64 and ag.zeros(2).dtype == ag.float64
    finally:
        ag.set_default_dtype(ag.float32)
    assert ag.tensor([1.0]).dtype == ag.float32


# ----------------------------------------------------------------------------- stability
@requires_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["sigmoid", "logsumexp", "softmax", "log_softmax"])
def test_large_inputs_stay_finite_and_match_torch(name, dtype):
    data = np.array([[1e4, -1e4, 0.0, 3.0], [-1e4, -1e4, -1e4 + 1, -1e4]], dtype=dtype)
    fns = {"sigmoid": lambda x: x.sigmoid(), "logsumexp": lambda x: x.logsumexp(-1),
           "softmax": lambda x: x.softmax(-1), "log_softmax": lambda x: x.log_softmax(-1)}
    up = np.random.default_rng(0).standard_normal(data.shape).astype(dtype)
    results = []
    for lib in (ag, torch):
        x = lib.tensor(data, requires_grad=True)
        y = fns[name](x)
        g = lib.tensor(up[..., 0] if name == "logsumexp" else up)
        (y * g).sum().backward()
        results.append((y.detach().numpy(), x.grad.numpy()))
    (y_ag, g_ag), (y_t, g_t) = results
    assert np.isfinite(y_ag).all() and np.isfinite(g_ag).all()
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(y_ag, y_t, **tol)
    np.testing.assert_allclose(g_ag, g_t, **tol)


# ----------------------------------------------------------------------------- setitem
@requires_torch
@pytest.mark.parametrize("use_graph", [False, True])
def test_setitem_with_int_and_array_index_matches_torch(use_graph):
    # PyTorch applies the integer first: x[0, :, idx] has shape (3, 2), not NumPy's (2, 3)
    v = np.arange(6.0).reshape(3, 2)
    results = []
    for lib in (ag, torch):
        base = lib.tensor(np.linspace(-1, 1, 24).reshape(2, 3, 4), requires_grad=use_graph)
        w = lib.tensor(v, requires_grad=use_graph)
        x = base * 1
        with (lib.enable_grad() if use_graph else lib.no_grad()):
            x[0, :, lib.tensor([1, 3])] = w * 2
        if use_graph:
            (x * x).sum().backward()
            results.append((x.detach().numpy(), base.grad.numpy(), w.grad.numpy()))
        else:
            results.append((x.numpy(),))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
