"""Guards: what must hold for a recorded step to be replayed in place of a call.

A compiled callable keys its recordings by a tuple built at every call (`Guards.key`):

* the shapes, dtypes, array types, devices and `requires_grad` of its tensor inputs
  (walked through lists, tuples and dicts) and the values of its other arguments;
* grad mode;
* for every Module reachable from the call (the compiled Module, or Modules the function
  names in its globals, its closure or its arguments, and their submodules): the
  `training` flags, the identity of each parameter (with its shape and dtype) and
  buffer, the identity of tensors kept as plain attributes and the values of public
  attributes holding a bool, int, float, str or None (`dropout.p`, `eps`, a user's
  `scale`); hooks too, by count;
* for every Optimizer reachable the same way: the identity of the parameters of each
  param group (a new group or a replaced parameter is a miss);
* the values of the bool/int/float/str/None globals and closure variables the function
  names, and the identity of the other objects there (a rebound global is a miss).

Host scalars read by the replayed units are *inputs*, not guards: a learning rate a
scheduler changed and the optimiser's step counter are read by `Optimizer.step` when the
replay calls it.

A recording is trusted on its own (replay from the second call) when everything it read
is covered by these guards. What cannot be guarded (`Guards.unguarded`): a mutable
container (dict, list, an arbitrary object) named by the function in its globals or
closure, whose contents could change what the step computes, and a tensor used by the
step that is neither an input nor held by a guarded Module, Optimizer, global or closure
variable (a value made on raw arrays outside the recorded ops). Those keys fall back to
the two-recording check (verify.py): the second call is recorded again and compared.
"""
from __future__ import annotations

import types

from ..tensor import Tensor

_PRIMS = (bool, int, float, str, type(None), complex)
# objects whose identity is guard enough: code and namespaces, not mutable data
_STABLE = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type,
           types.MethodType, staticmethod, classmethod, property)


def flatten(value, tensors, key):
    """Append the tensors in `value` to `tensors` and its guard entries to `key`."""
    if isinstance(value, Tensor):
        tensors.append(value)
        a = value.array
        dev = a.device.id if hasattr(a, "device") and not isinstance(a.device, str) else 0
        key.append((a.shape, a.dtype.str, type(a), dev, value.requires_grad))
    elif type(value) in (list, tuple):
        key.append((type(value), len(value)))
        for v in value:
            flatten(v, tensors, key)
    elif type(value) is dict:
        key.append(("dict",) + tuple(value))
        for v in value.values():
            flatten(v, tensors, key)
    else:
        try:
            hash(value)
            key.append(value)
        except TypeError:
            key.append((type(value), id(value)))


def module_state(m, key, ids=None):
    """Training flags, parameter/buffer/tensor-attribute identities, public scalar
    attributes and hook counts of m and its submodules. `ids` (a list) collects the
    tensors guarded by identity."""
    stack = [m]
    while stack:
        d = stack.pop().__dict__
        key.append(d.get("training"))
        if d.get("_forward_hooks") or d.get("_forward_pre_hooks") or \
                d.get("_backward_hooks") or d.get("_backward_pre_hooks"):
            key.append(("hooks", id(d), len(d["_forward_hooks"]) +
                        len(d["_forward_pre_hooks"]) + len(d["_backward_hooks"]) +
                        len(d.get("_backward_pre_hooks", ()))))
        params, bufs = d["_parameters"], d["_buffers"]
        for t in params.values():  # identity, and shape/dtype (`.to()` swaps arrays)
            key.append(id(t) if t is None else (id(t), t.array.shape, t.array.dtype))
        key.extend(map(id, bufs.values()))
        for name, v in d.items():
            if name[0] == "_" or name == "training":
                continue
            if type(v) in _PRIMS:
                key.append((name, v))
            elif isinstance(v, Tensor):
                key.append((name, id(v)))
                if ids is not None:
                    ids.append(v)
        if ids is not None:
            ids.extend(p for p in params.values() if p is not None)
            ids.extend(b for b in bufs.values() if b is not None)
        stack.extend(d["_modules"].values())


