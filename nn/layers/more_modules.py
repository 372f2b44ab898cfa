"""AdaptiveMaxPool3d, FractionalMaxPool2d/3d, TripletMarginWithDistanceLoss and the
deprecated NLLLoss2d (same as torch.nn's)."""
from __future__ import annotations

import warnings

from autograd.ops import lrn as _lrn

from ..functional import extra as _F
from ..functional.fractional import fractional_max_pool2d, fractional_max_pool3d
from ..loss import NLLLoss, _Loss
from ..module import Module
from .pooling import AdaptiveMaxPool2d


class AdaptiveMaxPool3d(AdaptiveMaxPool2d):
    """Same as torch.nn.AdaptiveMaxPool3d."""

    def forward(self, input):
        return _F.adaptive_max_pool3d(input, self.output_size, self.return_indices)


class TripletMarginWithDistanceLoss(_Loss):
    """Same as torch.nn.TripletMarginWithDistanceLoss(*, distance_function=None, margin=1.0,
    swap=False, reduction='mean')."""

    def __init__(self, *, distance_function=None, margin=1.0, swap=False, reduction="mean"):
        super().__init__(size_average=None, reduce=None, reduction=reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater "
                             f"than 0, got {margin} instead")
        self.distance_function = distance_function
        self.margin, self.swap = margin, swap

    def forward(self, anchor, positive, negative):
        return _F.triplet_margin_with_distance_loss(
            anchor, positive, negative, distance_function=self.distance_function,
            margin=self.margin, swap=self.swap, reduction=self.reduction)


class NLLLoss2d(NLLLoss):
    """Deprecated (same as torch.nn.NLLLoss2d): NLLLoss, with PyTorch's FutureWarning."""

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None,
                 reduction="mean"):
        warnings.warn("`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a "
                      "drop-in replacement and see "
                      "https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for more "
                      "details.", FutureWarning, stacklevel=2)
        super().__init__(weight, size_average, ignore_index, reduce, reduction)


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


class CrossMapLRN2d(Module):
    """Same as torch.nn.CrossMapLRN2d(size, alpha=1e-4, beta=0.75, k=1): PyTorch's legacy
    cross-channel LRN on 4-D input, with its channel windows and its backward formula."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        if input.dim() != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D "
                             "instead.")
        return _lrn.CrossMapLRN2dFn.apply(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
