"""The bad-input table's harness (issue 19): a row is (id, fn) where fn(lib) builds its
inputs with `lib` (torch, or autograd) and runs one op or layer. Each row runs on Ember and
on PyTorch; both must raise or both must compute. When both raise, the exception classes
are compared after mapping each to PyTorch's family (NotImplementedError, IndexError,
ValueError, TypeError, RuntimeError, in that order, so a subclass agrees with its base).
When both compute, shapes, dtypes and values are compared (values within a tolerance from
the dtype's epsilon).

Rows build their inputs deterministically (`t`, `ints`, `fixed`), never from a random
generator, so values can be compared."""
from __future__ import annotations

import functools
import traceback
import warnings
from dataclasses import dataclass

import numpy as np

import autograd as ag

try:
    import torch
except ImportError:  # the table skips without torch
    torch = None

FAMILIES = (NotImplementedError, IndexError, ValueError, TypeError, RuntimeError)
# phrases that only come from NumPy/Python internals, never from an Ember check
LEAKS = ("cannot reshape array", "operands could not be broadcast", "ndarray", "numpy",
         "axis ", "object of type", "unsupported operand")


def family(exc: BaseException) -> type:
    """The PyTorch exception family `exc` belongs to (its own class if none)."""
    for cls in FAMILIES:
        if isinstance(exc, cls):
            return cls
    return type(exc)


# ---- inputs ---------------------------------------------------------------------------
def t(L, *shape, dtype=None, grad=False):
    """Deterministic float values of `shape` (varied signs, no zeros), float32 unless
    `dtype`."""
    n = int(np.prod(shape)) if shape else 1
    x = (L.arange(n, dtype=L.float64) * 0.37 + 0.11).sin().reshape(shape)
    x = x.to(dtype if dtype is not None else L.float32)
    return x.requires_grad_() if grad else x


def ints(L, *shape, high=3, dtype=None):
    """Deterministic int64 values in [0, high) of `shape`."""
    n = int(np.prod(shape)) if shape else 1
    return (L.arange(n) * 7 % high).reshape(shape).to(dtype if dtype is not None else L.int64)


def fixed(module, L):
    """Give every parameter of `module` deterministic values (the same in both libs) and
    put it in eval mode (no dropout); returns it."""
    with L.no_grad():
        for _, p in sorted(module.named_parameters(), key=lambda kv: kv[0]):
            p.copy_(t(L, *p.shape, dtype=p.dtype) * 0.5)
    return module.eval()


def mixed_precision(fn):
    """Mark a row whose inputs mix float32 and float64: part of its work runs in float32
    in both libraries (PyTorch's too, e.g. exp of a float32 input before the promotion), so
    its values compare at float32's tolerance; shapes and dtypes still compare exactly."""
    fn.tol_dtype = np.dtype(np.float32)
    return fn


# ---- running --------------------------------------------------------------------------
@dataclass
class Outcome:
    raised: BaseException | None
    value: object = None
    frames: tuple = ()


def run(fn, L) -> Outcome:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return Outcome(None, fn(L))
        except Exception as e:  # noqa: BLE001 - the class is what is compared
            tb = traceback.extract_tb(e.__traceback__)
            return Outcome(e, frames=tuple(f.filename for f in tb))


def _host(v):
    """A result as nested lists of NumPy arrays / Python scalars, for comparison."""
    if isinstance(v, (tuple, list)):
        return [_host(x) for x in v]
    if hasattr(v, "detach") and hasattr(v, "shape"):
        v = v.detach()
        if v.dtype in (getattr(torch, "bfloat16", None), getattr(ag, "bfloat16", None)):
            v = v.float()
        return np.asarray(v.cpu().numpy())
    if hasattr(v, "parameters") and callable(v.parameters):  # a module: compare parameters
        return [_host(p) for p in v.parameters()]
    if isinstance(v, (bool, int, float, complex, str, type(None))):
        return v
    if hasattr(v, "_asdict"):
        return _host(tuple(v))
    return type(v).__name__  # something else (dtype, size): compare only its kind


