"""Selection and comparison: clamp, maximum/minimum, where, == < ... (bool results with
no gradient), logical ops, isnan/isinf/isfinite, isclose."""
from __future__ import annotations

import builtins

from .. import backend
from .. import function as _function
from ..function import Function
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import _make
from .operands import as_number, binary_operands, broadcast_error


class Clamp(Function):
    @staticmethod
    def forward(ctx, a, lo, hi):
        x = a.array
        xp = backend.array_module(x)
        lo_a = lo.array if isinstance(lo, Tensor) else lo
        hi_a = hi.array if isinstance(hi, Tensor) else hi
        if x.dtype.kind == "b" and all(
                b is None or (b.dtype.kind == "b" if hasattr(b, "dtype") else type(b) is bool)
                for b in (lo_a, hi_a)):
            raise NotImplementedError("clamp: not implemented for bool tensors and bounds")
        if x.dtype.kind in "biu" or (isinstance(lo, Tensor) and lo_a.dtype != x.dtype) or (
                isinstance(hi, Tensor) and hi_a.dtype != x.dtype):
            # PyTorch's promotion over self and both bounds (a 0-d bound of the same
            # category does not widen a float32 tensor); number bounds keep a float dtype
            dt = backend.result_type(x, lo_a, hi_a)
            x, lo_a, hi_a = (b if b is None or type(b) in (int, float, bool) or b.dtype == dt
                             else b.astype(dt) for b in (x, lo_a, hi_a))
        ctx.save_for_backward(a, lo, hi)
        out = x
        try:
            if lo_a is not None:
                out = xp.maximum(out, lo_a)
            if hi_a is not None:
                out = xp.minimum(out, hi_a)
        except ValueError:
            raise RuntimeError(
                f"clamp: shapes {tuple(x.shape)}, {tuple(getattr(lo_a, 'shape', ()))} and "
                f"{tuple(getattr(hi_a, 'shape', ()))} cannot broadcast") from None
        return out

    @staticmethod
    def backward(ctx, grad):
        a, lo, hi = ctx.saved_tensors
        n = ctx.next
        # as PyTorch: x gets the gradient where lo <= x <= hi (inclusive; never at a NaN
        # x or bound); lo where x < lo < hi; hi where x > hi or lo > hi (the result is hi)
        x = a.array
        lo_a = lo.array if isinstance(lo, Tensor) else lo
        hi_a = hi.array if isinstance(hi, Tensor) else hi
        if lo is not None and hi is not None:
            inside = (x >= lo_a) & (x <= hi_a)
            lo_mask = (x < lo_a) & (lo_a < hi_a) if n[1] is not None else None
            hi_mask = (x > hi_a) | (lo_a > hi_a) if n[2] is not None else None
        elif lo is not None:
            inside, lo_mask, hi_mask = x >= lo_a, x < lo_a, None
        else:
            inside, lo_mask, hi_mask = x <= hi_a, None, x > hi_a
        return (grad * inside if n[0] is not None else None,
                grad * lo_mask if n[1] is not None else None,
                grad * hi_mask if n[2] is not None else None)


def clamp(a, min=None, max=None):
    """Same as torch.clamp: min and max may be numbers or tensors."""
    if min is None and max is None:
        raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
    return Clamp.apply(a, as_number(min), as_number(max))  # np.float64(0): a number


clip = clamp


class _MaxMin(Function):
    """Elementwise maximum/minimum; on ties the gradient is split evenly, as PyTorch."""

    @classmethod
    def forward(cls, ctx, a, b):
        x, y = binary_operands(a, b, cls.name())
        ctx.save_for_backward(a, b)
        try:
            return cls.f(backend.array_module(x), x, y)
        except ValueError:
            raise broadcast_error(cls.name(), x, y) from None

    @classmethod
    def backward(cls, ctx, grad):
        a, b = ctx.saved_tensors
        x, y = binary_operands(a, b, cls.name())
        # as PyTorch: the loser gets 0, a tie splits it evenly, and at a NaN on either
        # side neither loses, so both get the whole gradient
        xp = backend.array_module(grad.array)
        dt = grad.array.dtype
        tie = x == y
        lose_a, lose_b = cls.f_mask(y, x), cls.f_mask(x, y)
        wa = xp.where(tie, 0.5, xp.where(lose_a, 0.0, 1.0)).astype(dt)
        wb = xp.where(tie, 0.5, xp.where(lose_b, 0.0, 1.0)).astype(dt)
        return (grad * wa if ctx.next[0] is not None else None,
                grad * wb if ctx.next[1] is not None else None)


class Maximum(_MaxMin):
    f = staticmethod(lambda xp, x, y: xp.maximum(x, y))
    f_mask = staticmethod(lambda x, y: x > y)


class Minimum(_MaxMin):
    f = staticmethod(lambda xp, x, y: xp.minimum(x, y))
    f_mask = staticmethod(lambda x, y: x < y)


def maximum(input, other):
    """Same as torch.maximum."""
    return Maximum.apply(input, other)


def minimum(input, other):
    """Same as torch.minimum."""
    return Minimum.apply(input, other)


class Where(Function):
    @staticmethod
    def forward(ctx, cond, a, b):
        c = cond.array if isinstance(cond, Tensor) else cond
        if getattr(c, "dtype", None) is None or c.dtype.kind != "b":
            raise RuntimeError(f"where: expected condition to be a bool tensor, got "
                               f"{getattr(c, 'dtype', type(c).__name__)}")
        x, y = binary_operands(a, b, "where")
        ctx.save_for_backward(cond)
        try:
            return backend.select(c, x, y)  # np.where, branch-free on host floats
        except ValueError:
            raise RuntimeError(
                f"where: shapes {tuple(c.shape)}, {tuple(getattr(x, 'shape', ()))} and "
                f"{tuple(getattr(y, 'shape', ()))} cannot broadcast") from None

    @staticmethod
    def backward(ctx, grad):
        (cond,) = ctx.saved_tensors
        c = cond.array if isinstance(cond, Tensor) else cond
        return (None,
                grad * c if ctx.next[1] is not None else None,
                grad * ~c if ctx.next[2] is not None else None)


