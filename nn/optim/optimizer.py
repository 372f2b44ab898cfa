"""`Optimizer`: parameter groups, per-parameter state and PyTorch-layout state dicts.

Subclasses implement `_update(group, params)`; updates run on the backend arrays in place
(`p.array`, `p.grad.array`, state arrays), so they record no graph and work the same on
NumPy and CuPy.
"""
from __future__ import annotations

from collections import defaultdict

import autograd as ag
from autograd import _checks
from autograd.ops.optim_update import copy_state, zeros_state
from autograd.tensor import Tensor

from ._hooks import (  # noqa: F401  (torch.optim.optimizer's names)
    HooksMixin,
    register_optimizer_step_post_hook,
    register_optimizer_step_pre_hook,
    with_step_hooks,
)


class _RequiredParameter:
    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


class Optimizer(HooksMixin):
    """Same as torch.optim.Optimizer (hooks: nn/optim/_hooks.py)."""

    def __init__(self, params, defaults: dict):
        self.defaults = defaults
        self.state = defaultdict(dict)  # Tensor (hashed by identity) -> dict of state
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError(
                f"{type(self).__name__}: expected an iterable of Tensors or dicts as params, "
                "got a Tensor; pass [tensor] or model.parameters()")
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__}: optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"

    def add_param_group(self, param_group: dict) -> None:
        """Same as torch.optim.Optimizer.add_param_group: missing options take the defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(
                f"add_param_group: expected a dict, got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("add_param_group: parameters must be an ordered iterable "
                            "(list, tuple, generator), got a set")
        else:
            params = list(params)
        # named parameters (model.named_parameters()): their names go into "param_names"
        names = [p[0] for p in params if isinstance(p, tuple)]
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some "
                                 "param names are missing")
            params = [p[1] for p in params]
            param_group = dict(param_group, param_names=names)
        if self.param_groups and ("param_names" in param_group) != \
                ("param_names" in self.param_groups[0]):
            raise ValueError("all optimizer param groups should be with/without names.")
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"add_param_group: expected Tensors as parameters, got {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("add_param_group: can't optimize a non-leaf Tensor")
        group = dict(param_group, params=params)
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(
                    f"add_param_group: parameter group didn't specify a value of required "
                    f"optimization parameter {name}")
            group.setdefault(name, default)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("add_param_group: some parameters appear in more than one "
                             "parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Same as torch.optim.Optimizer.zero_grad: gradients become None by default."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None:
                        p.grad = p.grad.detach()
                    p.grad.array[...] = 0
                    p.grad._version[0] += 1

    @with_step_hooks
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns closure() if given."""
        loss = None
        if closure is not None:
            with ag.enable_grad():
                loss = closure()
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if params:
                self._follow_devices(params)
                self._update(_by_value(group), params)
                for p in params:
                    p._version[0] += 1
        return loss

    def _update(self, group: dict, params: list) -> None:
        raise NotImplementedError

    def __getstate__(self):
        # a learning-rate scheduler's step counter wrapper (an instance attribute holding
        # a weak reference to this optimizer) is not part of the optimizer's state: a copy
        # or an unpickled optimizer gets the class's step back, as in PyTorch
        state = self.__dict__.copy()
        if getattr(state.get("step"), "_ember_counts_steps", False):
            del state["step"]
        return state

    def _follow_devices(self, params) -> None:
        """Move the state of parameters that changed device since their last update
        (`model.to(device)` after some steps) to their new device, as Ember promises
        (PyTorch leaves it behind). Checked lazily, here, before each update: one state
        tensor of each parameter is compared with it, so nothing global tracks moves."""
        state = self.state
        for p in params:
            s = state.get(p)
            if s:
                sample = _sample(s)
                if sample is not None and not _checks.same_device(sample, p):
                    _move_state(s, p.device)

    # ------------------------------------------------------------------ state dicts
    def state_dict(self) -> dict:
        """Same layout as PyTorch: {'state': {index: {...}}, 'param_groups': [{..., 'params':
        [index, ...]}]}, parameters numbered in group order. Tensors are not copied."""
        return self._state_dict_hooked(self._build_state_dict)

    def _build_state_dict(self) -> dict:
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: s for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Same as torch.optim.Optimizer.load_state_dict. State tensors are copied onto each
        parameter's device (and dtype, except `step`), so the source dict is never aliased."""
        self._load_state_dict_hooked(state_dict, self._load)

    def _load(self, state_dict: dict) -> None:
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"load_state_dict: expected {len(self.param_groups)} parameter groups, got "
                f"{len(saved_groups)}")
        for mine, saved in zip(self.param_groups, saved_groups):
            if len(mine["params"]) != len(saved["params"]):
                raise ValueError(
                    "load_state_dict: loaded state dict contains a parameter group that "
                    f"doesn't match the size of optimizer's group ({len(saved['params'])} "
                    f"parameters, expected {len(mine['params'])})")
        by_index = {}
        for mine, saved in zip(self.param_groups, saved_groups):
            by_index.update(zip(saved["params"], mine["params"]))
        state = defaultdict(dict)
        for key, values in state_dict["state"].items():
            key = int(key)
            if key not in by_index:
                raise ValueError(f"load_state_dict: state for unknown parameter index {key}")
            p = by_index[key]
            state[p] = {name: _state_value(name, v, p) for name, v in values.items()}
        self.state = state
        # saved options win; options the file lacks (an older layout) keep their value
        self.param_groups = [
            {**mine, **saved, "params": mine["params"]}
            for mine, saved in zip(self.param_groups, saved_groups)]


