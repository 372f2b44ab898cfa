"""Connectionist temporal classification (the op under nn.functional.ctc_loss).

The alpha (forward) and beta (backward) recursions run in log space over the whole batch and
the whole extended label sequence (blank, l1, blank, l2, ..., blank) at once; the only loop
is over time steps, which is inherently sequential."""
from __future__ import annotations

from .. import backend
from ..function import Function
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import _make


class CTCLossFn(Function):
    """Per-sample negative log-likelihoods (N,) of (T, N, C) log-probabilities."""

    @staticmethod
    def forward(ctx, log_probs, ext, skip, input_lengths, target_lengths, zero_infinity):
        lp = log_probs.array
        xp = backend.array_module(lp)
        steps, batch, _ = lp.shape
        width = ext.shape[1]
        neg = xp.asarray(-xp.inf, dtype=lp.dtype)
        # log-probability of each extended label at each step: (T, N, L)
        lp_ext = xp.take_along_axis(lp, xp.broadcast_to(ext[None], (steps, batch, width)), 2)
        alpha = xp.empty((steps, batch, width), dtype=lp.dtype)
        # buf[:, 2:] is alpha at the previous step; two -inf columns in front for the shifts
        buf = xp.full((batch, width + 2), neg, dtype=lp.dtype)
        buf[:, 2] = 0  # before the first step every path stands at the leading blank
        for t in range(steps):
            prev = buf[:, 2:]
            # stay, advance by one, or skip a blank between two different labels
            paths = xp.logaddexp(xp.logaddexp(prev, buf[:, 1:-1]),
                                 xp.where(skip, buf[:, :-2], neg))
            # samples whose input has ended keep their last alpha
            alpha[t] = xp.where((t < input_lengths)[:, None], lp_ext[t] + paths, prev)
            buf[:, 2:] = alpha[t]
        # a path ends on the last label or on the blank after it
        # (a target longer than the padded width only arises on the GPU, for a length that
        # exceeds T: it cannot be aligned)
        too_long = 2 * target_lengths >= width
        end = xp.minimum(2 * target_lengths, width - 1)[:, None]
        last = buf[:, 2:]
        final = xp.take_along_axis(last, end, 1)[:, 0]
        before = xp.take_along_axis(last, xp.maximum(end - 1, 0), 1)[:, 0]
        nll = -xp.logaddexp(final, xp.where(target_lengths > 0, before, neg))
        nll = xp.where(too_long, -neg, nll)
        ctx.state = (ext, skip, input_lengths, target_lengths, alpha, lp_ext, nll,
                     zero_infinity)
        ctx.save_for_backward(log_probs)
        if zero_infinity:
            nll = xp.where(xp.isinf(nll), xp.zeros((), dtype=nll.dtype), nll)
        return nll

    @staticmethod
    def backward(ctx, grad):
        (log_probs,) = ctx.saved_tensors
        return (CTCLossGrad.apply(grad, log_probs, ctx.state),
                None, None, None, None, None)


class CTCLossGrad(Function):
    """PyTorch's gradient of ctc_loss: exp(log_probs) - posterior of each class, times the
    sample's incoming gradient, for the steps within its input length (zero after). The
    exp(log_probs) term makes it the exact gradient of the logits when log_probs come from
    log_softmax (the sum over classes of the posterior is 1), as PyTorch intends."""

    @staticmethod
    def forward(ctx, grad, log_probs, state):
        ext, skip, input_lengths, target_lengths, alpha, lp_ext, nll, zero_infinity = state
        lp = log_probs.array
        xp = backend.array_module(lp)
        steps, batch, classes = lp.shape
        width = ext.shape[1]
        neg = xp.asarray(-xp.inf, dtype=lp.dtype)
        # beta "after the last step": only the end of the extended sequence (2 * length);
        # it reaches the last label too, through the advance by one
        start = xp.where(xp.arange(width)[None] == (2 * target_lengths)[:, None],
                         xp.zeros((), dtype=lp.dtype), neg)
        buf = xp.full((batch, width + 2), neg, dtype=lp.dtype)  # two -inf columns behind
        skip_buf = xp.full((batch, width + 2), neg, dtype=lp.dtype)
        buf[:, :-2] = start
        log_post = xp.empty_like(alpha)
        for t in range(steps - 1, -1, -1):
            nxt = buf[:, :-2]
            skip_buf[:, :-2] = xp.where(skip, nxt, neg)  # s -> s + 2 if allowed at s + 2
            paths = xp.logaddexp(xp.logaddexp(nxt, buf[:, 1:-1]), skip_buf[:, 2:])
            active = (t < input_lengths)[:, None]
            beta = lp_ext[t] + paths
            # alpha * beta counts this step's probability twice
            log_post[t] = xp.where(active, alpha[t] + beta - lp_ext[t], neg)
            buf[:, :-2] = xp.where(active, beta, start)
        post = xp.zeros(lp.shape, dtype=lp.dtype)
        backend.index_add_at(post, (xp.arange(steps)[:, None, None],
                                    xp.arange(batch)[None, :, None], ext[None]),
                             xp.exp(log_post + nll[None, :, None]))
        active = (xp.arange(steps)[:, None] < input_lengths[None])[:, :, None]
        g = grad.array[None, :, None]
        out = xp.where(active, (xp.exp(lp) - post) * g, xp.zeros((), dtype=lp.dtype))
        # an impossible alignment: zero with zero_infinity, else NaN within the input (the
        # posterior is inf - inf), for every class as in PyTorch
        fill = xp.asarray(0 if zero_infinity else xp.nan, dtype=lp.dtype)
        impossible = xp.isinf(nll)[None, :, None] & (active | zero_infinity)
        return xp.where(impossible, fill, out)

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("ctc_loss: double backward is not supported (as in PyTorch: the "
                           "derivative of ctc_loss's backward is not implemented)")


