"""Same as torch.nn.utils.stateless: functional_call (autograd.func's)."""
from __future__ import annotations

from autograd.func import functional_call

__all__ = ["functional_call"]