# 0-d scalars read on the host every step: they stay there, in their own dtype. (PyTorch
# keeps `step` so on loading; it casts NAdam's `mu_product` and ASGD's `eta` and `mu` to
# the parameter's dtype and device, which would need a device sync per step and break
# bit-for-bit resumes.)
_HOST_STATE = ("step", "mu_product", "eta", "mu")


def _by_value(group: dict) -> dict:
    """The group as the updates read it: the group itself (the usual case, checked in one
    pass over its values), or a copy in which hyperparameters given as Tensors (a 0-d or
    1-element `lr`, `weight_decay`, `momentum`, ..., or Tensor entries of a tuple such as
    `betas`) are Python floats: PyTorch's default (for-loop) CPU path uses a Tensor lr by
    value, and the group keeps the Tensor itself, so a scheduler updating it in place
    (`fill_`) is seen at the next step."""
    for value in group.values():  # a type check per value: the float-lr path stays fast
        if isinstance(value, Tensor) or (type(value) is tuple and _has_tensor(value)):
            return {k: _value(v) if k != "params" else v for k, v in group.items()}
    return group


def _has_tensor(values) -> bool:
    for v in values:
        if isinstance(v, Tensor):
            return True
    return False


def _value(v):
    """A hyperparameter by value: a Tensor (one element) becomes a Python scalar; tuples
    are converted entry by entry."""
    if isinstance(v, Tensor):
        if v.numel() != 1:
            raise ValueError(f"optimizer: a Tensor hyperparameter must have one element, got "
                             f"shape {tuple(v.shape)}")
        return v.item()
    if type(v) is tuple and _has_tensor(v):
        return tuple(_value(x) for x in v)
    return v


def _check_tensor_hyper(name: str, what: str, value, foreach=None,
                        capturable: bool = False) -> None:
    """PyTorch's checks of a hyperparameter given as a Tensor: one element, and (for
    Adam and AdamW) not with foreach=True unless capturable."""
    if not isinstance(value, Tensor):
        return
    if foreach and not capturable:
        raise ValueError(f"{what} as a Tensor is not supported for capturable=False and "
                         "foreach=True")
    if value.numel() != 1:
        raise ValueError(f"Tensor {what} must be 1-element")


def _sample(state):
    """One state tensor of a parameter that lives on the parameter's device (None if
    there is none): all of them move together, so one tells where the state is."""
    for key, value in state.items():
        if key in _HOST_STATE:
            continue
        if isinstance(value, (list, tuple)):  # LBFGS's history
            value = value[0] if value else None
        if isinstance(value, Tensor):
            return value
    return None


def _move_state(state, dev):
    """Every state tensor (lists of them too) onto `dev`, in place: the step counters and
    NAdam's `mu_product` stay on the host, as PyTorch keeps them."""
    for key, value in state.items():
        if key in _HOST_STATE:
            continue
        for v in value if isinstance(value, (list, tuple)) else (value,):
            if isinstance(v, Tensor) and v.device != dev:
                v.data = v.to(dev)


def _state_value(name, value, p):
    """A fresh copy of one saved state entry, on p's device; floats take p's dtype. Lists
    (LBFGS's history) are copied entry by entry, as PyTorch casts them."""
    if isinstance(value, (list, tuple)):
        return type(value)(_state_value(None, v, p) for v in value)
    # `step` stays on the host, where it is read every step without a device sync
    return copy_state(value, p, host=name in _HOST_STATE)


def _step_tensor(value: float = 0.0):
    """The `step` counter (or another per-parameter scalar such as NAdam's `mu_product`):
    a 0-d float host tensor, as PyTorch keeps it (float32 unless the default dtype is
    float64). It is read on the host, so it costs no device sync."""
    dtype = ag.float64 if ag.get_default_dtype() == ag.float64 else ag.float32
    return ag.full((), value, dtype=dtype, device="cpu")


def _bump_step(state) -> float:
    """step += 1 in place; returns the new value as a Python float."""
    arr = state["step"].array
    arr += 1
    return float(arr)


def _flags(name: str, differentiable=False, **flags) -> dict:
    """PyTorch's implementation switches (foreach, fused, capturable): accepted and kept in
    the parameter groups as PyTorch keeps them; they pick among PyTorch's kernels and do
    not change the maths, so here they change nothing. differentiable=True would need a
    graph through the update, which runs in place on the arrays: refused."""
    if differentiable:
        raise NotImplementedError(
            f"{name}: differentiable=True is not supported: updates run in place on the "
            "arrays and record no graph")
    return dict(flags, differentiable=False)


def _check_options(name: str, lr=0.0, eps=0.0, betas=(0.0, 0.0), weight_decay=0.0,
                   differentiable=False) -> None:
    """PyTorch's constructor checks (its messages, prefixed with the optimiser's name)."""
    _check_tensor_hyper(name, "lr", lr)
    if not 0.0 <= lr:
        raise ValueError(f"{name}: Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"{name}: Invalid epsilon value: {eps}")
    for i in (0, 1):
        if not 0.0 <= betas[i] < 1.0:
            raise ValueError(f"{name}: Invalid beta parameter at index {i}: {betas[i]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"{name}: Invalid weight_decay value: {weight_decay}")
    if differentiable:
        # foreach and capturable only pick PyTorch's kernels: the maths is the same here
        raise NotImplementedError(
            f"{name}: differentiable=True is not supported: updates run in place on the "
            "arrays and record no graph")


def _zeros_like(p):
    return zeros_state(p)
