"""Elementwise maths: exp, log, trig, sigmoid, relu, the special functions (lgamma, erfinv,
atan2, bitwise ops, gcd, ...), rounding, and sampling (multinomial, bernoulli). Ops in
`autograd/ops/unary.py` and `special.py`; sampling in `autograd/sampling.py`."""
from __future__ import annotations

from .. import sampling as _sampling
from ..ops import special as _special
from ..ops import unary as _unary

# the hottest operators call their op's bound `apply` directly (one call less per op)
_exp_op = _unary.Exp.apply
_tanh_op = _unary.Tanh.apply
_sigmoid_op = _unary.Sigmoid.apply
_relu_op = _unary.Relu.apply


class MathMixin:
    __slots__ = ()

    def abs(self):
        return _unary.abs(self)

    def exp(self):
        return _exp_op(self)

    def exp2(self):
        return _unary.exp2(self)

    def log(self):
        return _unary.log(self)

    def log2(self):
        return _unary.log2(self)

    def log10(self):
        return _unary.log10(self)

    def log1p(self):
        return _unary.log1p(self)

    def expm1(self):
        return _unary.expm1(self)

    def sqrt(self):
        return _unary.sqrt(self)

    def rsqrt(self):
        return _unary.rsqrt(self)

    def square(self):
        return _unary.square(self)

    def sin(self):
        return _unary.sin(self)

    def cos(self):
        return _unary.cos(self)

    def tan(self):
        return _unary.tan(self)

    def tanh(self):
        return _tanh_op(self)

    def sinh(self):
        return _unary.sinh(self)

    def cosh(self):
        return _unary.cosh(self)

    def asin(self):
        return _unary.asin(self)

    def acos(self):
        return _unary.acos(self)

    def atan(self):
        return _unary.atan(self)

    def sigmoid(self):
        return _sigmoid_op(self)

    def relu(self):
        return _relu_op(self)

    def erf(self):
        return _unary.erf(self)

    def asinh(self):
        return _special.asinh(self)

    def acosh(self):
        return _special.acosh(self)

    def atanh(self):
        return _special.atanh(self)

    def erfc(self):
        return _special.erfc(self)

    def erfinv(self):
        return _special.erfinv(self)

    def lgamma(self):
        return _special.lgamma(self)

    def digamma(self):
        return _special.digamma(self)

    def polygamma(self, n):
        return _special.polygamma(n, self)

    def sinc(self):
        return _special.sinc(self)

    def logit(self, eps=None):
        return _special.logit(self, eps)

    def frac(self):
        return _special.frac(self)

    def deg2rad(self):
        return _special.deg2rad(self)

    def rad2deg(self):
        return _special.rad2deg(self)

    def i0(self):
        return _special.i0(self)

    def signbit(self):
        return _special.signbit(self)

    def isposinf(self):
        return _special.isposinf(self)

    def isneginf(self):
        return _special.isneginf(self)

    def atan2(self, other):
        return _special.atan2(self, other)

    def hypot(self, other):
        return _special.hypot(self, other)

    def logaddexp(self, other):
        return _special.logaddexp(self, other)

    def logaddexp2(self, other):
        return _special.logaddexp2(self, other)

    def xlogy(self, other):
        return _special.xlogy(self, other)

    def copysign(self, other):
        return _special.copysign(self, other)

    def heaviside(self, values):
        return _special.heaviside(self, values)

    def float_power(self, exponent):
        return _special.float_power(self, exponent)

    def fmax(self, other):
        return _special.fmax(self, other)

    def fmin(self, other):
        return _special.fmin(self, other)

    def bitwise_and(self, other):
        return _special.bitwise_and(self, other)

    def bitwise_or(self, other):
        return _special.bitwise_or(self, other)

    def bitwise_xor(self, other):
        return _special.bitwise_xor(self, other)

    def bitwise_not(self):
        return _special.bitwise_not(self)

    def bitwise_left_shift(self, other):
        return _special.bitwise_left_shift(self, other)

    def bitwise_right_shift(self, other):
        return _special.bitwise_right_shift(self, other)

    def gcd(self, other):
        return _special.gcd(self, other)

    def lcm(self, other):
        return _special.lcm(self, other)

    arcsinh, arccosh, arctanh, arctan2 = asinh, acosh, atanh, atan2

    def sign(self):
        return _unary.sign(self)

    def floor(self):
        return _unary.floor(self)

    def ceil(self):
        return _unary.ceil(self)

    def round(self, decimals=0):
        return _unary.round(self, decimals=decimals)

    def trunc(self):
        return _unary.trunc(self)

    def multinomial(self, num_samples, replacement=False, *, generator=None):
        return _sampling.multinomial(self, num_samples, replacement, generator=generator)

    def bernoulli(self, p=None, *, generator=None):
        return _sampling.bernoulli(self, p, generator=generator)
