"""PyTorch's long tail of Tensor methods: the aliases (absolute, arccos, greater, multiply,
...), the in-place forms of the elementwise maths and comparisons (cos_, floor_, eq_,
tril_, ...), in-place view changes (squeeze_, t_, transpose_), the random fills (random_,
exponential_, ...), the compositions of autograd/ops/composite.py (diff, tensor_split,
isin, ...) and small queries (get_device, is_signed, is_cpu). No maths here: each calls
one op."""
from __future__ import annotations

from .. import backend
from ..ops import composite as _composite
from ..ops import inplace as _inplace


def _inplace_of(name: str):
    """`name_`: t = t.name(*args) written into t's storage (the result's dtype category
    may not exceed t's: a float result for an integer tensor raises, as in PyTorch)."""
    op = name + "_"

    def method(self, *args, **kwargs):
        return _inplace.math_(self, op, lambda t: getattr(t, name)(*args, **kwargs))
    method.__name__ = op
    method.__doc__ = f"Same as torch.Tensor.{op}: in-place {name}."
    return method


def _view_inplace_of(name: str):
    op = name + "_"

    def method(self, *args, **kwargs):
        return _inplace.view_(self, getattr(self, name)(*args, **kwargs), op)
    method.__name__ = op
    method.__doc__ = f"Same as torch.Tensor.{op}: self becomes self.{name}(...) in place."
    return method


def _random_(op, draw_fn):
    def method(self, *args, generator=None, **kwargs):
        def draw(xp, shape, dtype):
            r = backend.rng(xp, generator)
            return draw_fn(r, shape, *args, **kwargs).astype(dtype, copy=False)
        return _inplace._random_fill(self, op, draw)
    method.__name__ = op
    return method


def _exponential(r, shape, lambd=1.0):
    return r.exponential(1.0 / lambd, shape)


def _cauchy(r, shape, median=0.0, sigma=1.0):
    return median + sigma * r.standard_cauchy(shape)


def _log_normal(r, shape, mean=1.0, std=2.0):
    return r.lognormal(mean, std, shape)


def _geometric(r, shape, p):
    return r.geometric(p, shape)


