"""Complex tensors: real/imag parts, view_as_real/view_as_complex, conj, angle, polar,
and the real-to-complex cast. Gradients follow PyTorch's convention: the gradient of a
real loss L with respect to z = x + iy is dL/dx + i dL/dy (conjugate Wirtinger), and a
real input receives the real part of a complex gradient."""
from __future__ import annotations

from .. import backend
from ..function import Function
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import _make
from .shape import sum_to

complex64 = backend.as_dtype("complex64")
complex128 = backend.as_dtype("complex128")
_COMPLEX_OF = {"float16": complex64, "float32": complex64, "float64": complex128}


def complex_dtype_of(dtype):
    """The complex dtype matching a real floating dtype (complex64 for float16/32)."""
    if dtype.kind == "c":
        return dtype
    try:
        return _COMPLEX_OF[dtype.name]
    except KeyError:
        return _COMPLEX_OF[backend.get_default_dtype().name]


def _check(t, op):
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(t).__name__}")
    return t


class Real(Function):
    @staticmethod
    def forward(ctx, z):
        return backend.array_module(z.array).ascontiguousarray(z.array.real)

    @staticmethod
    def backward(ctx, grad):
        return grad  # a real gradient into the real part


class Imag(Function):
    @staticmethod
    def forward(ctx, z):
        return backend.array_module(z.array).ascontiguousarray(z.array.imag)

    @staticmethod
    def backward(ctx, grad):
        return complex_(zeros_like_real(grad), grad)


def zeros_like_real(t):
    return _make_array(backend.array_module(t.array).zeros_like(t.array))


def _make_array(arr):

    return _make(arr)


def real(input):
    """Same as torch.real: the real part (the tensor itself for real tensors)."""
    _check(input, "real")
    return Real.apply(input) if input.array.dtype.kind == "c" else input


def imag(input):
    """Same as torch.imag: the imaginary part; real tensors raise, as in PyTorch."""
    _check(input, "imag")
    if input.array.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return Imag.apply(input)


class Complex(Function):
    """torch.complex(real, imag): real + i imag from two real tensors of one dtype."""

    @staticmethod
    def forward(ctx, re, im):
        xp = backend.array_module(re.array)
        if ctx.recording:
            ctx.shapes = (re.array.shape, im.array.shape)
        out = xp.empty(xp.broadcast_shapes(re.array.shape, im.array.shape),
                       dtype=complex_dtype_of(re.array.dtype))
        out.real, out.imag = re.array, im.array
        return out

    @staticmethod
    def backward(ctx, grad):
        g_re = Real.apply(grad) if grad.array.dtype.kind == "c" else grad
        g_im = Imag.apply(grad) if grad.array.dtype.kind == "c" else None
        return (sum_to(g_re, ctx.shapes[0]) if ctx.needs_input_grad[0] else None,
                sum_to(g_im, ctx.shapes[1]) if ctx.needs_input_grad[1] and g_im is not None
                else None)


def complex_(real, imag):
    """Same as torch.complex(real, imag): real and imag of one floating dtype."""
    _check(real, "complex")
    _check(imag, "complex")
    if real.array.dtype != imag.array.dtype or real.array.dtype.kind != "f":
        raise RuntimeError(f"complex: expected real and imag to be float tensors of one "
                           f"dtype, got {real.dtype} and {imag.dtype}")
    return Complex.apply(real, imag)


class ToComplex(Function):
    """A real tensor as a complex one; its gradient is the real part of grad."""

    @staticmethod
    def forward(ctx, a, dtype):
        return a.array.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return real(grad), None


def to_complex(a, dtype=None):
    """`a` as a complex tensor (complex64 for float32 and below, complex128 for float64)."""
    if a.array.dtype.kind == "c":
        return a
    return ToComplex.apply(a, complex_dtype_of(a.array.dtype) if dtype is None else dtype)


class Conj(Function):
    @staticmethod
    def forward(ctx, z):
        return backend.array_module(z.array).conj(z.array)

    @staticmethod
    def backward(ctx, grad):
        return conj(grad)


def conj(input):
    """Same as torch.conj (a copy, not a lazy conjugate view); real tensors unchanged."""
    _check(input, "conj")
    return Conj.apply(input) if input.array.dtype.kind == "c" else input


def conj_physical(input):
    """Same as torch.conj_physical."""
    return conj(input)


class ViewAsReal(Function):
    @staticmethod
    def forward(ctx, z):
        xp = backend.array_module(z.array)
        return xp.stack([z.array.real, z.array.imag], axis=-1)

    @staticmethod
    def backward(ctx, grad):
        return view_as_complex(grad)


def view_as_real(input):
    """Same as torch.view_as_real: a complex (...) tensor as a real (..., 2) one (a copy
    in Ember: writes to the result do not reach the input)."""
    _check(input, "view_as_real")
    if input.array.dtype.kind != "c":
        raise RuntimeError(f"view_as_real is only supported for complex tensors, got "
                           f"{input.dtype}")
    return ViewAsReal.apply(input)


class ViewAsComplex(Function):
    @staticmethod
    def forward(ctx, x):
        arr = x.array
        xp = backend.array_module(arr)
        out = xp.empty(arr.shape[:-1], dtype=complex_dtype_of(arr.dtype))
        out.real, out.imag = arr[..., 0], arr[..., 1]
        return out

    @staticmethod
    def backward(ctx, grad):
        return view_as_real(grad)


def view_as_complex(input):
    """Same as torch.view_as_complex: a real (..., 2) tensor of float32/float64 as a
    complex (...) one (a copy in Ember)."""
    _check(input, "view_as_complex")
    if input.array.dtype.name not in ("float32", "float64"):
        raise RuntimeError(f"view_as_complex is only supported for float and double "
                           f"tensors, but got a tensor of scalar type: {input.dtype}")
    if input.ndim == 0 or input.shape[-1] != 2:
        raise RuntimeError(f"view_as_complex: Tensor must have a last dimension of size 2, "
                           f"got shape {tuple(input.shape)}")
    return ViewAsComplex.apply(input)


class Angle(Function):
    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        return backend.array_module(z.array).angle(z.array)

    @staticmethod
    def backward(ctx, grad):
        # angle = atan2(y, x): d/dx = -y/|z|^2, d/dy = x/|z|^2, packed as gx + i gy
        (z,) = ctx.saved_tensors
        if z.array.dtype.kind != "c":
            return grad * 0.0  # PyTorch: zero gradient for real inputs
        x, y = real(z), imag(z)
        r2 = x * x + y * y
        return complex_(-grad * y / r2, grad * x / r2)


def angle(input):
    """Same as torch.angle: the argument of complex values (0 or pi for reals)."""
    _check(input, "angle")
    if input.array.dtype.kind not in "fc":  # integers carry no gradient: a plain copy
        input = _make(input.array.astype(backend.get_default_dtype()))
    return Angle.apply(input)


def polar(abs, angle):
    """Same as torch.polar: abs * (cos(angle) + i sin(angle))."""
    return complex_(abs * angle.cos(), abs * angle.sin())  # Tensor methods: unary ops


def is_complex(input) -> bool:
    """Same as torch.is_complex."""
    return _check(input, "is_complex").array.dtype.kind == "c"
