"""torch's top-level long tail (autograd/torch_extras*.py) and the extra Tensor methods
(autograd/_methods/more.py) against torch: values, gradients, errors, in-place rules."""
import numpy as np
import pytest

import autograd as A
from autograd import gradcheck
from tests.conftest import requires_torch

pytestmark = requires_torch
X = np.arange(1.0, 13.0).reshape(3, 4)


def T(x, **kw):
    return A.tensor(np.asarray(x), **kw)


def close(a, b):
    np.testing.assert_allclose(np.asarray(a.detach().numpy() if hasattr(a, "detach") else a),
                               np.asarray(b.detach().numpy()), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["hann_window", "hamming_window", "blackman_window",
                                  "bartlett_window", "kaiser_window"])
def test_windows(name):
    import torch
    for n in (0, 1, 5, 8):
        for periodic in (True, False):
            got = getattr(A, name)(n, periodic)
            assert got.dtype == A.float32
            np.testing.assert_allclose(got.numpy(), getattr(torch, name)(n, periodic).numpy(),
                                       atol=1e-6)


def test_scatter_family_values_and_gradients():
    import torch
    t = torch.tensor(X)
    close(A.select_scatter(T(X), T(np.ones(3)), 1, 2),
          torch.select_scatter(t, torch.ones(3, dtype=torch.float64), 1, 2))
    close(A.slice_scatter(T(X), T(np.zeros((3, 2))), 1, 0, 4, 2),
          torch.slice_scatter(t, torch.zeros(3, 2, dtype=torch.float64), 1, 0, 4, 2))
    close(A.diagonal_scatter(T(X), T(np.zeros(3)), 1),
          torch.diagonal_scatter(t, torch.zeros(3, dtype=torch.float64), 1))
    close(A.as_strided(T(X), (2, 2), (1, 3), 1), torch.as_strided(t, (2, 2), (1, 3), 1))
    close(A.as_strided_scatter(T(X), T(np.zeros((2, 2))), (2, 2), (1, 3), 1),
          torch.as_strided_scatter(t, torch.zeros(2, 2, dtype=torch.float64), (2, 2), (1, 3),
                                   1))
    base = T(X, requires_grad=True)
    src = T(np.ones(3), requires_grad=True)
    assert gradcheck(lambda b, s: b.select_scatter(s, 1, 2), (base, src))
    assert gradcheck(lambda b, s: b.diagonal_scatter(s), (base, src))
    assert gradcheck(lambda b: b.as_strided((2, 2), (1, 3), 1), (base,))
    with pytest.raises(RuntimeError, match="size"):
        A.select_scatter(T(X), T(np.ones(4)), 1, 2)


def test_gradient_histogram_index_reduce_unique_consecutive():
    import torch
    for kw in ({}, {"spacing": 2.0}, {"dim": 1, "edge_order": 2}, {"spacing": [1.0, 3.0]}):
        for a, b in zip(A.gradient(T(X ** 2), **kw),
                        torch.gradient(torch.tensor(X ** 2), **kw)):
            close(a, b)
    f = np.random.default_rng(0).standard_normal((5, 6))
    c0 = np.array([0.0, 0.5, 1.7, 2.0, 3.1])
    c1 = np.cumsum(np.random.default_rng(1).uniform(0.2, 1, 6))
    for eo in (1, 2):
        ours = A.gradient(T(f), spacing=[T(c0), T(c1)], edge_order=eo)
        theirs = torch.gradient(torch.tensor(f), spacing=[torch.tensor(c0), torch.tensor(c1)],
                                edge_order=eo)
        for a, b in zip(ours, theirs):
            close(a, b)
    fr = T(f, requires_grad=True)
    assert gradcheck(lambda t: A.gradient(t, spacing=[T(c0), T(c1)], edge_order=2), (fr,))
    h, e = A.histogram(T(X), 4)
    th, te = torch.histogram(torch.tensor(X), 4)
    close(h, th)
    close(e, te)
    idx = [0, 2, 0]
    for red, inc in (("prod", True), ("mean", False), ("amax", True)):
        close(A.index_reduce(T(X), 0, T(idx), T(X) + 1, red, include_self=inc),
              torch.tensor(X).index_reduce(0, torch.tensor(idx), torch.tensor(X) + 1, red,
                                           include_self=inc))
    u = [1, 1, 2, 2, 3, 1, 1, 2]
    for a, b in zip(A.unique_consecutive(T(u), return_inverse=True, return_counts=True),
                    torch.unique_consecutive(torch.tensor(u), return_inverse=True,
                                             return_counts=True)):
        assert a.tolist() == b.tolist()
    m = [[1, 1], [1, 1], [2, 3]]
    a, b = A.unique_consecutive(T(m), dim=0), torch.unique_consecutive(torch.tensor(m), dim=0)
    assert a.tolist() == b.tolist()
    assert A.nonzero_static(T([0, 1, 2]), size=4).tolist() == \
        torch.nonzero_static(torch.tensor([0, 1, 2]), size=4).tolist()


