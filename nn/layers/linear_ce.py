"""LinearCrossEntropyLoss and LinearCrossEntropyOptions (same as torch.nn's): a linear head
and cross entropy in one module."""
from __future__ import annotations

import dataclasses
import math

from ..functional import extra as _F
from ..loss import _WeightedLoss
from .linear import Linear


@dataclasses.dataclass(slots=True, frozen=True)
class LinearCrossEntropyOptions:
    """Same fields as torch.nn.LinearCrossEntropyOptions: settings of PyTorch's chunked
    linear_cross_entropy (a memory optimisation). Ember computes the logits whole, which
    gives the same values and gradients, so the settings are accepted and kept."""

    allow_retain_graph: bool = False
    batch_chunk_size: int | None = None
    chunking_method: str | None = "auto"
    acc_policy: str | None = "auto"
    acc_dtype: object = None


class LinearCrossEntropyLoss(_WeightedLoss):
    """Same as torch.nn.LinearCrossEntropyLoss(in_features, num_classes, *, out_features=(),
    bias=False, ...): `linear` (in_features -> num_classes * prod(out_features)) then
    cross entropy against the target."""

    def __init__(self, in_features, num_classes, *, out_features=(), bias=False, device=None,
                 dtype=None, reduction="mean", weight=None, ignore_index=None,
                 label_smoothing=0.0, options=None):
        if weight is not None and tuple(weight.shape) != (num_classes,):
            raise RuntimeError(f"expected weight shape to be {(num_classes,)}, got "
                               f"{tuple(weight.shape)}")
        if label_smoothing < 0 or label_smoothing > 1.0:
            raise RuntimeError(f"expected label_smoothing to be in range [0, 1], got "
                               f"{label_smoothing}")
        super().__init__(weight, None, None, reduction)
        self.num_classes, self.out_features = num_classes, out_features
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing
        self.linear = Linear(in_features, math.prod(out_features, start=num_classes),
                             bias=bias, device=device, dtype=dtype)
        self.options = options

    def forward(self, input, target):
        w = self.linear.weight.reshape(self.num_classes, *self.out_features,
                                       self.linear.in_features)
        b = None if self.linear.bias is None else \
            self.linear.bias.reshape(self.num_classes, *self.out_features)
        return _F.linear_cross_entropy(input, w, target, linear_bias=b, weight=self.weight,
                                       reduction=self.reduction,
                                       ignore_index=self.ignore_index,
                                       label_smoothing=self.label_smoothing,
                                       options=self.options)

    def extra_repr(self):
        return (f"in_features={self.linear.in_features}, num_classes={self.num_classes}, "
                f"out_features={self.out_features}, bias={self.linear.bias is not None}, "
                f"reduction={self.reduction}, ignore_index={self.ignore_index}, "
                f"label_smoothing={self.label_smoothing}, options={self.options}")
