"""AdaptiveMaxPool3d, TripletMarginWithDistanceLoss and the deprecated NLLLoss2d (same as
torch.nn's)."""
from __future__ import annotations

import warnings

from ..functional import extra as _F
from ..loss import NLLLoss, _Loss
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
