"""Dropout layers (element, channel and alpha dropout): identity in eval mode."""
from __future__ import annotations

from ..functional.dropout import (
    alpha_dropout,
    dropout,
    dropout1d,
    dropout2d,
    dropout3d,
    feature_alpha_dropout,
)
from ..module import Module


class Dropout(Module):
    """Same as torch.nn.Dropout."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input):
        return dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout2d(Dropout):
    """Same as torch.nn.Dropout2d: zeroes whole channels."""

    def forward(self, input):
        return dropout2d(input, self.p, self.training, self.inplace)


class Dropout1d(Dropout):
    """Same as torch.nn.Dropout1d: zeroes whole channels of (N, C, L) or (C, L)."""

    def forward(self, input):
        return dropout1d(input, self.p, self.training, self.inplace)


class Dropout3d(Dropout):
    """Same as torch.nn.Dropout3d: zeroes whole channels of (N, C, D, H, W)."""

    def forward(self, input):
        return dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(Dropout):
    """Same as torch.nn.AlphaDropout: keeps zero mean and unit variance (for SELU)."""

    def forward(self, input):
        return alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(Dropout):
    """Same as torch.nn.FeatureAlphaDropout: alpha dropout of whole channels."""

    def forward(self, input):
        return feature_alpha_dropout(input, self.p, self.training)
