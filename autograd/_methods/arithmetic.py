"""Arithmetic: the Python operators (+, -, *, /, //, %, **, unary -, ~, &, |, ^,
<<, >>, and their reflected forms) and the named arithmetic methods (add, sub, mul, div,
pow, fmod, lerp, addcmul, ...). Ops in `autograd/ops/elementwise.py` and `special.py`."""
from __future__ import annotations

from ..ops import compare as _compare
from ..ops import elementwise as _elementwise
from ..ops import special as _special
from ..ops import unary as _unary

# the hottest operators call their op's bound `apply` directly (one call less per op)
_add_op = _elementwise.Add.apply
_sub_op = _elementwise.Sub.apply
_mul_op = _elementwise.Mul.apply
_div_op = _elementwise.Div.apply
_neg_op = _elementwise.Neg.apply


class ArithmeticMixin:
    __slots__ = ()

    def __add__(self, other):
        return _add_op(self, other)

    def __radd__(self, other):
        return _add_op(other, self)

    def __sub__(self, other):
        return _sub_op(self, other)

    def __rsub__(self, other):
        return _sub_op(other, self)

    def __mul__(self, other):
        return _mul_op(self, other)

    def __rmul__(self, other):
        return _mul_op(other, self)

    def __truediv__(self, other):
        return _div_op(self, other)

    def __rtruediv__(self, other):
        return _div_op(other, self)

    def __floordiv__(self, other):
        return _elementwise.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return _elementwise.floor_divide(other, self)

    def __mod__(self, other):
        return _elementwise.remainder(self, other)

    def __rmod__(self, other):
        return _elementwise.remainder(other, self)

    def __pow__(self, other):
        return _elementwise.pow(self, other)

    def __rpow__(self, other):
        return _elementwise.pow(other, self)

    def __neg__(self):
        return _neg_op(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _unary.abs(self)

    def __invert__(self):
        return _compare.logical_not(self) if self.array.dtype.kind == "b" else \
            _compare.bitwise_not(self)

    # bitwise on integers, logical on bools (as PyTorch's & | ^ << >>)
    def __and__(self, other):
        return _special.bitwise_and(self, other)

    def __rand__(self, other):
        return _special.bitwise_and(other, self)

    def __or__(self, other):
        return _special.bitwise_or(self, other)

    def __ror__(self, other):
        return _special.bitwise_or(other, self)

    def __xor__(self, other):
        return _special.bitwise_xor(self, other)

    def __rxor__(self, other):
        return _special.bitwise_xor(other, self)

    def __lshift__(self, other):
        return _special.bitwise_left_shift(self, other)

    def __rlshift__(self, other):
        return _special.bitwise_left_shift(other, self)

    def __rshift__(self, other):
        return _special.bitwise_right_shift(self, other)

    def __rrshift__(self, other):
        return _special.bitwise_right_shift(other, self)

    def add(self, other, alpha=1):
        return _elementwise.add(self, other, alpha=alpha)

    def sub(self, other, alpha=1):
        return _elementwise.sub(self, other, alpha=alpha)

    subtract = sub

    def mul(self, other):
        return _elementwise.mul(self, other)

    multiply = mul

    def div(self, other, rounding_mode=None):
        return _elementwise.div(self, other, rounding_mode=rounding_mode)

    divide = true_divide = div

    def pow(self, exponent):
        return _elementwise.pow(self, exponent)

    def neg(self):
        return _elementwise.neg(self)

    negative = neg

    def reciprocal(self):
        return _unary.reciprocal(self)

    def lerp(self, end, weight):
        return _elementwise.lerp(self, end, weight)

    def addcmul(self, t1, t2, value=1):
        return self + value * t1 * t2

    def addcdiv(self, t1, t2, value=1):
        return self + value * t1 / t2

    def fmod(self, other):
        return _elementwise.fmod(self, other)

    def remainder(self, other):
        return _elementwise.remainder(self, other)
