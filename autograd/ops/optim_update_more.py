"""The fused updates of the other optimisers (Adadelta, Adagrad, Adamax, ASGD, NAdam,
RAdam, RMSprop, Rprop): NumPy on the host, one kernel per parameter on the GPU."""
from __future__ import annotations

import functools

from autograd import backend

from .optim_update import _LERP, _decayed, _lerp_


# ----------------------------------------------------------------------------- the update
# One pass per parameter: NumPy steps on the host, one kernel on the GPU.
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
    grad = _decayed(g, 0 if decoupled else weight_decay, maximize, p)
    if decoupled and weight_decay != 0:
        p *= 1 - lr * weight_decay
    _lerp_(exp_avg, grad, 1 - beta1)
    exp_avg_sq *= beta2
    exp_avg_sq += (1 - beta2) * (grad * grad)
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
    grad = _decayed(g, 0 if decoupled else weight_decay, maximize, p)
    if decoupled and weight_decay != 0:
        p *= 1 - lr * weight_decay
    _lerp_(exp_avg, grad, 1 - beta1)
    exp_avg_sq *= beta2
    exp_avg_sq += (1 - beta2) * (grad * grad)
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
