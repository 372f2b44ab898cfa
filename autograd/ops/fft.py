"""Discrete Fourier transforms (torch.fft's core): complex-to-complex, real-to-complex
(one-sided) and complex-to-real, over any dims, with PyTorch's three normalisations.
The backend's array module computes them (numpy.fft / cupy.fft); `n`/`s` resizing is
a separate differentiable crop or zero pad, so these ops see signals of their own size.

Gradients (conjugate Wirtinger, as PyTorch): a transform with scale c has the adjoint
transform in the other direction with the same scale, i.e. the other direction's
normalisation name: 'backward' and 'forward' swap, 'ortho' stays."""
from __future__ import annotations

from .. import backend
from ..function import Function
from ..tensor_base import _make
from . import complex as _complex
from . import shape as _shape
from . import split as _split

_SWAP = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def check_norm(norm, op):
    """PyTorch's norm argument: None means 'backward'."""
    if norm is None:
        return "backward"
    if norm not in _SWAP:
        raise RuntimeError(f'{op}: Invalid normalization mode: "{norm}" (expected '
                           "'backward', 'forward' or 'ortho')")
    return norm


class C2C(Function):
    """fftn (forward=True) or ifftn over `dims` of a complex tensor."""

    @staticmethod
    def forward(ctx, z, dims, forward, norm):
        ctx.args = (dims, forward, norm)
        fft = backend.array_module(z.array).fft
        out = (fft.fftn if forward else fft.ifftn)(z.array, axes=dims, norm=norm)
        return out.astype(z.array.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        dims, forward, norm = ctx.args
        return C2C.apply(grad, dims, not forward, _SWAP[norm]), None, None, None


class R2C(Function):
    """rfftn over `dims` of a real tensor: the last of `dims` keeps n // 2 + 1 bins."""

    @staticmethod
    def forward(ctx, x, dims, norm):
        ctx.args = (dims, norm, x.array.shape[dims[-1]])
        fft = backend.array_module(x.array).fft
        out = fft.rfftn(x.array, axes=dims, norm=norm)
        return out.astype(_complex.complex_dtype_of(x.array.dtype), copy=False)

    @staticmethod
    def backward(ctx, grad):
        # the adjoint of "transform, keep the first bins": zero-fill the dropped bins,
        # transform back with the same scale; a real input keeps the real part
        dims, norm, n = ctx.args
        full = resize(grad, dims[-1], n)
        return _complex.real(C2C.apply(full, dims, False, _SWAP[norm])), None, None


class C2R(Function):
    """irfftn over `dims` of a one-sided complex spectrum, `n` points along the last."""

    @staticmethod
    def forward(ctx, z, dims, norm, n):
        ctx.args = (dims, norm)
        arr = z.array
        sizes = [arr.shape[d] for d in dims[:-1]] + [n]
        fft = backend.array_module(arr).fft
        out = fft.irfftn(arr, s=sizes, axes=dims, norm=norm)
        return out.astype(arr.real.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        # PyTorch's formula: the one-sided forward transform of grad with the same scale,
        # the bins that stand for two (their mirror images) counted twice
        dims, norm = ctx.args
        g = R2C.apply(grad, dims, _SWAP[norm])
        n, m = grad.shape[dims[-1]], g.shape[dims[-1]]
        doubled = n - m
        if doubled > 0:
            xp = backend.array_module(g.array)
            w = xp.ones(m, dtype=grad.array.dtype)
            w[1:1 + doubled] = 2
            shape = [1] * g.ndim
            shape[dims[-1]] = m
            g = g * _complex.to_complex(_make(w.reshape(shape)))
        return g, None, None, None


def resize(x, dim, n):
    """`x` cropped or zero-padded to `n` entries along `dim` (differentiable)."""
    size = x.shape[dim]
    if n == size:
        return x
    if n < size:
        return _split.narrow(x, dim, 0, n)
    widths = [(0, 0)] * x.ndim
    widths[dim] = (0, n - size)
    return _shape.ConstantPad.apply(x, widths, 0)
