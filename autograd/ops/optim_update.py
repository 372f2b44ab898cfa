"""Optimiser updates as in-place functions of Tensors: one formula per optimiser, run by
NumPy on the host (PyTorch's exact arithmetic, BLAS axpy for the large adds) and as one
fused CUDA kernel on the GPU: per parameter (`backend.Fused`) or, for a whole parameter
group, one multi-tensor launch (`backend.foreach.MultiTensor`, the foreach path). SGD and
Adam/AdamW first, then the other optimisers (Adadelta, Adagrad, Adamax, ASGD, NAdam,
RAdam, RMSprop, Rprop).
"""
from __future__ import annotations

import functools

from autograd import backend
from autograd.backend import foreach as _foreach
from autograd.tensor import Tensor, _make


def zeros_state(p: Tensor) -> Tensor:
    """A zero state tensor shaped, typed and placed like parameter p (no grad)."""
    return _make(backend.array_module(p.array).zeros_like(p.array))


def copy_state(value, p: Tensor, host: bool = False):
    """A fresh copy of one loaded optimiser state entry (a Tensor or an array; anything
    else is returned as is) on p's device (on the host with `host`), floats cast to p's
    float dtype unless `host`."""
    if isinstance(value, Tensor):
        value = value.array
    if not backend.is_array(value):
        return value
    dtype = value.dtype
    if not host and dtype.kind == "f" and p.dtype.kind == "f":
        dtype = p.dtype
    out = backend.to_device(value, backend.CPU if host else p.device, copy=True)
    return _make(out.astype(dtype, copy=False))


def _decayed(g, weight_decay: float, maximize: bool, p):
    """The gradient array g negated for `maximize` and with L2 decay `weight_decay * p`
    added (never in place)."""
    if maximize:
        g = -g
    return g + weight_decay * p if weight_decay != 0 else g


def _lerp_(a, b, weight: float) -> None:
    """a.lerp_(b, weight) in place, with PyTorch's two-sided formula."""
    if weight < 0.5:
        a += weight * (b - a)
    else:
        a[...] = b - (b - a) * (1 - weight)


# _lerp_ in CUDA C, for the fused update kernels: a += w (b - a) as the same two-sided
# formula (w is a float64 expression, a and b are T).
_LERP = ("if ({w} < 0.5) {a} = {a} + (T)({w}) * ({b} - {a}); "
         "else {a} = {b} - ({b} - {a}) * (T)(1 - ({w}));")


# ----------------------------------------------------------------------------- the update
# One pass per parameter: NumPy steps on the host, one kernel on the GPU.
def _sgd_cpu(g, lr, wd, maximize, p):
    backend.add_scaled_(p, _decayed(g, wd, maximize, p), -lr)


def _sgd_momentum_cpu(g, lr, wd, momentum, dampening, nesterov, maximize, first, p, buf):
    grad = _decayed(g, wd, maximize, p)
    if not first and dampening == 0 and not nesterov:  # the usual case: one blocked pass
        backend.momentum_step_(p, buf, grad, momentum, -lr)
        return
    if first:
        buf[...] = grad
    else:
        buf *= momentum
        backend.add_scaled_(buf, grad, 1 - dampening)
    backend.add_scaled_(p, grad + momentum * buf if nesterov else buf, -lr)


_GRAD = "T d = maximize ? (T)(-g) : g; if (wd != 0) d = d + (T)wd * p;"
_sgd = backend.Fused("ember_sgd", "T g, float64 lr, float64 wd, bool maximize", "T p",
                     _GRAD + "p = p + (T)(-lr) * d;", _sgd_cpu, blocks=False)
_sgd_momentum = backend.Fused(
    "ember_sgd_momentum", "T g, float64 lr, float64 wd, float64 momentum, "
    "float64 dampening, bool nesterov, bool maximize, bool first", "T p, T buf",
    _GRAD + """
    buf = first ? d : (T)(buf * (T)momentum + (T)(1 - dampening) * d);
    p = p + (T)(-lr) * (nesterov ? (T)(d + (T)momentum * buf) : buf);""", _sgd_momentum_cpu,
    blocks=False)  # BLAS passes (momentum_step_ blocks itself)


