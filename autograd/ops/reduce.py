"""Reductions (sum, mean, prod, var, amax, logsumexp, norm, ...), scans (cumsum) and
softmax. Every backward re-expands the reduced gradient with `expand_reduced`."""
from __future__ import annotations

from .. import amp as _amp
from .. import backend
from ..explain import note_cut
from ..function import Function, is_grad_enabled
from ..return_types import return_type
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import _make
from . import compare as _compare
from . import elementwise as _ew
from . import index as _index
from . import shape as _shape
from . import unary as _unary
from .shape import SumTo, sum_to  # noqa: F401 (sum_to, the adjoint of broadcast_to, lives in shape)
from .softmax import LogSoftmax, Softmax, log_softmax, softmax  # noqa: F401 (re-exported)


# ----------------------------------------------------------------------------- helpers
def reduce_dims(dim, ndim, op):
    """`dim` (None, int, tuple or list, negatives allowed) as a sorted tuple of axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return tuple(range(ndim))
        axes = tuple(sorted(_shape.norm_dim(d, ndim, op) for d in dim))
        if len(set(axes)) != len(axes):
            raise RuntimeError(f"{op}: dim {tuple(dim)} appears multiple times in the list")
        return axes if ndim else ()
    axis = _shape.norm_dim(dim, ndim, op)
    return (axis,) if ndim else ()  # a 0-d tensor accepts dim 0 or -1 and has no axis


def _keep_shape(shape, axes):
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def expand_reduced(grad, in_shape, axes, keepdim):
    """Broadcast the gradient of a reduction over `axes` back to the input's shape."""
    if not keepdim and axes:
        grad = _shape.reshape(grad, _keep_shape(in_shape, axes))
    return _shape.broadcast_to(grad, in_shape)


def _count(shape, axes):
    n = 1
    for a in axes:
        n *= shape[a]
    return n


# ----------------------------------------------------------------------------- sum, mean, prod
# bfloat16 keeps 8 significant bits: its sums accumulate in float32 and round once, as
# PyTorch's do
_bf16 = backend.bfloat16

