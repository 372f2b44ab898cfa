"""Loss functions (same as torch.nn.functional's), each with reduction='mean'|'sum'|'none'.

Mixed float dtypes follow PyTorch, which has no one rule: most losses compute in the
promoted type of input and target (mse, l1, smooth_l1, kl_div, cross_entropy over
probabilities, the likelihood and margin losses); huber_loss and binary_cross_entropy
compute in the input's dtype (bce refuses a target of another dtype); bce_with_logits in
the target's; nll_loss and cross_entropy refuse a class weight of another dtype than the
input's. `_in_dtype` is the one cast these use.

cross_entropy over class indices is one fused `Function` (log-softmax, gathering and
reduction in one node): it is on every classifier's training step."""
from __future__ import annotations

import warnings

import autograd as ag
from autograd import _checks
from autograd import amp as _amp
from autograd.ops import compare as _compare
from autograd.ops import elementwise as _ew
from autograd.ops import unary as _unary
from autograd.ops.loss import (
    BCEWithLogits,
    BinaryCrossEntropy,
    class_cross_entropy,
    class_nll_loss,
)
from autograd.tensor import Tensor, _make

_REDUCTIONS = ("mean", "sum", "none")


def _legacy_reduction(size_average, reduce, reduction):
    """PyTorch's deprecated size_average/reduce arguments, as a reduction string."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "none" if not reduce else "mean" if size_average else "sum"
    warnings.warn("size_average and reduce args will be deprecated, please use "
                  f"reduction='{reduction}' instead.", UserWarning, stacklevel=4)
    return reduction


def _reduction(op, size_average, reduce, reduction, extra=()):
    """The reduction string, from `reduction` or the deprecated size_average/reduce
    arguments, checked against the ones `op` accepts."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction not in _REDUCTIONS + tuple(extra):
        raise ValueError(f"{op}: expected reduction to be one of "
                         f"{_REDUCTIONS + tuple(extra)}, got {reduction!r}")
    return reduction