def _adam_moments(g, lr, beta1, beta2, weight_decay, decoupled, maximize, p, exp_avg,
                  exp_avg_sq):
    """What Adam, AdamW, NAdam and RAdam share: the gradient (L2 decay unless decoupled,
    negated for maximize), p's decoupled decay, then m = lerp(m, g, 1 - beta1) and
    v = beta2 v + (1 - beta2) g^2 in place. Returns the gradient."""
    grad = _decayed(g, 0 if decoupled else weight_decay, maximize, p)
    if decoupled and weight_decay != 0:
        p *= 1 - lr * weight_decay
    # m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2
    _lerp_(exp_avg, grad, 1 - beta1)
    exp_avg_sq *= beta2
    exp_avg_sq += (1 - beta2) * (grad * grad)
    return grad


# ----------------------------------------------------------------------------- the update
# One pass per parameter: NumPy steps on the host, one kernel on the GPU.
def _adam_cpu(g, lr, beta1, beta2, eps, weight_decay, bias_correction1,
              bias_correction2_sqrt, decoupled, maximize, p, exp_avg, exp_avg_sq,
              max_exp_avg_sq=None):
    _adam_moments(g, lr, beta1, beta2, weight_decay, decoupled, maximize, p, exp_avg,
                  exp_avg_sq)
    xp = backend.array_module(p)
    if max_exp_avg_sq is not None:
        xp.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        denom = xp.sqrt(max_exp_avg_sq)
    else:
        denom = xp.sqrt(exp_avg_sq)
    # p -= lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps)
    denom /= bias_correction2_sqrt
    denom += eps
    p -= (lr / bias_correction1) * (exp_avg / denom)


_ADAM_IN = ("T g, float64 lr, float64 beta1, float64 beta2, float64 eps, float64 wd, "
            "float64 bc1, float64 bc2_sqrt, bool decoupled, bool maximize")


def _adam_body(amsgrad):
    return f"""
    T d = maximize ? (T)(-g) : g;
    if (wd != 0) {{
        if (decoupled) p = p * (T)(1 - lr * wd); else d = d + (T)wd * p;
    }}
    {_LERP.format(a="m", b="d", w="(1 - beta1)")}
    v = v * (T)beta2 + (T)(1 - beta2) * (d * d);
    {"vmax = (v > vmax || v != v) ? v : vmax; T denom = sqrt(vmax);" if amsgrad else
     "T denom = sqrt(v);"}
    denom = denom / (T)bc2_sqrt + (T)eps;
    p = p - (T)(lr / bc1) * (m / denom);"""


_adam = backend.Fused("ember_adam", _ADAM_IN, "T p, T m, T v", _adam_body(False), _adam_cpu)
_adam_amsgrad = backend.Fused("ember_adam_amsgrad", _ADAM_IN, "T p, T m, T v, T vmax",
                              _adam_body(True), _adam_cpu)


# ----------------------------------------------------------------------------- foreach
_MULTI = {}


def _apply_(fused, inputs, scalars, outputs) -> None:
    """fused(input_k..., *scalars, output_k...) for every tensor k of the lists, writing the
    outputs in place: one multi-tensor launch when the arrays allow it (CUDA, one dtype,
    contiguous), else one call per tensor (the host path: PyTorch's exact arithmetic)."""
    lists = [[t.array for t in ts] for ts in inputs] + [[t.array for t in ts] for ts in outputs]
    n = len(lists[0])
    if n > 1 and _foreach.usable(lists):
        multi = _MULTI.get(fused.name)
        if multi is None:
            multi = _MULTI[fused.name] = _foreach.MultiTensor(fused)
        multi.run(lists, scalars)
        return
    n_in = len(inputs)
    for row in zip(*lists):  # one tuple per tensor: no generator per call
        fused.blocked(*row[:n_in], *scalars, *row[n_in:])


def sgd_update_(params, grads, lr: float, weight_decay: float = 0.0,
                maximize: bool = False) -> None:
    """p -= lr * (g + weight_decay * p) (g negated for maximize), in place, for every
    (param, grad) pair."""
    _apply_(_sgd, (grads,), (lr, weight_decay, maximize), (params,))


def sgd_momentum_update_(params, grads, bufs, lr: float, weight_decay: float,
                         momentum: float, dampening: float, nesterov: bool, maximize: bool,
                         first: bool) -> None:
    """SGD with a momentum buffer per parameter (torch.optim.SGD's rule); `first` seeds
    the buffers with the gradient (their first step)."""
    _apply_(_sgd_momentum, (grads,),
            (lr, weight_decay, momentum, dampening, nesterov, maximize, first),
            (params, bufs))


