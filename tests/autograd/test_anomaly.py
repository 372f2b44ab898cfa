"""detect_anomaly: NaN/Inf in a backward step raises, naming the op and the user's line."""
import warnings

import pytest
import torch

import autograd as ag

pytestmark = pytest.mark.filterwarnings("ignore:Anomaly Detection")


def _nan_grad_graph(lib):
    x = lib.tensor([-1.0, 1.0], requires_grad=True)
    y = x.sqrt()  # LINE-OF-SQRT; sqrt(-1) = nan, so its gradient is nan
    return y.sum()


def test_nan_in_backward_raises_like_torch_and_names_op_and_line():
    with torch.autograd.detect_anomaly(), pytest.raises(RuntimeError, match="SqrtBackward0"):
        _nan_grad_graph(torch).backward()
    with ag.detect_anomaly():
        loss = _nan_grad_graph(ag)
        with pytest.raises(RuntimeError) as info:
            loss.backward()
    msg = str(info.value)
    assert "returned nan values in its 0th output" in msg
    assert "Function 'SqrtBackward'" in msg
    assert "test_anomaly.py" in msg and "LINE-OF-SQRT" in msg
    assert "(2,) torch.float32" in msg and "nan" in msg
    assert "the op's inputs: [(2,) torch.float32]" in msg


def test_inf_gradient_is_reported_with_counts():
    with ag.detect_anomaly():
        x = ag.tensor([0.0, 4.0], requires_grad=True)
        y = x.sqrt().sum()
        with pytest.raises(RuntimeError, match=r"'SqrtBackward' returned inf.*1 inf of 2"):
            y.backward()


def test_no_error_without_anomaly_mode_or_with_check_nan_false():
    _nan_grad_graph(ag).backward()
    with ag.detect_anomaly(check_nan=False):
        _nan_grad_graph(ag).backward()


def test_set_detect_anomaly_toggles_and_restores():
    from autograd.anomaly import is_anomaly_enabled
    assert not is_anomaly_enabled()
    with ag.set_detect_anomaly(True):
        assert is_anomaly_enabled()
        loss = _nan_grad_graph(ag)
        with pytest.raises(RuntimeError, match="returned nan"):
            loss.backward()
    assert not is_anomaly_enabled()


def test_detect_anomaly_as_decorator_and_warning():
    @ag.detect_anomaly()
    def run():
        from autograd.anomaly import is_anomaly_enabled
        return is_anomaly_enabled()
    assert run() is True
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ag.detect_anomaly()
    assert any("Anomaly Detection" in str(w.message) for w in caught)


def test_nodes_record_their_creation_stack_only_in_anomaly_mode():
    x = ag.tensor([1.0], requires_grad=True)
    assert (x * 2).grad_fn._stack is None
    with ag.detect_anomaly():
        y = x * 2
    from autograd.anomaly import user_frame
    assert user_frame(y.grad_fn).filename.endswith("test_anomaly.py")


def test_custom_function_nan_is_reported():
    class Bad(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            return grad * float("nan")
    with ag.detect_anomaly():
        y = Bad.apply(ag.tensor([1.0], requires_grad=True))
        with pytest.raises(RuntimeError, match="'BadBackward' returned nan"):
            y.sum().backward()
