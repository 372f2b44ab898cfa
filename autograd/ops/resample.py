"""Separable resampling for interpolate (nearest, nearest-exact, linear, bilinear): each
spatial axis is resampled on its own by a gather with an index array (and, for the linear
modes, a second gather and two weight vectors). The backward of a gather is the adjoint
scatter-add, whose backward is the gather again, so derivatives of every order come from
the pair of ops below. Source indices and weights follow PyTorch's formulas and arithmetic
(float32 for nearest; the input's float type for the linear modes), so the chosen pixels
match PyTorch's exactly."""
from __future__ import annotations

from .. import backend
from ..function import Function


# ----------------------------------------------------------------------------- resample op
class _AxisResample(Function):
    """out[..., j, ...] = w0[j] x[..., i0[j], ...] + w1[j] x[..., i1[j], ...] along `axis`
    (nearest: w0 = 1, no second term)."""

    @staticmethod
    def forward(ctx, x, plan):
        ctx.args = (plan, x.array.shape[plan.axis])
        return plan.gather(x.array)

    @staticmethod
    def backward(ctx, grad):
        plan, n_in = ctx.args
        return _AxisResampleAdjoint.apply(grad, plan, n_in), None


class _AxisResampleAdjoint(Function):
    """The transpose of _AxisResample: scatter-add each output row back to its sources."""

    @staticmethod
    def forward(ctx, grad, plan, n_in):
        ctx.args = (plan,)
        return plan.scatter(grad.array, n_in)

    @staticmethod
    def backward(ctx, grad):
        (plan,) = ctx.args
        return _AxisResample.apply(grad, plan), None, None


class _Plan:
    """Indices (and weights) that resample one axis."""

    def __init__(self, axis, ndim, i0, i1=None, w0=None, w1=None):
        self.axis, self.i0, self.i1 = axis, i0, i1
        # weights shaped to broadcast against the axis: (n_out, 1, ...) for inner axes
        tail = (1,) * (ndim - axis - 1)
        self.w0 = None if w0 is None else w0.reshape(w0.shape + tail)
        self.w1 = None if w1 is None else w1.reshape(w1.shape + tail)

    def gather(self, x):
        xp = backend.array_module(x)
        out = xp.take(x, self.i0, axis=self.axis)
        if self.w0 is None:
            return out
        out *= self.w0
        out += xp.take(x, self.i1, axis=self.axis) * self.w1
        return out

    def _matrix(self, n_in, dtype, xp):
        """The dense (n_out, n_in) resampling matrix: out = M x along the axis."""
        m = getattr(self, "_m", None)
        if m is None or m.dtype != dtype:
            n_out = self.i0.shape[0]
            m = xp.zeros((n_out, n_in), dtype=dtype)
            rows = xp.arange(n_out)
            if self.w0 is None:
                m[rows, self.i0] = 1
            else:
                m[rows, self.i0] += self.w0.reshape(-1).astype(dtype)
                m[rows, self.i1] += self.w1.reshape(-1).astype(dtype)
            self._m = m
        return m

    def scatter(self, g, n_in):
        xp = backend.array_module(g)
        last = g.ndim - 1
        # on the host, the adjoint of the last two axes' resampling is one matrix product
        # (BLAS) instead of an unbuffered add.at, when the matrix is small and g is finite
        # (a zero weight times an inf or nan would otherwise spread it along the axis)
        if (not backend.is_device_array(g) and self.axis >= last - 1
                and self.i0.shape[0] * n_in <= 1 << 22 and bool(xp.isfinite(g).all())):
            m = self._matrix(n_in, g.dtype, xp)
            return g @ m if self.axis == last else m.T @ g
        shape = g.shape[:self.axis] + (n_in,) + g.shape[self.axis + 1:]
        out = xp.zeros(shape, dtype=g.dtype)
        lead = (slice(None),) * self.axis
        if self.w0 is None:
            backend.index_add_at(out, lead + (self.i0,), g)
        else:
            backend.index_add_at(out, lead + (self.i0,), g * self.w0)
            backend.index_add_at(out, lead + (self.i1,), g * self.w1)
        return out


# ----------------------------------------------------------------------------- indices
def _nearest_plan(n_in, n_out, scale, exact, axis, ndim, xp):
    """PyTorch's nearest_idx / nearest_exact_idx, in float32 as its kernels compute them.
    Its 2-d nearest kernel takes n_out == n_in and n_out == 2 n_in as exact cases even when a
    scale_factor says otherwise; the 1-d kernel always applies the formula."""
    f32 = backend.float32.type
    i = xp.arange(n_out)
    shortcut = not exact and ndim == 4
    if n_out == n_in and shortcut:
        return None
    if n_out == 2 * n_in and shortcut:
        return _Plan(axis, ndim, i >> 1)
    # scale: 1/scale_factor when one is given, else n_in/n_out (both as float32)
    s = f32(1.0 / scale) if scale is not None and scale > 0 else f32(n_in) / f32(n_out)
    if exact:  # floorf((i + 0.5) * scale): the product in double, then to float
        src = xp.floor(((i + 0.5) * float(s)).astype(f32))
    else:
        src = xp.floor(i.astype(f32) * s)
    return _Plan(axis, ndim, xp.minimum(src.astype(backend.int64), n_in - 1))


def _linear_plan(n_in, n_out, scale, align_corners, dtype, axis, ndim, xp):
    """PyTorch's compute_source_index_and_lambda, in the input's float type (float32 for
    float16)."""
    if n_out == n_in:
        return None
    op_dtype = backend.float64 if dtype == backend.float64 else backend.float32
    t = op_dtype.type
    i = xp.arange(n_out, dtype=op_dtype)
    if align_corners:
        s = t(n_in - 1) / t(n_out - 1) if n_out > 1 else t(0)
        real = s * i
    else:
        s = t(1.0 / scale) if scale is not None and scale > 0 else t(n_in) / t(n_out)
        real = xp.maximum(s * (i + t(0.5)) - t(0.5), t(0))
    i0 = xp.minimum(xp.floor(real).astype(backend.int64), n_in - 1)
    lam1 = xp.clip(real - i0, 0, 1).astype(op_dtype)
    i1 = i0 + (i0 < n_in - 1)
    return _Plan(axis, ndim, i0, i1, (1 - lam1).astype(dtype), lam1.astype(dtype))


# ----------------------------------------------------------------------------- interpolate


def resample(input, sizes, scales, mode, align_corners):
    """input resampled to `sizes` along its spatial axes (2, 3, ...) in `mode` (nearest,
    nearest-exact or linear); `input` itself where no axis changes."""
    xp = backend.array_module(input.array)
    out = input
    for k, n_out in enumerate(sizes):
        axis = 2 + k
        n_in = input.shape[axis]
        scale = None if scales is None else scales[k]
        if mode in ("nearest", "nearest-exact"):
            plan = _nearest_plan(n_in, n_out, scale, mode == "nearest-exact", axis, input.ndim,
                                 xp)
        else:
            plan = _linear_plan(n_in, n_out, scale, align_corners, input.array.dtype, axis,
                                input.ndim, xp)
        if plan is not None:
            out = _AxisResample.apply(out, plan)
    return out
