"""Classification losses over arrays: binary cross-entropy (probabilities and logits),
cross_entropy over class indices (log-softmax, gathering, label smoothing and reduction in
one node; on the GPU one kernel per row) and nll_loss. Signatures and argument checks live
in nn.functional.loss."""
from __future__ import annotations

import warnings

from .. import backend
from ..function import Function
from ..tensor_base import _make
from . import compare as _compare
from . import reduce as _reduce
from . import unary as _unary
from .activation import LogSigmoid
from .formula import Formula
from .index import scatter_add

# 0/0 in a 'mean' over only ignored targets gives nan, as PyTorch, without a warning
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"autograd\.ops\.loss")

_BCE_EPS = 9.999999960041972e-13  # PyTorch's 1e-12 floor, as the float32 it is stored in


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



def _class_target(input, target, weight, ignore_index, op):
    """Check a class-index target against (N, C, d1, ...) logits; returns the arrays the
    kernels need: safe indices (N, 1, d1, ...), per-element weights (0 where ignored),
    the valid mask and the class weights broadcastable to the input (or None). Per-element
    weights and mask are None where every element counts with weight 1."""
    x, t = input.array, target.array
    n_classes = x.shape[1]
    expected = (x.shape[0],) + tuple(x.shape[2:])
    if t.ndim and t.shape[0] != x.shape[0]:
        raise ValueError(f"{op}: expected input batch_size ({x.shape[0]}) to match target "
                         f"batch_size ({t.shape[0]}) (input of shape {tuple(x.shape)})")
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
        return (CrossEntropyBackward.apply(grad, input, probs, idx, w_t, valid, w_b, scale,
                                           ctx.eps),) + (None,) * 6


# dl/dx_c = a p_c - b [c = t] per element, a and b per (sample, position) row
cross_entropy_grad = Formula(
    "cross_entropy_backward", "T p, T a, T b, I t, J c",
    lambda ns, p, a, b, t, c: p * a - ns.where(c == t, b, 0))


def _grad_coefficients(g, n_classes, w_t, valid, w_b, eps):
    """a, b (per row, or 0-d) and the smoothing term e (or None) of cross_entropy's input
    gradient a p_c - b [c = t] - e_c, for the incoming gradient g (0-d or per row)."""
    if getattr(g, "ndim", 0):
        g = g[:, None]
    if w_t is None:  # every element counts with weight 1
        return g, (g * (1 - eps) if eps else g), (g * (eps / n_classes) if eps else None)
    if not eps:
        a = g * w_t[:, None]
        return a, a, None
    # dl_i/dx_c = (1-eps) w_t (p_c - [c = t]) + eps/C (p_c sum_k w_k - w_c), for valid i
    w_sum = n_classes if w_b is None else w_b.sum()
    a = g * ((1 - eps) * w_t + (eps / n_classes) * w_sum * valid)[:, None]
    b = g * (1 - eps) * w_t[:, None]
    return a, b, g * (eps / n_classes) * valid[:, None] * (1 if w_b is None else w_b)


