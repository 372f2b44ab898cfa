"""Convolution as im2col and one matmul, and the im2col / col2im ops themselves.

A convolution y = conv(x, w) is bilinear, so its two gradients are again the same
bilinear form with the roles swapped: the input gradient is a transposed convolution
(`_ConvInputGrad`, also the forward of conv_transpose) and the weight gradient is a
correlation of x with the output gradient (`_ConvWeightGrad`). Each of the three ops
differentiates into the other two, so double backward needs no extra code. The window
array code (host NumPy, CUDA kernels) lives in `window.py`; the matmuls are BLAS/cuBLAS.
"""
from __future__ import annotations

from autograd import backend
from autograd.function import Function

from .window import _col2im, _conv_input_grad_host, _grouped, _im2col, _prod


class Conv2dFn(Function):
    """y = conv(x, w) + b on (N, C, *spatial) inputs (any number of spatial dims)."""

    @staticmethod
    def forward(ctx, x, w, b, geo):
        xa, wa = x.array, w.array
        n, g, o = xa.shape[0], geo.groups, wa.shape[0]
        cols = _im2col(xa, geo)
        # one batched matmul: (G, O/G, K) @ (N, G, K, P) -> (N, G, O/G, P) = (N, O, OH, OW)
        wm = wa.reshape(g, o // g, _prod(wa.shape[1:]))  # explicit sizes: n may be 0
        y = backend.matmul(wm, cols).reshape(n, o, *geo.out_hw)
        if b is not None:
            y += b.array.reshape((-1,) + (1,) * len(geo.out_hw))
        # the unfolded input is reused by the weight gradient; saved (not a ctx attribute)
        # so that the engine frees it right after this node's backward
        need_w = ctx.recording and ctx.next[1] is not None
        ctx.save_for_backward(x, w, cols if need_w else None)
        ctx.geo = geo
        return y

    @staticmethod
    def backward(ctx, grad):
        x, w, cols = ctx.saved_tensors
        geo, need = ctx.geo, ctx.needs_input_grad
        gx = _ConvInputGrad.apply(grad, w, geo, tuple(x.shape)) if need[0] else None
        gw = None
        if need[1]:
            gw = _ConvWeightGrad.apply(x, grad, geo, tuple(w.shape), cols)
        gb = grad.sum(dim=(0,) + tuple(range(2, grad.ndim))) if need[2] else None
        return gx, gw, gb, None


class _ConvInputGrad(Function):
    """x_grad = conv^T(gy, w): the transposed convolution."""

    @staticmethod
    def forward(ctx, gy, w, geo, x_shape):
        wa, ga = w.array, gy.array
        ctx.save_for_backward(gy, w)
        ctx.geo = geo
        if not backend.is_device_array(ga):
            return _conv_input_grad_host(ga, wa, geo, x_shape)
        g, o = geo.groups, wa.shape[0]
        wm = wa.reshape(g, o // g, _prod(wa.shape[1:])).transpose(0, 2, 1)     # (G, Cg*kh*kw, O/G)
        cols = backend.matmul(wm, _grouped(ga, g))        # (N, G, Cg*kh*kw, P)
        return _col2im(cols, geo, x_shape)

    @staticmethod
    def backward(ctx, grad):
        gy, w = ctx.saved_tensors
        geo, need = ctx.geo, ctx.needs_input_grad
        # <G, conv^T(gy, w)> = <conv(G, w), gy> = <wgrad(G, gy), w>
        d_gy = Conv2dFn.apply(grad, w, None, geo) if need[0] else None
        d_w = _ConvWeightGrad.apply(grad, gy, geo, tuple(w.shape), None) if need[1] else None
        return d_gy, d_w, None, None


class _ConvWeightGrad(Function):
    """w_grad = sum over batch and pixels of gy * windows(x)."""

    @staticmethod
    def forward(ctx, x, gy, geo, w_shape, cols):
        if cols is None:
            cols = _im2col(x.array, geo)
        # (N, G, O/G, P) @ (N, G, P, K), summed over the batch
        gw = backend.matmul(_grouped(gy.array, geo.groups),
                            cols.transpose(0, 1, 3, 2)).sum(axis=0)
        ctx.save_for_backward(x, gy)
        ctx.geo = geo
        return gw.reshape(w_shape)

    @staticmethod
    def backward(ctx, grad):
        x, gy = ctx.saved_tensors
        geo, need = ctx.geo, ctx.needs_input_grad
        # <G, wgrad(x, gy)> = <conv(x, G), gy> = <conv^T(gy, G), x>
        d_x = _ConvInputGrad.apply(gy, grad, geo, tuple(x.shape)) if need[0] else None
        d_gy = Conv2dFn.apply(x, grad, None, geo) if need[1] else None
        return d_x, d_gy, None, None, None


def conv(x, w, b, geo):
    """y = conv(x, w) + b for a checked geometry (see window._geometry)."""
    return Conv2dFn.apply(x, w, b, geo)


def conv_transpose(x, w, geo, out_shape):
    """The adjoint of conv from out_shape's geometry: conv^T(x, w), no bias."""
    return _ConvInputGrad.apply(x, w, geo, tuple(out_shape))


# ----------------------------------------------------------------------------- im2col
class Im2Col(Function):
    """(N, C, H, W) -> (N, C*kh*kw, L): every sliding block as a column."""

    @staticmethod
    def forward(ctx, x, geo):
        xa = x.array
        ctx.args = (geo, xa.shape)
        return _im2col(xa, geo).reshape(xa.shape[0], xa.shape[1] * _prod(geo.k),
                                        _prod(geo.out_hw))

    @staticmethod
    def backward(ctx, grad):
        geo, shape = ctx.args
        return Col2Im.apply(grad, geo, shape), None


class Col2Im(Function):
    """The adjoint of Im2Col: each column is added back into its block."""

    @staticmethod
    def forward(ctx, cols, geo, x_shape):
        ctx.geo = geo
        return _col2im(cols.array, geo, x_shape)

    @staticmethod
    def backward(ctx, grad):
        return Im2Col.apply(grad, ctx.geo), None, None


def im2col(x, geo):
    return Im2Col.apply(x, geo)


def col2im(cols, geo, x_shape):
    return Col2Im.apply(cols, geo, tuple(x_shape))