def where(condition, input, other):
    """Same as torch.where(condition, input, other) (the one-argument form, nonzero, is
    ops.index.where). With two numbers, the result's dtype is theirs as PyTorch types
    them: bool, int64, the default float or complex dtype."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor) and \
            isinstance(condition, Tensor):
        input = _number_tensor(input, other, condition.array)
    return Where.apply(condition, input, other)


def _number_tensor(a, b, like):
    """`a` as a 0-d tensor of the dtype PyTorch gives two Python numbers a and b, on the
    device of array `like`."""
    a, b = as_number(a), as_number(b)
    for v in (a, b):
        if not isinstance(v, (bool, int, float, complex)):
            raise TypeError(f"where: expected Tensor or number arguments, got "
                            f"{type(v).__name__}")
    kinds = {type(a), type(b)}
    if complex in kinds:
        dt = backend.complex64 if backend.get_default_dtype() == backend.float32 \
            else backend.complex128
    elif float in kinds:
        dt = backend.get_default_dtype()
    elif kinds == {bool}:
        dt = backend.bool_
    else:
        dt = backend.int64
    return _make(backend.array_module(like).asarray(a, dtype=dt))


# ----------------------------------------------------------------------------- comparisons
class _Compare(Function):
    """Comparisons and logical ops: bool results with no gradient."""

    @classmethod
    def apply(cls, a, b):
        x, y = binary_operands(a, b, cls.name())
        try:
            out = _make(cls.f(backend.array_module(x if hasattr(x, "dtype") else y), x, y))
        except ValueError:
            raise broadcast_error(cls.name(), x, y) from None
        if _function._tracers:  # a capture (ONNX export, compile) sees comparisons too
            for tracer in list(_function._tracers):
                tracer.record(cls, (a, b), {}, out)
        return out


def _compare(name, fn):
    cls = type(name.capitalize(), (_Compare,), {"f": staticmethod(fn)})
    return cls


Eq = _compare("eq", lambda xp, x, y: xp.equal(x, y))
Ne = _compare("ne", lambda xp, x, y: xp.not_equal(x, y))
Lt = _compare("lt", lambda xp, x, y: xp.less(x, y))
Le = _compare("le", lambda xp, x, y: xp.less_equal(x, y))
Gt = _compare("gt", lambda xp, x, y: xp.greater(x, y))
Ge = _compare("ge", lambda xp, x, y: xp.greater_equal(x, y))
LogicalAnd = _compare("logical_and", lambda xp, x, y: xp.logical_and(x, y))
LogicalOr = _compare("logical_or", lambda xp, x, y: xp.logical_or(x, y))
LogicalXor = _compare("logical_xor", lambda xp, x, y: xp.logical_xor(x, y))


def eq(input, other):
    """Same as torch.eq."""
    return Eq.apply(input, other)


def ne(input, other):
    """Same as torch.ne."""
    return Ne.apply(input, other)


def lt(input, other):
    """Same as torch.lt."""
    return Lt.apply(input, other)


def le(input, other):
    """Same as torch.le."""
    return Le.apply(input, other)


def gt(input, other):
    """Same as torch.gt."""
    return Gt.apply(input, other)


def ge(input, other):
    """Same as torch.ge."""
    return Ge.apply(input, other)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def logical_and(a, b):
    return LogicalAnd.apply(a, b)


def logical_or(a, b):
    return LogicalOr.apply(a, b)


def logical_xor(a, b):
    return LogicalXor.apply(a, b)


def logical_not(a):
    _tensor_arg(a, "logical_not")
    return _make(backend.array_module(a.array).logical_not(a.array))


def _tensor_arg(a, op):
    if not isinstance(a, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(a).__name__}")


def bitwise_not(a):
    _tensor_arg(a, "bitwise_not")
    if backend.is_floating(a.array.dtype):
        raise TypeError("bitwise_not: not supported for floating point tensors")
    return _make(~a.array)


def isnan(a):
    _tensor_arg(a, "isnan")
    return _make(backend.array_module(a.array).isnan(a.array))


def isinf(a):
    _tensor_arg(a, "isinf")
    return _make(backend.array_module(a.array).isinf(a.array))


def isfinite(a):
    _tensor_arg(a, "isfinite")
    return _make(backend.array_module(a.array).isfinite(a.array))


def isclose(a, b, rtol=1e-5, atol=1e-8, equal_nan=False):
    x, y = binary_operands(a, b, "isclose")
    xp = backend.array_module(x if hasattr(x, "dtype") else y)
    try:
        return _make(xp.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan))
    except ValueError:
        raise broadcast_error("isclose", x, y) from None


def allclose(a, b, rtol=1e-5, atol=1e-8, equal_nan=False) -> bool:
    return builtins.bool(isclose(a, b, rtol, atol, equal_nan).array.all())


def nan_to_num(a, nan=0.0, posinf=None, neginf=None):
    """Same as torch.nan_to_num; the gradient passes where the input is finite."""
    x = a.array
    xp = backend.array_module(x)
    return where(_make(xp.isfinite(x)), a,
                 _make(xp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)))


def equal(a, b) -> bool:
    """Same as torch.equal: True when both have the same shape and elements."""
    return tuple(a.shape) == tuple(b.shape) and builtins.bool(eq(a, b).array.all())