class CrossEntropyBackward(Function):
    """cross_entropy's input gradient from the kept softmax `probs`: one formula, one pass
    (one kernel on the GPU). Its own backward (create_graph) is in Tensor ops."""

    @staticmethod
    def forward(ctx, grad, input, probs, idx, w_t, valid, w_b, scale, eps):
        g = grad.array if scale is None else grad.array * scale
        n_classes = probs.shape[1]
        a, b, e = _grad_coefficients(g, n_classes, w_t, valid, w_b, eps)
        classes = backend.array_module(probs).arange(n_classes).reshape(
            (1, n_classes) + (1,) * (probs.ndim - 2))
        out = cross_entropy_grad.fused(probs, a, b, idx, classes)
        if e is not None:
            out -= e
        ctx.save_for_backward(grad, input, idx, w_t, valid, w_b, scale)
        ctx.eps = eps
        return out

    @staticmethod
    def backward(ctx, gg):
        grad, input, idx, w_t, valid, w_b, scale = ctx.saved_tensors
        # out = g (A p - B onehot - E) with A, B, E constant per row: d/dg = sum_c gg (A p -
        # B onehot - E); d/dx through p = softmax(x) is p (v - sum_c v p) with v = gg g A
        p = _reduce.softmax(input, 1)
        xp = backend.array_module(p.array)
        a, b, e = _grad_coefficients(xp.ones(idx.shape[:1] + idx.shape[2:], p.array.dtype),
                                     p.shape[1], w_t, valid, w_b, ctx.eps)
        g = grad if scale is None else grad * _make(scale)
        grad_g = grad_x = None
        if ctx.needs_input_grad[0]:
            onehot = xp.zeros(tuple(p.shape), dtype=p.array.dtype)
            xp.put_along_axis(onehot, idx, 1, 1)
            onehot *= b
            if e is not None:
                onehot += e
            grad_g = (gg * (p * _make(a) - _make(onehot))).sum(1)
            if scale is not None:
                grad_g = grad_g * _make(scale)
            if not grad.ndim:
                grad_g = grad_g.sum()
        if ctx.needs_input_grad[1]:
            v = gg * (g.unsqueeze(1) if g.ndim else g) * _make(a)
            grad_x = p * (v - (v * p).sum(1, keepdim=True))
        return (grad_g, grad_x) + (None,) * 7


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
        n = probs.shape[0]
        shape = (n,) + tuple(probs.shape[2:])
        scale = None
        if ctx.reduction == "mean":
            xp = backend.array_module(probs)
            total = sums[1]
            nonzero = total != 0
            scale = xp.where(nonzero, 1 / xp.where(nonzero, total, 1), 0).astype(total.dtype)
        # the target's weight is 0 where ignored: no separate mask
        return CrossEntropyBackward.apply(
            grad, input, probs, t_safe.reshape((n, 1) + shape[1:]), lw[1].reshape(shape),
            None, None, scale, 0.0), None, None, None, None


# ----------------------------------------------------------------------------- fused kernels
# cross_entropy's forward on the GPU: one warp per (sample, position) row of the logits
# reads the row twice (max, then the sum of exponentials), writes the softmax kept for
# backward, the row's weighted loss and its target's weight, and flags a target out of
# range (raised at the next synchronisation). Backward is one elementwise pass (a Formula).
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

def _pick(arr, idx):
    """arr[i, idx[i, 0], ...] for (N, C, d1, ...) arr and (N, 1, d1, ...) class indices:
    the (N, d1, ...) values at the target classes."""
    xp = backend.array_module(arr)
    if arr.ndim == 2:  # plain fancy indexing: cheaper than take_along_axis's index grids
        return arr[xp.arange(arr.shape[0]), idx[:, 0]]
    return xp.take_along_axis(arr, idx, 1)[:, 0]



def _total(loss, w_t):
    """The divisor of a 'mean' reduction: the element count where every element counts
    (an int), else the summed per-element weights."""
    return loss.size if w_t is None else w_t.sum()



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
        return scatter_add(zeros, 1, _make(idx), src.unsqueeze(1)), None, None, None


# ----------------------------------------------------------------------------- likelihood
class _ClampVar(Function):
    """max(var, eps) with the gradient of the identity: PyTorch clamps a clone of var in
    place under no_grad, so d loss / d var is taken at the clamped value and passed through."""

    @staticmethod
    def forward(ctx, var, eps):
        v = var.array
        return backend.array_module(v).maximum(v, v.dtype.type(eps))

    @staticmethod
    def backward(ctx, grad):
        return grad, None


# ----------------------------------------------------------------------------- entry points
def class_cross_entropy(input, target, weight, ignore_index, reduction, eps):
    """cross_entropy of (N, C, d1, ...) logits over class indices (arguments checked by
    nn.functional.cross_entropy), as one node: on the GPU without label smoothing the
    one-kernel-per-row node."""
    if not eps and input.dtype.itemsize >= 4 and backend.is_device_array(input.array):
        expected = (input.shape[0],) + tuple(input.shape[2:])
        if tuple(target.shape) != expected:
            raise RuntimeError(f"cross_entropy: expected target of shape {expected} (class "
                               f"indices for input of shape {tuple(input.shape)}), got "
                               f"{tuple(target.shape)}")
        return CrossEntropyCuda.apply(input, target, weight, ignore_index, reduction)
    idx, w_t, valid, w_b = _class_target(input, target, weight, ignore_index, "cross_entropy")
    return CrossEntropy.apply(input, idx, w_t, valid, w_b, reduction, eps)


def class_nll_loss(input, target, weight, ignore_index, reduction):
    """nll_loss of (N, C, d1, ...) log-probabilities over class indices (checked)."""
    idx, w_t, _, _ = _class_target(input, target, weight, ignore_index, "nll_loss")
    return NllLoss.apply(input, idx, w_t, reduction)
