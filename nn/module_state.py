"""The state-dict family of nn.Module (a mixin): `state_dict`, `load_state_dict`, the extra
state (`get_extra_state` / `set_extra_state`, saved under `<prefix>_extra_state`) and the
four state-dict hooks, as torch.nn.Module has them; also the hook handle and the
`load_state_dict` result type."""
from __future__ import annotations

import itertools
from collections import OrderedDict, namedtuple

import autograd as ag
from autograd import _checks
from autograd.function import no_grad
from autograd.tensor import Tensor


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What `load_state_dict` returns (same as PyTorch's)."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class RemovableHandle:
    """Same as torch.utils.hooks.RemovableHandle: `remove()` unregisters the hook."""

    _next_id = itertools.count()

    def __init__(self, hooks_dict):
        self.hooks_dict = hooks_dict
        self.id = next(RemovableHandle._next_id)

    def remove(self):
        self.hooks_dict.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


_EXTRA = "_extra_state"


def _never(method: str) -> RuntimeError:
    return RuntimeError(f"Reached a code path in Module.{method}() that should never be "
                        "called: a module saves and loads extra state only when its class "
                        f"overrides {method}.")


class StateDictMixin:
    """state_dict / load_state_dict with extra state and hooks (mixed into Module)."""

    # ------------------------------------------------------------------ hooks
    def _state_hooks(self, name: str) -> OrderedDict:
        d = self.__dict__.get(name)
        if d is None:
            d = OrderedDict()
            object.__setattr__(self, name, d)
        return d

    def _add_state_hook(self, name: str, hook) -> RemovableHandle:
        d = self._state_hooks(name)
        handle = RemovableHandle(d)
        d[handle.id] = hook
        return handle

    def register_state_dict_pre_hook(self, hook) -> RemovableHandle:
        """Same as torch: hook(module, prefix, keep_vars) before this module's state_dict."""
        return self._add_state_hook("_state_dict_pre_hooks", hook)

    def register_state_dict_post_hook(self, hook) -> RemovableHandle:
        """Same as torch: hook(module, state_dict, prefix, local_metadata) -> None after
        this module's entries (and its children's) are in state_dict; edits in place."""
        return self._add_state_hook("_state_dict_hooks", hook)

    def register_load_state_dict_pre_hook(self, hook) -> RemovableHandle:
        """Same as torch: hook(module, state_dict, prefix, local_metadata, strict,
        missing_keys, unexpected_keys, error_msgs) before loading; it may edit state_dict
        (a copy of the one given) and append to the three lists."""
        return self._add_state_hook("_load_state_dict_pre_hooks", hook)

    def register_load_state_dict_post_hook(self, hook) -> RemovableHandle:
        """Same as torch: hook(module, incompatible_keys) -> None after loading, before the
        strict check; it may remove keys from incompatible_keys' lists in place."""
        return self._add_state_hook("_load_state_dict_post_hooks", hook)

    # ------------------------------------------------------------------ extra state
    def get_extra_state(self):
        """Override to save any picklable object under `<prefix>_extra_state` (with
        set_extra_state to load it back). The base method is never called."""
        raise _never("get_extra_state")

    def set_extra_state(self, state) -> None:
        """Override to load what get_extra_state saved. The base method is never called."""
        raise _never("set_extra_state")

    def _saves_extra(self) -> bool:
        return type(self).get_extra_state is not StateDictMixin.get_extra_state

    def _loads_extra(self) -> bool:
        return type(self).set_extra_state is not StateDictMixin.set_extra_state

    # ------------------------------------------------------------------ saving
    def _save_to_state_dict(self, destination, prefix, keep_vars):
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if keep_vars else buf.detach()
        if self._saves_extra():
            destination[prefix + _EXTRA] = self.get_extra_state()

    def state_dict(self, *args, destination=None, prefix="", keep_vars=False):
        """Same as torch.nn.Module.state_dict: an OrderedDict of detached tensors that
        share storage with the parameters; non-persistent buffers are left out."""
        if args:  # PyTorch's deprecated positional form (destination, prefix, keep_vars)
            destination, *rest = args
            if rest:
                prefix = rest[0]
            if len(rest) > 1:
                keep_vars = rest[1]
        if destination is None:
            destination = OrderedDict()
        for hook in self.__dict__.get("_state_dict_pre_hooks", {}).values():
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".",
                                  keep_vars=keep_vars)
        for hook in self.__dict__.get("_state_dict_hooks", {}).values():
            if hook(self, destination, prefix, {"version": self._version}) is not None:
                raise RuntimeError("state_dict post-hook must return None")
        return destination

    # ------------------------------------------------------------------ loading
    def _state_targets(self):
        """{key: tensor} for every tensor entry state_dict() would hold."""
        targets = {}
        for prefix, module in self.named_modules(remove_duplicate=False):
            prefix = prefix + "." if prefix else ""
            for name, param in module._parameters.items():
                if param is not None:
                    targets.setdefault(prefix + name, param)
            for name, buf in module._buffers.items():
                if buf is not None and name not in module._non_persistent_buffers_set:
                    targets.setdefault(prefix + name, buf)
        return targets

    def _post_order(self, prefix=""):
        """(prefix, module) children first, as PyTorch runs load_state_dict post-hooks."""
        for name, child in self._modules.items():
            if child is not None:
                yield from child._post_order(prefix + name + ".")
        yield prefix, self

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Same as torch.nn.Module.load_state_dict; values may be Tensors or NumPy arrays.

        Everything is checked before anything is copied: any problem (missing or
        unexpected keys under `strict`, a shape mismatch, a value that is not a tensor)
        raises one error listing all of them and leaves the module unchanged. (With
        load_state_dict post-hooks, as in PyTorch, the hooks see the loaded module and
        the strict check on keys comes after them.)"""
        if not hasattr(state_dict, "keys") or not hasattr(state_dict, "__getitem__"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = OrderedDict(state_dict)  # pre-hooks edit a copy, as in PyTorch
        modules = [(p + "." if p else "", m)
                   for p, m in self.named_modules(remove_duplicate=False)]
        hook_missing, hook_unexpected, hook_errors = [], [], []
        for prefix, module in modules:
            for hook in module.__dict__.get("_load_state_dict_pre_hooks", {}).values():
                local = (metadata or {}).get(prefix[:-1], {})
                hook(module, state_dict, prefix, local, True, hook_missing, hook_unexpected,
                     hook_errors)
        targets = self._state_targets()
        extra = {p + _EXTRA: m for p, m in modules if m._loads_extra()}
        missing = [k for k in (*targets, *extra) if k not in state_dict]
        if metadata is None:
            # PyTorch's BatchNorm accepts a plain dict (no version metadata, e.g. from a
            # safetensors file) without num_batches_tracked, and keeps its current count
            missing = [k for k in missing if k.rpartition(".")[2] != "num_batches_tracked"]
        unexpected = [k for k in state_dict.keys() if k not in targets and k not in extra]
        missing, unexpected = hook_missing + missing, hook_unexpected + unexpected
        type_errors, shape_errors, sources = [], [], []
        for key, target in targets.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            if isinstance(value, Tensor):
                src = value
            elif _checks.is_array(value):
                src = ag.as_tensor(value)  # on the array's device, no copy
            else:
                type_errors.append(
                    f'While copying the parameter named "{key}", expected a Tensor or a '
                    f"NumPy/CuPy array, got {type(value).__name__}.")
                continue
            if tuple(src.shape) != tuple(target.shape):
                shape_errors.append(
                    f"size mismatch for {key}: copying a param with shape {tuple(src.shape)} "
                    "from checkpoint, the shape in current model is "
                    f"{tuple(target.shape)}.")
                continue
            sources.append((target, src))
        post = [(m, h) for _, m in self._post_order()
                for h in m.__dict__.get("_load_state_dict_post_hooks", {}).values()]
        errors = type_errors + shape_errors + hook_errors
        if strict and not post:
            errors = _key_errors(missing, unexpected) + errors
        if errors:
            self._raise_load_errors(errors, bool(type_errors))
        with no_grad():
            for target, src in sources:
                if src.array is not target.array:  # copy_ moves devices and casts dtypes
                    target.copy_(src)
        for key, module in extra.items():
            if key in state_dict:
                module.set_extra_state(state_dict[key])
        keys = _IncompatibleKeys(missing, unexpected)
        for module, hook in post:
            if hook(module, keys) is not None:
                raise AssertionError(
                    "Hooks registered with register_load_state_dict_post_hook are not "
                    "expected to return new values, if incompatible_keys need to be "
                    "modified, it should be done inplace.")
        if strict and post and (keys.missing_keys or keys.unexpected_keys):
            self._raise_load_errors(_key_errors(keys.missing_keys, keys.unexpected_keys),
                                    False, loaded=True)
        return keys

    def _raise_load_errors(self, errors, type_error: bool, loaded: bool = False):
        msg = (f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
               + "\n\t".join(errors) + ("" if loaded else "\nNothing was loaded."))
        raise (TypeError if type_error else RuntimeError)(msg)


def _key_errors(missing, unexpected) -> list[str]:
    out = []
    if missing:
        out.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing)
                   + ".")
    if unexpected:
        out.append("Unexpected key(s) in state_dict: "
                   + ", ".join(f'"{k}"' for k in unexpected) + ".")
    return out