def adam_update_(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, lr: float,
                 beta1: float, beta2: float, eps: float, weight_decay: float,
                 bias_correction1: float, bias_correction2_sqrt: float, decoupled: bool,
                 maximize: bool) -> None:
    """Adam / AdamW (torch.optim.Adam's rule) for parameters sharing one step count;
    max_exp_avg_sqs is None unless amsgrad."""
    scalars = (lr, beta1, beta2, eps, weight_decay, bias_correction1, bias_correction2_sqrt,
               decoupled, maximize)
    if max_exp_avg_sqs is None:
        _apply_(_adam, (grads,), scalars, (params, exp_avgs, exp_avg_sqs))
    else:
        _apply_(_adam_amsgrad, (grads,), scalars,
                (params, exp_avgs, exp_avg_sqs, max_exp_avg_sqs))


class UpdateBatch:
    """Collects one optimiser's per-parameter updates during a step, then runs them as
    few launches as the scalars allow: parameters whose scalars (learning rate, bias
    corrections, ...) agree share one multi-tensor launch on the GPU. `add(scalars, grad,
    outputs)` per parameter, then `run()`; the host runs each parameter as before."""

    __slots__ = ("fused", "groups")

    def __init__(self, fused):
        self.fused, self.groups = fused, {}

    def add(self, scalars: tuple, grad: Tensor, outputs: tuple) -> None:
        lists = self.groups.get(scalars)
        if lists is None:
            lists = self.groups[scalars] = [[] for _ in range(1 + len(outputs))]
        lists[0].append(grad)
        for ts, t in zip(lists[1:], outputs):
            ts.append(t)

    def run(self) -> None:
        for scalars, lists in self.groups.items():
            _apply_(self.fused, lists[:1], scalars, lists[1:])
        self.groups = {}


# ============================================================================= the others
def _adadelta_cpu(g, lr, rho, eps, weight_decay, maximize, p, square_avg, acc_delta):
    grad = _decayed(g, weight_decay, maximize, p)
    xp = backend.array_module(p)
    square_avg *= rho
    square_avg += (1 - rho) * (grad * grad)
    # delta = sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) * g
    delta = xp.sqrt(acc_delta + eps)
    delta /= xp.sqrt(square_avg + eps)
    delta *= grad
    acc_delta *= rho
    acc_delta += (1 - rho) * (delta * delta)
    p += -lr * delta


_adadelta = backend.Fused(
    "ember_adadelta", "T g, float64 lr, float64 rho, float64 eps, float64 wd, bool maximize",
    "T p, T sq, T acc", """
    T d = maximize ? (T)(-g) : g;
    if (wd != 0) d = d + (T)wd * p;
    sq = sq * (T)rho + (T)(1 - rho) * (d * d);
    T delta = sqrt(acc + (T)eps) / sqrt(sq + (T)eps) * d;
    acc = acc * (T)rho + (T)(1 - rho) * (delta * delta);
    p = p + (T)(-lr) * delta;""", _adadelta_cpu)


# ----------------------------------------------------------------------------- the update
# One pass per parameter: NumPy steps on the host, one kernel on the GPU.
def _adagrad_cpu(g, clr, eps, weight_decay, maximize, p, state_sum):
    grad = _decayed(g, weight_decay, maximize, p)
    state_sum += grad * grad
    std = backend.array_module(p).sqrt(state_sum)
    std += eps
    p -= clr * (grad / std)


_adagrad = backend.Fused(
    "ember_adagrad", "T g, float64 clr, float64 eps, float64 wd, bool maximize",
    "T p, T sum", """
    T d = maximize ? (T)(-g) : g;
    if (wd != 0) d = d + (T)wd * p;
    sum = sum + d * d;
    p = p - (T)clr * (d / (sqrt(sum) + (T)eps));""", _adagrad_cpu)


# ----------------------------------------------------------------------------- the update
# One pass per parameter: NumPy steps on the host, one kernel on the GPU.
def _adamax_cpu(g, clr, beta1, beta2, eps, weight_decay, maximize, p, exp_avg, exp_inf):
    grad = _decayed(g, weight_decay, maximize, p)
    _lerp_(exp_avg, grad, 1 - beta1)
    # u = max(beta2 u, |g| + eps)  (NaN propagates, as torch.maximum)
    xp = backend.array_module(p)
    exp_inf *= beta2
    norm = xp.abs(grad)
    norm += eps
    xp.maximum(exp_inf, norm, out=exp_inf)
    p += -clr * exp_avg / exp_inf


