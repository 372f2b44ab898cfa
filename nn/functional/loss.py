"""Loss functions (same as torch.nn.functional's), each with reduction='mean'|'sum'|'none'.

cross_entropy over class indices is one fused `Function` (log-softmax, gathering and
reduction in one node): it is on every classifier's training step."""
from __future__ import annotations

import warnings

import autograd as ag
from autograd import amp as _amp
from autograd import backend
from autograd.function import Function, is_grad_enabled
from autograd.ops import compare as _compare
from autograd.ops import elementwise as _ew
from autograd.ops import reduce as _reduce
from autograd.ops import unary as _unary
from autograd.tensor import Tensor, _make

from .activation import LogSigmoid

# 0/0 in a 'mean' over only ignored targets gives nan, as PyTorch, without a warning
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"nn\.functional\.loss")

_REDUCTIONS = ("mean", "sum", "none")
_BCE_EPS = 9.999999960041972e-13  # PyTorch's 1e-12 floor, as the float32 it is stored in


def _legacy_reduction(size_average, reduce, reduction):
    """PyTorch's deprecated size_average/reduce arguments, as a reduction string."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return "none" if not reduce else "mean" if size_average else "sum"


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
    _check_float(target, "target", op)
    if tuple(input.shape) != tuple(target.shape):
        try:
            backend.broadcast_shapes(tuple(input.shape), tuple(target.shape))
        except ValueError:
            raise RuntimeError(f"{op}: input of shape {tuple(input.shape)} and target of "
                               f"shape {tuple(target.shape)} cannot broadcast") from None
        warnings.warn(f"{op}: using a target size ({tuple(target.shape)}) that is different "
                      f"to the input size ({tuple(input.shape)}). This will likely lead to "
                      "incorrect results due to broadcasting. Please ensure they have the "
                      "same size.", stacklevel=3)


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
    _check_pointwise(input, target, "huber_loss")
    diff = input - target
    ad = _unary.abs(diff)
    loss = _compare.where(_make(ad.array < delta), diff * diff * 0.5, (ad - 0.5 * delta) * delta)
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
    loss = _compare.where(_make(ad.array < beta), diff * diff * (0.5 / beta), ad - 0.5 * beta)
    return _reduce_loss(loss, reduction)


# ----------------------------------------------------------------------------- binary
def _check_same_shape(input, target, op):
    if tuple(input.shape) != tuple(target.shape):
        raise ValueError(f"{op}: expected target of the input's shape {tuple(input.shape)}, "
                         f"got {tuple(target.shape)}")


class BinaryCrossEntropy(Function):
    """-(t log x + (1 - t) log(1 - x)) per element, logs clamped at -100 (PyTorch)."""

    @staticmethod
    def forward(ctx, x, t):
        xa, ta = x.array, t.array
        xp = backend.array_module(xa)
        log_x = xp.maximum(xp.log(xa), -100)
        log_1mx = xp.maximum(xp.log1p(-xa), -100)
        ctx.save_for_backward(x, t)
        return (ta - 1) * log_1mx - ta * log_x

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved_tensors
        need_x, need_t = ctx.needs_input_grad
        grad_x = grad_t = None
        if need_x:
            # dl/dx = (x - t) / (x (1 - x)), the denominator kept >= 1e-12 (PyTorch)
            grad_x = grad * (x - t) / _compare.clamp(x * (1 - x), min=_BCE_EPS)
        if need_t:
            log_x = _compare.clamp(_unary.log(x), min=-100)
            log_1mx = _compare.clamp(_unary.log1p(-x), min=-100)
            grad_t = grad * (log_1mx - log_x)
        return grad_x, grad_t


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
    xa = input.array
    if xa.size:  # on the GPU this check waits for the next synchronisation
        backend.check((xa.min() < 0) | (xa.max() > 1), lambda: RuntimeError(
            f"{op}: expected all elements of input between 0 and 1 (probabilities); for "
            "logits use binary_cross_entropy_with_logits"))
    loss = BinaryCrossEntropy.apply(input, _ew.cast(target, input.dtype))
    if weight is not None:
        loss = loss * weight
    return _reduce_loss(loss, reduction)


class BCEWithLogits(Function):
    """(1 - t) x - lw log sigmoid(x), lw = 1 + (pos_weight - 1) t: stable for any x."""

    @staticmethod
    def forward(ctx, x, t, pos_weight):
        xa, ta = x.array, t.array
        xp = backend.array_module(xa)
        log_sig = xp.minimum(xa, 0) - xp.log1p(xp.exp(-xp.abs(xa)))
        ctx.save_for_backward(x, t, pos_weight)
        if pos_weight is None:
            return (1 - ta) * xa - log_sig
        return (1 - ta) * xa - (1 + (pos_weight.array - 1) * ta) * log_sig

    @staticmethod
    def backward(ctx, grad):
        x, t, pw = ctx.saved_tensors
        need_x, need_t, need_pw = ctx.needs_input_grad
        grad_x = grad_t = grad_pw = None
        if pw is None:
            if need_x:
                grad_x = grad * (_unary.sigmoid(x) - t)
            if need_t:
                grad_t = -grad * x
            return grad_x, grad_t, None
        if need_x:
            # d/dx = lw sigmoid(x) - pw t
            lw = (pw - 1) * t + 1
            grad_x = grad * (lw * _unary.sigmoid(x) - pw * t)
            grad_x = _reduce.sum_to(grad_x, x.shape)
        if need_t or need_pw:
            log_sig = LogSigmoid.apply(x)
            if need_t:
                grad_t = _reduce.sum_to(-grad * (x + (pw - 1) * log_sig), t.shape)
            if need_pw:
                grad_pw = _reduce.sum_to(-grad * t * log_sig, pw.shape)
        return grad_x, grad_t, grad_pw


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
            backend.broadcast_shapes(tuple(pos_weight.shape), tuple(input.shape))
        except ValueError:
            raise RuntimeError(f"{op}: pos_weight of shape {tuple(pos_weight.shape)} cannot "
                               f"broadcast to the input's shape {tuple(input.shape)}") from None
    loss = BCEWithLogits.apply(input, _ew.cast(target, input.dtype), pos_weight)
    if weight is not None:
        loss = loss * weight
    return _reduce_loss(loss, reduction)


# ----------------------------------------------------------------------------- classes
def _class_target(input, target, weight, ignore_index, op):
    """Check a class-index target against (N, C, d1, ...) logits; returns the arrays the
    kernels need: safe indices (N, 1, d1, ...), per-element weights (0 where ignored),
    the valid mask and the class weights broadcastable to the input (or None). Per-element
    weights and mask are None where every element counts with weight 1."""
    x, t = input.array, target.array
    n_classes = x.shape[1]
    expected = (x.shape[0],) + tuple(x.shape[2:])
    if tuple(t.shape) != expected:
        raise RuntimeError(f"{op}: expected target of shape {expected} (class indices for "
                           f"input of shape {tuple(x.shape)}), got {tuple(t.shape)}")
    if (weight is None and not 0 <= ignore_index < n_classes and t.size
            and not backend.is_device_array(t)):
        # host, no class weights and an ignore_index that no class index can equal: when
        # every target is a class, each element weighs 1 (w_t None: no masks to build)
        if int(t.min()) >= 0 and int(t.max()) < n_classes:
            return t[:, None], None, None, None
    xp = backend.array_module(x)
    valid = t != ignore_index
    raw = xp.where(valid, t, 0)
    # on the GPU the check waits for the next synchronisation, with safe clipped meanwhile
    safe = backend.check_index(raw, 0, n_classes, lambda low, high: IndexError(
        f"{op}: Target {backend.first_outside(raw, 0, n_classes)} is out of bounds for "
        f"{n_classes} classes"))
    idx = safe[:, None]  # (N, 1, d1, ...)
    valid = valid.astype(x.dtype)  # as a float mask, so float32 stays float32
    w_b = None
    if weight is None:
        w_t = valid
    else:
        w = weight.array.astype(x.dtype, copy=False)
        w_t = w[safe] * valid
        w_b = w.reshape((1, n_classes) + (1,) * (x.ndim - 2))
    return idx, w_t, valid, w_b


def _check_weight(weight, n_classes, op):
    if weight is not None:
        _check_tensor(weight, "weight", op)
        if tuple(weight.shape) != (n_classes,):
            raise RuntimeError(f"{op}: expected weight of shape ({n_classes},), one per class, "
                               f"got {tuple(weight.shape)}")


def _mean_scale(xp, total):
    """1 / total weight for a 'mean' backward; 0 when every target is ignored (the loss is
    then nan, but the gradient is zero, as PyTorch's)."""
    if total is None:
        return None
    if type(total) is int:  # every element counts: a positive element count
        return 1 / total
    nonzero = total != 0
    return xp.where(nonzero, 1 / xp.where(nonzero, total, 1), 0).astype(total.dtype)


def _mean(xp, loss, total):
    # sum / total weight; nan (not a warning) when every target is ignored
    if type(total) is int:  # every element counts (w_t None)
        return loss.sum() / total
    nonzero = total != 0
    return xp.where(nonzero, loss.sum() / xp.where(nonzero, total, 1), xp.nan).astype(
        loss.dtype)


class CrossEntropy(Function):
    """log_softmax over dim 1, nll gathering, label smoothing and reduction in one node."""

    @staticmethod
    def forward(ctx, input, idx, w_t, valid, w_b, reduction, eps):
        x = input.array
        xp = backend.array_module(x)
        n_classes = x.shape[1]
        shifted = x - x.max(axis=1, keepdims=True)
        e = xp.exp(shifted)
        s = e.sum(axis=1, keepdims=True)
        lse = xp.log(s)
        loss = lse[:, 0] - _pick(shifted, idx)
        if w_t is not None:
            loss *= w_t
        if eps:
            # smoothing term: -sum_c w_c log p_c over non-ignored elements
            if w_b is None:
                log_p_sum = shifted.sum(axis=1) - n_classes * lse[:, 0]
            else:
                log_p_sum = (shifted * w_b).sum(axis=1) - w_b.sum() * lse[:, 0]
            if valid is not None:
                log_p_sum *= valid
            loss = (1 - eps) * loss - (eps / n_classes) * log_p_sum
        e /= s  # now the softmax probabilities, kept for backward
        total = _total(loss, w_t) if reduction == "mean" else None
        ctx.save_for_backward(input, e, idx, w_t, valid, w_b, _mean_scale(xp, total))
        ctx.reduction, ctx.eps = reduction, eps
        if reduction == "none":
            return loss
        return _mean(xp, loss, total) if reduction == "mean" else loss.sum()

    @staticmethod
    def backward(ctx, grad):
        input, probs, idx, w_t, valid, w_b, scale = ctx.saved_tensors
        eps, n_classes = ctx.eps, probs.shape[1]
        if scale is not None:
            grad = grad * scale
        if w_t is None:  # every element counts with weight 1
            xp = backend.array_module(probs)
            w_t = valid = xp.ones(idx.shape[:1] + idx.shape[2:], dtype=probs.dtype)
            if not is_grad_enabled():  # plain backward: a p_c - a [c = t], a = (1-eps) g
                g = grad.array
                a = g[:, None] if g.ndim else g
                out = probs * a
                if eps:
                    out -= a * (eps / n_classes)
                _sub_at(out, idx, a * (1 - eps) if eps else a)
                return _make(out), None, None, None, None, None, None
        w_sum = n_classes if w_b is None else w_b.sum()
        # dl_i/dx_c = (1-eps) w_t (p_c - [c = t]) + eps/C (p_c sum_k w_k - w_c), for valid i
        coef_p = (1 - eps) * w_t + (eps / n_classes) * w_sum * valid if eps else w_t
        if not is_grad_enabled():  # plain backward: arrays, one pass over (N, C, ...)
            g = grad.array
            if g.ndim:
                g = g[:, None]
            # dl/dx_c = a p_c - b [c = t] per element, a and b of shape (N, 1, d1, ...)
            a = g * coef_p[:, None]
            b = g * (1 - eps) * w_t[:, None]
            out = probs * a
            _sub_at(out, idx, b)
            if eps:
                out -= g * (eps / n_classes) * valid[:, None] * (1 if w_b is None else w_b)
            return _make(out), None, None, None, None, None, None
        out = _xent_backward_graph(input, grad, idx, coef_p, w_t, valid, w_b, eps)
        return out, None, None, None, None, None, None


def _xent_backward_graph(input, grad, idx, coef_p, w_t, valid, w_b, eps):
    """cross_entropy's input gradient in Tensor ops (create_graph: differentiable again)."""
    xp = backend.array_module(w_t)
    n_classes = input.shape[1]
    p = ag.softmax(input, 1)
    g = grad.unsqueeze(1) if grad.ndim else grad
    onehot = xp.zeros(tuple(input.shape), dtype=input.dtype)
    xp.put_along_axis(onehot, idx, 1, 1)
    out = p * (g * xp.expand_dims(coef_p, 1)) - g * (
        onehot * (1 - eps) * xp.expand_dims(w_t, 1))
    if eps:
        out = out - g * ((eps / n_classes) * xp.expand_dims(valid, 1) * (
            1 if w_b is None else w_b)).astype(input.dtype)
    return out


class CrossEntropyCuda(Function):
    """cross_entropy over class indices without label smoothing on the GPU: the target
    check, class weights, log-softmax and gathering in one kernel (one warp per row),
    the reduction in one more, and backward in one elementwise kernel."""

    @classmethod
    def name(cls) -> str:
        return "crossentropy"  # the same node as on the CPU

    @staticmethod
    def forward(ctx, input, target, weight, ignore_index, reduction):
        x = input.array
        xp = backend.array_module(x)
        x = xp.ascontiguousarray(x)
        n, n_classes = x.shape[0], x.shape[1]
        rows = x.size // n_classes if n_classes else 0
        t = target.array
        t = xp.ascontiguousarray(t if t.dtype == backend.int64 else t.astype(backend.int64))
        w = x if weight is None else xp.ascontiguousarray(weight.array.astype(x.dtype))
        probs = xp.empty_like(x)
        lw = xp.empty((2, rows), dtype=x.dtype)  # per row: weighted loss, target weight
        t_safe = xp.empty(rows, dtype=backend.int64)
        bad = xp.zeros((), dtype=backend.bool_)
        if rows:
            _CROSS_ENTROPY.rows(rows, x.dtype, x, t, w, int(weight is not None),
                                int(ignore_index), probs, lw, t_safe, bad, rows, n_classes,
                                rows // n)
        raw = target.array
        backend.check(bad, lambda: IndexError(
            f"cross_entropy: Target "
            f"{backend.first_outside(xp.where(raw != ignore_index, raw, 0), 0, n_classes)} "
            f"is out of bounds for {n_classes} classes"))
        sums = lw.sum(axis=1) if reduction == "mean" else None
        ctx.save_for_backward(input, probs, lw, t_safe, sums)
        ctx.reduction = reduction
        if reduction == "none":
            return lw[0].reshape(t.shape)
        if reduction == "sum":
            return lw[0].sum()
        return sums[0] / sums[1]  # nan when every target is ignored, as PyTorch

    @staticmethod
    def backward(ctx, grad):
        input, probs, lw, t_safe, sums = ctx.saved_tensors
        mean = ctx.reduction == "mean"
        n, n_classes = probs.shape[0], probs.shape[1]
        rows = lw.shape[1]
        if not is_grad_enabled():
            g = grad.array
            strided = g.ndim > 0  # a 0-d gradient ('mean', 'sum') is read as g[0]
            out = _cross_entropy_backward(
                probs, g if strided else g.reshape(1), int(strided), lw, t_safe,
                lw if sums is None else sums, mean,
                n_classes, rows // n if n else 1, rows)
            return _make(out), None, None, None, None
        xp = backend.array_module(probs)
        shape = (n,) + tuple(probs.shape[2:])
        w_t = lw[1].reshape(shape)
        if mean:
            total = sums[1]
            grad = grad * xp.where(total != 0, 1 / xp.where(total != 0, total, 1), 0)
        idx = t_safe.reshape((n, 1) + shape[1:])
        out = _xent_backward_graph(input, grad, idx, w_t, w_t, None, None, 0.0)
        return out, None, None, None, None


# ----------------------------------------------------------------------------- fused kernels
# cross_entropy's forward on the GPU: one warp per (sample, position) row of the logits
# reads the row twice (max, then the sum of exponentials), writes the softmax kept for
# backward, the row's weighted loss and its target's weight, and flags a target out of
# range (raised at the next synchronisation). Backward is one elementwise pass.
_CROSS_ENTROPY = backend.RawKernel("ember_cross_entropy", r"""
extern "C" __global__ void ember_cross_entropy(
        const T* x, const long long* target, const T* weight, int has_weight,
        int ignore_index, T* probs, T* lw, long long* t_safe, bool* bad,
        int rows, int C, int D) {
    int row = (blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    int lane = threadIdx.x & 31;
    if (row >= rows) return;
    long long base = (long long)(row / D) * C * D + row % D;   // x[n, 0, d]
    const T* xr = x + base;
    T* pr = probs + base;
    T m = xr[0];
    for (int c = lane; c < C; c += 32) {
        T v = xr[(long long)c * D];
        m = (v > m || v != v) ? v : m;
    }
    for (int off = 16; off > 0; off >>= 1) {
        T o = __shfl_xor_sync(0xffffffff, m, off);
        m = (o > m || o != o) ? o : m;
    }
    T s = 0;
    for (int c = lane; c < C; c += 32) s += exp(xr[(long long)c * D] - m);
    for (int off = 16; off > 0; off >>= 1) s += __shfl_xor_sync(0xffffffff, s, off);
    for (int c = lane; c < C; c += 32) pr[(long long)c * D] = exp(xr[(long long)c * D] - m) / s;
    if (lane == 0) {
        long long t = target[row];
        bool ignored = t == (long long)ignore_index;
        bool outside = !ignored && (t < 0 || t >= C);
        if (outside) *bad = true;       // raised at the next synchronisation
        long long ts = (ignored || outside) ? 0 : t;   // never read out of bounds
        T w = ignored ? (T)0 : (has_weight ? weight[ts] : (T)1);
        t_safe[row] = ts;
        lw[row] = (log(s) - (xr[ts * D] - m)) * w;
        lw[rows + row] = w;
    }
}
""")

# dl/dx_c = g w_t (p_c - [c = t]) per row (times 1 / sum of w_t for 'mean')
_cross_entropy_backward = backend.Fused(
    "ember_cross_entropy_backward",
    "T p, raw T g, int64 g_stride, raw T lw, raw I t, raw T sums, bool mean, int64 C, "
    "int64 D, int64 rows", "T out", """
    long long n = i / (C * D), d = i % D, c = (i / D) % C, row = n * D + d;
    T scale = (T)1;
    if (mean) scale = sums[1] != (T)0 ? (T)1 / sums[1] : (T)0;
    T a = g[row * g_stride] * lw[rows + row] * scale;
    out = p * a - (c == t[row] ? a : (T)0);""", None)


def _pick(arr, idx):
    """arr[i, idx[i, 0], ...] for (N, C, d1, ...) arr and (N, 1, d1, ...) class indices:
    the (N, d1, ...) values at the target classes."""
    xp = backend.array_module(arr)
    if arr.ndim == 2:  # plain fancy indexing: cheaper than take_along_axis's index grids
        return arr[xp.arange(arr.shape[0]), idx[:, 0]]
    return xp.take_along_axis(arr, idx, 1)[:, 0]


def _sub_at(out, idx, b):
    """out[i, idx[i], ...] -= b[i, 0, ...] in place (b of shape (N, 1, d1, ...) or 0-d)."""
    xp = backend.array_module(out)
    if out.ndim == 2:
        rows = xp.arange(out.shape[0])
        out[rows, idx[:, 0]] -= b[:, 0] if getattr(b, "ndim", 0) else b
        return
    xp.put_along_axis(out, idx, xp.take_along_axis(out, idx, 1) - b, 1)


def _total(loss, w_t):
    """The divisor of a 'mean' reduction: the element count where every element counts
    (an int), else the summed per-element weights."""
    return loss.size if w_t is None else w_t.sum()


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
        raise ValueError(f"{op}: expected label_smoothing in [0, 1], got {label_smoothing}")
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
    elif (target.dtype.kind in "iu" and not label_smoothing and input.dtype.itemsize >= 4
          and backend.is_device_array(input.array)):
        expected = (input.shape[0],) + tuple(input.shape[2:])
        if tuple(target.shape) != expected:
            raise RuntimeError(f"{op}: expected target of shape {expected} (class indices "
                               f"for input of shape {tuple(input.shape)}), got "
                               f"{tuple(target.shape)}")
        loss = CrossEntropyCuda.apply(input, target, weight, ignore_index, reduction)
    elif target.dtype.kind in "iu":
        idx, w_t, valid, w_b = _class_target(input, target, weight, ignore_index, op)
        loss = CrossEntropy.apply(input, idx, w_t, valid, w_b, reduction,
                                  float(label_smoothing))
    else:
        raise RuntimeError(f"{op}: expected target of integer class indices or of float "
                           f"class probabilities, got dtype {target.dtype}")
    return loss.squeeze(0) if unbatched and reduction == "none" else loss


def _soft_cross_entropy(input, target, weight, reduction, eps):
    n_classes = input.shape[1]
    log_p = ag.log_softmax(input, 1)
    target = _ew.cast(target, input.dtype)
    if eps:
        target = target * (1 - eps) + eps / n_classes
    prod = log_p * target
    if weight is not None:
        prod = prod * weight.reshape((1, n_classes) + (1,) * (input.ndim - 2))
    loss = -prod.sum(1)
    return _reduce_loss(loss, reduction)  # 'mean' divides by the batch elements


class NllLoss(Function):
    @staticmethod
    def forward(ctx, input, idx, w_t, reduction):
        x = input.array
        xp = backend.array_module(x)
        loss = -_pick(x, idx)
        if w_t is not None:
            loss *= w_t
        total = _total(loss, w_t) if reduction == "mean" else None
        ctx.save_for_backward(idx, w_t, _mean_scale(xp, total))
        ctx.shape, ctx.dtype = x.shape, x.dtype
        if reduction == "none":
            return loss
        return _mean(xp, loss, total) if reduction == "mean" else loss.sum()

    @staticmethod
    def backward(ctx, grad):
        idx, w_t, scale = ctx.saved_tensors
        xp = backend.array_module(idx)
        if scale is not None:
            grad = grad * scale
        # -w_t g scattered into the target positions (scatter_add: differentiable in g)
        src = -grad if w_t is None else grad * -w_t
        if src.ndim == 0:  # every element counts and the reduction left one value
            src = src.expand(idx.shape[:1] + idx.shape[2:])
        zeros = _make(xp.zeros(ctx.shape, dtype=ctx.dtype))
        return ag.scatter_add(zeros, 1, _make(idx), src.unsqueeze(1)), None, None, None


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
    if input.ndim == 0:
        raise RuntimeError(f"{op}: expected input of shape (N, C, ...) or (C,), got a 0-d "
                           "tensor")
    unbatched = input.ndim == 1
    if unbatched:
        input, target = _unbatched(input, target, op)
    _check_weight(weight, input.shape[1], op)
    idx, w_t, _, _ = _class_target(input, target, weight, ignore_index, op)
    loss = NllLoss.apply(input, idx, w_t, reduction)
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
