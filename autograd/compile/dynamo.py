"""`torch._dynamo` on Ember: the names scripts use around torch.compile (`reset`,
`config`, `explain`, `disable`, `mark_dynamic`, `optimize`), mapped onto
`autograd.compile`."""
from __future__ import annotations

import sys

from . import compile as _compile  # the function (the package's own name for it)
from . import compile_explain
from .compiler import allow_in_graph, disable, reset

__all__ = ["reset", "config", "explain", "disable", "allow_in_graph", "mark_dynamic",
           "maybe_mark_dynamic", "mark_static", "optimize"]


class _Config:
    """torch._dynamo.config: `cache_size_limit` (alias `recompile_limit`) is the number of
    guard sets a compiled callable captures before it runs eagerly; the other settings
    scripts commonly set are accepted and kept (Ember's capture never raises for an
    unsupported call: it runs it eagerly with a warning, as `suppress_errors=True`
    asks). Unknown names raise AttributeError, as in PyTorch."""

    _KNOWN = {"suppress_errors": False, "verbose": False, "capture_scalar_outputs": False,
              "capture_dynamic_output_shape_ops": False, "automatic_dynamic_shapes": True,
              "assume_static_by_default": True, "optimize_ddp": True,
              "accumulated_cache_size_limit": 256, "accumulated_recompile_limit": 256,
              "inline_inbuilt_nn_modules": True, "guard_nn_modules": False}

    def __init__(self):
        object.__setattr__(self, "_values", dict(self._KNOWN))

    def _limit(self):  # the package module (autograd.compile is also the function)
        return sys.modules[__package__]

    def __getattr__(self, name):
        if name in ("cache_size_limit", "recompile_limit"):
            return self._limit().cache_size_limit
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"torch._dynamo.config: {name!r} does not exist") from None

    def __setattr__(self, name, value):
        if name in ("cache_size_limit", "recompile_limit"):
            self._limit().cache_size_limit = int(value)
        elif name in self._values:
            self._values[name] = value
        else:
            raise AttributeError(f"torch._dynamo.config: {name!r} does not exist")


config = _Config()


def explain(fn, *args, **kwargs):
    """torch._dynamo.explain(fn)(*args, **kwargs): what compiling `fn` captures (graphs,
    graph breaks with their lines, ops); the older explain(fn, *args) form runs at once."""
    if args or kwargs:
        return compile_explain(fn, *args, **kwargs)
    return lambda *a, **k: compile_explain(fn, *a, **k)


def mark_dynamic(t, index, *, min=None, max=None) -> None:  # noqa: A002 - torch's names
    """Accepted: each new shape is its own guard set (see autograd.compile)."""


maybe_mark_dynamic = mark_dynamic


def mark_static(t, index=None) -> None:
    """Accepted: shapes are always guarded."""


def optimize(backend="inductor", *, nopython: bool = False, **kwargs):
    """The older torch._dynamo.optimize(backend)(fn): compile(fn, fullgraph=nopython)."""
    return lambda fn: _compile(fn, fullgraph=nopython)
