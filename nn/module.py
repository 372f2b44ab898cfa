"""`Module`: the base class of every layer. Parameters, buffers and submodules are
registered by attribute assignment, as in PyTorch, and found again by name."""
from __future__ import annotations

import itertools
import warnings
from collections import OrderedDict, namedtuple

import autograd as ag
from autograd import _checks
from autograd.creation import parse_to
from autograd.function import _mode, no_grad
from autograd.graph import mark_scope
from autograd.hooks import BackwardHook, warn_non_full
from autograd.tensor import Parameter, Tensor


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


def _addindent(text, spaces):
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


def _check_name(name, kind, module):
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
    if "." in name:
        raise KeyError(f'{kind} name can\'t contain ".", got: {name}')
    if name == "":
        raise KeyError(f'{kind} name can\'t be empty string ""')


class Module:
    """Same as torch.nn.Module."""

    training: bool
    _version = 1

    def __init__(self, *args, **kwargs):
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got unexpected arguments")
        setattr_ = object.__setattr__
        setattr_(self, "training", True)
        setattr_(self, "_parameters", {})
        setattr_(self, "_buffers", {})
        setattr_(self, "_non_persistent_buffers_set", set())
        setattr_(self, "_modules", {})
        setattr_(self, "_forward_hooks", OrderedDict())
        setattr_(self, "_forward_hooks_with_kwargs", set())
        setattr_(self, "_forward_pre_hooks", OrderedDict())
        setattr_(self, "_forward_pre_hooks_with_kwargs", set())
        setattr_(self, "_backward_hooks", OrderedDict())
        setattr_(self, "_backward_pre_hooks", OrderedDict())
        setattr_(self, "_is_full_backward_hook", None)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function')

    # ------------------------------------------------------------------ registration
    def register_buffer(self, name, tensor, persistent=True):
        """Same as torch.nn.Module.register_buffer."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        _check_name(name, "buffer", self)
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer "
                            f"'{name}' (torch Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def register_parameter(self, name, param):
        """Same as torch.nn.Module.register_parameter."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        _check_name(name, "parameter", self)
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter "
                            f"'{name}' (torch.nn.Parameter or None required)")
        if param is not None and param.grad_fn is not None:
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters "
                "must be created explicitly. To express '{name}' as a function of another "
                "Tensor, compute the value in the forward() method.")
        self._parameters[name] = param

    def add_module(self, name, module):
        """Same as torch.nn.Module.add_module."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        _check_name(name, "module", self)
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        self._modules[name] = module

    register_module = add_module

    def __setattr__(self, name, value):
        d = self.__dict__
        params = d.get("_parameters")

        def remove_from(*dicts):
            for dd in dicts:
                if name in dd:
                    if isinstance(dd, set):
                        dd.discard(name)
                    else:
                        del dd[name]

        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            remove_from(d, self._buffers, self._modules, self._non_persistent_buffers_set)
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter "
                                f"'{name}' (torch.nn.Parameter or None expected)")
            self.register_parameter(name, value)
            return
        modules = d.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            remove_from(d, self._parameters, self._buffers, self._non_persistent_buffers_set)
            modules[name] = value
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module "
                                f"'{name}' (torch.nn.Module or None expected)")
            modules[name] = value
            return
        buffers = d.get("_buffers")
        if buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                                "(torch.Tensor or None expected)")
            buffers[name] = value
            return
        object.__setattr__(self, name, value)

    def __getattr__(self, name):
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            reg = d.get(registry)
            if reg is not None and name in reg:
                return reg[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for registry in (self._parameters, self._buffers, self._modules):
            if name in registry:
                del registry[name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        attrs = set(object.__dir__(self)) | set(self._parameters) | set(self._buffers)
        attrs |= set(self._modules)
        return sorted(a for a in attrs if not a[:1].isdigit())

    def get_submodule(self, target: str) -> "Module":
        """Same as torch.nn.Module.get_submodule ("layers.0")."""
        mod = self
        if target == "":
            return mod
        for item in target.split("."):
            if item not in mod._modules or mod._modules[item] is None:
                raise AttributeError(f"{type(mod).__name__} has no attribute `{item}`")
            mod = mod._modules[item]
        return mod

    def get_parameter(self, target: str) -> Parameter:
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if name not in mod._parameters:
            raise AttributeError(f"{type(mod).__name__} has no parameter `{name}`")
        return mod._parameters[name]

    def get_buffer(self, target: str) -> Tensor:
        """Same as torch.nn.Module.get_buffer ("bn.running_mean")."""
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if name not in mod._buffers:
            raise AttributeError(f"{type(mod).__name__} has no buffer `{name}`")
        return mod._buffers[name]

    # ------------------------------------------------------------------ traversal
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """Same as torch.nn.Module.named_modules: this module first, then depth-first."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, get_members, prefix, recurse, remove_duplicate):
        seen = set()
        modules = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
                   if recurse else [(prefix, self)])
        for module_prefix, module in modules:
            for name, value in get_members(module):
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                if remove_duplicate:
                    seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """Same as torch.nn.Module.named_parameters (shared parameters once)."""
        return self._named_members(lambda m: m._parameters.items(), prefix, recurse,
                                   remove_duplicate)

    def parameters(self, recurse=True):
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        return self._named_members(lambda m: m._buffers.items(), prefix, recurse,
                                   remove_duplicate)

    def buffers(self, recurse=True):
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    # ------------------------------------------------------------------ modes, grads
    def train(self, mode=True):
        """Same as torch.nn.Module.train."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self):
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Same as torch.nn.Module.zero_grad: gradients become None by default."""
        for param in self.parameters():
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                grad = param.grad.detach()
                grad.array[...] = 0
                grad._version[0] += 1
                param.grad = grad

    def apply(self, fn):
        """Same as torch.nn.Module.apply: fn(module) on every submodule, then self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ devices, dtypes
    def _apply(self, fn):
        """Convert every parameter, gradient and buffer with fn(tensor) -> tensor.

        Parameters (and their gradients) keep their identity: only their storage changes,
        so optimisers built before `to()` still hold the right objects (and move their
        state to a parameter's new device at their next step)."""
        with no_grad():
            for module in self.modules():
                for param in module._parameters.values():
                    if param is None:
                        continue
                    new = fn(param)
                    if new is not param:
                        param.data = new
                    if param.grad is not None:
                        new = fn(param.grad)
                        if new is not param.grad:
                            param.grad.data = new
                for key, buf in module._buffers.items():
                    if buf is not None:
                        new = fn(buf)
                        if new is not buf:
                            module._buffers[key] = new.requires_grad_(buf.requires_grad)
        return self

    def to(self, *args, **kwargs):
        """Same as torch.nn.Module.to(device), .to(dtype), .to(device, dtype), .to(tensor):
        Tensor.to on every parameter and buffer; only floating-point ones change dtype."""
        dev, dtype, _ = parse_to(args, kwargs, "nn.Module.to")
        if dtype is not None and dtype.kind not in "fc":
            raise TypeError("nn.Module.to only accepts floating point or complex dtypes, but "
                            f"got desired dtype={dtype}")

        def convert(t):
            return t.to(dev, dtype if t.dtype.kind in "fc" else None)
        return self._apply(convert)

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        return self.to(ag.device("cuda", device) if isinstance(device, int)
                       else "cuda" if device is None else device)

    def float(self):
        return self.to(ag.float32)

    def double(self):
        return self.to(ag.float64)

    def half(self):
        return self.to(ag.float16)

    def type(self, dst_type):
        return self._apply(lambda t: t.type(dst_type))

    # ------------------------------------------------------------------ calling, hooks
    def __call__(self, *args, **kwargs):
        if not (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks
                or self._backward_pre_hooks):
            output = self.forward(*args, **kwargs)
            if _mode.enabled:  # one marker per call for graph drawings and profiles
                mark_scope(self, args, output)
            return output
        for hook_id, hook in list(self._forward_pre_hooks.items()):
            if hook_id in self._forward_pre_hooks_with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError("forward pre-hook must return None or a tuple of "
                                           f"(new_args, new_kwargs), but got {result}.")
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        hooks = None
        if self._backward_hooks or self._backward_pre_hooks:
            # identity nodes around the tensor inputs and outputs run the backward hooks
            hooks = BackwardHook(self, list(self._backward_hooks.values()),
                                 list(self._backward_pre_hooks.values()))
            args = hooks.setup_input_hook(args)
        output = self.forward(*args, **kwargs)
        for hook_id, hook in list(self._forward_hooks.items()):
            if hook_id in self._forward_hooks_with_kwargs:
                result = hook(self, args, kwargs, output)
            else:
                result = hook(self, args, output)
            if result is not None:
                output = result
        if hooks is not None:
            if not isinstance(output, (Tensor, tuple)):
                warnings.warn("For backward hooks to be called, module output should be a "
                              f"Tensor or a tuple of Tensors but received {type(output)}",
                              stacklevel=2)
            output = hooks.setup_output_hook(output)
            if self._is_full_backward_hook is False:
                warn_non_full(args, output)
        if _mode.enabled:
            mark_scope(self, args, output)
        return output

    def _register_hook(self, hooks, with_kwargs_set, hook, prepend, with_kwargs):
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if with_kwargs:
            with_kwargs_set.add(handle.id)
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """Same as torch: hook(module, args) may return new args."""
        return self._register_hook(self._forward_pre_hooks,
                                   self._forward_pre_hooks_with_kwargs, hook, prepend,
                                   with_kwargs)

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False,
                              always_call=False):
        """Same as torch: hook(module, args, output) may return a new output."""
        return self._register_hook(self._forward_hooks, self._forward_hooks_with_kwargs,
                                   hook, prepend, with_kwargs)

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """Same as torch: hook(module, grad_output) may return a new grad_output (a tuple
        with one entry per output, None for non-Tensor outputs)."""
        return self._register_hook(self._backward_pre_hooks, set(), hook, prepend, False)

    def register_full_backward_hook(self, hook, prepend=False):
        """Same as torch: hook(module, grad_input, grad_output) may return a new
        grad_input (one entry per positional argument, None for non-Tensors; all None,
        fired at the outputs, when no input requires grad)."""
        if self._is_full_backward_hook is False:
            raise RuntimeError("Cannot use both regular backward hooks and full backward "
                               "hooks on a single Module. Please use only one of them.")
        object.__setattr__(self, "_is_full_backward_hook", True)
        return self._register_hook(self._backward_hooks, set(), hook, prepend, False)

    def register_backward_hook(self, hook):
        """Deprecated form: here it gets the full hook's arguments (PyTorch's gets the
        grad_input of the module's last kernel) and PyTorch's FutureWarnings."""
        if self._is_full_backward_hook is True:
            raise RuntimeError("Cannot use both regular backward hooks and full backward "
                               "hooks on a single Module. Please use only one of them.")
        object.__setattr__(self, "_is_full_backward_hook", False)
        return self._register_hook(self._backward_hooks, set(), hook, False, False)

    # ------------------------------------------------------------------ state dict
    def _save_to_state_dict(self, destination, prefix, keep_vars):
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if keep_vars else buf.detach()

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
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".",
                                  keep_vars=keep_vars)
        return destination

    def _state_targets(self):
        """{key: (module, registry, name)} for every entry state_dict() would hold."""
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

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Same as torch.nn.Module.load_state_dict; values may be Tensors or NumPy arrays.

        Everything is checked before anything is copied: any problem (missing or
        unexpected keys under `strict`, a shape mismatch, a value that is not a tensor)
        raises one error listing all of them and leaves the module unchanged."""
        if not hasattr(state_dict, "keys") or not hasattr(state_dict, "__getitem__"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        targets = self._state_targets()
        missing = [k for k in targets if k not in state_dict]
        if getattr(state_dict, "_metadata", None) is None:
            # PyTorch's BatchNorm accepts a plain dict (no version metadata, e.g. from a
            # safetensors file) without num_batches_tracked, and keeps its current count
            missing = [k for k in missing if k.rpartition(".")[2] != "num_batches_tracked"]
        unexpected = [k for k in state_dict.keys() if k not in targets]
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
        errors = type_errors + shape_errors
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in unexpected) + ".")
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in missing) + ".")
        if errors:
            msg = (f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                   + "\n\t".join(errors) + "\nNothing was loaded.")
            raise (TypeError if type_errors else RuntimeError)(msg)
        with no_grad():
            for target, src in sources:
                if src.array is not target.array:  # copy_ moves devices and casts dtypes
                    target.copy_(src)
        return _IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ printing
    def extra_repr(self) -> str:
        return ""

    def _get_name(self):
        return type(self).__name__

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({key}): " + _addindent(repr(module), 2)
                       for key, module in self._modules.items()]
        lines = extra_lines + child_lines
        body = ""
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                body = extra_lines[0]
            else:
                body = "\n  " + "\n  ".join(lines) + "\n"
        return f"{self._get_name()}({body})"
