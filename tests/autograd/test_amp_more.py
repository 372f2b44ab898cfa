"""torch.amp.custom_fwd / custom_bwd (autograd/amp.py)."""
import pytest

import autograd as A
from autograd.amp import custom_bwd, custom_fwd


def _function(seen):
    class Double(A.Function):
        @staticmethod
        @custom_fwd(device_type="cpu", cast_inputs=A.float32)
        def forward(ctx, x):
            seen["fwd_dtype"], seen["fwd_autocast"] = x.dtype, A.is_autocast_enabled("cpu")
            return x * 2

        @staticmethod
        @custom_bwd(device_type="cpu")
        def backward(ctx, g):
            seen["bwd_autocast"] = A.is_autocast_enabled("cpu")
            return g * 2
    return Double


def test_cast_inputs_inside_autocast_and_backward_state():
    seen = {}
    x = A.ones(3, dtype=A.bfloat16, requires_grad=True)
    with A.autocast("cpu", dtype=A.bfloat16):
        y = _function(seen).apply(x)
    assert seen == {"fwd_dtype": A.float32, "fwd_autocast": False}
    assert y.dtype == A.float32
    y.sum().backward()
    assert seen["bwd_autocast"] is True  # forward ran under an enabled autocast
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_outside_autocast_inputs_untouched():
    seen = {}
    x = A.ones(2, dtype=A.float64, requires_grad=True)
    _function(seen).apply(x).sum().backward()
    assert seen["fwd_dtype"] == A.float64 and seen["bwd_autocast"] is False
    with pytest.raises(ValueError):
        custom_fwd(lambda ctx: None, device_type=None)