def _same(e, th, where="out", tol_dtype=None):
    """None if Ember's value `e` matches torch's `th`, else a description; float values
    within a tolerance from the epsilon of their dtype (of `tol_dtype` when given)."""
    if isinstance(th, list):
        if not isinstance(e, list) or len(e) != len(th):
            return f"{where}: {type(e).__name__} vs {len(th)} values"
        for i, (a, b) in enumerate(zip(e, th)):
            bad = _same(a, b, f"{where}[{i}]", tol_dtype)
            if bad:
                return bad
        return None
    if isinstance(th, np.ndarray):
        if not isinstance(e, np.ndarray):
            return f"{where}: {type(e).__name__} vs array"
        if e.shape != th.shape:
            return f"{where}: shape {e.shape} vs {th.shape}"
        if e.dtype != th.dtype:
            return f"{where}: dtype {e.dtype} vs {th.dtype}"
        if th.dtype.kind in "fc":
            eps = np.finfo(tol_dtype or th.dtype).eps
            tol = 64 * eps * max(1.0, np.sqrt(th.size))
            if not np.allclose(e, th, rtol=tol, atol=tol, equal_nan=True):
                return f"{where}: values differ ({e.ravel()[:4]} vs {th.ravel()[:4]})"
        elif not np.array_equal(e, th):
            return f"{where}: values differ"
        return None
    if isinstance(th, float) and isinstance(e, (int, float)):
        return None if np.isclose(e, th, equal_nan=True) else f"{where}: {e} vs {th}"
    if isinstance(th, str):  # an opaque object: only its kind
        return None
    return None if e == th else f"{where}: {e!r} vs {th!r}"


@dataclass
class Result:
    ember: Outcome
    torch: Outcome

    @property
    def raise_agrees(self) -> bool:
        return (self.ember.raised is None) == (self.torch.raised is None)

    @property
    def class_agrees(self) -> bool:
        if self.ember.raised is None or self.torch.raised is None:
            return self.raise_agrees
        return family(self.ember.raised) is family(self.torch.raised)

    def value_problem(self, tol_dtype=None):
        if self.ember.raised is not None or self.torch.raised is not None:
            return None
        return _same(_host(self.ember.value), _host(self.torch.value), tol_dtype=tol_dtype)

    def leak(self):
        """A description if Ember's error came out of NumPy (a frame inside numpy, or a
        NumPy phrase in the message) rather than from a check of its own."""
        e = self.ember.raised
        if e is None:
            return None
        if self.ember.frames and "/numpy/" in self.ember.frames[-1]:
            return f"raised inside NumPy: {e!r}"
        msg = str(e).lower()
        for phrase in LEAKS:
            if phrase in msg:
                return f"NumPy/Python message {phrase!r}: {e!r}"
        return None

    def describe(self) -> str:
        return f"Ember: {self.ember.raised!r}; torch: {self.torch.raised!r}"


def compare(fn) -> Result:
    return Result(run(fn, ag), run(fn, torch))


class Table:
    """Rows by id, each compared once (results are cached for the summary tests)."""

    def __init__(self, rows):
        self.rows = {}
        for rid, fn in rows:
            assert rid not in self.rows, f"duplicate row id {rid}"
            self.rows[rid] = fn

    @functools.cache  # noqa: B019 - one table per test module, kept for its lifetime
    def result(self, rid) -> Result:
        return compare(self.rows[rid])

    def check_row(self, rid, class_differences, leak_ok=(), raise_differences=(),
                  value_differences=()):
        """Assert row `rid` agrees with PyTorch, or differs exactly as listed: in whether it
        raises (raise_differences), in the exception class (class_differences), in the
        value computed (value_differences); leak_ok lists reviewed NumPy-worded messages."""
        r = self.result(rid)
        if rid in raise_differences:
            assert not r.raise_agrees, f"{rid}: now agrees with torch; drop it from the list"
            return
        assert r.raise_agrees, f"{rid}: raising differs: {r.describe()}"
        if rid in class_differences:
            assert not r.class_agrees, f"{rid}: now agrees with torch; drop it from the list"
        else:
            assert r.class_agrees, f"{rid}: exception class differs: {r.describe()}"
        bad = r.value_problem(getattr(self.rows[rid], "tol_dtype", None))
        if rid in value_differences:
            assert bad is not None, f"{rid}: values now agree; drop it from the list"
        else:
            assert bad is None, f"{rid}: {bad}"
        if rid not in leak_ok:
            leak = r.leak()
            assert leak is None, f"{rid}: {leak}"

    def summary(self):
        """(rows, rows raising on both, ids whose class differs)."""
        both = [rid for rid in self.rows
                if self.result(rid).ember.raised is not None
                and self.result(rid).torch.raised is not None]
        differ = {rid for rid in self.rows if not self.result(rid).class_agrees}
        return len(self.rows), both, differ
