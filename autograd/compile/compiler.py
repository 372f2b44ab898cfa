"""`torch.compiler` on Ember: the public controls around `autograd.compile`.

* `reset()` drops every recording and replay plan made so far (the next call of each
  compiled callable captures again), as `torch.compiler.reset()` clears compiled code.
* `disable(fn)` marks `fn` as not to be compiled: `compile(fn)` returns it unchanged. Called
  inside a compiled region, it runs as the region's other calls do (its ops are captured
  and replayed with the same results), since Ember's capture needs no tracing support
  from the code it records.
* `is_compiling()` is True while a compiled region is being recorded on this thread (the
  code then runs once to be captured, as under torch.compile's tracing).
* `allow_in_graph`, `assume_constant_result`, `cudagraph_mark_step_begin`: accepted and
  without effect (every call is captured as it runs; a training step is not one CUDA
  graph).
"""
from __future__ import annotations

import functools
import weakref

from .capture import active

__all__ = ["reset", "disable", "is_compiling", "is_dynamo_compiling", "allow_in_graph",
           "assume_constant_result", "cudagraph_mark_step_begin"]

_COMPILED: weakref.WeakSet = weakref.WeakSet()  # every CompiledFunction alive


def reset() -> None:
    """Forget every capture: each compiled callable records again at its next call."""
    for compiled in list(_COMPILED):
        compiled._cache.clear()
        compiled._warned.clear()
        compiled._breaks.clear()


def disable(fn=None, recursive: bool = True, *, reason: str | None = None):
    """Same as torch.compiler.disable: `compile()` leaves `fn` (a function or Module)
    uncompiled. Usable as `@disable` or `@disable(recursive=False)`."""
    if fn is None:
        return functools.partial(disable, recursive=recursive, reason=reason)
    if hasattr(fn, "_modules") and hasattr(fn, "forward"):  # a Module: marked in place
        object.__setattr__(fn, "_torchdynamo_disable", True)
        return fn

    @functools.wraps(fn)
    def uncompiled(*args, **kwargs):
        return fn(*args, **kwargs)
    uncompiled._torchdynamo_disable = True
    return uncompiled


def is_compiling() -> bool:
    """True while this thread records a compiled region."""
    return active() is not None


is_dynamo_compiling = is_compiling


def allow_in_graph(fn):
    return fn


def assume_constant_result(fn):
    return fn


def cudagraph_mark_step_begin() -> None:
    """Accepted for torch.compile(mode="reduce-overhead") scripts; nothing to mark."""
