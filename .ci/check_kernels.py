"""Compile every CUDA kernel Ember declares with nvcc, on a machine without a GPU.

Wraps each `backend.Fused` body the way CuPy's ElementwiseKernel does (raw params as
CArray, the others as a reference to element i, scalars by value) and each RawKernel
source as it is, for T = float and double, then runs `nvcc -arch=sm_90 -c`. This catches
syntax and type errors before a GPU run; it does not run anything.
    python .ci/check_kernels.py [--cupy-include DIR] [--nvcc PATH]
"""
from __future__ import annotations

import argparse
import glob
import importlib
import os
import pkgutil
import re
import subprocess
import sys
import tempfile

_CTYPES = {"int32": "int", "int64": "long long", "float64": "double", "float32": "float",
           "uint64": "unsigned long long", "bool": "bool", "int8": "signed char"}


def _param_list(spec):
    out = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        words = part.split()
        raw = words[0] == "raw"
        if raw:
            words = words[1:]
        out.append((raw, words[0], words[1]))
    return out


def _c_type(t, T):
    return T if len(t) == 1 or t in ("T", "I", "U") else _CTYPES[t]


def elementwise_source(name, in_params, out_params, body, preamble, T):
    params, binds = [], []
    outs = {var for _, _, var in _param_list(out_params)}
    for raw, t, var in _param_list(in_params) + _param_list(out_params):
        c = _c_type(t, T) if t not in ("I",) else "long long"
        if raw:
            params.append(f"CArray<{c}, 1, true, true> {var}")
        elif var not in outs and len(t) > 1:  # a named type: a scalar in Ember's kernels
            params.append(f"{c} {var}")
        else:
            params.append(f"CArray<{c}, 1, true, true> _raw_{var}")
            binds.append(f"{c} &{var} = _raw_{var}[i];")
    return (f"#include <cassert>\n#include <cupy/carray.cuh>\n#include <cupy/float16.cuh>\n"
            f"typedef {T} T;\ntypedef long long I;\n{preamble}\n"
            f"extern \"C\" __global__ void {name}({', '.join(params)}, long long n) {{\n"
            f"  for (ptrdiff_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n;"
            f" i += blockDim.x * gridDim.x) {{\n    {' '.join(binds)}\n{body};\n  }}\n}}\n")


def collect():
    import autograd
    from autograd import backend
    seen = []
    for mod in pkgutil.walk_packages(autograd.__path__, "autograd."):
        try:
            m = importlib.import_module(mod.name)
        except Exception:
            continue
        for obj in vars(m).values():
            if isinstance(obj, (backend.Fused, backend.RawKernel)) and obj not in seen:
                seen.append(obj)
    import nn  # noqa: F401  (optimisers and layers declare kernels too)
    for name, m in list(sys.modules.items()):
        if name.startswith("nn.") and m is not None:
            for obj in vars(m).values():
                if isinstance(obj, (backend.Fused, backend.RawKernel)) and obj not in seen:
                    seen.append(obj)
    return seen


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nvcc", default="nvcc")
    ap.add_argument("--cupy-include", default=None)
    ap.add_argument("--only", default=None, help="regex on kernel names")
    args = ap.parse_args()
    inc = args.cupy_include
    if inc is None:
        found = glob.glob("/work/cupyenv/lib/python3*/site-packages/cupy/_core/include")
        inc = found[0] if found else None
    if inc is None:
        sys.exit("check_kernels: pass --cupy-include (cupy/_core/include of a CuPy install)")
    from autograd import backend
    failures = 0
    kernels = collect()
    from autograd.backend.foreach import _C_SCALARS, MultiTensor
    for k in list(kernels):  # the optimisers' updates also run as multi-tensor kernels
        if isinstance(k, backend.Fused) and "raw" not in k._spec[0] + k._spec[1] and all(
                t == "T" or t in _C_SCALARS for t, _ in
                (p.split() for p in (k._spec[0] + "," + k._spec[1]).split(",") if p.strip())):
            kernels.append(MultiTensor(k))
    with tempfile.TemporaryDirectory() as tmp:
        for k in kernels:
            if args.only and not re.search(args.only, k.name):
                continue
            # half precision (autocast) reaches the elementwise kernels too
            for T in ("float", "double") + (("float16",) if isinstance(k, backend.Fused)
                                            else ()):
                if isinstance(k, backend.Fused):
                    spec = k._spec + ("",) * (4 - len(k._spec))
                    src = elementwise_source(k.name, *spec, T)
                elif isinstance(k, MultiTensor):
                    src = k.source(T)
                else:
                    src = f"typedef {T} T;\n{k.source}"
                path = os.path.join(tmp, f"{k.name}_{T}.cu")
                with open(path, "w") as f:
                    f.write(src)
                r = subprocess.run([args.nvcc, "-arch=sm_90", "-std=c++17", "-I", inc,
                                    "-c", path, "-o", path + ".o"],
                                   capture_output=True, text=True)
                if r.returncode:
                    failures += 1
                    print(f"FAIL {k.name} ({T})\n{r.stderr[-3000:]}")
                    break
            else:
                print(f"ok   {k.name}")
    print(f"{len(kernels)} kernels, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
