"""Negative log-likelihood losses for Poisson and Gaussian targets (same as
torch.nn.functional's), composed from differentiable Tensor ops."""
from __future__ import annotations

import math

import autograd as ag
from autograd import _checks
from autograd.ops import compare as _compare
from autograd.ops import unary as _unary
from autograd.ops.loss import _ClampVar
from autograd.tensor import Tensor

from .loss import _check_tensor, _reduce_loss, _reduction


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """Same as torch.nn.functional.poisson_nll_loss: exp(x) - t x (log_input) or
    x - t log(x + eps); full adds Stirling's t log t - t + log(2 pi t) / 2 where t > 1."""
    op = "poisson_nll_loss"
    reduction = _reduction(op, size_average, reduce, reduction)
    _check_tensor(input, "input", op)
    _check_tensor(target, "target", op)
    if log_input:
        loss = _unary.exp(input) - target * input
    else:
        loss = input - target * _unary.log(input + eps)
    if full:
        # computed everywhere and masked, as PyTorch (so a target gradient at t <= 0 is nan,
        # as PyTorch's)
        stirling = (target * _unary.log(target) - target
                    + 0.5 * _unary.log(2 * math.pi * target))
        loss = loss + _compare.where(target <= 1, 0.0, stirling)
    return _reduce_loss(loss, reduction)


def _homoscedastic_var(input, var, op):
    """var shaped to broadcast against input, by PyTorch's rules: input's shape; input's
    shape without its last dim (unsqueezed); or input's dims with exactly one of them
    differing, where var's size is 1."""
    shape, v_shape = tuple(input.shape), tuple(var.shape)
    if v_shape == shape:
        return var
    if shape[:-1] == v_shape:
        return var.unsqueeze(-1)
    if len(shape) == len(v_shape) and sum(v for s, v in zip(shape, v_shape) if s != v) == 1:
        return var
    raise ValueError(f"{op}: expected var of the input's shape {shape}, of {shape[:-1]} or "
                     f"with one of its dims 1, got {v_shape}")


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Same as torch.nn.functional.gaussian_nll_loss: (log max(var, eps) + (x - t)^2 /
    max(var, eps)) / 2, plus log(2 pi) / 2 with full. var may be a float."""
    op = "gaussian_nll_loss"
    _check_tensor(input, "input", op)
    _check_tensor(target, "target", op)
    if isinstance(var, float):
        if var < 0:
            raise ValueError(f"{op}: expected var >= 0, got {var}")
        var = ag.full(tuple(input.shape), var, dtype=input.dtype, device=input.device)
    elif not isinstance(var, Tensor):
        raise TypeError(f"{op}: expected var to be a Tensor or a float, got "
                        f"{type(var).__name__}")
    else:
        if var.numel():  # on the GPU this check waits for the next synchronisation
            _checks.check((var.detach() < 0).any(), lambda: ValueError(
                f"{op}: expected every var >= 0, got a negative entry"))
    var = _homoscedastic_var(input, var, op)
    _reduction(op, None, None, reduction)
    var = _ClampVar.apply(var, eps)
    diff = input - target
    loss = 0.5 * (_unary.log(var) + diff * diff / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce_loss(loss, reduction)
