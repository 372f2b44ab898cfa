"""More pooling layers: LPPool1d/2d/3d, MaxUnpool1d/2d/3d and FractionalMaxPool2d/3d."""
from __future__ import annotations

from ..functional import pooling_extra as _F
from ..functional.fractional import fractional_max_pool2d, fractional_max_pool3d
from ..module import Module


class _LPPoolNd(Module):
    _fn = staticmethod(_F.lp_pool1d)

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        self.norm_type, self.kernel_size = norm_type, kernel_size
        self.stride, self.ceil_mode = stride, ceil_mode

    def forward(self, input):
        return self._fn(input, float(self.norm_type), self.kernel_size, self.stride,
                        self.ceil_mode)

    def extra_repr(self):
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """Same as torch.nn.LPPool1d."""


class LPPool2d(_LPPoolNd):
    """Same as torch.nn.LPPool2d."""

    _fn = staticmethod(_F.lp_pool2d)


class LPPool3d(_LPPoolNd):
    """Same as torch.nn.LPPool3d."""

    _fn = staticmethod(_F.lp_pool3d)


class _MaxUnpoolNd(Module):
    _dims = 1

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        n = self._dims
        self.kernel_size = _tuple(kernel_size, n)
        self.stride = _tuple(stride if stride is not None else kernel_size, n)
        self.padding = _tuple(padding, n)

    def forward(self, input, indices, output_size=None):
        return _F._max_unpool(input, indices, self.kernel_size, self.stride, self.padding,
                              output_size, self._dims)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


def _tuple(v, n):
    return (v,) * n if isinstance(v, int) else tuple(v)


class MaxUnpool1d(_MaxUnpoolNd):
    """Same as torch.nn.MaxUnpool1d."""


class MaxUnpool2d(_MaxUnpoolNd):
    """Same as torch.nn.MaxUnpool2d."""

    _dims = 2


class MaxUnpool3d(_MaxUnpoolNd):
    """Same as torch.nn.MaxUnpool3d."""

    _dims = 3


class _FractionalMaxPool(Module):
    def __init__(self, kernel_size, output_size=None, output_ratio=None,
                 return_indices=False, _random_samples=None):
        super().__init__()
        self.kernel_size, self.output_size = kernel_size, output_size
        self.output_ratio, self.return_indices = output_ratio, return_indices
        self.register_buffer("_random_samples", _random_samples)
        if output_size is None and output_ratio is None:
            raise ValueError(f"{type(self).__name__} requires specifying either an output "
                             "size, or a pooling ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if output_ratio is not None:
            ratios = (output_ratio,) * self._nd if not isinstance(output_ratio, (tuple, list)) \
                else tuple(output_ratio)
            if not all(0 < r < 1 for r in ratios):
                raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input):
        return self._fn(input, self.kernel_size, self.output_size, self.output_ratio,
                        self.return_indices, _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPool):
    """Same as torch.nn.FractionalMaxPool2d."""

    _nd = 2
    _fn = staticmethod(fractional_max_pool2d)


class FractionalMaxPool3d(_FractionalMaxPool):
    """Same as torch.nn.FractionalMaxPool3d."""

    _nd = 3
    _fn = staticmethod(fractional_max_pool3d)