def stateful(obj) -> bool:
    """A Module (its parameters and flags are guards) or an Optimizer (its parameters)."""
    return hasattr(obj, "param_groups") or (hasattr(obj, "_modules") and
                                            hasattr(obj, "forward"))


def state(obj, key, ids=None):
    groups = getattr(obj, "param_groups", None)
    if groups is not None:  # an Optimizer
        key.append(id(obj))
        for group in groups:
            ps = group["params"]
            key.append(len(ps))
            key.extend(map(id, ps))
            if ids is not None:
                ids.extend(ps)
    elif hasattr(obj, "_modules"):
        key.append(id(obj))
        module_state(obj, key, ids)


def _mutable(v) -> bool:
    """Could a step read a value from `v` that no guard covers? Containers and plain
    objects can; code, namespaces, callables, generators of random numbers and LR
    schedulers (read live by the replayed units) cannot."""
    if isinstance(v, (dict, list, set, bytearray)):
        return True
    if isinstance(v, _STABLE) or callable(v) or not hasattr(v, "__dict__"):
        return False
    return not (hasattr(v, "optimizer") and hasattr(v, "step")) and \
        type(v).__name__ != "Generator"


def _cell(c):
    try:
        return c.cell_contents
    except ValueError:
        return None


class Guards:
    """The guard builder of one compiled callable (see the module docstring)."""

    def __init__(self, fn, module=None):
        self.module = module
        self.self_obj = None
        f = getattr(fn, "__func__", fn)
        code = getattr(f, "__code__", None)
        self.globals = getattr(f, "__globals__", {})
        if module is not None or code is None:
            self.names, self.cells, self.freevars = (), (), ()
        else:
            self.self_obj = getattr(fn, "__self__", None)
            self.names = tuple(n for n in code.co_names if n in self.globals)
            self.cells = tuple(f.__closure__ or ())
            self.freevars = code.co_freevars

    def _root(self, v, key, ids, unguarded, label):
        if stateful(v):
            state(v, key, ids)
        elif type(v) in _PRIMS:
            key.append(v)
        elif isinstance(v, Tensor):
            key.append(id(v))
            if ids is not None:
                ids.append(v)
        else:
            key.append(id(v))
            if unguarded is not None and _mutable(v):
                unguarded.append(f"{label} ({type(v).__name__})")

    def key(self, args, kwargs, grad_enabled, ids=None, unguarded=None):
        """(key tuple, the tensor inputs in order). `ids`, when a list, collects the
        tensors the guards pin by identity; `unguarded`, when a list, the roots
        whose contents no guard covers."""
        tensors, key = [], [grad_enabled]
        flatten(args, tensors, key)
        flatten(kwargs, tensors, key)
        if self.module is not None:
            state(self.module, key, ids)
            return tuple(key), tensors
        if self.self_obj is not None:
            self._root(self.self_obj, key, ids, unguarded, "the bound object")
        g = self.globals
        for n in self.names:
            self._root(g.get(n), key, ids, unguarded, f"global '{n}'")
        for name, c in zip(self.freevars, self.cells):
            self._root(_cell(c), key, ids, unguarded, f"closure variable '{name}'")
        for a in list(args) + list(kwargs.values()):
            if stateful(a):
                state(a, key, ids)
        return tuple(key), tensors

    def unguarded(self, rec, args, kwargs, grad_enabled):
        """Why one recording cannot be trusted on its own (an empty list when it can)."""
        pinned, reasons = [], []
        self.key(args, kwargs, grad_enabled, pinned, reasons)
        ids = {id(t) for t in pinned} | {id(t.array) for t in pinned}
        for n, s in enumerate(rec.slots):
            if n in rec.made_consts:
                continue
            if s.kind == "unknown" and isinstance(s.obj, Tensor) and \
                    id(s.obj) not in ids and id(s.obj.array) not in ids:
                reasons.append(f"a tensor of shape {tuple(s.obj.shape)} made outside the "
                               "recorded ops and held by no guarded object")
                break
        return reasons