_adamax = backend.Fused(
    "ember_adamax", "T g, float64 clr, float64 beta1, float64 beta2, float64 eps, float64 wd, "
    "bool maximize", "T p, T m, T u", f"""
    T d = maximize ? (T)(-g) : g;
    if (wd != 0) d = d + (T)wd * p;
    {_LERP.format(a="m", b="d", w="(1 - beta1)")}
    T decayed = u * (T)beta2;
    T norm = fabs(d) + (T)eps;
    u = (decayed > norm || decayed != decayed) ? decayed : norm;
    p = p + (T)(-clr) * m / u;""", _adamax_cpu)


# ----------------------------------------------------------------------------- the update
# One pass per parameter: NumPy steps on the host, one kernel on the GPU.
def _asgd_cpu(g, weight_decay, lambd, eta, mu, maximize, p, ax):
    grad = _decayed(g, weight_decay, maximize, p)
    # p <- p (1 - lambd eta) - eta g
    p *= 1 - lambd * eta
    backend.add_scaled_(p, grad, -eta)
    # ax <- ax + mu (p - ax); mu = 1 (before t0) makes it a plain copy, as in PyTorch
    if mu != 1:
        ax += (p - ax) * mu
    else:
        ax[...] = p


_asgd = backend.Fused(
    "ember_asgd", "T g, float64 wd, float64 lambd, float64 eta, float64 mu, bool maximize",
    "T p, T ax", """
    T d = maximize ? (T)(-g) : g;
    if (wd != 0) d = d + (T)wd * p;
    p = p * (T)(1 - lambd * eta);
    p = p + (T)(-eta) * d;
    ax = (mu != 1) ? (T)(ax + (p - ax) * (T)mu) : p;""", _asgd_cpu)


# ----------------------------------------------------------------------------- the update
# One pass per parameter: NumPy steps on the host, one kernel on the GPU.
def _nadam_cpu(g, lr, beta1, beta2, eps, weight_decay, bias_correction2, coef_grad,
               coef_avg, decoupled, maximize, p, exp_avg, exp_avg_sq):
    grad = _adam_moments(g, lr, beta1, beta2, weight_decay, decoupled, maximize, p, exp_avg,
                         exp_avg_sq)
    denom = backend.array_module(p).sqrt(exp_avg_sq / bias_correction2)
    denom += eps
    # p += c_g g / denom + c_m m / denom (two addcdiv's, as PyTorch rounds them)
    p += coef_grad * grad / denom
    p += coef_avg * exp_avg / denom


_nadam = backend.Fused(
    "ember_nadam", "T g, float64 lr, float64 beta1, float64 beta2, float64 eps, float64 wd, "
    "float64 bc2, float64 coef_grad, float64 coef_avg, bool decoupled, bool maximize",
    "T p, T m, T v", f"""
    T d = maximize ? (T)(-g) : g;
    if (wd != 0) {{
        if (decoupled) p = p * (T)(1 - lr * wd); else d = d + (T)wd * p;
    }}
    {_LERP.format(a="m", b="d", w="(1 - beta1)")}
    v = v * (T)beta2 + (T)(1 - beta2) * (d * d);
    T denom = sqrt(v / (T)bc2) + (T)eps;
    p = p + (T)coef_grad * d / denom;
    p = p + (T)coef_avg * m / denom;""", _nadam_cpu)


# ----------------------------------------------------------------------------- the update
# One pass per parameter: NumPy steps on the host, one kernel on the GPU.
def _radam_cpu(g, lr, beta1, beta2, eps, weight_decay, bias_correction1,
               bias_correction2_sqrt, rect, rectified, decoupled, maximize, p, exp_avg,
               exp_avg_sq):
    _adam_moments(g, lr, beta1, beta2, weight_decay, decoupled, maximize, p, exp_avg,
                  exp_avg_sq)
    update = exp_avg / bias_correction1 * lr
    if rectified:
        # adaptive lr sqrt(bc2) / (sqrt(v) + eps), times the rectification term
        denom = backend.array_module(p).sqrt(exp_avg_sq)
        denom += eps
        update *= bias_correction2_sqrt / denom
        update *= rect
    p -= update