def ctc_losses(log_probs, targets, input_lengths, target_lengths, blank, zero_infinity):
    """Per-sample CTC losses (N,) of (T, N, C) log-probabilities, and the target lengths
    as an int64 Tensor; the lengths and targets are checked against the shapes here."""
    steps, batch, classes = log_probs.shape
    lp = log_probs.array
    xp = backend.array_module(lp)
    dev = backend.device_of(lp)
    in_len = _lengths(input_lengths, "input_lengths", batch, xp, dev)
    tgt_len = _lengths(target_lengths, "target_lengths", batch, xp, dev)
    _check_values(in_len, "input_lengths", 0, steps)
    _check_values(tgt_len, "target_lengths", 0, None)
    tgt = backend.to_device(targets.array, dev)
    if tgt.dtype.kind not in "iu":
        tgt = tgt.astype(backend.int64)
    tgt = _padded_targets(tgt, tgt_len, batch, steps, xp)
    ext, skip = _extended(tgt, tgt_len, blank, classes, xp)
    losses = CTCLossFn.apply(log_probs, ext, skip, in_len, tgt_len, zero_infinity)
    return losses, _make(tgt_len)


def _lengths(value, name, batch, xp, dev):
    """input_lengths / target_lengths as an int64 array on log_probs' device."""
    if isinstance(value, Tensor):
        if value.dtype.kind not in "iu":
            raise RuntimeError(f"{name} must be integral")
        arr = backend.to_device(value.array, dev).reshape(-1).astype(backend.int64)
    elif isinstance(value, (list, tuple)):
        if not all(isinstance(v, int) or (isinstance(v, Tensor) and v.ndim == 0)
                   for v in value):
            raise TypeError(f"ctc_loss: expected {name} to be a tuple of ints, got {value!r}")
        arr = backend.asarray([int(v) for v in value], dtype=backend.int64, dev=dev)
    else:
        raise TypeError(f"ctc_loss: expected {name} to be a Tensor or a tuple of ints, got "
                        f"{type(value).__name__}")
    if arr.shape[0] != batch:
        raise RuntimeError(f"{name} must be of size batch_size")
    return arr


def _check_values(arr, name, low, high):
    if not arr.size:
        return
    smallest, largest = arr.min(), arr.max()
    backend.check(smallest < low, lambda: RuntimeError(
        f"Expected {name} to have value at least {low}, but got value {int(smallest)}"))
    if high is not None:
        backend.check(largest > high, lambda: RuntimeError(
            f"Expected {name} to have value at most {high}, but got value {int(largest)}"))


def _padded_targets(tgt, tgt_len, batch, steps, xp):
    """Targets as (N, S) with S the longest target, from padded (N, S') or concatenated
    targets. On the GPU a concatenation is cut at min(total, T) labels (the longest length
    is not read back); a longer target cannot be aligned and its loss is inf all the same."""
    if tgt.ndim == 2:
        if tgt.shape[0] != batch:
            raise RuntimeError(f"Expected tensor to have size {batch} at dimension 0, but got "
                               f"size {tgt.shape[0]} for argument #2 'targets'")
        if tgt_len.size:
            longest = tgt_len.max()
            backend.check(longest > tgt.shape[1], lambda: RuntimeError(
                f"Expected tensor to have size at least {int(longest)} at dimension 1, but "
                f"got size {tgt.shape[1]} for argument #2 'targets'"))
        return tgt
    if tgt.ndim != 1:
        raise RuntimeError(f"ctc_loss: expected targets of shape (N, S) or (sum(target_lengths),"
                           f"), got {tuple(tgt.shape)}")
    total = tgt_len.sum()
    backend.check(total != tgt.shape[0], lambda: RuntimeError(
        f"Expected tensor to have size {int(total)} at dimension 0, but got size "
        f"{tgt.shape[0]} for argument #2 'targets'"))
    if type(tgt_len) is backend.ndarray:
        width = int(tgt_len.max()) if tgt_len.size else 0
    else:
        width = min(tgt.shape[0], steps)
    starts = xp.cumsum(tgt_len) - tgt_len
    pos = starts[:, None] + xp.arange(width)[None]
    pos = xp.minimum(pos, max(tgt.shape[0] - 1, 0))
    padded = tgt[pos] if tgt.shape[0] else xp.zeros((batch, width), dtype=tgt.dtype)
    return padded


def _extended(tgt, tgt_len, blank, classes, xp):
    """The extended label sequences (N, 2S + 1): blank, l1, blank, l2, ..., blank (blank past
    each target's length), and where a path may skip the blank before a label (odd s >= 3
    whose label differs from the one two back, PyTorch's rule)."""
    batch, width = tgt.shape
    inside = xp.arange(width)[None] < tgt_len[:, None]
    if tgt.size:
        bad = (inside & ((tgt < 0) | (tgt >= classes))).any()
        backend.check(bad, lambda: RuntimeError(
            f"ctc_loss: expected target labels in [0, {classes}), got "
            f"{backend.first_outside(xp.where(inside, tgt, 0), 0, classes)}"))
    labels = xp.where(inside, xp.clip(tgt, 0, classes - 1), blank)
    ext = xp.full((batch, 2 * width + 1), blank, dtype=backend.int64)
    ext[:, 1::2] = labels
    skip = xp.zeros(ext.shape, dtype=bool)
    skip[:, 3::2] = ext[:, 3::2] != ext[:, 1:-2:2]
    return ext, skip
