"""Dropout layers: identity in eval mode."""
from __future__ import annotations

from ..functional.dropout import dropout, dropout2d
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
