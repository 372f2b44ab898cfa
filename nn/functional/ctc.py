"""Connectionist temporal classification loss (same as torch.nn.functional.ctc_loss):
signature, checks and reduction; the op lives in autograd.ops.ctc."""
from __future__ import annotations

from autograd.ops.ctc import ctc_losses
from autograd.tensor import Tensor

_REDUCTIONS = ("none", "mean", "sum")


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """Same as torch.nn.functional.ctc_loss. The gradient with respect to log_probs is
    PyTorch's (see CTCLossGrad); through log_softmax it is the exact gradient. Targets out
    of [0, C) raise a RuntimeError (PyTorch reads outside the classes)."""
    if not isinstance(log_probs, Tensor) or not isinstance(targets, Tensor):
        raise TypeError(f"ctc_loss: expected log_probs and targets to be Tensors, got "
                        f"{type(log_probs).__name__} and {type(targets).__name__}")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_probs.dtype.kind != "f":
        raise NotImplementedError(f'"ctc_loss" not implemented for {log_probs.dtype}')
    unbatched = log_probs.ndim == 2
    if unbatched:
        log_probs, targets = log_probs.unsqueeze(1), targets.unsqueeze(0)
    if log_probs.ndim != 3:
        raise RuntimeError(f"ctc_loss: expected log_probs of shape (T, N, C) or (T, C), got "
                           f"{tuple(log_probs.shape)}")
    if not 0 <= blank < log_probs.shape[2]:
        raise RuntimeError("blank must be in label range")
    losses, tgt_len = ctc_losses(log_probs, targets, input_lengths, target_lengths, blank,
                                 zero_infinity)
    if reduction == "sum":
        return losses.sum()
    if reduction == "mean":  # each loss over its target length, then the batch mean
        return (losses / tgt_len.clamp(min=1).to(losses.dtype)).mean()
    return losses[0] if unbatched else losses
