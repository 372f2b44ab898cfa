"""`EarlyStopping`: stop training when a monitored metric stops improving."""
from __future__ import annotations

import math

from autograd.tensor import Tensor


class EarlyStopping:
    """Counts epochs without improvement of a metric and says when to stop.

    Call `step(metric, model)` once per epoch. The metric improves when it beats the best
    value so far by more than `min_delta`: `metric < best - min_delta` in mode 'min',
    `metric > best + min_delta` in mode 'max' (the first finite value always improves; NaN
    never does). An improvement resets the count of bad epochs to 0; otherwise the count
    grows by one. `step` returns True (and `should_stop` becomes True) once `patience`
    consecutive epochs have not improved, so with patience=5 the fifth bad epoch in a row
    stops. With `restore_best_weights=True` each improvement keeps a copy of
    `model.state_dict()` (so `model` is then required), and `restore(model)` loads the
    best copy back. Attributes: `best`, `best_epoch` (0-based index of the step that set
    it), `num_bad_epochs`, `should_stop`, `best_state`.
    """

    def __init__(self, patience: int = 5, min_delta: float = 0.0, mode: str = "min",
                 restore_best_weights: bool = False):
        if mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping: expected mode 'min' or 'max', got {mode!r}")
        if patience < 1:
            raise ValueError(f"EarlyStopping: expected patience >= 1, got {patience}")
        if min_delta < 0:
            raise ValueError(f"EarlyStopping: expected min_delta >= 0, got {min_delta}")
        self.patience = patience
        self.min_delta = min_delta
        self.mode = mode
        self.restore_best_weights = restore_best_weights
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch = None
        self.best_state = None
        self.num_bad_epochs = 0
        self.epoch = -1
        self.should_stop = False

    def is_improvement(self, metric: float) -> bool:
        if self.mode == "min":
            return metric < self.best - self.min_delta
        return metric > self.best + self.min_delta

    def step(self, metric, model=None) -> bool:
        """Record one epoch's metric (a number or a 0-d Tensor); True means stop."""
        if self.restore_best_weights and model is None:
            raise ValueError("EarlyStopping.step: restore_best_weights=True needs the model")
        metric = float(metric.item() if isinstance(metric, Tensor) else metric)
        self.epoch += 1
        if self.is_improvement(metric):
            self.best = metric
            self.best_epoch = self.epoch
            self.num_bad_epochs = 0
            if self.restore_best_weights:
                self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            self.num_bad_epochs += 1
        self.should_stop = self.num_bad_epochs >= self.patience
        return self.should_stop

    def restore(self, model) -> None:
        """Load the best state dict seen so far into `model`."""
        if self.best_state is None:
            raise RuntimeError("EarlyStopping.restore: no best weights were kept; use "
                               "restore_best_weights=True and pass the model to step()")
        model.load_state_dict(self.best_state)
