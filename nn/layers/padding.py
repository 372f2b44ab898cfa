"""Padding layers: ZeroPad, ConstantPad, ReflectionPad, ReplicationPad and CircularPad,
each in 1-d, 2-d and 3-d; thin wrappers over F.pad."""
from __future__ import annotations

from ..functional.padding import pad
from ..module import Module


def _widths(padding, dims):
    """An int pads every side of the last `dims` dims; a tuple is kept as given."""
    return (padding,) * (2 * dims) if isinstance(padding, int) else tuple(padding)


class _PadNd(Module):
    _mode = "constant"
    _dims = 1

    def __init__(self, padding):
        super().__init__()
        self.padding = _widths(padding, self._dims)

    def forward(self, input):
        return pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Same as torch.nn.ConstantPad1d."""


class ConstantPad2d(_ConstantPadNd):
    """Same as torch.nn.ConstantPad2d."""

    _dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Same as torch.nn.ConstantPad3d."""

    _dims = 3


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad1d(_ZeroPadNd):
    """Same as torch.nn.ZeroPad1d."""


class ZeroPad2d(_ZeroPadNd):
    """Same as torch.nn.ZeroPad2d."""

    _dims = 2


class ZeroPad3d(_ZeroPadNd):
    """Same as torch.nn.ZeroPad3d."""

    _dims = 3


class ReflectionPad1d(_PadNd):
    """Same as torch.nn.ReflectionPad1d."""

    _mode = "reflect"


class ReflectionPad2d(ReflectionPad1d):
    """Same as torch.nn.ReflectionPad2d."""

    _dims = 2


class ReflectionPad3d(ReflectionPad1d):
    """Same as torch.nn.ReflectionPad3d."""

    _dims = 3


class ReplicationPad1d(_PadNd):
    """Same as torch.nn.ReplicationPad1d."""

    _mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    """Same as torch.nn.ReplicationPad2d."""

    _dims = 2


class ReplicationPad3d(ReplicationPad1d):
    """Same as torch.nn.ReplicationPad3d."""

    _dims = 3


class CircularPad1d(_PadNd):
    """Same as torch.nn.CircularPad1d (checks the input's rank first, as PyTorch does)."""

    _mode = "circular"

    def forward(self, input):
        if input.ndim not in (self._dims + 1, self._dims + 2):
            raise ValueError(f"expected {self._dims + 1}D or {self._dims + 2}D input (got "
                             f"{input.ndim}D input)")
        return pad(input, self.padding, "circular")


class CircularPad2d(CircularPad1d):
    """Same as torch.nn.CircularPad2d."""

    _dims = 2


class CircularPad3d(CircularPad1d):
    """Same as torch.nn.CircularPad3d."""

    _dims = 3
