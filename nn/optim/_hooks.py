"""Optimizer hooks, as torch.optim.Optimizer has them: step pre/post hooks (per optimizer
and global), state_dict and load_state_dict pre/post hooks."""
from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from ..module import RemovableHandle

_global_step_pre_hooks: OrderedDict = OrderedDict()
_global_step_post_hooks: OrderedDict = OrderedDict()


def register_optimizer_step_pre_hook(hook) -> RemovableHandle:
    """Same as torch.optim.optimizer.register_optimizer_step_pre_hook: hook(optimizer,
    args, kwargs) before every optimizer's step."""
    handle = RemovableHandle(_global_step_pre_hooks)
    _global_step_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook) -> RemovableHandle:
    handle = RemovableHandle(_global_step_post_hooks)
    _global_step_post_hooks[handle.id] = hook
    return handle


def _hooks(opt, name: str) -> OrderedDict:
    d = opt.__dict__.get(name)
    if d is None:
        d = opt.__dict__[name] = OrderedDict()
    return d


def _add(opt, name: str, hook, prepend: bool = False) -> RemovableHandle:
    d = _hooks(opt, name)
    handle = RemovableHandle(d)
    d[handle.id] = hook
    if prepend:
        d.move_to_end(handle.id, last=False)
    return handle


def with_step_hooks(step):
    """Wraps an optimizer's step: the pre-hooks (global, then its own) may replace the
    arguments by returning (args, kwargs); the post-hooks run after the update."""
    if getattr(step, "_with_hooks", False):
        return step

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        d = self.__dict__
        if not (_global_step_pre_hooks or _global_step_post_hooks
                or d.get("_optimizer_step_pre_hooks") or d.get("_optimizer_step_post_hooks")):
            return step(self, *args, **kwargs)  # no hook registered: the plain step
        for hook in (*_global_step_pre_hooks.values(),
                     *_hooks(self, "_optimizer_step_pre_hooks").values()):
            out = hook(self, args, kwargs)
            if out is not None:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise RuntimeError(f"{hook} must return None or a tuple of (new_args, "
                                       f"new_kwargs), but got {out}.")
                args, kwargs = out
        result = step(self, *args, **kwargs)
        for hook in (*_hooks(self, "_optimizer_step_post_hooks").values(),
                     *_global_step_post_hooks.values()):
            hook(self, args, kwargs)
        return result
    wrapper._with_hooks = True
    return wrapper


class HooksMixin:
    """The hook registrations of torch.optim.Optimizer."""

    # the hook types, as torch.optim.Optimizer names them (typing aliases)
    OptimizerPreHook = Callable[[Any, tuple, dict], "tuple[tuple, dict] | None"]
    OptimizerPostHook = Callable[[Any, tuple, dict], None]

    @staticmethod
    def profile_hook_step(func):
        """Same as torch.optim.Optimizer.profile_hook_step: wraps a step function so that the
        global and per-optimizer step pre/post hooks run around it."""
        return with_step_hooks(func)

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__:
            cls.step = with_step_hooks(cls.__dict__["step"])

    def register_step_pre_hook(self, hook) -> RemovableHandle:
        """hook(optimizer, args, kwargs) -> None or (new_args, new_kwargs), before step."""
        return _add(self, "_optimizer_step_pre_hooks", hook)

    def register_step_post_hook(self, hook) -> RemovableHandle:
        """hook(optimizer, args, kwargs), after step."""
        return _add(self, "_optimizer_step_post_hooks", hook)

    def register_state_dict_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """hook(optimizer), before state_dict() builds the dict."""
        return _add(self, "_optimizer_state_dict_pre_hooks", hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """hook(optimizer, state_dict) -> None or a new state dict, after state_dict()."""
        return _add(self, "_optimizer_state_dict_post_hooks", hook, prepend)

    def register_load_state_dict_pre_hook(self, hook,
                                          prepend: bool = False) -> RemovableHandle:
        """hook(optimizer, state_dict) -> None or the state dict to load instead."""
        return _add(self, "_optimizer_load_state_dict_pre_hooks", hook, prepend)

    def register_load_state_dict_post_hook(self, hook,
                                           prepend: bool = False) -> RemovableHandle:
        """hook(optimizer), after load_state_dict()."""
        return _add(self, "_optimizer_load_state_dict_post_hooks", hook, prepend)

    def _state_dict_hooked(self, build) -> dict:
        for hook in _hooks(self, "_optimizer_state_dict_pre_hooks").values():
            hook(self)
        sd = build()
        for hook in _hooks(self, "_optimizer_state_dict_post_hooks").values():
            out = hook(self, sd)
            sd = sd if out is None else out
        return sd

    def _load_state_dict_hooked(self, state_dict, load) -> None:
        for hook in _hooks(self, "_optimizer_load_state_dict_pre_hooks").values():
            out = hook(self, state_dict)
            state_dict = state_dict if out is None else out
        load(state_dict)
        for hook in _hooks(self, "_optimizer_load_state_dict_post_hooks").values():
            hook(self)
