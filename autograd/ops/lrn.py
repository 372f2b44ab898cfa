"""CrossMapLRN2d's op (PyTorch's legacy cross-channel local response normalisation), with
PyTorch's own channel windows and its hand-written backward, so both match it exactly:
its forward window never drops channel 0 once the window has slid past it, and its
backward uses the symmetric window (it is not the exact derivative of the forward, and
PyTorch's gradcheck of it fails too)."""
from __future__ import annotations

from autograd import backend
from autograd.function import Function
from autograd.tensor import _make


def _forward_windows(channels, size, xp):
    """(C, C) 0/1 matrix: row c marks the squares PyTorch sums into scale[c]."""
    pre = int((size - 1) / 2 + 1)
    m = xp.zeros((channels, channels))
    m[0, :min(pre, channels)] = 1
    for c in range(1, channels):  # PyTorch's running update, one row per channel
        m[c] = m[c - 1]
        if c < channels - pre + 1:
            m[c, c + pre - 1] += 1
        if c > pre:
            m[c, c - pre] -= 1
    return m


def _backward_windows(channels, size, xp):
    inv = int(size - (size - 1) / 2)
    c = xp.arange(channels).reshape(-1, 1)
    d = xp.arange(channels).reshape(1, -1)
    return ((d >= c - inv) & (d <= c + size - 1 - inv)).astype(float)


def _mix(m, a, xp):
    """sum_c' m[c, c'] a[n, c', ...]."""
    return xp.tensordot(m.astype(a.dtype), a, axes=([1], [1])).swapaxes(0, 1)


class CrossMapLRN2dFn(Function):
    @staticmethod
    def forward(ctx, x, size, alpha, beta, k):
        a = x.array
        xp = backend.array_module(a)
        m = _forward_windows(a.shape[1], size, xp)
        scale = _mix(m, a * a, xp) * (alpha / size) + k
        out = scale ** -beta * a
        ctx.args = (a, out, scale, size, alpha, beta)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out, scale, size, alpha, beta = ctx.args
        g = grad.array
        xp = backend.array_module(g)
        m = _backward_windows(a.shape[1], size, xp)
        acc = _mix(m, g * out / scale, xp)
        gx = scale ** -beta * g - (2 * alpha * beta / size) * a * acc
        return _make(gx), None, None, None, None
