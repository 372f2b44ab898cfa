"""Run a `backend.Fused` CUDA kernel body on the host: the body is compiled by the C++
compiler as a plain loop over i (raw params as pointers, outputs as references to element
i, scalars by value) and called through ctypes on NumPy arrays. Checks a kernel's index
arithmetic against the NumPy code path without a GPU; CUDA-only syntax is not covered
(.ci/check_kernels.py compiles the real thing with nvcc)."""
from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import tempfile

import numpy as np

_C = {"int32": ("int", np.int32), "int64": ("long long", np.int64),
      "float32": ("float", np.float32), "float64": ("double", np.float64)}
_CACHE: dict = {}


def available() -> bool:
    return shutil.which("g++") is not None


def _params(spec):
    out = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        words = part.split()
        raw = words[0] == "raw"
        out.append((raw,) + tuple(words[1:] if raw else words))
    return out


def _compile(kernel, dtype):
    in_params, out_params, body, preamble = (kernel._spec + ("",))[:4]
    T = _C[np.dtype(dtype).name][0]
    ins, outs = _params(in_params), _params(out_params)
    decl, binds = [], []
    for j, (raw, t, var) in enumerate(ins + outs):
        c = T if t == "T" else _C[t][0]
        is_out = j >= len(ins)
        if raw or is_out or t == "T":
            decl.append(f"Raw<{c}> {'_raw_' if not raw else ''}{var}{{({c}*)a[{j}]}};")
            if not raw:
                binds.append(f"{c} &{var} = _raw_{var}[i];")
        else:
            decl.append(f"{c} {var} = ({c})s[{j}];")
    src = (f"#include <cmath>\n#include <cstddef>\nusing std::isnan;\ntypedef {T} T;\n"
           "template <class U> struct Raw { U* p; U& operator[](long long i) const "
           "{ return p[i]; } };\n" + preamble +
           "\nextern \"C\" void run(void** a, double* s, long long n) {\n"
           + "\n".join(decl) + "\nfor (ptrdiff_t i = 0; i < n; ++i) {\n"
           + " ".join(binds) + "\n" + body + ";\n}\n}\n")
    key = hashlib.sha1(src.encode()).hexdigest()
    if key in _CACHE:
        return _CACHE[key]
    tmp = tempfile.mkdtemp(prefix="ember_kernel_")
    path = os.path.join(tmp, "k.cpp")
    with open(path, "w") as f:
        f.write(src)
    subprocess.run(["g++", "-O1", "-shared", "-fPIC", "-o", path + ".so", path], check=True,
                   capture_output=True)
    fn = ctypes.CDLL(path + ".so").run
    fn.argtypes = (ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_double),
                   ctypes.c_longlong)
    fn.restype = None
    _CACHE[key] = fn, len(ins) + len(outs)
    return _CACHE[key]


def emulate(kernel, *args, dtype):
    """kernel(*args) as CuPy would run it: args in the order of in_params then
    out_params (outputs are C-contiguous NumPy arrays written in place; the loop runs over
    the first output's elements)."""
    fn, count = _compile(kernel, dtype)
    assert len(args) == count, (kernel.name, len(args), count)
    ptrs = (ctypes.c_void_p * count)()
    scalars = (ctypes.c_double * count)()
    n = None
    outs = _params(kernel._spec[1])
    for j, a in enumerate(args):
        if isinstance(a, np.ndarray):
            assert a.flags.c_contiguous, kernel.name
            ptrs[j] = a.ctypes.data
            if j >= count - len(outs) and n is None:
                n = a.size
        else:
            scalars[j] = float(a)
    fn(ptrs, scalars, n)


_CT = {"double": ctypes.c_double, "int": ctypes.c_int, "long long": ctypes.c_longlong}


def emulate_multi(multi, lists, scalars, dtype):
    """A `backend.foreach.MultiTensor` kernel run on the host (one thread, the grid-stride
    loop covering every element) over lists of NumPy arrays, written in place."""
    from autograd.backend.foreach import _C_SCALARS
    T = _C[np.dtype(dtype).name][0]
    src = ("#include <cmath>\nusing std::sqrt; using std::isnan;\n"
           "struct Dim { unsigned x; };\nstatic Dim blockIdx{0}, threadIdx{0}, blockDim{1},"
           " gridDim{1};\n#define __global__\n" + multi.source(T))
    key = hashlib.sha1(src.encode()).hexdigest()
    if key not in _CACHE:
        tmp = tempfile.mkdtemp(prefix="ember_kernel_")
        path = os.path.join(tmp, "m.cpp")
        with open(path, "w") as f:
            f.write(src)
        subprocess.run(["g++", "-O1", "-shared", "-fPIC", "-o", path + ".so", path],
                       check=True, capture_output=True)
        fn = getattr(ctypes.CDLL(path + ".so"), multi.name)
        fn.argtypes = (ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_longlong) + \
            tuple(_CT[_C_SCALARS[t][0]] for t, _ in multi.scalars)
        fn.restype = None
        _CACHE[key] = fn
    fn = _CACHE[key]
    table = np.array([a.ctypes.data for arrays in lists for a in arrays], dtype=np.int64)
    ends = np.cumsum([a.size for a in lists[0]]).astype(np.int64)
    fn(table.ctypes.data, ends.ctypes.data, len(lists[0]), int(ends[-1]), *scalars)