def _reduce_loss(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _check_tensor(x, name, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected {name} to be a Tensor, got {type(x).__name__}")


def _check_float(x, name, op):
    _check_tensor(x, name, op)
    if not x.is_floating_point():
        raise RuntimeError(f"{op}: expected a floating point {name}, got dtype {x.dtype}")


def _check_pointwise(input, target, op):
    """Regression losses broadcast target to input (warning when shapes differ, as
    PyTorch), and fail clearly when they cannot."""
    _check_float(input, "input", op)
    _check_tensor(target, "target", op)  # an integer target promotes, as in PyTorch
    if tuple(input.shape) != tuple(target.shape):
        try:
            _checks.broadcast_shapes(tuple(input.shape), tuple(target.shape))
        except ValueError:
            raise RuntimeError(f"{op}: input of shape {tuple(input.shape)} and target of "
                               f"shape {tuple(target.shape)} cannot broadcast") from None
        # PyTorch's words (filters and pytest.warns match on them)
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input "
                      f"size ({input.shape}). This will likely lead to incorrect results due "
                      "to broadcasting. Please ensure they have the same size.", stacklevel=3)


def _in_dtype(x, ref):
    """`x` (a tensor or None) cast, differentiably, to the dtype of `ref`."""
    return x if x is None else _ew.cast(x, ref.dtype)


def _weighted(loss, weight, reduction, op, normalise):
    """Pointwise loss times `weight` (same shape as the input); with normalise the weighted
    mean divides by sum(weight) (mse_loss, l1_loss), otherwise by the element count."""
    if weight is None:
        return _reduce_loss(loss, reduction)
    if tuple(weight.shape) != tuple(loss.shape):
        raise ValueError(f"{op}: Weights and input must have the same size, got "
                         f"{tuple(weight.shape)} and {tuple(loss.shape)}")
    loss = loss * weight
    if reduction == "mean" and normalise:
        return loss.sum() / weight.sum()
    return _reduce_loss(loss, reduction)


# ----------------------------------------------------------------------------- regression
def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Same as torch.nn.functional.mse_loss."""
    if _amp.mode.on:
        input, target, weight = _amp.fp32("mse_loss", input, target, weight)
    reduction = _reduction("mse_loss", size_average, reduce, reduction)
    _check_pointwise(input, target, "mse_loss")
    diff = input - target
    return _weighted(diff * diff, weight, reduction, "mse_loss", True)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Same as torch.nn.functional.l1_loss."""
    if _amp.mode.on:
        input, target, weight = _amp.fp32("l1_loss", input, target, weight)
    reduction = _reduction("l1_loss", size_average, reduce, reduction)
    _check_pointwise(input, target, "l1_loss")
    return _weighted(_unary.abs(input - target), weight, reduction, "l1_loss", True)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Same as torch.nn.functional.huber_loss: quadratic for |d| < delta, linear beyond."""
    if _amp.mode.on:
        input, target, weight = _amp.fp32("huber_loss", input, target, weight)
    _reduction("huber_loss", None, None, reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _check_pointwise(input, target, "huber_loss")
    diff = input - _in_dtype(target, input)  # PyTorch: the input's dtype
    ad = _unary.abs(diff)
    small = _make(~(ad.array >= delta))  # NaN takes the quadratic branch, as in PyTorch
    near = _compare.where(small, diff, 0.0)  # the unused square never sees inf (0 * inf)
    loss = _compare.where(small, near * near * 0.5, (ad - 0.5 * delta) * delta)
    return _weighted(loss, weight, reduction, "huber_loss", False)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Same as torch.nn.functional.smooth_l1_loss (beta=0 gives l1_loss)."""
    if _amp.mode.on:
        input, target = _amp.fp32("smooth_l1_loss", input, target)
    reduction = _reduction("smooth_l1_loss", size_average, reduce, reduction)
    _check_pointwise(input, target, "smooth_l1_loss")
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss: expected beta >= 0, got {beta}")
    diff = input - target
    ad = _unary.abs(diff)
    if beta == 0:
        return _reduce_loss(ad, reduction)
    small = _make(~(ad.array >= beta))  # NaN takes the quadratic branch, as in PyTorch
    near = _compare.where(small, diff, 0.0)  # the unused square never sees inf (0 * inf)
    loss = _compare.where(small, near * near * (0.5 / beta), ad - 0.5 * beta)
    return _reduce_loss(loss, reduction)


# ----------------------------------------------------------------------------- binary
def _check_same_shape(input, target, op):
    if tuple(input.shape) != tuple(target.shape):
        raise ValueError(f"{op}: expected target of the input's shape {tuple(input.shape)}, "
                         f"got {tuple(target.shape)}")


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """Same as torch.nn.functional.binary_cross_entropy (input are probabilities)."""
    if _amp.mode.on:
        input, target, weight = _amp.fp32("binary_cross_entropy", input, target, weight)
    op = "binary_cross_entropy"
    reduction = _reduction(op, size_average, reduce, reduction)
    _check_float(input, "input", op)
    _check_float(target, "target", op)
    _check_same_shape(input, target, op)
    if target.dtype != input.dtype:
        raise RuntimeError(f"{op}: expected target of the input's dtype {input.dtype}, got "
                           f"{target.dtype}")
    if input.numel():  # on the GPU this check waits for the next synchronisation
        x = input.detach()
        _checks.check((x.min() < 0) | (x.max() > 1), lambda: RuntimeError(
            f"{op}: expected all elements of input between 0 and 1 (probabilities); for "
            "logits use binary_cross_entropy_with_logits"))
    loss = BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * _in_dtype(weight, input)
    return _reduce_loss(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """Same as torch.nn.functional.binary_cross_entropy_with_logits."""
    if _amp.mode.on:
        input, target, weight, pos_weight = _amp.fp32(
            "binary_cross_entropy_with_logits", input, target, weight, pos_weight)
    op = "binary_cross_entropy_with_logits"
    reduction = _reduction(op, size_average, reduce, reduction)
    _check_float(input, "input", op)
    _check_float(target, "target", op)
    _check_same_shape(input, target, op)
    if pos_weight is not None:
        try:
            _checks.broadcast_shapes(tuple(pos_weight.shape), tuple(input.shape))
        except ValueError:
            raise RuntimeError(f"{op}: pos_weight of shape {tuple(pos_weight.shape)} cannot "
                               f"broadcast to the input's shape {tuple(input.shape)}") from None
    # PyTorch computes in the target's dtype
    loss = BCEWithLogits.apply(_in_dtype(input, target), target, _in_dtype(pos_weight, target))
    if weight is not None:
        loss = loss * _in_dtype(weight, target)
    return _reduce_loss(loss, reduction)


# ----------------------------------------------------------------------------- classes
def _check_weight(weight, n_classes, op, input=None):
    """A class weight: one per class and, for class indices (`input` given), of the
    input's dtype, as PyTorch's kernels require."""
    if weight is not None:
        _check_tensor(weight, "weight", op)
        if tuple(weight.shape) != (n_classes,):
            raise RuntimeError(f"{op}: expected weight of shape ({n_classes},), one per class, "
                               f"got {tuple(weight.shape)}")
        if input is not None and weight.dtype != input.dtype:
            raise RuntimeError(f"{op}: expected weight of the input's dtype {input.dtype}, "
                               f"got {weight.dtype}")


def _unbatched(input, target, op):
    """Unbatched (C,) inputs are handled as a batch of one."""
    return input.unsqueeze(0), target.unsqueeze(0)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """Same as torch.nn.functional.cross_entropy: logits (N, C, d1, ...) or (C,), target of
    class indices (N, d1, ...) or of class probabilities (input's shape)."""
    if _amp.mode.on:
        input, target, weight = _amp.fp32("cross_entropy", input, target, weight)
    op = "cross_entropy"
    reduction = _reduction(op, size_average, reduce, reduction)
    _check_float(input, "input", op)
    _check_tensor(target, "target", op)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"{op}: expected label_smoothing in [0, 1], got {label_smoothing}")
    if input.ndim == 0:
        raise RuntimeError(f"{op}: expected input of shape (N, C, ...) or (C,), got a 0-d "
                           "tensor")
    unbatched = input.ndim == 1
    if unbatched:
        input, target = _unbatched(input, target, op)
    n_classes = input.shape[1]
    _check_weight(weight, n_classes, op)
    if target.dtype.kind == "f":
        if tuple(target.shape) != tuple(input.shape):
            raise RuntimeError(
                f"{op}: expected a target of class indices of shape "
                f"{(input.shape[0],) + tuple(input.shape[2:])} (integer dtype) or of class "
                f"probabilities of the input's shape {tuple(input.shape)}, got shape "
                f"{tuple(target.shape)} and dtype {target.dtype}")
        loss = _soft_cross_entropy(input, target, weight, reduction, label_smoothing)
    elif target.dtype.kind in "iu":
        _check_index_dtype(target, op)
        _check_weight(weight, n_classes, op, input)
        loss = class_cross_entropy(input, target, weight, ignore_index, reduction,
                                   float(label_smoothing))
    else:
        raise RuntimeError(f"{op}: expected target of integer class indices or of float "
                           f"class probabilities, got dtype {target.dtype}")
    return loss.squeeze(0) if unbatched and reduction == "none" else loss


def _check_index_dtype(target, op):
    if target.dtype not in (ag.int64, ag.uint8):  # PyTorch's kernels take Long or Byte
        raise RuntimeError(f"{op}: expected target dtype int64 or uint8 for class indices, "
                           f"got {target.dtype}")


def _soft_cross_entropy(input, target, weight, reduction, eps):
    n_classes = input.shape[1]
    log_p = ag.log_softmax(input, 1)  # times target: the promoted dtype, as PyTorch
    if eps:
        target = target * (1 - eps) + eps / n_classes
    prod = log_p * target
    if weight is not None:
        prod = prod * weight.reshape((1, n_classes) + (1,) * (input.ndim - 2))
    loss = -prod.sum(1)
    return _reduce_loss(loss, reduction)  # 'mean' divides by the batch elements


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Same as torch.nn.functional.nll_loss (input are log-probabilities)."""
    if _amp.mode.on:
        input, target, weight = _amp.fp32("nll_loss", input, target, weight)
    op = "nll_loss"
    reduction = _reduction(op, size_average, reduce, reduction)
    _check_float(input, "input", op)
    _check_tensor(target, "target", op)
    if target.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: expected target of integer class indices, got dtype "
                           f"{target.dtype}")
    _check_index_dtype(target, op)
    if input.ndim == 0:
        raise ValueError(f"{op}: expected input of shape (N, C, ...) or (C,), got a 0-d "
                         "tensor")
    unbatched = input.ndim == 1
    if unbatched:
        input, target = _unbatched(input, target, op)
    _check_weight(weight, input.shape[1], op, input)
    loss = class_nll_loss(input, target, weight, ignore_index, reduction)
    return loss.squeeze(0) if unbatched and reduction == "none" else loss


# ----------------------------------------------------------------------------- divergence
def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Same as torch.nn.functional.kl_div: input are log-probabilities; target
    probabilities (or log-probabilities with log_target). 'batchmean' divides the sum by
    the batch size, the true KL divergence."""
    if _amp.mode.on:
        input, target = _amp.fp32("kl_div", input, target)
    op = "kl_div"
    reduction = _reduction(op, size_average, reduce, reduction, extra=("batchmean",))
    _check_pointwise(input, target, op)
    _check_float(target, "target", op)  # PyTorch: integral inputs not supported
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and "
                      "the support size.'batchmean' divides only by the batch size, and "
                      "aligns with the KL div math definition.'mean' will be changed to "
                      "behave the same as 'batchmean' in the next major release.",
                      stacklevel=2)
    if log_target:
        loss = _unary.exp(target) * (target - input)
    else:
        # xlogy(t, t) - t x, with 0 log 0 = 0 (log of 1 where t = 0 keeps gradients finite)
        positive = _make(target.array > 0)
        safe = _compare.where(positive, target, 1.0)
        loss = _compare.where(positive, target * _unary.log(safe), 0.0) - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.ndim else total
    return _reduce_loss(loss, reduction)
