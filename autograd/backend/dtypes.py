"""Dtypes: the names PyTorch uses (NumPy dtypes underneath; bfloat16 from the optional
ml_dtypes package), the default float dtype, PyTorch's type promotion, finfo and iinfo."""
from __future__ import annotations

import numpy as np

try:  # bfloat16 for NumPy (and CuPy, which takes NumPy's dtypes)
    import ml_dtypes
except ImportError:
    ml_dtypes = None


class MissingDtype:
    """A dtype whose package is not installed: `autograd.bfloat16` exists anyway, and any
    use of it raises an error naming the package."""

    def __init__(self, name: str, package: str):
        self.name, self.package = name, package

    def __repr__(self):
        return f"torch.{self.name}"

    def error(self) -> RuntimeError:
        return RuntimeError(
            f"{self.name}: expected the '{self.package}' package to be installed, got none; "
            f"pip install {self.package} (or the extra: pip install 'ember-grad[bf16]')")


float16 = np.dtype("float16")
float32 = np.dtype("float32")
float64 = np.dtype("float64")
# NumPy sees ml_dtypes' bfloat16 as kind "V" (a user type): ask kind() / is_floating()
bfloat16 = np.dtype(ml_dtypes.bfloat16) if ml_dtypes is not None else \
    MissingDtype("bfloat16", "ml_dtypes")
int8 = np.dtype("int8")
int16 = np.dtype("int16")
int32 = np.dtype("int32")
int64 = np.dtype("int64")
uint8 = np.dtype("uint8")
bool_ = np.dtype("bool")
complex64 = np.dtype("complex64")
complex128 = np.dtype("complex128")
DTYPES = {
    "float16": float16, "half": float16, "float32": float32, "float": float32,
    "float64": float64, "double": float64, "int8": int8, "int16": int16,
    "int32": int32, "int": int32, "int64": int64, "long": int64, "uint8": uint8,
    "bool": bool_, "bfloat16": bfloat16, "complex64": complex64, "cfloat": complex64,
    "complex128": complex128, "cdouble": complex128,
}

_default_dtype = float32


class TorchDtype:
    """PyTorch's dtype object (exported as `autograd.dtype`; `autograd.float32` is one):
    prints as `torch.float32`, has torch.dtype's attributes (is_floating_point,
    is_complex, is_signed, itemsize, to_real(), to_complex()), and stands for its NumPy
    dtype everywhere: equal to it with the same hash (dict keys mix), `np.dtype(d)` and any
    `dtype=` of NumPy/CuPy take it (through its `.dtype` attribute). One object per dtype,
    so `x.dtype is autograd.float32` holds; pickled by name."""

    __slots__ = ("dtype", "kind", "itemsize", "is_floating_point", "is_complex",
                 "is_signed", "_name", "__weakref__")

    def __init__(self, np_dtype, name: str):
        self.dtype, self._name = np_dtype, name
        self.kind = "f" if np_dtype is bfloat16 else np_dtype.kind
        self.itemsize = np_dtype.itemsize
        self.is_floating_point = self.kind == "f"
        self.is_complex = self.kind == "c"
        self.is_signed = self.kind in "fci"

    def __repr__(self):
        return f"torch.{self._name}"

    __str__ = __repr__

    def __hash__(self):
        return hash(self.dtype)

    def __eq__(self, other):
        if type(other) is TorchDtype:
            return self is other
        if isinstance(other, np.dtype):
            return self.dtype == other
        if isinstance(other, type) and issubclass(other, np.generic):  # np.float32
            return self.dtype == np.dtype(other)
        return NotImplemented

    def __ne__(self, other):
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __reduce__(self):
        return (_torch_dtype_named, (self._name,))

    def to_real(self):
        """Same as torch.dtype.to_real: the real dtype of a complex one (else itself)."""
        return torch_dtype({"c": {8: float32, 16: float64}}.get(self.kind, {}).get(
            self.itemsize, self.dtype))

    def to_complex(self):
        """Same as torch.dtype.to_complex: complex64 for float32/bfloat16, complex128
        for float64; a complex dtype is itself."""
        if self.kind == "c":
            return self
        if self.kind != "f" or self.dtype is float16:
            raise RuntimeError(f"to_complex: expected float32, bfloat16 or float64, got "
                               f"{self} (Ember has no complex32)")
        return torch_dtype(complex128 if self.dtype is float64 else complex64)


# NumPy dtype -> its TorchDtype; more are made on first use (uint16, ...)
TORCH_DTYPES: dict = {}


def torch_dtype(np_dtype) -> TorchDtype:
    """The `TorchDtype` standing for a NumPy dtype (what Tensor.dtype returns)."""
    try:
        return TORCH_DTYPES[np_dtype]
    except KeyError:
        if isinstance(np_dtype, (TorchDtype, MissingDtype)):
            return np_dtype
        np_dtype = as_dtype(np_dtype)
        name = "bfloat16" if np_dtype is bfloat16 else np_dtype.name
        return TORCH_DTYPES.setdefault(np_dtype, TorchDtype(np_dtype, name))