_radam = backend.Fused(
    "ember_radam", "T g, float64 lr, float64 beta1, float64 beta2, float64 eps, float64 wd, "
    "float64 bc1, float64 bc2_sqrt, float64 rect, bool rectified, bool decoupled, "
    "bool maximize", "T p, T m, T v", f"""
    T d = maximize ? (T)(-g) : g;
    if (wd != 0) {{
        if (decoupled) p = p * (T)(1 - lr * wd); else d = d + (T)wd * p;
    }}
    {_LERP.format(a="m", b="d", w="(1 - beta1)")}
    v = v * (T)beta2 + (T)(1 - beta2) * (d * d);
    T update = m / (T)bc1 * (T)lr;
    if (rectified) update = update * ((T)bc2_sqrt / (sqrt(v) + (T)eps)) * (T)rect;
    p = p - update;""", _radam_cpu)


# ----------------------------------------------------------------------------- the update
# One pass per parameter: NumPy steps on the host, one kernel on the GPU (a kernel per
# combination of `centered` and momentum, since each has its own state arrays).
def _rmsprop_cpu(centered, g, lr, alpha, eps, momentum, weight_decay, maximize, p,
                 square_avg, *rest):
    grad_avg = rest[0] if centered else None
    buf = rest[-1] if momentum > 0 else None
    grad = _decayed(g, weight_decay, maximize, p)
    xp = backend.array_module(p)
    square_avg *= alpha
    square_avg += (1 - alpha) * (grad * grad)
    if centered:
        # subtract the squared running mean: a running variance estimate
        _lerp_(grad_avg, grad, 1 - alpha)
        avg = xp.sqrt(square_avg - grad_avg * grad_avg)
    else:
        avg = xp.sqrt(square_avg)
    avg += eps
    if buf is not None:
        buf *= momentum
        buf += grad / avg
        p -= lr * buf
    else:
        p -= lr * (grad / avg)


def _rmsprop_kernel(centered, with_momentum):
    outs = "T p, T sq" + (", T ga" if centered else "") + (", T buf" if with_momentum else "")
    body = f"""
    T d = maximize ? (T)(-g) : g;
    if (wd != 0) d = d + (T)wd * p;
    sq = sq * (T)alpha + (T)(1 - alpha) * (d * d);
    {_LERP.format(a="ga", b="d", w="(1 - alpha)") + " T avg = sqrt(sq - ga * ga);"
     if centered else "T avg = sqrt(sq);"}
    avg = avg + (T)eps;
    {"buf = buf * (T)momentum + d / avg; p = p - (T)lr * buf;" if with_momentum else
     "p = p - (T)lr * (d / avg);"}"""
    name = "ember_rmsprop" + ("_centered" if centered else "") + (
        "_momentum" if with_momentum else "")
    return backend.Fused(
        name, "T g, float64 lr, float64 alpha, float64 eps, float64 momentum, float64 wd, "
        "bool maximize", outs, body, functools.partial(_rmsprop_cpu, centered))


_RMSPROP = {(c, m): _rmsprop_kernel(c, m) for c in (False, True) for m in (False, True)}


# ----------------------------------------------------------------------------- the update
# One pass per parameter: NumPy steps on the host, one kernel on the GPU. As in PyTorch,
# the sign of NaN counts as 0 (factor 1, no move).
def _rprop_cpu(g, etaminus, etaplus, step_size_min, step_size_max, maximize, p, prev,
               step_size):
    xp = backend.array_module(p)
    grad = -g if maximize else g.copy()
    agree = grad * prev
    grow, flip = agree > 0, agree < 0
    # same sign: step * etaplus; sign change: step * etaminus; a zero: step unchanged
    factor = xp.ones_like(step_size)
    factor[grow] = etaplus
    factor[flip] = etaminus
    step_size *= factor
    xp.clip(step_size, step_size_min, step_size_max, out=step_size)
    grad[flip] = 0  # after a sign change, skip this move and forget the gradient
    p -= xp.where(grad > 0, step_size, xp.where(grad < 0, -step_size, 0))
    prev[...] = grad


_rprop = backend.Fused(
    "ember_rprop", "T g, float64 etaminus, float64 etaplus, float64 smin, float64 smax, "
    "bool maximize", "T p, T prev, T ss", """
    T d = maximize ? (T)(-g) : g;
    T agree = d * prev;
    T factor = agree > 0 ? (T)etaplus : (agree < 0 ? (T)etaminus : (T)1);
    ss = ss * factor;
    ss = ss < (T)smin ? (T)smin : (ss > (T)smax ? (T)smax : ss);
    d = agree < 0 ? (T)0 : d;
    p = p - (d > 0 ? ss : (d < 0 ? (T)(-ss) : (T)0));
    prev = d;""", _rprop_cpu)
