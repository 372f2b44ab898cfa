"""Linear algebra: @, matmul, mm, bmm, dot, addmm, kron, cross, det, inverse, trace.
Ops in `autograd/ops/linalg.py` and `products.py`; det/inverse in `autograd/linalg.py`."""
from __future__ import annotations

from .. import linalg as _la
from ..ops import linalg as _linalg
from ..ops import products as _products


class LinalgMixin:
    __slots__ = ()

    def __matmul__(self, other):
        return _linalg.matmul(self, other)

    def __rmatmul__(self, other):
        return _linalg.matmul(other, self)

    def trace(self):
        return _linalg.trace(self)

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        return _linalg.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return _linalg.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def addbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return _linalg.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def addmv(self, mat, vec, *, beta=1, alpha=1):
        return _linalg.addmv(self, mat, vec, beta=beta, alpha=alpha)

    def kron(self, other):
        return _products.kron(self, other)

    def inner(self, other):
        return _products.inner(self, other)

    def cross(self, other, dim=None):
        return _products.cross(self, other, dim)

    def det(self):
        return _la.det(self)

    def logdet(self):
        return _la.logdet(self)

    def slogdet(self):
        return _la._slogdet(self)

    def inverse(self):
        return _la.inv(self)

    def matrix_power(self, n):
        return _la.matrix_power(self, n)

    def matmul(self, other):
        return _linalg.matmul(self, other)

    def mm(self, other):
        return _linalg.mm(self, other)

    def bmm(self, other):
        return _linalg.bmm(self, other)

    def dot(self, other):
        return _linalg.dot(self, other)

    def outer(self, other):
        return _linalg.outer(self, other)

    def mv(self, other):
        return _linalg.mv(self, other)