def test_norms_and_renorm_gradient():
    import torch
    t = torch.tensor(X, requires_grad=True)
    a = T(X, requires_grad=True)
    t.renorm(2, 0, 5).pow(2).sum().backward()
    a.renorm(2, 0, 5).pow(2).sum().backward()
    close(a.grad, t.grad)
    close(A.norm_except_dim(T(X), 2, 1), torch.norm_except_dim(torch.tensor(X), 2, 1))
    close(A.nuclear_norm(T(X)), torch.linalg.matrix_norm(torch.tensor(X), "nuc"))
    close(A.frobenius_norm(T(X), (0, 1)), torch.linalg.vector_norm(torch.tensor(X)))


def test_small_functions():
    import torch
    assert tuple(A.broadcast_shapes((2, 1), (3,))) == \
        tuple(torch.broadcast_shapes((2, 1), (3,)))
    with pytest.raises(RuntimeError):
        A.broadcast_shapes((2,), (3,))
    with pytest.warns(UserWarning):
        close(A.range(0, 3), torch.range(0, 3, dtype=torch.float64).float())
    assert A.rsub(T([1.0, 2.0]), 5, alpha=2).tolist() == [3.0, 1.0]
    assert A.nextafter(A.tensor([1.0]), A.tensor([2.0])).item() == \
        torch.nextafter(torch.tensor([1.0]), torch.tensor([2.0])).item()
    assert A.frombuffer(bytearray(b"\x01\x02"), dtype=A.uint8).tolist() == [1, 2]
    assert A.isreal(A.tensor([1.0])).tolist() == [True]
    close(A.mvlgamma(T([2.5]), 2), torch.mvlgamma(torch.tensor([2.5], dtype=torch.float64), 2))
    assert A.strided is T(X).layout
    for name in ("solve", "lstsq", "matrix_rank", "eig", "symeig"):
        with pytest.raises(RuntimeError, match="removed"):
            getattr(A, name)(T(X))
    assert A.poisson(A.zeros(3)).tolist() == [0.0, 0.0, 0.0]
    n = A.binomial(A.full((2000,), 10.0), A.full((2000,), 0.5))
    assert 0 <= float(n.min()) and float(n.max()) <= 10 and abs(float(n.mean()) - 5) < 0.3
    x = A.tensor([1.0, -2.0])
    A.sgn(x)
    assert A.acosh_(A.tensor([2.0])).item() == pytest.approx(np.arccosh(2.0))
    assert A.conv1d is not None and A.batch_norm is not None


