"""Optimiser updates as in-place functions of Tensors: one formula per optimiser, run by
NumPy on the host (PyTorch's exact arithmetic, BLAS axpy for the large adds) and as one
fused CUDA kernel on the GPU: per parameter (`backend.Fused`) or, for a whole parameter
group, one multi-tensor launch (`backend.foreach.MultiTensor`, the foreach path).
"""
from __future__ import annotations

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
    if first:
        buf[...] = grad
    else:
        buf *= momentum
        backend.add_scaled_(buf, grad, 1 - dampening)
    backend.add_scaled_(p, grad + momentum * buf if nesterov else buf, -lr)


_GRAD = "T d = maximize ? (T)(-g) : g; if (wd != 0) d = d + (T)wd * p;"
_sgd = backend.Fused("ember_sgd", "T g, float64 lr, float64 wd, bool maximize", "T p",
                     _GRAD + "p = p + (T)(-lr) * d;", _sgd_cpu)
_sgd_momentum = backend.Fused(
    "ember_sgd_momentum", "T g, float64 lr, float64 wd, float64 momentum, "
    "float64 dampening, bool nesterov, bool maximize, bool first", "T p, T buf",
    _GRAD + """
    buf = first ? d : (T)(buf * (T)momentum + (T)(1 - dampening) * d);
    p = p + (T)(-lr) * (nesterov ? (T)(d + (T)momentum * buf) : buf);""", _sgd_momentum_cpu)


# ----------------------------------------------------------------------------- the update
# One pass per parameter: NumPy steps on the host, one kernel on the GPU.
def _adam_cpu(g, lr, beta1, beta2, eps, weight_decay, bias_correction1,
              bias_correction2_sqrt, decoupled, maximize, p, exp_avg, exp_avg_sq,
              max_exp_avg_sq=None):
    grad = _decayed(g, 0 if decoupled else weight_decay, maximize, p)
    if decoupled and weight_decay != 0:
        p *= 1 - lr * weight_decay
    # m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2
    _lerp_(exp_avg, grad, 1 - beta1)
    exp_avg_sq *= beta2
    exp_avg_sq += (1 - beta2) * (grad * grad)
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
        fused(*row[:n_in], *scalars, *row[n_in:])


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
