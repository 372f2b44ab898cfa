"""`autograd.fft` (torch.fft): fft, ifft, rfft, irfft, hfft, ihfft and their 2-d and n-d
forms with `n`/`s`, `dim` and `norm` as PyTorch, fftfreq, rfftfreq, fftshift and
ifftshift. Results are complex tensors; gradients follow PyTorch's formulas."""
from __future__ import annotations

from collections.abc import Sequence

from . import backend
from .creation import arange
from .ops import complex as _complex
from .ops import fft as _fft
from .ops import shape as _shape
from .ops.elementwise import cast as _cast
from .tensor_base import TensorBase as Tensor
from .tensor_base import _make

__all__ = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2",
           "irfft2", "hfft2", "ihfft2", "fftn", "ifftn", "rfftn", "irfftn", "hfftn",
           "ihfftn", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]


def _input(x, op, real_only=False):
    """A floating (or complex) tensor: integers and bools become the default float."""
    if not isinstance(x, Tensor):
        raise TypeError(f"fft.{op}: expected a Tensor, got {type(x).__name__}")
    kind = x.array.dtype.kind
    if kind == "c":
        if real_only:
            raise RuntimeError(f"fft.{op} expects a real input tensor, but got {x.dtype}")
        return x
    if kind != "f":
        return _cast(x, backend.get_default_dtype())
    if x.array.dtype.name == "float16":
        raise RuntimeError(f"fft.{op}: Unsupported dtype Half")
    return x


def _dims_sizes(x, s, dim, op, default_all=True):
    """PyTorch's (s, dim) rules: dims normalised and unique; sizes default to the input's
    (-1 in `s` too); with `s` alone, the last len(s) dims."""
    if dim is not None and not isinstance(dim, Sequence):
        dim = (dim,)
    if s is not None and not isinstance(s, Sequence):
        s = (s,)
    if dim is None:
        if s is not None:
            dim = tuple(range(x.ndim - len(s), x.ndim))
        else:
            dim = tuple(range(x.ndim)) if default_all else (x.ndim - 1,)
    dims = tuple(_shape.norm_dim(d, x.ndim, f"fft.{op}") for d in dim)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"fft.{op}: FFT dims must be unique, got {tuple(dim)}")
    if s is not None and len(s) != len(dims):
        raise RuntimeError(f"fft.{op}: When given, dim and shape arguments must have the same "
                           f"length, got s={tuple(s)} and dim={tuple(dim)}")
    if not dims:
        raise RuntimeError(f"fft.{op}: at least one dim is needed")
    sizes = [x.shape[d] for d in dims] if s is None else \
        [x.shape[d] if n == -1 else n for n, d in zip(s, dims)]
    for n in sizes:
        if n < 1:
            raise RuntimeError(f"fft.{op}: Invalid number of data points ({n}) specified")
    return dims, sizes


def _resized(x, dims, sizes):
    for d, n in zip(dims, sizes):
        x = _fft.resize(x, d, n)
    return x


# ----------------------------------------------------------------------------- c2c
def _c2c(op, input, s, dim, norm, forward, default_all):
    norm = _fft.check_norm(norm, f"fft.{op}")
    x = _input(input, op)
    dims, sizes = _dims_sizes(x, s, dim, op, default_all)
    z = _complex.to_complex(_resized(x, dims, sizes))
    return _fft.C2C.apply(z, dims, forward, norm)


def fft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """Same as torch.fft.fft: the 1-d discrete Fourier transform along `dim`."""
    return _c2c("fft", input, None if n is None else (n,), dim, norm, True, False)


def ifft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """Same as torch.fft.ifft."""
    return _c2c("ifft", input, None if n is None else (n,), dim, norm, False, False)


def fft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    """Same as torch.fft.fft2."""
    return _c2c("fft2", input, s, dim, norm, True, True)


def ifft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    """Same as torch.fft.ifft2."""
    return _c2c("ifft2", input, s, dim, norm, False, True)


def fftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    """Same as torch.fft.fftn (every dim when `s` and `dim` are None)."""
    return _c2c("fftn", input, s, dim, norm, True, True)


def ifftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    """Same as torch.fft.ifftn."""
    return _c2c("ifftn", input, s, dim, norm, False, True)


# ----------------------------------------------------------------------------- r2c / c2r
def _r2c(op, input, s, dim, norm, default_all):
    norm = _fft.check_norm(norm, f"fft.{op}")
    x = _input(input, op, real_only=True)
    dims, sizes = _dims_sizes(x, s, dim, op, default_all)
    return _fft.R2C.apply(_resized(x, dims, sizes), dims, norm)