def test_tensor_methods_values():
    import torch
    t = torch.tensor(X)
    eye = torch.eye(4, dtype=torch.float64)
    close(T(X).clone().addmm_(T(X), T(np.eye(4))), t.clone().addmm_(t, eye))
    v, w = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0, 2, 1])
    close(T(X).addr(T(v), T(w), beta=2), t.addr(torch.tensor(v), torch.tensor(w), beta=2))
    for shape, kw in (((7, 3), {}), ((7, 3), {"wrap": True}), ((3, 3, 3), {})):
        a, b = A.zeros(*shape), torch.zeros(*shape)
        a.fill_diagonal_(5.0, **kw)
        b.fill_diagonal_(5.0, **kw)
        assert a.tolist() == b.tolist()
    close(T(X).hardshrink(5), t.hardshrink(5))
    close((T(X) - 6).prelu(T([0.1])), (t - 6).prelu(torch.tensor([0.1], dtype=torch.float64)))
    for a, b in zip(T(X).hsplit(2), t.hsplit(2)):
        close(a, b)
    m, e = T(X).frexp()
    tm, te = t.frexp()
    close(m, tm)
    assert e.tolist() == te.tolist() and e.dtype == A.int32
    close(T(X).ldexp(T([1.0, 2, 0, 1])), t.ldexp(torch.tensor([1.0, 2, 0, 1])))
    r = A.tensor([1.0, 2.0, 3.0])
    r.resize_(2, 2)
    assert r.shape == (2, 2) and r.reshape(-1)[:3].tolist() == [1.0, 2.0, 3.0]
    assert T(X).new(2, 3).shape == (2, 3) and T(X).new([1, 2]).dtype == A.float64
    assert T(X).t().dim_order() == t.t().dim_order()
    b = A.tensor([1.0, 2.0])
    b.apply_(lambda z: z * 10)
    assert b.tolist() == [10.0, 20.0]
    assert not T(X).is_mps and T(X).output_nr == 0 and not T(X).is_distributed()
    with pytest.raises(RuntimeError, match="removed"):
        T(X).eig()


def test_inplace_rules_and_version_counter():
    leaf = A.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        leaf.ldexp_(A.tensor([1.0, 1.0, 1.0]))
    with pytest.raises(RuntimeError, match="resize"):
        leaf.resize_(4)
    d = leaf * 1
    v0 = d._version[0]
    d.ldexp_(A.tensor([1.0, 1.0, 1.0]))
    assert d._version[0] > v0
    d.sum().backward()
    assert leaf.grad.tolist() == [2.0, 2.0, 2.0]
    m = A.zeros(3, 3, requires_grad=True) * 1
    m.fill_diagonal_(1.0)
    m.sum().backward()


def test_top_level_nn_functions_take_torch_signatures():
    import torch
    x = np.random.default_rng(0).standard_normal((2, 3, 5))
    w = np.random.default_rng(1).standard_normal((4, 3, 2))
    close(A.conv1d(T(x), T(w)), torch.conv1d(torch.tensor(x), torch.tensor(w)))
    rm, rv = np.zeros(3), np.ones(3)
    got = A.batch_norm(T(x), T(np.ones(3)), T(np.zeros(3)), T(rm), T(rv), True, 0.1, 1e-5, False)
    want = torch.batch_norm(torch.tensor(x), torch.ones(3, dtype=torch.float64),
                            torch.zeros(3, dtype=torch.float64), torch.tensor(rm),
                            torch.tensor(rv), True, 0.1, 1e-5, False)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, atol=1e-8)


def test_ormqr_matches_torch():
    import torch
    rng = np.random.default_rng(0)
    m, c, c2 = rng.standard_normal((5, 3)), rng.standard_normal((5, 2)), \
        rng.standard_normal((2, 5))
    a, tau = torch.geqrf(torch.tensor(m))
    ea, etau = A.tensor(m).geqrf()
    for left, tr, rhs in ((True, False, c), (True, True, c), (False, False, c2),
                          (False, True, c2)):
        np.testing.assert_allclose(ea.ormqr(etau, A.tensor(rhs), left, tr).numpy(),
                                   a.ormqr(tau, torch.tensor(rhs), left, tr).numpy(),
                                   rtol=1e-10, atol=1e-12)


def test_autograd_helpers():
    assert A.is_tensor_like(A.ones(1)) and not A.is_tensor_like([1.0])
    with A.enforce_grad_layout_policy(False):
        assert not A.enforce_grad_layout_policy.enabled
    assert A.enforce_grad_layout_policy.enabled


