"""Dropout: zero each element (or channel) with probability p, scale the rest by 1/(1-p);
alpha dropout for SELU networks."""
from __future__ import annotations

import warnings

import autograd as ag


def _keep_mask(shape, p, like, scale=True):
    """1/(1-p) (or 1 without `scale`) where kept (probability 1-p), 0 elsewhere, in like's
    dtype and on its device, from the default generator."""
    dtype = like.dtype
    draw = dtype if dtype in (ag.float32, ag.float64) else ag.float32
    keep = (ag.rand(tuple(shape), dtype=draw, device=like.device) >= p).to(dtype)
    return keep * (1.0 / (1.0 - p)) if scale else keep


def _apply(input, mask, inplace):
    """input * mask (a mask of None zeroes everything, as p == 1 does), in place and
    returning input itself when `inplace` (PyTorch's `input.mul_(mask)`)."""
    if inplace:
        return input.mul_(0 if mask is None else mask)
    return input * 0 if mask is None else input * mask


def _check_p(p, op):
    if p < 0 or p > 1:
        raise ValueError(f"{op}: dropout probability has to be between 0 and 1, but got {p}")


def dropout(input, p=0.5, training=True, inplace=False):
    """Same as torch.nn.functional.dropout (inverted scaling; identity when not training).
    With `inplace` the input is scaled in place and returned (as PyTorch: an error on a
    leaf that requires grad, a recorded in-place op on any other tensor)."""
    _check_p(p, "dropout")
    if not training or p == 0:
        return input
    return _apply(input, None if p == 1 else _keep_mask(input.shape, p, input), inplace)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Same as torch.nn.functional.dropout2d: whole channels of (N, C, H, W) or (C, H, W)
    are dropped. PyTorch's deprecated behaviours are kept, with its warnings: a 3-D input
    is read as (N, C, L) (one mask element per sample and channel, as dropout1d), and any
    other rank drops along its first two dims (a 2-D (N, C) input drops single features
    of each sample)."""
    _check_p(p, "dropout2d")
    if input.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior and "
            "silence this warning, please use dropout instead. Note that dropout2d exists to "
            "provide channel-wise dropout on inputs with 2 spatial dimensions, a channel "
            "dimension, and an optional batch dimension (i.e. 3D or 4D inputs).",
            stacklevel=2)
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret "
            "the input as one without a batch dimension, i.e. shape (C, H, W). To maintain "
            "the 1D channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2)
    if not training or p == 0:
        return input
    if p == 1:
        return _apply(input, None, inplace)
    if input.ndim < 2:
        raise RuntimeError("dropout2d: Feature dropout requires at least 2 dimensions in the "
                           f"input, got shape {tuple(input.shape)}")
    shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)  # one draw per (sample, channel)
    return _apply(input, _keep_mask(shape, p, input), inplace)


def _feature_dropout(input, p, training, op, spatial, inplace=False):
    """Drop whole channels: the mask is (N, C, 1, ...) for a batched input with `spatial`
    spatial dims, (C, 1, ...) for an unbatched one."""
    _check_p(p, op)
    if not training or p == 0:
        return input
    if p == 1:
        return _apply(input, None, inplace)
    batched = input.ndim == spatial + 2
    lead = 2 if batched else 1
    shape = tuple(input.shape[:lead]) + (1,) * (input.ndim - lead)
    return _apply(input, _keep_mask(shape, p, input), inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Same as torch.nn.functional.dropout1d: whole channels of (N, C, L) or (C, L) are
    dropped."""
    if p < 0 or p > 1:
        raise ValueError(f"dropout1d: probability has to be between 0 and 1, but got {p}")
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs).")
    return _feature_dropout(input, p, training, "dropout1d", 1, inplace)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Same as torch.nn.functional.dropout3d: whole channels of (N, C, D, H, W) or
    (C, D, H, W) are dropped (other ranks warn, then count as unbatched, as in PyTorch)."""
    if input.ndim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {input.ndim}-D input to dropout3d, which is deprecated and "
            "will result in an error in a future release. To retain the behavior and silence "
            "this warning, please use dropout instead. Note that dropout3d exists to provide "
            "channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, "
            "and an optional batch dimension (i.e. 4D or 5D inputs).")
    return _feature_dropout(input, p, training, "dropout3d", 3, inplace)


# SELU's negative saturation value -scale * alpha: alpha dropout sets dropped units to it
_SELU_SATURATION = 1.7580993408473766


def _alpha_dropout(input, p, training, op, feature, inplace=False):
    _check_p(p, op)
    if feature and input.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if not training or p == 0:
        return input
    if p == 1:
        return _apply(input, None, inplace)
    shape = tuple(input.shape)
    if feature:
        shape = shape[:2] + (1,) * (input.ndim - 2)
    keep = _keep_mask(shape, p, input, scale=False)   # 1 kept, 0 dropped
    # dropped units become -alpha', then y = a * x' + b restores zero mean and unit variance
    # for standardised inputs: a = ((1 - p) (1 + p alpha'^2))^-1/2, b = a alpha' p
    alpha = _SELU_SATURATION
    a = ((1 - p) * (1 + p * alpha * alpha)) ** -0.5
    shift = (keep - 1) * (alpha * a) + alpha * a * p
    if inplace:
        return input.mul_(keep * a).add_(shift)
    return input * (keep * a) + shift


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Same as torch.nn.functional.alpha_dropout (note PyTorch's default training=False)."""
    return _alpha_dropout(input, p, training, "alpha_dropout", False, inplace)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Same as torch.nn.functional.feature_alpha_dropout: alpha dropout of whole channels."""
    return _alpha_dropout(input, p, training, "feature_alpha_dropout", True, inplace)