def _c2r(op, input, s, dim, norm, default_all):
    norm = _fft.check_norm(norm, f"fft.{op}")
    z = _complex.to_complex(_input(input, op))
    dims, sizes = _dims_sizes(z, s, dim, op, default_all)
    if s is None or s[-1] == -1:  # the last dim's default output size
        sizes[-1] = 2 * (z.shape[dims[-1]] - 1)
        if sizes[-1] < 1:
            raise RuntimeError(f"fft.{op}: Invalid number of data points ({sizes[-1]}) "
                               "specified")
    n = sizes[-1]
    z = _resized(z, dims, sizes[:-1] + [n // 2 + 1])
    return _fft.C2R.apply(z, dims, norm, n)


def rfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """Same as torch.fft.rfft: the one-sided transform of a real signal (n // 2 + 1 bins)."""
    return _r2c("rfft", input, None if n is None else (n,), dim, norm, False)


def irfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """Same as torch.fft.irfft: `n` real points (default 2 * (bins - 1))."""
    return _c2r("irfft", input, None if n is None else (n,), dim, norm, False)


def rfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    """Same as torch.fft.rfft2."""
    return _r2c("rfft2", input, s, dim, norm, True)


def irfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    """Same as torch.fft.irfft2."""
    return _c2r("irfft2", input, s, dim, norm, True)


def rfftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    """Same as torch.fft.rfftn: one-sided along the last of `dim`."""
    return _r2c("rfftn", input, s, dim, norm, True)


def irfftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    """Same as torch.fft.irfftn."""
    return _c2r("irfftn", input, s, dim, norm, True)


# ----------------------------------------------------------------------------- Hermitian
# hfft is irfft of the conjugate with the other scale; ihfft the conjugate of rfft.
def _swap(norm, op):
    return _fft._SWAP[_fft.check_norm(norm, f"fft.{op}")]


def hfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """Same as torch.fft.hfft: the real transform of a one-sided Hermitian signal."""
    z = _complex.conj(_complex.to_complex(_input(input, "hfft")))
    return _c2r("hfft", z, None if n is None else (n,), dim, _swap(norm, "hfft"), False)


def ihfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """Same as torch.fft.ihfft."""
    out = _r2c("ihfft", input, None if n is None else (n,), dim, _swap(norm, "ihfft"), False)
    return _complex.conj(out)


def hfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    """Same as torch.fft.hfft2."""
    return hfftn(input, s, dim, norm)


def ihfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    """Same as torch.fft.ihfft2."""
    return ihfftn(input, s, dim, norm)


def hfftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    """Same as torch.fft.hfftn."""
    z = _complex.conj(_complex.to_complex(_input(input, "hfftn")))
    return _c2r("hfftn", z, s, dim, _swap(norm, "hfftn"), True)


def ihfftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    """Same as torch.fft.ihfftn."""
    return _complex.conj(_r2c("ihfftn", input, s, dim, _swap(norm, "ihfftn"), True))


# ----------------------------------------------------------------------------- helpers
def _freq(n, d, dtype, device, requires_grad, onesided):
    dtype = backend.get_default_dtype() if dtype is None else backend.as_dtype(dtype)
    if onesided:
        k = arange(0, n // 2 + 1, dtype=dtype, device=device)
    else:  # 0, 1, ..., (n - 1) // 2, then -(n // 2), ..., -1
        k = _shape.roll(arange(-(n // 2), n - n // 2, dtype=dtype, device=device), -(n // 2))
    out = k * (1.0 / (n * d))
    out = _make(out.array)
    out.requires_grad = bool(requires_grad)
    return out


def fftfreq(n: int, d: float = 1.0, *, out=None, dtype=None, layout=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """Same as torch.fft.fftfreq: the sample frequencies of an n-point transform."""
    return _freq(int(n), d, dtype, device, requires_grad, False)


def rfftfreq(n: int, d: float = 1.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """Same as torch.fft.rfftfreq: the n // 2 + 1 non-negative frequencies."""
    return _freq(int(n), d, dtype, device, requires_grad, True)


def _shift(input, dim, sign):
    if dim is None:
        dim = tuple(range(input.ndim))
    elif not isinstance(dim, Sequence):
        dim = (dim,)
    dims = tuple(_shape.norm_dim(d, input.ndim, "fft.fftshift") for d in dim)
    shifts = tuple(sign * (input.shape[d] // 2) if sign > 0 else -(input.shape[d] // 2)
                   for d in dims)
    return _shape.roll(input, shifts, dims)


def fftshift(input: Tensor, dim=None) -> Tensor:
    """Same as torch.fft.fftshift: the zero frequency moved to the centre."""
    return _shift(input, dim, 1)


def ifftshift(input: Tensor, dim=None) -> Tensor:
    """Same as torch.fft.ifftshift: the inverse of fftshift."""
    return _shift(input, dim, -1)
