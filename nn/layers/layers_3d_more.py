"""ConvTranspose3d and InstanceNorm3d (same as torch.nn's)."""
from __future__ import annotations

from ..functional import conv as _F
from .conv import ConvTranspose2d
from .norm import _InstanceNorm


class ConvTranspose3d(ConvTranspose2d):
    """Same as torch.nn.ConvTranspose3d: weight (C_in, C_out / groups, kd, kh, kw)."""

    _dims = 3

    def forward(self, input, output_size=None):
        out_pad = self.output_padding
        if output_size is not None:
            out_pad = self._output_padding(input, output_size)
        return _F.conv_transpose3d(input, self.weight, self.bias, self.stride, self.padding,
                                   out_pad, self.groups, self.dilation)


class InstanceNorm3d(_InstanceNorm):
    """Same as torch.nn.InstanceNorm3d: (N, C, D, H, W) or unbatched (C, D, H, W) input."""

    _no_batch_dim = 4

    def _check_input_dim(self, input):
        if input.ndim not in (4, 5):
            raise ValueError(f"expected 4D or 5D input (got {input.ndim}D input)")
