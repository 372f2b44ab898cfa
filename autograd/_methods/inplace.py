"""In-place methods (the `_` forms, +=, x[...] = v): each bumps the version counter and
refuses a leaf that requires grad in grad mode. Ops in `autograd/ops/inplace.py`; the
special maths write back through `inplace.math_` (a float result for an integer
tensor raises, as in PyTorch)."""
from __future__ import annotations

from ..ops import inplace as _inplace
from ..ops import scatter as _scatter
from ..ops import special as _special
from ..ops import unary as _unary


class InplaceMixin:
    __slots__ = ()

    def __ilshift__(self, other):
        return self.bitwise_left_shift_(other)

    def __irshift__(self, other):
        return self.bitwise_right_shift_(other)

    def __iadd__(self, other):
        return _inplace.add_(self, other)

    def __isub__(self, other):
        return _inplace.sub_(self, other)

    def __imul__(self, other):
        return _inplace.mul_(self, other)

    def __itruediv__(self, other):
        return _inplace.div_(self, other)

    def __ipow__(self, other):
        return _inplace.pow_(self, other)

    # the rest of Python's augmented assignments, in place as in PyTorch (a view's base
    # sees the change)
    def __ifloordiv__(self, other):
        return self.floor_divide_(other)

    def __imod__(self, other):
        return self.remainder_(other)

    def __iand__(self, other):
        return self.bitwise_and_(other)

    def __ior__(self, other):
        return self.bitwise_or_(other)

    def __ixor__(self, other):
        return self.bitwise_xor_(other)

    def add_(self, other, alpha=1):
        return _inplace.add_(self, other, alpha=alpha)

    def sub_(self, other, alpha=1):
        return _inplace.sub_(self, other, alpha=alpha)

    def mul_(self, other):
        return _inplace.mul_(self, other)

    def div_(self, other):
        return _inplace.div_(self, other)

    def pow_(self, other):
        return _inplace.pow_(self, other)

    def zero_(self):
        return _inplace.zero_(self)

    def fill_(self, value):
        return _inplace.fill_(self, value)

    def copy_(self, src):
        return _inplace.copy_(self, src)

    def clamp_(self, min=None, max=None):
        return _inplace.clamp_(self, min, max)

    clip_ = clamp_

    def neg_(self):
        return _inplace.mul_(self, -1)

    def exp_(self):
        return _inplace.unary_(self, _unary.exp, "exp_")

    def sqrt_(self):
        return _inplace.unary_(self, _unary.sqrt, "sqrt_")

    def relu_(self):
        return _inplace.unary_(self, _unary.relu, "relu_")

    def sigmoid_(self):
        return _inplace.unary_(self, _unary.sigmoid, "sigmoid_")

    def tanh_(self):
        return _inplace.unary_(self, _unary.tanh, "tanh_")

    def abs_(self):
        return _inplace.unary_(self, _unary.abs, "abs_")

    def addcmul_(self, t1, t2, value=1):
        return _inplace.add_(self, t1 * t2, alpha=value)

    def addcdiv_(self, t1, t2, value=1):
        return _inplace.add_(self, t1 / t2, alpha=value)

    def lerp_(self, end, weight):
        return _inplace.add_(self, (end - self) * weight)

    def masked_fill_(self, mask, value):
        return _inplace.masked_fill_(self, mask, value)

    def index_add_(self, dim, index, source, alpha=1):
        return _inplace.index_add_(self, dim, index, source, alpha)

    def scatter_add_(self, dim, index, src):
        return _inplace.scatter_add_(self, dim, index, src)

    def uniform_(self, a=0.0, b=1.0, generator=None):
        return _inplace.uniform_(self, a, b, generator)

    def normal_(self, mean=0.0, std=1.0, generator=None):
        return _inplace.normal_(self, mean, std, generator)

    def bernoulli_(self, p=0.5, generator=None):
        return _inplace.bernoulli_(self, p, generator)

    def __setitem__(self, index, value):
        _inplace.setitem(self, index, value)

    def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
        return _scatter.scatter_(self, dim, index, src, value, reduce=reduce)

    def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
        return _scatter.scatter_reduce_(self, dim, index, src, reduce,
                                        include_self=include_self)

    def masked_scatter_(self, mask, source):
        return _scatter.masked_scatter_(self, mask, source)

    def index_fill_(self, dim, index, value):
        return _scatter.index_fill_(self, dim, index, value)

    def index_copy_(self, dim, index, source):
        return _scatter.index_copy_(self, dim, index, source)

    def index_put_(self, indices, values, accumulate=False):
        return _scatter.index_put_(self, indices, values, accumulate)

    def put_(self, index, source, accumulate=False):
        return _scatter.put_(self, index, source, accumulate)

    # the special maths in place: inplace.math_ writes the result back
    def asinh_(self):
        return _inplace.math_(self, "asinh_", _special.asinh)

    def acosh_(self):
        return _inplace.math_(self, "acosh_", _special.acosh)

    def atanh_(self):
        return _inplace.math_(self, "atanh_", _special.atanh)

    def erfc_(self):
        return _inplace.math_(self, "erfc_", _special.erfc)

    def erfinv_(self):
        return _inplace.math_(self, "erfinv_", _special.erfinv)

    def lgamma_(self):
        return _inplace.math_(self, "lgamma_", _special.lgamma)

    def digamma_(self):
        return _inplace.math_(self, "digamma_", _special.digamma)

    def sinc_(self):
        return _inplace.math_(self, "sinc_", _special.sinc)

    def logit_(self, eps=None):
        return _inplace.math_(self, "logit_", _special.logit, eps)

    def frac_(self):
        return _inplace.math_(self, "frac_", _special.frac)

    def deg2rad_(self):
        return _inplace.math_(self, "deg2rad_", _special.deg2rad)

    def rad2deg_(self):
        return _inplace.math_(self, "rad2deg_", _special.rad2deg)

    def i0_(self):
        return _inplace.math_(self, "i0_", _special.i0)

    def atan2_(self, other):
        return _inplace.math_(self, "atan2_", _special.atan2, other)

    def hypot_(self, other):
        return _inplace.math_(self, "hypot_", _special.hypot, other)

    def xlogy_(self, other):
        return _inplace.math_(self, "xlogy_", _special.xlogy, other)

    def copysign_(self, other):
        return _inplace.math_(self, "copysign_", _special.copysign, other)

    def heaviside_(self, values):
        return _inplace.math_(self, "heaviside_", _special.heaviside, values)

    def float_power_(self, exponent):
        return _inplace.math_(self, "float_power_", _special.float_power, exponent)

    def clamp_min_(self, min):
        return _inplace.math_(self, "clamp_min_", _special.clamp_min, min)

    def clamp_max_(self, max):
        return _inplace.math_(self, "clamp_max_", _special.clamp_max, max)

    def bitwise_and_(self, other):
        return _inplace.math_(self, "bitwise_and_", _special.bitwise_and, other)

    def bitwise_or_(self, other):
        return _inplace.math_(self, "bitwise_or_", _special.bitwise_or, other)

    def bitwise_xor_(self, other):
        return _inplace.math_(self, "bitwise_xor_", _special.bitwise_xor, other)

    def bitwise_not_(self):
        return _inplace.math_(self, "bitwise_not_", _special.bitwise_not)

    def bitwise_left_shift_(self, other):
        return _inplace.math_(self, "bitwise_left_shift_", _special.bitwise_left_shift, other)

    def bitwise_right_shift_(self, other):
        return _inplace.math_(self, "bitwise_right_shift_", _special.bitwise_right_shift, other)

    def gcd_(self, other):
        return _inplace.math_(self, "gcd_", _special.gcd, other)

    def lcm_(self, other):
        return _inplace.math_(self, "lcm_", _special.lcm, other)

    arctan2_ = atan2_

    def polygamma_(self, n):
        return _inplace.math_(self, "polygamma_", lambda t: _special.polygamma(n, t))