class Sum(Function):
    @staticmethod
    def forward(ctx, a, dim, keepdim, dtype=None):
        x = a.array
        axes = reduce_dims(dim, x.ndim, "sum")
        ctx.args = (x.shape, axes, keepdim)
        if dtype is None and x.dtype.kind in "biu":
            dtype = backend.int64
        if dtype is _bf16 or (dtype is None and x.dtype is _bf16):  # float32 accumulation
            return x.sum(axis=axes, keepdims=keepdim, dtype=backend.float32).astype(_bf16)
        return x.sum(axis=axes, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        return expand_reduced(grad, *ctx.args)


def sum(a, dim=None, keepdim=False, dtype=None):
    """Same as torch.sum."""
    return Sum.apply(a, dim, keepdim, backend.as_dtype(dtype))


class Mean(Function):
    @staticmethod
    def forward(ctx, a, dim, keepdim, dtype=None):
        x = a.array
        if dtype is None and backend.kind(x.dtype) not in "fc":
            raise RuntimeError(
                f"mean: could not infer output dtype; input dtype must be floating point, "
                f"got {x.dtype}")
        axes = reduce_dims(dim, x.ndim, "mean")
        ctx.args = (x.shape, axes, keepdim)
        if dtype is _bf16 or (dtype is None and x.dtype is _bf16):  # as Sum
            return x.mean(axis=axes, keepdims=keepdim, dtype=backend.float32).astype(_bf16)
        if x.size == 0:  # NaN as PyTorch gives it, without NumPy's 0 / 0 warning
            return x.sum(axis=axes, keepdims=keepdim, dtype=dtype) + float("nan")
        return x.mean(axis=axes, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        shape, axes, keepdim = ctx.args
        n = _count(shape, axes)
        return expand_reduced(grad / n if n else grad, shape, axes, keepdim)


def mean(a, dim=None, keepdim=False, dtype=None):
    """Same as torch.mean."""
    return Mean.apply(a, dim, keepdim, backend.as_dtype(dtype))


class Prod(Function):
    save_output = True

    @staticmethod
    def forward(ctx, a, dim, keepdim, dtype=None):
        x = a.array
        axes = reduce_dims(dim, x.ndim, "prod")
        ctx.args = (x.shape, axes, keepdim)
        ctx.save_for_backward(a)
        if dtype is None and x.dtype.kind in "biu":
            dtype = backend.int64
        return x.prod(axis=axes, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        shape, axes, keepdim = ctx.args
        g = expand_reduced(grad, shape, axes, keepdim)
        if backend.defers_checks(a.array):  # GPU: the exact formula, no zero test read back
            return g * _prod_of_others(a, axes)
        if not bool((a.array == 0).any()):
            # d/dx_i prod(x) = prod(x) / x_i
            return g * expand_reduced(ctx.output, shape, axes, keepdim) / a
        return g * _prod_of_others(a, axes)


def _prod_of_others(a, axes):
    """For each element, the product of the other elements reduced with it (exact with
    zeros): exclusive cumulative products from the left and from the right."""
    nd = a.ndim
    rest = [d for d in range(nd) if d not in axes]
    perm = rest + list(axes)
    x = _shape.permute(a, perm)
    lead = tuple(x.shape[:len(rest)])
    x = _shape.reshape(x, lead + (-1,))
    left = cumprod(_shape.constant_pad(x[..., :-1], (1, 0), 1), -1)  # a 1 before x
    after = _shape.flip(_shape.constant_pad(x[..., 1:], (0, 1), 1), (-1,))  # a 1 after x
    right = _shape.flip(cumprod(after, -1), (-1,))
    others = _shape.reshape(left * right, tuple(a.shape[d] for d in perm))
    inverse = [perm.index(d) for d in range(nd)]
    return _shape.permute(others, inverse)


def prod(a, dim=None, keepdim=False, dtype=None):
    """Same as torch.prod (dim may also be a tuple here)."""
    if _amp.mode.on:
        a, = _amp.fp32("prod", a)
    return Prod.apply(a, dim, keepdim, backend.as_dtype(dtype))


# ----------------------------------------------------------------------------- var, std
class Var(Function):
    @staticmethod
    def forward(ctx, a, dim, correction, keepdim):
        x = a.array
        if backend.kind(x.dtype) not in "fc":
            raise RuntimeError(f"var: expected a floating point tensor, got {x.dtype}")
        axes = reduce_dims(dim, x.ndim, "var")
        n = _count(x.shape, axes)  # PyTorch's max(0, N - correction): sum/0 inf, 0/0 NaN
        denom = n - correction if n > correction else 0
        ctx.args = (x.shape, axes, keepdim, denom)
        ctx.save_for_backward(a)
        xp = backend.array_module(x)
        mu = x.mean(axis=axes, keepdims=True)
        d = x - mu
        out = (d * d).sum(axis=axes, keepdims=keepdim)
        return out / denom if denom > 0 else out * xp.asarray(float("inf"), dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        shape, axes, keepdim, denom = ctx.args
        # d/dx var = 2 (x - mean) / (N - correction)
        centred = a - mean(a, axes, keepdim=True)
        scale = 2.0 / denom if denom > 0 else float("inf")
        return expand_reduced(grad, shape, axes, keepdim) * centred * scale


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    if unbiased is None:
        return 1
    return 1 if unbiased else 0


def var(a, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Same as torch.var (correction=1 by default)."""
    if isinstance(dim, bool):  # var(x, False): PyTorch's overload var(input, unbiased)
        dim, unbiased = None, dim
    if isinstance(unbiased, (list, tuple)) or (isinstance(unbiased, int) and
                                                not isinstance(unbiased, bool)):
        dim, unbiased = unbiased, None  # var(x, dim) called positionally as (x, dims)
    return Var.apply(a, dim, _correction(unbiased, correction), keepdim)


class Std(Function):
    """sqrt of a variance whose gradient is 0 where the std is 0 (a constant input), as
    PyTorch's std, instead of 0 * inf."""

    save_output = True

    @staticmethod
    def forward(ctx, v):
        return backend.array_module(v.array).sqrt(v.array)

    @staticmethod
    def backward(ctx, grad):
        out = ctx.output
        return _compare.where(out == 0, 0.0, grad / (_compare.where(out == 0, 1.0, out) * 2))


def std(a, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Same as torch.std (correction=1 by default)."""
    return Std.apply(var(a, dim, unbiased, keepdim, correction=correction))


def var_mean(a, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, unbiased = (None, dim) if isinstance(dim, bool) else (dim, unbiased)
    return var(a, dim, unbiased, keepdim, correction=correction), mean(a, dim, keepdim)


def std_mean(a, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, unbiased = (None, dim) if isinstance(dim, bool) else (dim, unbiased)
    return std(a, dim, unbiased, keepdim, correction=correction), mean(a, dim, keepdim)


# ----------------------------------------------------------------------------- max, min
def check_nonempty_reduction(shape, axes, op, full):
    """PyTorch's errors for a reduction without identity (max, amax, argmax, median ...)
    over an empty dim: RuntimeError (IndexError for arg*) for a full reduction of an empty
    tensor, IndexError for a named empty dim; an empty result over non-empty dims is fine."""
    if full and 0 in shape:
        cls = IndexError if op.startswith("arg") else RuntimeError
        raise cls(f"{op}(): Expected reduction dim to be specified for input.numel() == 0. "
                  f"Specify the reduction dim with the 'dim' argument.")
    for ax in axes:
        if shape[ax] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {ax} to have non-zero size.")


class _Extreme(Function):
    """amax/amin: the gradient is shared evenly between tied extremes, as PyTorch. With
    `even_nan` (max()/min() of all elements) a NaN result shares it between the NaNs, as
    PyTorch's max(); amax's NaN result gives NaN gradients, as PyTorch's amax, and the
    inf-norm's (`even_nan` "norm") zero gradients, as PyTorch's norm."""

    save_output = True

    @classmethod
    def forward(cls, ctx, a, dim, keepdim, even_nan=False):
        x = a.array
        name = ("max" if cls is Amax else "min") if even_nan is True else cls.name()
        axes = reduce_dims(dim, x.ndim, name)
        check_nonempty_reduction(x.shape, axes, name,
                                 dim is None or (isinstance(dim, (tuple, list)) and not dim))
        ctx.args = (x.shape, axes, keepdim, even_nan)
        ctx.save_for_backward(a)
        return cls.f(x, axes, keepdim)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        shape, axes, keepdim, even_nan = ctx.args
        out = expand_reduced(ctx.output.detach(), shape, axes, keepdim)
        xp = backend.array_module(a.array)
        hit = a.array == out.array
        if even_nan is True and a.array.dtype.kind in "fc":
            hit = hit | (xp.isnan(a.array) & xp.isnan(out.array))
        mask = hit.astype(grad.array.dtype)
        count = mask.sum(axis=axes, keepdims=True)
        if even_nan == "norm":
            count = xp.maximum(count, 1)
        return expand_reduced(grad, shape, axes, keepdim) * (mask / count)


class Amax(_Extreme):
    f = staticmethod(lambda x, axes, keepdim: x.max(axis=axes, keepdims=keepdim))


class Amin(_Extreme):
    f = staticmethod(lambda x, axes, keepdim: x.min(axis=axes, keepdims=keepdim))


def amax(a, dim=(), keepdim=False):
    """Same as torch.amax."""
    return Amax.apply(a, dim, keepdim)


def amin(a, dim=(), keepdim=False):
    """Same as torch.amin."""
    return Amin.apply(a, dim, keepdim)


def _return_type(name):  # (values, indices), one class per name (return_types)
    return return_type(name, ["values", "indices"])


def _max_min(a, dim, keepdim, largest):
    name = "max" if largest else "min"
    if isinstance(dim, Tensor):  # max(a, b): elementwise
        return (_compare.maximum if largest else _compare.minimum)(a, dim)
    if dim is None:
        return (Amax if largest else Amin).apply(a, None, False, True)
    d = _shape.norm_dim(dim, a.array.ndim, name)  # errors name max/min, not argmax/argmin
    if a.array.size == 0 and a.array.ndim:
        check_nonempty_reduction(a.array.shape, (d,), name, False)
    idx = (argmax if largest else argmin)(a, dim, keepdim=True)
    values = _index.gather(a, dim, idx)
    if not keepdim:
        values = _shape.squeeze(values, dim)
        idx = _shape.squeeze(idx, dim)
    return _return_type(name)(values, idx)


def max(a, dim=None, keepdim=False):
    """Same as torch.max: the maximum, max(dim) -> (values, indices), or max(a, b)."""
    return _max_min(a, dim, keepdim, True)


def min(a, dim=None, keepdim=False):
    """Same as torch.min."""
    return _max_min(a, dim, keepdim, False)


def _arg(a, dim, keepdim, fn, op):
    out = _arg_values(a, dim, keepdim, fn, op)
    if a.requires_grad:  # no gradient flows on: explain_grad names this op
        note_cut(out, op, a)
    return out


def _arg_values(a, dim, keepdim, fn, op):
    x = a.array
    if x.size == 0:
        check_nonempty_reduction(x.shape, () if dim is None else (
            _shape.norm_dim(dim, x.ndim, op),), op, dim is None)
    if dim is None:
        out = fn(x.reshape(-1), axis=0)
        if keepdim:
            out = out.reshape((1,) * x.ndim)
        return _make(out.astype(backend.int64))
    d = _shape.norm_dim(dim, x.ndim, op)
    out = fn(x, axis=d, keepdims=keepdim) if x.ndim else fn(x.reshape(1), axis=0)
    return _make(backend.array_module(x).asarray(out, dtype=backend.int64))


def argmax(a, dim=None, keepdim=False):
    """Same as torch.argmax."""
    return _arg(a, dim, keepdim, backend.array_module(a.array).argmax, "argmax")


def argmin(a, dim=None, keepdim=False):
    """Same as torch.argmin."""
    return _arg(a, dim, keepdim, backend.array_module(a.array).argmin, "argmin")


# ----------------------------------------------------------------------------- logsumexp, norm
class LogSumExp(Function):
    save_output = True

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        x = a.array
        xp = backend.array_module(x)
        axes = reduce_dims(dim, x.ndim, "logsumexp")
        ctx.args = (x.shape, axes, keepdim)
        ctx.save_for_backward(a)
        if x.size == 0:
            return xp.log(xp.exp(x).sum(axis=axes, keepdims=keepdim))
        m = x.max(axis=axes, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)  # all -inf (or inf) rows: no shift
        out = xp.log(xp.exp(x - m).sum(axis=axes, keepdims=True)) + m
        return out if keepdim else out.squeeze(axis=axes)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        shape, axes, keepdim = ctx.args
        # d/dx logsumexp(x) = softmax(x) = exp(x - logsumexp(x))
        out = expand_reduced(ctx.output, shape, axes, keepdim)
        return expand_reduced(grad, shape, axes, keepdim) * _unary.exp(a - out)


def logsumexp(a, dim, keepdim=False):
    """Same as torch.logsumexp; finite for inputs of any size. Integer and bool inputs
    give the default float dtype, as in PyTorch."""
    if isinstance(a, Tensor) and a.array.dtype.kind in "biu":
        a = _ew.cast(a, backend.get_default_dtype())
    return LogSumExp.apply(a, dim, keepdim)


class Norm2(Function):
    save_output = True

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        x = a.array
        axes = reduce_dims(dim, x.ndim, "norm")
        ctx.args = (x.shape, axes, keepdim)
        ctx.save_for_backward(a)
        return backend.array_module(x).sqrt((x * x).sum(axis=axes, keepdims=keepdim))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        shape, axes, keepdim = ctx.args
        # d/dx |x| = x / |x|, and 0 where |x| = 0 (as PyTorch)
        out = expand_reduced(ctx.output, shape, axes, keepdim)
        safe = _compare.where(out == 0, 1.0, out)
        return _compare.where(out == 0, 0.0, expand_reduced(grad, shape, axes, keepdim) * a / safe)


def norm(a, p="fro", dim=None, keepdim=False, dtype=None):
    """Same as torch.norm (vector norms: p = 'fro', a number, inf or -inf)."""
    if dtype is not None:
        a = _ew.cast(a, dtype)
    if backend.kind(a.array.dtype) not in "fc":
        raise RuntimeError(f"norm: expected a floating point tensor, got {a.dtype}")
    if p in ("fro", 2, 2.0):
        return Norm2.apply(a, dim, keepdim)
    inf = float("inf")
    if p in (inf, -inf):
        x = a.array
        if 0 in x.shape and (dim is None or 0 in [  # (`any` here is the reduction)
                x.shape[ax] for ax in reduce_dims(dim, x.ndim, "norm")]):
            raise RuntimeError(f"linalg.vector_norm: cannot compute the {p} norm over an "
                               f"empty dimension of shape {tuple(x.shape)}: the operation "
                               f"has no identity")
        return (Amax if p > 0 else Amin).apply(_unary.abs(a), () if dim is None else dim,
                                               keepdim, "norm")
    if p == 0:
        return sum(_ew.cast(a != 0, a.dtype), dim, keepdim)
    if p == 1:
        return sum(_unary.abs(a), dim, keepdim)
    if isinstance(p, str):
        raise RuntimeError(f"norm: unsupported norm type {p!r}")
    return NormP.apply(a, float(p), dim, keepdim)


class NormP(Function):
    """(sum |x|^p)^(1/p) for p other than 0, 1, 2 and +-inf. Its gradient
    sgn(x) |x|^(p-1) / norm^(p-1) is 0 where x = 0 or the norm is 0, as PyTorch's."""

    save_output = True

    @staticmethod
    def forward(ctx, a, p, dim, keepdim):
        x = a.array
        axes = reduce_dims(dim, x.ndim, "norm")
        ctx.args = (x.shape, axes, keepdim, p)
        ctx.save_for_backward(a)
        xp = backend.array_module(x)
        return (xp.abs(x) ** p).sum(axis=axes, keepdims=keepdim) ** (1.0 / p)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        shape, axes, keepdim, p = ctx.args
        out = expand_reduced(ctx.output, shape, axes, keepdim)
        g = expand_reduced(grad, shape, axes, keepdim)
        zero = (a == 0) | (out == 0)
        ratio = _compare.where(zero, 1.0, _unary.abs(a)) / _compare.where(zero, 1.0, out)
        return _compare.where(zero, 0.0, g * _unary.sign(a) * _ew.pow(ratio, p - 1))


# ----------------------------------------------------------------------------- scans
class CumSum(Function):
    @staticmethod
    def forward(ctx, a, dim, dtype=None):
        x = a.array
        d = _shape.norm_dim(dim, x.ndim, "cumsum")
        ctx.dim = d
        if dtype is None and x.dtype.kind in "biu":
            dtype = backend.int64
        if x.ndim == 0:
            return x.astype(dtype or x.dtype, copy=True)
        return backend.array_module(x).cumsum(x, axis=d, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        if grad.ndim == 0:
            return grad
        # the adjoint of a running sum is the running sum from the other end
        d = ctx.dim
        return _shape.flip(cumsum(_shape.flip(grad, (d,)), d), (d,))


def cumsum(a, dim, dtype=None):
    """Same as torch.cumsum."""
    return CumSum.apply(a, dim, backend.as_dtype(dtype))


class CumProd(Function):
    save_output = True

    @staticmethod
    def forward(ctx, a, dim, dtype=None):
        x = a.array
        d = _shape.norm_dim(dim, x.ndim, "cumprod")
        ctx.dim = d
        ctx.save_for_backward(a)
        if dtype is None and x.dtype.kind in "biu":
            dtype = backend.int64
        if x.ndim == 0:
            return x.astype(dtype or x.dtype, copy=True)
        return backend.array_module(x).cumprod(x, axis=d, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        if grad.ndim == 0:
            return grad
        d = ctx.dim
        if backend.defers_checks(a.array) and not is_grad_enabled():
            # GPU, first order: a formula exact with zeros and no zero test read back
            return _make(_cumprod_grad_first_order(a.array, ctx.output.array, grad.array, d))
        # d/dx_i of y_j = prod_{k<=j} x_k is y_j / x_i for i <= j (inputs without zeros)
        # (on the GPU with create_graph, the zero test below reads one flag back)
        gy = grad * ctx.output
        if not bool((a.array == 0).any()):
            return _reverse_cumsum(gy, d) / a
        return _cumprod_grad_with_zeros(a, grad, d)


def _reverse_cumsum(t, d):
    return _shape.flip(cumsum(_shape.flip(t, (d,)), d), (d,))


def _cumprod_grad_with_zeros(a, grad, d):
    """The cumprod gradient without dividing by x (exact with zeros, at all orders):
    dL/dx_i = sum_{j>=i} g_j prod_{k<=j, k!=i} x_k = left_i * right_i with
    left_i = prod_{k<i} x_k and right_i = sum_{j>=i} g_j prod_{i<k<=j} x_k,
    the latter through an (n, n) matrix per slice (only when x has zeros)."""
    x = _shape.movedim(a, d, -1)
    g = _shape.movedim(grad, d, -1)
    n = x.shape[-1]
    xp = backend.array_module(a.array)
    later = _make(xp.triu(xp.ones((n, n), dtype=bool), 1))      # [i, j]: j > i
    from_i = _make(xp.triu(xp.ones((n, n), dtype=bool), 0))     # [i, j]: j >= i
    # row i holds x_j for j > i and 1 elsewhere, so its cumprod is prod_{i<k<=j} x_k
    spans = cumprod(_compare.where(later, _shape.unsqueeze(x, -2), 1.0), -1)
    right = sum(_compare.where(from_i, spans * _shape.unsqueeze(g, -2), 0.0), -1)
    left = cumprod(_shape.constant_pad(x[..., :-1], (1, 0), 1), -1)  # a 1 before x
    return _shape.movedim(left * right, -1, d)


def _cumprod_grad_first_order(x, y, g, d):
    """The cumprod gradient on arrays (first order only), exact with zeros and without a
    host decision. With z the first zero along d (n when there is none):
    dL/dx_i = sum_{j>=i} g_j y_j / x_i for i < z (x_i != 0 there);
    dL/dx_z = sum_{j>=z} g_j y'_j with y' the cumprod of x with x_z replaced by 1;
    dL/dx_i = 0 for i > z (every product holds x_z = 0)."""
    xp = backend.array_module(x)
    n = x.shape[d]
    pos = xp.arange(n).reshape((n,) + (1,) * (x.ndim - 1 - d))
    zero = x == 0
    z = xp.where(zero.any(axis=d, keepdims=True),
                 xp.expand_dims(zero.argmax(axis=d), d), n)
    before, at = pos < z, pos == z
    one, zero_value = x.dtype.type(1), g.dtype.type(0)
    out = xp.flip(xp.cumsum(xp.flip(g * y, d), axis=d), d)
    out = xp.where(before, out / xp.where(before, x, one), zero_value)
    y1 = xp.cumprod(xp.where(at, one, x), axis=d)
    at_z = xp.flip(xp.cumsum(xp.flip(g * y1, d), axis=d), d)
    return xp.where(at, at_z, out).astype(g.dtype, copy=False)


def cumprod(a, dim, dtype=None):
    """Same as torch.cumprod."""
    return CumProd.apply(a, dim, backend.as_dtype(dtype))


# ----------------------------------------------------------------------------- softmax
# ----------------------------------------------------------------------------- logical
def all(a, dim=None, keepdim=False):
    """Same as torch.all."""
    x = a.array
    return _make(x.all(axis=reduce_dims(dim, x.ndim, "all"), keepdims=keepdim))


def any(a, dim=None, keepdim=False):
    """Same as torch.any."""
    x = a.array
    return _make(x.any(axis=reduce_dims(dim, x.ndim, "any"), keepdims=keepdim))


def count_nonzero(a, dim=None):
    x = a.array
    axes = reduce_dims(dim, x.ndim, "count_nonzero")
    return _make((x != 0).sum(axis=axes, dtype=backend.int64))
