"""`autograd.func` (torch.func): functional_call, running a module with some of its
parameters and buffers replaced by given tensors for one call."""
from __future__ import annotations

from typing import Any

__all__ = ["functional_call"]

_MISSING = object()


def _owner(module, name):
    """The submodule holding dotted `name` and the attribute's last part."""
    *path, attr = name.split(".")
    owner = module
    for part in path:
        owner = getattr(owner, part)
    return owner, attr


def _swap(owner, attr, value):
    """Put `value` under `attr` (in the registry that holds it, so that a plain Tensor
    may stand in for a Parameter); returns how to undo it."""
    for registry in ("_parameters", "_buffers"):
        table = owner.__dict__.get(registry)
        if table is not None and attr in table:
            old = table[attr]
            table[attr] = value
            return lambda: table.__setitem__(attr, old)
    old = owner.__dict__.get(attr, _MISSING)
    object.__setattr__(owner, attr, value)
    if old is _MISSING:
        return lambda: object.__delattr__(owner, attr)
    return lambda: object.__setattr__(owner, attr, old)


def _tied_names(module):
    """Groups of names under which one tensor is registered more than once."""
    groups: dict[int, list[str]] = {}
    for getter in (module.named_parameters, module.named_buffers):
        for name, t in getter(remove_duplicate=False):
            groups.setdefault(id(t), []).append(name)
    return [names for names in groups.values() if len(names) > 1]


def _merge(dicts):
    if isinstance(dicts, dict):
        return dict(dicts)
    merged: dict[str, Any] = {}
    for d in dicts:
        for k, v in d.items():
            if k in merged:
                raise ValueError(f"{k} appeared in multiple dictionaries; behavior of "
                                 "functional call is ambiguous")
            merged[k] = v
    return merged


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
                    tie_weights: bool = True, strict: bool = False):
    """Same as torch.func.functional_call: calls `module(*args, **kwargs)` with the
    tensors in `parameter_and_buffer_dicts` (a dict or a sequence of dicts with disjoint
    keys, dotted names) in place of its parameters and buffers, then restores them.
    tie_weights: a value given for one name of a tied tensor is used for all its names;
    strict: every parameter and buffer must be given, and nothing else."""
    values = _merge(parameter_and_buffer_dicts)
    if tie_weights:
        for names in _tied_names(module):
            given = [n for n in names if n in values]
            if not given:
                continue
            first = values[given[0]]
            if any(values[n] is not first for n in given[1:]):
                raise ValueError(f"functional_call got multiple values for keys {given}, "
                                 "which are tied. Consider using tie_weights=False")
            for n in names:
                values[n] = first
    if strict:
        expected = {n for n, _ in module.named_parameters(remove_duplicate=False)}
        expected |= {n for n, _ in module.named_buffers(remove_duplicate=False)}
        missing = sorted(expected - set(values))
        unexpected = sorted(set(values) - expected)
        if missing or unexpected:
            parts = []
            if unexpected:
                parts.append("Unexpected key(s): " + ", ".join(repr(k) for k in unexpected))
            if missing:
                parts.append("Missing key(s): " + ", ".join(repr(k) for k in missing))
            raise RuntimeError(f"Error(s) in reparametrizing for {type(module).__name__}:\n\t"
                               + ".\n\t".join(parts) + ".")
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    undo = []
    try:
        for name, value in values.items():
            undo.append(_swap(*_owner(module, name), value))
        return module(*args, **(kwargs or {}))
    finally:
        for restore in reversed(undo):
            restore()
