"""Sampling from tensors of probabilities: `multinomial` and `bernoulli` (same as
torch's), drawn from the default generator (or a given one) on the tensor's device."""
from __future__ import annotations

import json

from . import backend
from .creation import randn as _randn
from .creation import tensor as _tensor
from .tensor_base import TensorBase as Tensor
from .tensor_base import _make


def _probabilities(input, op):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor of probabilities, got {type(input).__name__}")
    if not backend.is_floating(input.array.dtype):
        raise RuntimeError(f"{op}: expected a floating point tensor of probabilities, got "
                           f"{input.dtype}")
    return input.array


def multinomial(input, num_samples: int, replacement: bool = False, *, generator=None,
                out=None) -> Tensor:
    """Same as torch.multinomial: `num_samples` category indices per row of the (K,) or
    (N, K) non-negative weights `input` (rows need not sum to one). Without replacement
    the indices come in the order sequential draws would give them (an exponential race:
    the k smallest E_i / w_i, E_i ~ Exp(1), are such a sequence)."""
    op = "multinomial"
    if out is not None:
        raise TypeError(f"{op}: out= is not supported")
    w = _probabilities(input, op)
    if w.ndim not in (1, 2):
        raise RuntimeError(f"{op}: prob_dist must be 1 or 2 dim, got {w.ndim} dims (shape "
                           f"{tuple(w.shape)})")
    if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
        raise RuntimeError(f"{op}: cannot sample n_sample <= 0 samples, got {num_samples!r}")
    rows = w if w.ndim == 2 else w[None]
    n_rows, k = rows.shape
    if k == 0:
        raise RuntimeError(f"{op}: number of categories cannot be zero")
    if not replacement and num_samples > k:
        raise RuntimeError(f"{op}: cannot sample n_sample > prob_dist.size(-1) samples "
                           f"without replacement ({num_samples} > {k})")
    xp = backend.array_module(w)
    rows = rows.astype(backend.float64, copy=False)
    total = rows.sum(axis=1)
    backend.check(~xp.isfinite(rows).all() | (rows < 0).any(), lambda: RuntimeError(
        f"{op}: probability tensor contains either inf, nan or element < 0"))
    backend.check((total <= 0).any(), lambda: RuntimeError(
        f"{op}: invalid multinomial distribution (sum of probabilities <= 0)"))
    r = backend.rng(xp, generator)
    if replacement:
        # inverse CDF: one searchsorted over all rows, each shifted by its row number
        cdf = xp.cumsum(rows, axis=1) / total[:, None]
        u = r.random((n_rows, num_samples))
        offset = xp.arange(n_rows, dtype=backend.float64)[:, None]
        idx = xp.searchsorted((cdf + offset).reshape(-1), (u + offset).reshape(-1),
                              side="right").reshape(n_rows, num_samples)
        idx -= xp.arange(n_rows)[:, None] * k
        # rounding may leave u beyond the last cumulative value: take the last category
        # with weight instead
        last = k - 1 - xp.argmax(rows[:, ::-1] > 0, axis=1)
        idx = xp.minimum(idx, last[:, None])
    else:
        backend.check(((rows > 0).sum(axis=1) < num_samples).any(), lambda: RuntimeError(
            f"{op}: invalid multinomial distribution (with replacement=False, not enough "
            "non-negative category to sample)"))
        race = -xp.log(r.random((n_rows, k))) / rows  # weight 0: inf, never drawn
        idx = xp.argsort(race, axis=1)[:, :num_samples]
    idx = idx.astype(backend.int64, copy=False)
    return _make(idx if w.ndim == 2 else idx[0])


def bernoulli(input, p=None, *, generator=None, out=None) -> Tensor:
    """Same as torch.bernoulli: 1 with probability `input` (or the float `p`), else 0, in
    the input's dtype. Not differentiable (as in PyTorch)."""
    op = "bernoulli"
    if out is not None:
        raise TypeError(f"{op}: out= is not supported")
    probs = _probabilities(input, op)
    xp = backend.array_module(probs)
    if p is not None:
        if not 0 <= p <= 1:
            raise RuntimeError(f"{op}: expected 0 <= p <= 1, got {p}")
        probs = xp.full(probs.shape, p, dtype=probs.dtype)
    else:
        backend.check(((probs < 0) | (probs > 1) | (probs != probs)).any(),
                      lambda: RuntimeError(f"{op}: expected all probabilities in [0, 1]"))
    u = backend.rng(xp, generator).random(probs.shape)
    return _make((u < probs).astype(probs.dtype))


def normal(mean, std=1.0, size=None, *, generator=None, out=None) -> Tensor:
    """Same as torch.normal: (Tensor mean, Tensor std) broadcast together, (Tensor, float),
    (float, Tensor), or (float mean, float std, size). As in PyTorch 2.13 the sample
    records a graph to mean and std with zero gradients."""
    if out is not None:
        raise TypeError("normal: out= is not supported")
    if not isinstance(std, Tensor) and std < 0:
        raise RuntimeError(f"normal: expects std >= 0.0, got {std}")
    tensors = [a for a in (mean, std) if isinstance(a, Tensor)]
    if not tensors:
        if size is None:
            raise TypeError("normal: with a float mean and std, size is required")
        return _randn(*((size,) if isinstance(size, int) else tuple(size)),
                     generator=generator) * std + mean
    if size is not None:
        raise TypeError("normal: size is only accepted with a float mean and std")
    like = tensors[0]
    if like.array.dtype.kind != "f":
        raise RuntimeError(f"normal: expected a floating point mean/std, got {like.dtype}")
    xp = backend.array_module(like.array)
    m = mean.array if isinstance(mean, Tensor) else mean
    s = std.array if isinstance(std, Tensor) else std
    if isinstance(std, Tensor) and std.device.type == "cpu" and bool((s < 0).any()):
        raise RuntimeError("normal expects all elements of std >= 0.0")
    shape = backend.broadcast_shapes(getattr(m, "shape", ()), getattr(s, "shape", ()))
    z = backend.rng(xp, generator).standard_normal(shape).astype(like.array.dtype, copy=False)
    sample = _make((m + s * z).astype(like.array.dtype, copy=False))
    for t in tensors:  # the graph PyTorch records, with zero gradients
        if t.requires_grad:
            sample = sample + t * 0
    return sample


def get_rng_state() -> Tensor:
    """Same as torch.get_rng_state: the default generator's state as a uint8 tensor
    (Ember's encoding: its CPU stream's state, which set_rng_state restores)."""
    data = json.dumps(backend.default_generator.get_state()).encode()
    return _tensor(list(data), dtype=backend.uint8, device="cpu")


def set_rng_state(new_state: Tensor) -> None:
    """Same as torch.set_rng_state: restore a state from get_rng_state()."""
    if not isinstance(new_state, Tensor) or new_state.array.dtype.name != "uint8":
        raise TypeError("set_rng_state: expected a torch.ByteTensor (uint8) from "
                        "get_rng_state()")
    try:
        state = json.loads(bytes(backend.to_host(new_state.array)).decode())
    except (UnicodeDecodeError, ValueError):
        raise RuntimeError("set_rng_state: not a state made by Ember's get_rng_state() "
                           "(PyTorch's states do not carry over)") from None
    backend.default_generator.set_state(state)
