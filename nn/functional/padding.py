"""F.pad with PyTorch's argument rules; the padding itself is the engine's op
(autograd.ops.split.pad: a constant pad, or an index_select per padded dim)."""
from __future__ import annotations

from autograd.ops.split import pad as _engine_pad
from autograd.tensor import Tensor

_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input, pad, mode="constant", value=None):
    """Same as torch.nn.functional.pad: `pad` lists (left, right) widths from the last dim
    backwards; negative widths crop. Non-constant modes pad the last 1-3 dims of a
    (batched or unbatched) input, as in PyTorch."""
    if not isinstance(input, Tensor):
        raise TypeError(f"pad(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if any(not hasattr(p, "__index__") for p in pad):
        raise TypeError(f"pad(): argument 'pad' must be a tuple of ints, got {tuple(pad)}")
    pad = tuple(int(p) for p in pad)
    shape = tuple(input.shape)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the "
                           f"input dimension but got padding length {len(pad)} and input of "
                           f"dimension {input.ndim}")
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if mode == "constant":
        _check_sizes(shape, pad, "constant")
        return _engine_pad(input, pad, "constant", value)
    if value is not None:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    k = len(pad) // 2
    if k not in (1, 2, 3) or input.ndim not in (k + 1, k + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    # every non-batch dim must be non-empty (a batch of 0 is fine)
    if any(s == 0 for s in shape[input.ndim - k - 1 + (input.ndim == k + 1):]):
        raise RuntimeError(f"{mode}_pad: expected input with non-zero sizes in the non-batch "
                           f"dimensions, got {list(shape)}")
    for i in range(k):
        dim = input.ndim - 1 - i
        n, lo, hi = shape[dim], pad[2 * i], pad[2 * i + 1]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"Argument #4: Padding size should be less than the "
                               f"corresponding input dimension, but got: padding ({lo}, {hi}) "
                               f"at dimension {dim} of input {list(shape)}")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
    _check_sizes(shape, pad, mode)
    if mode == "circular" and min(pad) < 0:
        # PyTorch crops first, then wraps around what is left
        input = _engine_pad(input, [min(p, 0) for p in pad], "constant")
        pad = [max(p, 0) for p in pad]
    return _engine_pad(input, pad, mode)


def _check_sizes(shape, pad, mode):
    """Negative widths may crop a dim down to nothing (constant, circular), never below;
    reflect and replicate need one element left."""
    for i in range(len(pad) // 2):
        dim = len(shape) - 1 - i
        n, lo, hi = shape[dim], pad[2 * i], pad[2 * i + 1]
        out = n + lo + hi
        if mode in ("constant", "circular") and out < 0:
            raise RuntimeError(f"The input size {n}, plus negative padding {lo} and {hi} "
                               f"resulted in a negative output size, which is invalid. Check "
                               f"dimension {dim} of your input.")
        if out < 0 or (mode != "constant" and out == 0 and mode != "circular"):
            raise RuntimeError(f"{mode}_pad: input (size {n}) is too small for padding "
                               f"({lo}, {hi}) at dimension {dim}: calculated output size {out}")
