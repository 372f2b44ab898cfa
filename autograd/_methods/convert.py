"""Dtype shorthands and new tensors like this one: float(), long(), type_as,
new_zeros/new_full/new_tensor, pin_memory. Creation in `autograd/creation.py`."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import backend
from .. import creation as _creation

if TYPE_CHECKING:
    from ..tensor import Tensor


class ConvertMixin:
    __slots__ = ()

    def _new_kw(self, dtype, device):
        return dict(dtype=self.dtype if dtype is None else dtype,
                    device=self.device if device is None else device)

    def new_zeros(self, *sizes, size=None, dtype=None, device=None,
                  requires_grad=False) -> "Tensor":
        """Same as torch.Tensor.new_zeros: this tensor's dtype and device by default."""
        return _creation.zeros(*sizes, size=size, requires_grad=requires_grad,
                               **self._new_kw(dtype, device))

    def new_ones(self, *sizes, size=None, dtype=None, device=None,
                 requires_grad=False) -> "Tensor":
        return _creation.ones(*sizes, size=size, requires_grad=requires_grad,
                              **self._new_kw(dtype, device))

    def new_empty(self, *sizes, size=None, dtype=None, device=None,
                  requires_grad=False) -> "Tensor":
        return _creation.empty(*sizes, size=size, requires_grad=requires_grad,
                               **self._new_kw(dtype, device))

    def new_full(self, size, fill_value, dtype=None, device=None,
                 requires_grad=False) -> "Tensor":
        return _creation.full(size, fill_value, requires_grad=requires_grad,
                              **self._new_kw(dtype, device))

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False) -> "Tensor":
        return _creation.tensor(data, requires_grad=requires_grad,
                                **self._new_kw(dtype, device))

    def type_as(self, other: "Tensor") -> "Tensor":
        return self.to(other.dtype)

    def float(self) -> "Tensor":
        return self.to(backend.float32)

    def double(self) -> "Tensor":
        return self.to(backend.float64)

    def half(self) -> "Tensor":
        return self.to(backend.float16)

    def bfloat16(self) -> "Tensor":
        return self.to(backend.bfloat16)

    def long(self) -> "Tensor":
        return self.to(backend.int64)

    def int(self) -> "Tensor":
        return self.to(backend.int32)

    def bool(self) -> "Tensor":
        return self.to(backend.bool_)

    def pin_memory(self, device=None):
        """Host tensors need no pinning here (CuPy copies from pageable memory): self."""
        return self

    def is_pinned(self, device=None) -> bool:
        return False
