"""Margin losses (same as torch.nn.functional's): ranking, hinge embedding, soft margin and
the multi-class / multi-label margin losses, composed from differentiable Tensor ops."""
from __future__ import annotations

import autograd as ag
from autograd import _checks
from autograd.ops import compare as _compare
from autograd.ops import elementwise as _ew
from autograd.ops import unary as _unary

from .activation import logsigmoid
from .loss import _check_float, _check_tensor, _reduce_loss, _reduction


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    """Same as torch.nn.functional.margin_ranking_loss: max(0, -y (x1 - x2) + margin)."""
    op = "margin_ranking_loss"
    reduction = _reduction(op, size_average, reduce, reduction)
    for x, name in ((input1, "input1"), (input2, "input2"), (target, "target")):
        _check_tensor(x, name, op)
    if not input1.ndim == input2.ndim == target.ndim:
        raise RuntimeError(f"{op}: expected input1, input2 and target with the same number of "
                           f"dims, got shapes {tuple(input1.shape)}, {tuple(input2.shape)} and "
                           f"{tuple(target.shape)}")
    loss = _compare.clamp(-target * (input1 - input2) + float(margin), min=0)
    return _reduce_loss(loss, reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """Same as torch.nn.functional.hinge_embedding_loss: x where y = 1, max(0, margin - x)
    where y = -1 (other target values add both terms, as PyTorch)."""
    op = "hinge_embedding_loss"
    reduction = _reduction(op, size_average, reduce, reduction)
    _check_tensor(input, "input", op)
    _check_tensor(target, "target", op)
    margin_term = _compare.where(target != 1, _compare.clamp(margin - input, min=0), 0.0)
    loss = margin_term + _compare.where(target != -1, input, 0.0)
    return _reduce_loss(loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Same as torch.nn.functional.soft_margin_loss: log(1 + exp(-y x)), the target
    broadcast to the input's shape."""
    op = "soft_margin_loss"
    reduction = _reduction(op, size_average, reduce, reduction)
    _check_float(input, "input", op)
    _check_tensor(target, "target", op)
    shape, t_shape = tuple(input.shape), tuple(target.shape)
    try:
        fits = _checks.broadcast_shapes(shape, t_shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(f"{op}: expected a target that broadcasts to the input's shape "
                           f"{shape}, got {t_shape}")
    loss = _unary.log1p(_unary.exp(-input * _ew.cast(target, input.dtype)))
    return _reduce_loss(loss, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """Same as torch.nn.functional.multilabel_soft_margin_loss: binary cross entropy on
    logits, averaged over the last (class) dim."""
    op = "multilabel_soft_margin_loss"
    reduction = _reduction(op, size_average, reduce, reduction)
    _check_tensor(input, "input", op)
    _check_tensor(target, "target", op)
    if input.ndim == 0:
        raise IndexError(f"{op}: expected input with a class dim, got a 0-d tensor")
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(dim=-1) / input.shape[-1]
    return _reduce_loss(loss, reduction)


# ----------------------------------------------------------------------------- class targets
def _check_margin_input(input, op):
    """(C,), (N, C) or a 0-d input of one class: the (N, C) view and the class count."""
    _check_tensor(input, "input", op)
    shape = tuple(input.shape)
    if not ((input.ndim == 2 and shape[1]) or (input.ndim == 1 and shape[0])
            or input.ndim == 0):
        raise RuntimeError(f"{op}: expected a non-empty vector or matrix with optional 0-dim "
                           f"batch size, got shape {shape}")
    if input.dtype.kind != "f":  # PyTorch has no integer kernel
        raise NotImplementedError(f"{op}: expected a floating point input, got dtype "
                                  f"{input.dtype}")
    n_classes = shape[-1] if input.ndim else 1
    return input.reshape(-1, n_classes), n_classes


def _check_class_target(target, op):
    _check_tensor(target, "target", op)
    if target.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: expected a target of integer class indices, got dtype "
                           f"{target.dtype}")


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """Same as torch.nn.functional.multi_margin_loss: per sample
    sum_{i != y} w_y max(0, margin - x_y + x_i)^p / C."""
    op = "multi_margin_loss"
    reduction = _reduction(op, size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError(f"{op}: expected p to be 1 or 2, got {p}")
    if weight is not None:
        _check_tensor(weight, "weight", op)
        if weight.ndim != 1:
            raise ValueError(f"{op}: expected weight to be one-dimensional, got shape "
                             f"{tuple(weight.shape)}")
    x, n_classes = _check_margin_input(input, op)
    _check_class_target(target, op)
    if target.ndim > 1 or target.numel() != x.shape[0]:
        raise RuntimeError(f"{op}: expected a 1-D target of one class index per sample, shape "
                           f"({x.shape[0]},), got {tuple(target.shape)} for input of shape "
                           f"{tuple(input.shape)}")
    if weight is not None:
        if weight.numel() != n_classes:
            raise RuntimeError(f"{op}: expected weight of shape ({n_classes},), one per class, "
                               f"got {tuple(weight.shape)}")
        if weight.dtype != input.dtype:
            raise RuntimeError(f"{op}: expected weight of the input's dtype {input.dtype}, got "
                               f"{weight.dtype}")
    raw = target.detach().reshape(-1)
    # on the GPU the check waits for the next synchronisation, with y clipped meanwhile
    y = _checks.check_index(raw, 0, n_classes, lambda low, high: RuntimeError(
        f"{op}: expected target class indices in [0, {n_classes}), got "
        f"{_checks.first_outside(raw, 0, n_classes)}"))
    is_y = ag.arange(n_classes, device=y.device) == y.unsqueeze(1)  # (N, C) one-hot
    x_y = _compare.where(is_y, x, 0.0).sum(dim=1, keepdim=True)
    z = _unary.relu((margin - x_y) + x)  # relu'(0) = 0: PyTorch counts only z > 0
    if p == 2:
        z = z * z
    loss = _compare.where(is_y, 0.0, z).sum(dim=1)
    if weight is not None:
        loss = loss * weight[y]
    loss = (loss / n_classes).reshape(tuple(target.shape))
    return _reduce_loss(loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Same as torch.nn.functional.multilabel_margin_loss: per sample
    sum_j sum_{i not a target} max(0, 1 - (x_{y_j} - x_i)) / C, the targets y_j being the
    target row up to its first -1."""
    op = "multilabel_margin_loss"
    reduction = _reduction(op, size_average, reduce, reduction)
    x, n_classes = _check_margin_input(input, op)
    _check_class_target(target, op)
    if input.ndim <= 1:
        if target.ndim > 1 or target.numel() != n_classes:
            raise RuntimeError(f"{op}: expected target of shape ({n_classes},) for input of "
                               f"shape {tuple(input.shape)}, got {tuple(target.shape)}")
    elif tuple(target.shape) != tuple(input.shape):
        raise RuntimeError(f"{op}: expected target of the input's shape {tuple(input.shape)}, "
                           f"got {tuple(target.shape)}")
    raw = target.detach().reshape(tuple(x.shape))
    t = _checks.check_index(raw, -1, n_classes, lambda low, high: RuntimeError(
        f"{op}: expected target values in [-1, {n_classes}), got "
        f"{_checks.first_outside(raw, -1, n_classes)}"))
    n = x.shape[0]
    listed = (t < 0).cumsum(1) == 0  # the entries before the first -1
    safe = ag.where(listed, t, 0)
    # is_target[n, c]: c is listed for sample n (unlisted entries write into a spare column)
    spare = ag.zeros((n, n_classes + 1), dtype=ag.bool, device=t.device)
    is_target = spare.scatter(1, ag.where(listed, t, n_classes), True)[:, :n_classes]
    x_y = ag.gather(x, 1, safe)  # (N, C): x at the listed targets
    # pairs (j listed, i not a target): z = 1 - x_{y_j} + x_i, as an (N, C_j, C_i) block
    z = _unary.relu((1 - x_y).unsqueeze(2) + x.unsqueeze(1))
    pairs = listed.unsqueeze(2) & ~is_target.unsqueeze(1)
    loss = _compare.where(pairs, z, 0.0).sum(dim=(1, 2)) / n_classes
    if input.ndim <= 1:
        loss = loss.reshape(())
    return _reduce_loss(loss, reduction)
