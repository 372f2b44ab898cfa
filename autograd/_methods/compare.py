"""Comparisons and clamping: ==, <, ... (bool tensors, no gradient), eq/ne/..., isclose,
isnan, logical_*, clamp, maximum, where, nan_to_num. Ops in `autograd/ops/compare.py`."""
from __future__ import annotations

from ..ops import compare as _compare


def _not_comparable(other):
    """In ==/!='s TypeError handler: NotImplemented (Python's identity answer) for None,
    a string or a container, else the error again."""
    if other is None or isinstance(other, (str, list, tuple, dict)):
        return NotImplemented
    raise  # noqa: PLE0704 - the TypeError being handled


class CompareMixin:
    __slots__ = ()

    # comparisons: bool tensors, no gradient. Against what is neither a tensor nor a
    # number (None, a string) == and != answer as Python does (False, True), as in PyTorch
    def __eq__(self, other):
        try:
            return _compare.eq(self, other)
        except TypeError:
            return _not_comparable(other)

    def __ne__(self, other):
        try:
            return _compare.ne(self, other)
        except TypeError:
            return _not_comparable(other)

    def __lt__(self, other):
        return _compare.lt(self, other)

    def __le__(self, other):
        return _compare.le(self, other)

    def __gt__(self, other):
        return _compare.gt(self, other)

    def __ge__(self, other):
        return _compare.ge(self, other)

    def clamp(self, min=None, max=None):
        return _compare.clamp(self, min, max)

    clip = clamp

    def clamp_min(self, min):
        return _compare.clamp(self, min, None)

    def clamp_max(self, max):
        return _compare.clamp(self, None, max)

    def maximum(self, other):
        return _compare.maximum(self, other)

    def minimum(self, other):
        return _compare.minimum(self, other)

    def where(self, condition, other):
        return _compare.where(condition, self, other)

    def eq(self, other):
        return _compare.eq(self, other)

    def ne(self, other):
        return _compare.ne(self, other)

    def lt(self, other):
        return _compare.lt(self, other)

    def le(self, other):
        return _compare.le(self, other)

    def gt(self, other):
        return _compare.gt(self, other)

    def ge(self, other):
        return _compare.ge(self, other)

    def equal(self, other) -> bool:
        return _compare.equal(self, other)

    def allclose(self, other, rtol=1e-5, atol=1e-8, equal_nan=False) -> bool:
        return _compare.allclose(self, other, rtol, atol, equal_nan)

    def isclose(self, other, rtol=1e-5, atol=1e-8, equal_nan=False):
        return _compare.isclose(self, other, rtol, atol, equal_nan)

    def isnan(self):
        return _compare.isnan(self)

    def isinf(self):
        return _compare.isinf(self)

    def isfinite(self):
        return _compare.isfinite(self)

    def logical_not(self):
        return _compare.logical_not(self)

    def logical_and(self, other):
        return _compare.logical_and(self, other)

    def logical_or(self, other):
        return _compare.logical_or(self, other)

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        return _compare.nan_to_num(self, nan, posinf, neginf)