class ExtrasMixin:
    __slots__ = ()

    # ------------------------------------------------------------------ aliases
    def absolute(self):
        return self.abs()

    def arccos(self):
        return self.acos()

    def arcsin(self):
        return self.asin()

    def arctan(self):
        return self.atan()

    def arccosh(self):
        return self.acosh()

    def arcsinh(self):
        return self.asinh()

    def arctanh(self):
        return self.atanh()

    def greater(self, other):
        return self.gt(other)

    def greater_equal(self, other):
        return self.ge(other)

    def less(self, other):
        return self.lt(other)

    def less_equal(self, other):
        return self.le(other)

    def not_equal(self, other):
        return self.ne(other)

    def multiply(self, other):
        return self.mul(other)

    def subtract(self, other, *, alpha=1):
        return self.sub(other, alpha=alpha)

    def divide(self, other, *, rounding_mode=None):
        return self.div(other, rounding_mode=rounding_mode)

    def true_divide(self, other):
        return self.div(other)

    def floor_divide(self, other):
        return self.div(other, rounding_mode="floor")

    def negative(self):
        return self.neg()

    def fix(self):
        return self.trunc()

    def sgn(self):
        return self.sign()

    def positive(self):
        return self

    def moveaxis(self, source, destination):
        return self.movedim(source, destination)

    def ger(self, vec2):
        return self.outer(vec2)

    def ravel(self):
        return self.reshape(-1)

    def logical_xor(self, other):
        return self.bool() ^ (other.bool() if hasattr(other, "bool") else bool(other))

    # ------------------------------------------------------------------ compositions
    def diff(self, n=1, dim=-1, prepend=None, append=None):
        return _composite.diff(self, n, dim, prepend, append)

    def tensor_split(self, indices_or_sections, dim=0):
        return _composite.tensor_split(self, indices_or_sections, dim)

    def split_with_sizes(self, split_sizes, dim=0):
        return self.split(list(split_sizes), dim)

    def aminmax(self, *, dim=None, keepdim=False):
        return _composite.aminmax(self, dim=dim, keepdim=keepdim)

    def argwhere(self):
        return _composite.argwhere(self)

    def isin(self, test_elements, *, assume_unique=False, invert=False):
        return _composite.isin(self, test_elements, assume_unique=assume_unique, invert=invert)

    def dist(self, other, p=2):
        return _composite.dist(self, other, p)

    def vdot(self, other):
        return _composite.vdot(self, other)

    def cov(self, *, correction=1, fweights=None, aweights=None):
        return _composite.cov(self, correction=correction, fweights=fweights,
                              aweights=aweights)

    def corrcoef(self):
        return _composite.corrcoef(self)

    def sum_to_size(self, *size):
        return _composite.sum_to_size(self, *size)

    # ------------------------------------------------------------------ queries
    @property
    def is_cpu(self) -> bool:
        return self.device.type == "cpu"

    def get_device(self) -> int:
        """Same as torch.Tensor.get_device: the CUDA index, -1 on the CPU."""
        return -1 if self.device.type == "cpu" else (self.device.index or 0)

    def is_signed(self) -> bool:
        return self.array.dtype.name not in ("uint8", "bool")

    def is_nonzero(self) -> bool:
        if self.numel() != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous"
                               if self.numel() else
                               "Boolean value of Tensor with no values is ambiguous")
        return bool(self.item())

    def is_same_size(self, other) -> bool:
        return tuple(self.shape) == tuple(other.shape)

    def is_inference(self) -> bool:
        return False

    @property
    def mH(self):
        return self.transpose(-2, -1)

    @property
    def H(self):
        if self.ndim > 2:
            raise RuntimeError("tensor.H is only supported on matrices (2-D tensors). Got "
                               f"{self.ndim}-D tensor.")
        return self.transpose(0, 1) if self.ndim == 2 else self

    def byte(self):
        return self.to(backend.uint8)

    def char(self):
        return self.to(backend.int8)

    def short(self):
        return self.to(backend.int16)

    # ------------------------------------------------------------------ in-place forms
    acos_ = arccos_ = _inplace_of("acos")
    asin_ = arcsin_ = _inplace_of("asin")
    atan_ = arctan_ = _inplace_of("atan")
    arccosh_ = _inplace_of("acosh")
    arcsinh_ = _inplace_of("asinh")
    arctanh_ = _inplace_of("atanh")
    absolute_ = _inplace_of("abs")
    cos_ = _inplace_of("cos")
    cosh_ = _inplace_of("cosh")
    sin_ = _inplace_of("sin")
    sinh_ = _inplace_of("sinh")
    tan_ = _inplace_of("tan")
    ceil_ = _inplace_of("ceil")
    floor_ = _inplace_of("floor")
    round_ = _inplace_of("round")
    trunc_ = fix_ = _inplace_of("trunc")
    log_ = _inplace_of("log")
    log10_ = _inplace_of("log10")
    log1p_ = _inplace_of("log1p")
    log2_ = _inplace_of("log2")
    expm1_ = _inplace_of("expm1")
    exp2_ = _inplace_of("exp2")
    erf_ = _inplace_of("erf")
    rsqrt_ = _inplace_of("rsqrt")
    reciprocal_ = _inplace_of("reciprocal")
    sign_ = sgn_ = _inplace_of("sign")
    square_ = _inplace_of("square")
    negative_ = _inplace_of("neg")
    fmod_ = _inplace_of("fmod")
    remainder_ = _inplace_of("remainder")
    floor_divide_ = _inplace_of("floor_divide")
    true_divide_ = _inplace_of("div")
    divide_ = _inplace_of("divide")
    multiply_ = _inplace_of("mul")
    subtract_ = _inplace_of("subtract")
    nan_to_num_ = _inplace_of("nan_to_num")
    cumsum_ = _inplace_of("cumsum")
    cumprod_ = _inplace_of("cumprod")
    tril_ = _inplace_of("tril")
    triu_ = _inplace_of("triu")
    eq_ = _inplace_of("eq")
    ne_ = not_equal_ = _inplace_of("ne")
    lt_ = less_ = _inplace_of("lt")
    le_ = less_equal_ = _inplace_of("le")
    gt_ = greater_ = _inplace_of("gt")
    ge_ = greater_equal_ = _inplace_of("ge")
    logical_and_ = _inplace_of("logical_and")
    logical_or_ = _inplace_of("logical_or")
    logical_xor_ = _inplace_of("logical_xor")
    logical_not_ = _inplace_of("logical_not")

    squeeze_ = _view_inplace_of("squeeze")
    unsqueeze_ = _view_inplace_of("unsqueeze")
    t_ = _view_inplace_of("t")
    transpose_ = _view_inplace_of("transpose")
    swapaxes_ = swapdims_ = _view_inplace_of("transpose")

    # ------------------------------------------------------------------ random fills
    exponential_ = _random_("exponential_", _exponential)
    cauchy_ = _random_("cauchy_", _cauchy)
    log_normal_ = _random_("log_normal_", _log_normal)
    geometric_ = _random_("geometric_", _geometric)

    def random_(self, from_=0, to=None, *, generator=None):
        """Same as torch.Tensor.random_: integers in [from, to - 1]; random_(to) is
        [0, to - 1]; with no bounds, [0, 2**mantissa] for floats, the dtype's range for
        integers."""
        if to is None and from_ != 0:
            from_, to = 0, from_
        if to is None:
            dt = self.array.dtype.name
            to = {"float16": 2 ** 11, "float32": 2 ** 24, "float64": 2 ** 53,
                  "bool": 2}.get(dt) or int(backend.iinfo(self.array.dtype).max) + 1
            to = to + 1 if dt.startswith("float") else to
        if to <= from_:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                               f"from={from_} >= to={to}")
        lo, hi = from_, to

        def draw(xp, shape, dtype):
            r = backend.rng(xp, generator)
            return r.integers(lo, hi, shape).astype(dtype, copy=False)
        return _inplace._random_fill(self, "random_", draw)
