"""Tensor methods for complex numbers and matrix decompositions: each calls one function
of autograd/ops/complex.py, autograd/_decompositions.py or autograd/_linalg_lu.py."""
from __future__ import annotations

from .. import _decompositions as _dec
from .. import _linalg_lu as _lu
from ..ops import complex as _complex


class DecompMixin:
    @property
    def real(self):
        """Same as torch.Tensor.real."""
        return _complex.real(self)

    @property
    def imag(self):
        """Same as torch.Tensor.imag."""
        return _complex.imag(self)

    def conj(self):
        return _complex.conj(self)

    def conj_physical(self):
        return _complex.conj(self)

    def resolve_conj(self):
        return _complex.conj(self)

    def angle(self):
        return _complex.angle(self)

    def is_complex(self):
        return self.array.dtype.kind == "c"

    def is_conj(self):
        return False

    def svd(self, some=True, compute_uv=True):
        return _dec.torch_svd(self, some, compute_uv)

    def qr(self, some=True):
        return _dec.torch_qr(self, some)

    def cholesky(self, upper=False):
        return _dec.cholesky(self, upper=upper)

    def pinverse(self, rcond=1e-15):
        return _dec.pinverse(self, rcond)

    def matrix_exp(self):
        return _dec.matrix_exp(self)

    def cholesky_solve(self, input2, upper=False):
        return _dec.cholesky_solve(self, input2, upper)

    def cholesky_inverse(self, upper=False):
        return _dec.cholesky_inverse(self, upper)

    def triangular_solve(self, A, upper=True, transpose=False, unitriangular=False):
        return _dec.triangular_solve(self, A, upper, transpose, unitriangular)

    def lu(self, pivot=True, get_infos=False):
        return _lu.torch_lu(self, pivot, get_infos)
