"""Convolution layers: Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d."""
from __future__ import annotations

import autograd as ag
from autograd import Parameter
from autograd.ops.split import pad as _pad

from .. import init
from ..functional import conv as _F
from ..module import Module


def _tuple(v, n):
    return (v,) * n if isinstance(v, int) else tuple(v)


class _ConvNd(Module):
    _dims = 2
    transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", device=None,
                 dtype=None, output_padding=0):
        super().__init__()
        n = self._dims
        name = type(self).__name__
        if groups <= 0 or in_channels % groups or out_channels % groups:
            raise ValueError(f"{name}: expected in_channels ({in_channels}) and out_channels "
                             f"({out_channels}) divisible by groups ({groups})")
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError(f"{name}: expected padding_mode 'zeros', 'reflect', 'replicate' "
                             f"or 'circular', got {padding_mode!r}")
        if isinstance(padding, str) and padding not in ("same", "valid"):
            raise ValueError(f"{name}: invalid padding string {padding!r}, should be one of "
                             "['valid', 'same']")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _tuple(kernel_size, n)
        self.stride = _tuple(stride, n)
        if padding == "same" and self.stride != (1,) * n:
            raise ValueError(f"{name}: padding='same' is not supported for strided "
                             f"convolutions (stride {self.stride})")
        self.padding = padding if isinstance(padding, str) else _tuple(padding, n)
        self.dilation = _tuple(dilation, n)
        self.output_padding = _tuple(output_padding, n)
        self.groups, self.padding_mode = groups, padding_mode
        if self.transposed:
            shape = (in_channels, out_channels // groups) + self.kernel_size
        else:
            shape = (out_channels, in_channels // groups) + self.kernel_size
        self.weight = Parameter(ag.empty(shape, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(ag.empty(out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init._default_reset_(self.weight, self.bias)  # PyTorch's default initialisation

    def _padded(self, input):
        """Non-zero padding modes pad explicitly; the conv itself then pads nothing."""
        if self.padding_mode == "zeros":
            return input, self.padding
        if isinstance(self.padding, str):
            pairs = _F._conv_pad(self.padding, self.kernel_size, self.dilation, self.stride,
                                 "conv")
        else:
            pairs = [(p, p) for p in self.padding]
        widths = [w for lo_hi in reversed(pairs) for w in lo_hi]
        return _pad(input, widths, mode=self.padding_mode), 0

    def extra_repr(self):
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding not in ((0,) * self._dims, "valid"):
            s += f", padding={self.padding}"  # PyTorch prints padding=same unquoted
        if self.dilation != (1,) * self._dims:
            s += f", dilation={self.dilation}"
        if self.transposed and self.output_padding != (0,) * self._dims:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
    """Same as torch.nn.Conv2d."""

    def forward(self, input):
        x, padding = self._padded(input)
        return _F.conv2d(x, self.weight, self.bias, self.stride, padding, self.dilation,
                         self.groups)


class Conv3d(_ConvNd):
    """Same as torch.nn.Conv3d."""

    _dims = 3

    def forward(self, input):
        x, padding = self._padded(input)
        return _F.conv3d(x, self.weight, self.bias, self.stride, padding, self.dilation,
                         self.groups)


class Conv1d(_ConvNd):
    """Same as torch.nn.Conv1d."""

    _dims = 1

    def forward(self, input):
        x, padding = self._padded(input)
        return _F.conv1d(x, self.weight, self.bias, self.stride, padding, self.dilation,
                         self.groups)


class ConvTranspose2d(_ConvNd):
    """Same as torch.nn.ConvTranspose2d (padding_mode 'zeros' only, as in PyTorch)."""

    transposed = True
    _transposed_conv = staticmethod(_F.conv_transpose2d)  # the 1-d/3-d forms set theirs

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for '
                             f"{type(self).__name__}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype, output_padding)

    def forward(self, input, output_size=None):
        out_pad = self.output_padding
        if output_size is not None:
            out_pad = self._output_padding(input, output_size)
        return self._transposed_conv(input, self.weight, self.bias, self.stride, self.padding,
                                     out_pad, self.groups, self.dilation)

    def _output_padding(self, input, output_size):
        n = self._dims
        want = tuple(output_size)[-n:]
        out = []
        for i in range(n):
            h = input.shape[input.ndim - n + i]
            least = ((h - 1) * self.stride[i] - 2 * self.padding[i]
                     + self.dilation[i] * (self.kernel_size[i] - 1) + 1)
            if not least <= want[i] < least + self.stride[i]:
                raise ValueError(f"requested an output size of {want}, but valid sizes range "
                                 f"from {least} to {least + self.stride[i] - 1}")
            out.append(want[i] - least)
        return tuple(out)


class ConvTranspose1d(ConvTranspose2d):
    """Same as torch.nn.ConvTranspose1d."""

    _dims = 1
    _transposed_conv = staticmethod(_F.conv_transpose1d)


class ConvTranspose3d(ConvTranspose2d):
    """Same as torch.nn.ConvTranspose3d: weight (C_in, C_out / groups, kd, kh, kw)."""

    _dims = 3
    _transposed_conv = staticmethod(_F.conv_transpose3d)