def _torch_dtype_named(name: str) -> TorchDtype:
    """Unpickling a TorchDtype: by its name."""
    return torch_dtype(as_dtype(name))


def get_default_dtype():
    return _default_dtype


def set_default_dtype(dtype) -> None:
    """Same as torch.set_default_dtype: the dtype of Python floats (float32 or float64)."""
    global _default_dtype
    dtype = as_dtype(dtype)
    if not is_floating(dtype):
        raise TypeError(f"set_default_dtype: expected a floating dtype, got {dtype}")
    _default_dtype = dtype


def as_dtype(dtype):
    """Normalise a dtype given as np.dtype, Ember's `dtype` (autograd.float32), a string,
    a Python type or a scalar type to the NumPy dtype."""
    if dtype is None:
        return None
    if isinstance(dtype, np.dtype):
        return dtype
    if type(dtype) is TorchDtype:
        return dtype.dtype
    if isinstance(dtype, MissingDtype):
        raise dtype.error()
    if dtype is float:
        return _default_dtype
    if dtype is int:
        return int64
    if dtype is bool:
        return bool_
    if type(dtype).__module__ == "torch":  # a real torch.dtype: by its name
        dtype = str(dtype)
    if isinstance(dtype, str):
        name = dtype[6:] if dtype.startswith("torch.") else dtype
        if name in DTYPES:
            return as_dtype(DTYPES[name])
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"expected a dtype such as autograd.float32, got {dtype!r}") from None


def kind(dtype) -> str:
    """dtype.kind, with "f" for bfloat16 (a floating dtype NumPy files under "V")."""
    return "f" if dtype is bfloat16 else dtype.kind


def is_floating(dtype) -> bool:
    """True for float16, bfloat16, float32 and float64 (torch.is_floating_point)."""
    return dtype.kind == "f" or dtype is bfloat16


_KIND_RANK = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def promote_types(a, b):
    """PyTorch's promotion of two tensor dtypes (int64 with float32 gives float32;
    bfloat16 with float16 gives float32, as neither holds the other)."""
    if a is b:
        return a
    ka, kb = _KIND_RANK[kind(a)], _KIND_RANK[kind(b)]
    if ka != kb:
        return a if ka > kb else b
    return np.promote_types(a, b)


def result_type(*operands):
    """Result dtype of an op on arrays or Python scalars (None skipped), following PyTorch.

    Categories are bool < integer < float. Dimensioned tensors decide; a 0-d tensor,
    then a Python scalar, only counts when it is of a higher category (so float32
    tensor * 2.5 stays float32 and int64 tensor * 2.5 becomes the default float dtype).
    """
    levels = ([], [], [])  # dimensioned arrays, 0-d arrays, Python scalars
    for x in operands:
        if x is None:
            continue
        if isinstance(x, (bool, int, float)):
            levels[2].append(_dtype_of(x))
        else:
            levels[1 if x.ndim == 0 else 0].append(x.dtype)
    result = None
    for dtypes in levels:
        if not dtypes:
            continue
        d = dtypes[0]
        for other in dtypes[1:]:
            d = promote_types(d, other)
        if result is None or _KIND_RANK[kind(d)] > _KIND_RANK[kind(result)]:
            result = d
    return result


def _dtype_of(x):
    if isinstance(x, bool):
        return bool_
    if isinstance(x, int):
        return int64
    if isinstance(x, float):
        return _default_dtype
    return x.dtype


class finfo:
    """Same as torch.finfo: machine limits of a floating dtype (the default dtype when
    none is given): bits, eps, max, min, tiny (= smallest_normal), resolution, dtype."""

    def __init__(self, dtype=None):
        dt = as_dtype(dtype) or get_default_dtype()
        if not is_floating(dt):
            raise TypeError(f"finfo: expected a floating point dtype, got {dt}")
        info = ml_dtypes.finfo(dt) if dt is bfloat16 else np.finfo(dt)
        self.bits, self.dtype = info.bits, dt.name
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -info.precision

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:
    """Same as torch.iinfo: bits, max, min and dtype of an integer dtype."""

    def __init__(self, dtype):
        dt = as_dtype(dtype)
        if dt is None or dt.kind not in "iub":
            raise TypeError(f"iinfo: expected an integer dtype, got {dt}")
        info = np.iinfo(dt) if dt.kind != "b" else np.iinfo(np.uint8)
        self.bits, self.max, self.min, self.dtype = info.bits, int(info.max), int(info.min), \
            dt.name

    def __repr__(self):
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


for _d in (float16, float32, float64, bfloat16, int8, int16, int32, int64, uint8, bool_,
           complex64, complex128):
    if isinstance(_d, np.dtype):
        torch_dtype(_d)
