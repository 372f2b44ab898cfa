"""Stochastic weight averaging and EMA (same as torch.optim.swa_utils): AveragedModel keeps
a running average of a model's parameters (and optionally buffers), SWALR anneals each
group's learning rate to a constant swa_lr, update_bn recomputes BatchNorm statistics
with the averaged weights."""
from __future__ import annotations

import copy
import itertools
import math

import autograd as ag
from autograd.function import no_grad
from autograd.tensor import Tensor

from ..layers.norm import _BatchNorm, _InstanceNorm
from ..module import Module
from .lr_scheduler import LRScheduler, _per_group


def _lerp_(avg, cur, weight):
    """avg += weight (cur - avg), in PyTorch's lerp form (exact at weight 0 and 1)."""
    if weight < 0.5:
        avg.copy_(avg + (cur - avg) * weight)
    else:
        avg.copy_(cur - (cur - avg) * (1 - weight))


def get_ema_multi_avg_fn(decay=0.999):
    """Same as torch.optim.swa_utils.get_ema_multi_avg_fn: updates lists in place,
    ema = decay ema + (1 - decay) current."""
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in "
                         "[0,1] range.")

    def ema_update(ema_params, current_params, _):
        with no_grad():
            for e, c in zip(ema_params, current_params):
                if e.is_floating_point():
                    _lerp_(e, c, 1 - decay)
                else:
                    e.copy_(e * decay + c * (1 - decay))
    return ema_update


def get_swa_multi_avg_fn():
    """Same as torch.optim.swa_utils.get_swa_multi_avg_fn: the running mean, in place."""
    def swa_update(averaged_params, current_params, num_averaged):
        n = float(num_averaged)
        with no_grad():
            for a, c in zip(averaged_params, current_params):
                if a.is_floating_point():
                    _lerp_(a, c, 1.0 / (n + 1))
                else:
                    a.copy_(a + (c - a) / (n + 1))
    return swa_update


def get_ema_avg_fn(decay=0.999):
    """Same as torch.optim.swa_utils.get_ema_avg_fn: decay ema + (1 - decay) current."""
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in "
                         "[0,1] range.")

    def ema_update(ema_param, current_param, num_averaged):
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_swa_avg_fn():
    """Same as torch.optim.swa_utils.get_swa_avg_fn: avg + (current - avg) / (n + 1)."""
    def swa_update(averaged_param, current_param, num_averaged):
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


class AveragedModel(Module):
    """Same as torch.optim.swa_utils.AveragedModel(model, device=None, avg_fn=None,
    multi_avg_fn=None, use_buffers=False): `module` is a deep copy of model whose
    parameters update_parameters(model) averages (SWA by default); state_dict keys are
    module.* and n_averaged."""

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", ag.tensor(0, dtype=ag.int64, device=device))
        self.avg_fn, self.multi_avg_fn = avg_fn, multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def update_parameters(self, model) -> None:
        mine = (list(itertools.chain(self.module.parameters(), self.module.buffers()))
                if self.use_buffers else list(self.parameters()))
        theirs = (list(itertools.chain(model.parameters(), model.buffers()))
                  if self.use_buffers else list(model.parameters()))
        mine = [p.detach() for p in mine]
        theirs = [p.detach().to(a.device) for p, a in zip(theirs, mine)]
        n = int(self.n_averaged.item())
        with no_grad():
            if n == 0:
                for a, m in zip(mine, theirs):
                    a.copy_(m)
            elif self.avg_fn is not None:
                for a, m in zip(mine, theirs):
                    a.copy_(self.avg_fn(a, m, self.n_averaged.to(a.device)))
            else:
                fn = self.multi_avg_fn or get_swa_multi_avg_fn()
                fn(mine, theirs, self.n_averaged)
            if not self.use_buffers:  # buffers follow the source model
                for b_swa, b_model in zip(self.module.buffers(), model.buffers()):
                    b_swa.copy_(b_model.detach().to(b_swa.device))
            self.n_averaged.add_(1)


def update_bn(loader, model, device=None) -> None:
    """Same as torch.optim.swa_utils.update_bn: one pass over loader (batches, or tuples
    whose first item is the input) in training mode with every BatchNorm's statistics
    reset and averaged over the whole pass (momentum None)."""
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm) and not isinstance(module, _InstanceNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    for input in loader:
        if isinstance(input, (list, tuple)):
            input = input[0]
        if device is not None:
            input = input.to(device)
        model(input)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Same as torch.optim.swa_utils.SWALR(optimizer, swa_lr, anneal_epochs=10,
    anneal_strategy='cos', last_epoch=-1): each group's lr moves from its value to swa_lr
    over anneal_epochs steps (cosine or linear), then stays at swa_lr."""

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos",
                 last_epoch=-1):
        for lr, group in zip(_per_group("swa_lr", optimizer, swa_lr), optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got "
                             f"{anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def _set_anneal_func(self, strategy):
        self._anneal_strategy = strategy
        self.anneal_func = self._cosine_anneal if strategy == "cos" else self._linear_anneal

    def get_lr(self):
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        prev_lrs = [self._get_initial_lr(g["lr"], g["swa_lr"], prev_alpha)
                    for g in self.optimizer.param_groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [g["swa_lr"] * alpha + lr * (1 - alpha)
                for g, lr in zip(self.optimizer.param_groups, prev_lrs)]

    def state_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict: dict) -> None:
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)


__all__ = ["AveragedModel", "SWALR", "update_bn", "get_ema_avg_fn", "get_ema_multi_avg_fn",
           "get_swa_avg_fn", "get_swa_multi_avg_fn", "Tensor"]