def test_chain_stack_and_concat_datasets():
    import torch.utils.data as tud

    import nn.data as ed

    class Count(ed.IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(self.n))

        def __len__(self):
            return self.n

    chain = ed.ChainDataset([Count(2), Count(3)])
    assert list(chain) == [0, 1, 0, 1, 2] and len(chain) == 5
    assert list(Count(1) + Count(2)) == [0, 0, 1]
    with pytest.raises(AssertionError):
        list(ed.ChainDataset([[1, 2]]))
    a, b = ed.TensorDataset(A.arange(3)), [10, 11, 12]
    st = ed.StackDataset(a, b)
    ta = tud.StackDataset(tud.TensorDataset(__import__("torch").arange(3)), b)
    assert len(st) == len(ta) == 3
    assert st[1][1] == ta[1][1] and st[1][0][0].item() == ta[1][0][0].item()
    sd = ed.StackDataset(x=b, y=b)
    assert sd[2] == {"x": 12, "y": 12} and sd.__getitems__([0, 2]) == [{"x": 10, "y": 10},
                                                                         {"x": 12, "y": 12}]
    with pytest.raises(ValueError, match="Size mismatch"):
        ed.StackDataset(b, [1])
    cat = ed.ConcatDataset([b, b])
    assert ed.ConcatDataset.cumsum([b, [1]]) == tud.ConcatDataset.cumsum([b, [1]]) == [3, 4]
    with pytest.warns(DeprecationWarning):
        assert cat.cummulative_sizes == [3, 6]


def test_asarray_as_torch_2_13():
    t = A.ones(2, requires_grad=True)
    assert A.asarray(t) is t
    b = A.asarray(t, dtype=A.float64)
    assert b.requires_grad and b.grad_fn is not None and b.dtype == A.float64
    c = A.asarray(t, copy=True)
    c.sum().backward()
    assert t.grad.tolist() == [1.0, 1.0]
    assert not A.asarray(t, requires_grad=False).requires_grad
    assert A.asarray([1, 2]).dtype == A.int64 and A.asarray(3.0).dtype == A.float32
    with pytest.raises(ValueError):
        A.asarray(t, dtype=A.float64, copy=False)


def test_grad_dtype_casts_incoming_gradients():
    import torch
    x = A.tensor([1.0, 2.0], requires_grad=True)
    assert x.grad_dtype == A.float32
    x.grad_dtype = A.float64
    (x * 3).sum().backward()
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    t.grad_dtype = torch.float64
    (t * 3).sum().backward()
    assert x.grad.dtype == A.float64 and str(t.grad.dtype) == "torch.float64"
    assert x.grad.tolist() == t.grad.tolist()
    x.grad_dtype = None
    assert x.grad_dtype is None
    with pytest.raises(RuntimeError, match="leaf"):
        (x * 2).grad_dtype
    z = A.tensor([1.0], requires_grad=True)
    (z * 2).sum().backward()
    assert z.grad.dtype == A.float32


def test_channels_last_memory_format():
    import torch
    x = A.randn(2, 3, 4, 5, requires_grad=True)
    y = x.contiguous(memory_format=A.channels_last)
    t = torch.randn(2, 3, 4, 5).contiguous(memory_format=torch.channels_last)
    assert tuple(y.stride()) == tuple(t.stride())
    assert y.is_contiguous(memory_format=A.channels_last) and not y.is_contiguous()
    np.testing.assert_array_equal(y.detach().numpy(), x.detach().numpy())
    y.sum().backward()
    assert x.grad.shape == x.shape
    assert x.contiguous(memory_format=A.contiguous_format) is x
    z = x.detach().to(A.float64, memory_format=A.channels_last)
    assert z.dtype == A.float64 and tuple(z.stride()) == tuple(t.stride())
    with pytest.raises(RuntimeError, match="rank 4"):
        A.ones(2, 3).contiguous(memory_format=A.channels_last)
    for made in (A.empty(2, 3, 4, 5, memory_format=A.channels_last),
                 A.zeros_like(x, memory_format=A.channels_last, requires_grad=True),
                 A.randn_like(x, memory_format=A.channels_last),
                 x.detach().clone(memory_format=A.channels_last)):
        assert tuple(made.stride()) == tuple(t.stride()) and made.grad_fn is None
    assert A.ones_like(x, memory_format=A.preserve_format).is_contiguous()
    with pytest.raises(TypeError):
        A.zeros_like(x, memory_fromat=A.channels_last)  # a misspelt keyword still fails
