"""EarlyStopping: patience counting, min_delta, modes, best-weight restore."""
import math

import pytest

import autograd as ag
from nn.utils import EarlyStopping


class TinyModel:
    """Just the two state-dict methods EarlyStopping uses."""

    def __init__(self):
        self.w = ag.tensor([0.0, 0.0], requires_grad=True)

    def state_dict(self):
        return {"w": self.w}

    def load_state_dict(self, sd):
        with ag.no_grad():
            self.w.copy_(sd["w"])


def _run(stopper, metrics):
    return [stopper.step(m) for m in metrics]


def test_stops_after_patience_bad_epochs_in_a_row():
    stopper = EarlyStopping(patience=2)
    assert _run(stopper, [1.0, 0.8, 0.9, 0.7, 0.7, 0.75]) == [False] * 5 + [True]
    assert stopper.best == 0.7 and stopper.best_epoch == 3 and stopper.should_stop


def test_min_delta_and_max_mode():
    stopper = EarlyStopping(patience=2, min_delta=0.1)
    # 0.95 and 0.92 improve on 1.0 by less than min_delta: they count as bad epochs
    assert _run(stopper, [1.0, 0.95, 0.92]) == [False, False, True]
    assert stopper.best == 1.0
    stopper = EarlyStopping(patience=1, mode="max")
    assert _run(stopper, [0.5, 0.6, 0.6]) == [False, False, True]
    assert stopper.best == 0.6


def test_nan_never_improves_and_tensor_metrics_work():
    stopper = EarlyStopping(patience=2)
    assert _run(stopper, [math.nan, ag.tensor(1.0), math.nan, math.nan]) == \
        [False, False, False, True]
    assert stopper.best == 1.0


def test_restore_best_weights():
    model = TinyModel()
    stopper = EarlyStopping(patience=2, restore_best_weights=True)
    for value, metric in [(1.0, 0.5), (2.0, 0.3), (3.0, 0.4), (4.0, 0.35)]:
        with ag.no_grad():
            model.w.fill_(value)
        stop = stopper.step(metric, model)
    assert stop and model.w.tolist() == [4.0, 4.0]
    stopper.restore(model)
    assert model.w.tolist() == [2.0, 2.0]  # the weights of the best epoch, not a reference


def test_errors():
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="up")
    with pytest.raises(ValueError, match="model"):
        EarlyStopping(restore_best_weights=True).step(1.0)
    with pytest.raises(RuntimeError, match="restore_best_weights"):
        EarlyStopping().restore(TinyModel())
