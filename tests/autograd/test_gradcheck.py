"""gradcheck / gradgradcheck: same verdicts and exception types as PyTorch."""
import sys

import numpy as np
import pytest
import torch

import autograd as ag

TorchGradcheckError = sys.modules["torch.autograd.gradcheck"].GradcheckError


def _wrong_grad(lib_function):
    class WrongSin(lib_function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin()

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x.cos() * 1.1  # 10% off
    return WrongSin


def _wrong_second(lib_function):
    class DetachedSin(lib_function):
        """Right first derivative, but backward uses a constant: wrong second one."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin()

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x.detach().cos()
    return DetachedSin


def _x(lib):
    return lib.tensor(np.array([0.3, -1.1, 2.0]), requires_grad=True)


def test_correct_functions_pass_both_checks():
    fn = lambda a, b: (a * b).tanh().sum(0)  # noqa: E731
    for lib in (ag, torch):
        inputs = (lib.tensor(np.random.rand(2, 3), requires_grad=True),
                  lib.tensor(np.random.rand(3), requires_grad=True))
        assert lib.autograd.gradcheck(fn, inputs) if lib is torch else ag.gradcheck(fn, inputs)
        assert (torch.autograd.gradgradcheck(fn, inputs) if lib is torch
                else ag.gradgradcheck(fn, inputs))


def test_wrong_gradient_raises_gradcheck_error_naming_input_element_and_values():
    with pytest.raises(TorchGradcheckError):
        torch.autograd.gradcheck(_wrong_grad(torch.autograd.Function).apply, (_x(torch),))
    with pytest.raises(ag.GradcheckError) as info:
        ag.gradcheck(_wrong_grad(ag.Function).apply, (_x(ag),))
    assert isinstance(info.value, RuntimeError)
    msg = str(info.value)
    assert "input 0" in msg and "element 0" in msg
    expected = np.cos(0.3)
    assert f"{expected:.6f}"[:6] in msg and f"{expected * 1.1:.6f}"[:6] in msg


def test_raise_exception_false_returns_false_like_torch():
    assert torch.autograd.gradcheck(_wrong_grad(torch.autograd.Function).apply, (_x(torch),),
                                    raise_exception=False) is False
    assert ag.gradcheck(_wrong_grad(ag.Function).apply, (_x(ag),),
                        raise_exception=False) is False


def test_gradgradcheck_catches_wrong_second_derivative_like_torch():
    assert torch.autograd.gradcheck(_wrong_second(torch.autograd.Function).apply, (_x(torch),))
    assert ag.gradcheck(_wrong_second(ag.Function).apply, (_x(ag),))
    with pytest.raises(TorchGradcheckError):
        torch.autograd.gradgradcheck(_wrong_second(torch.autograd.Function).apply,
                                     (_x(torch),))
    with pytest.raises(ag.GradcheckError):
        ag.gradgradcheck(_wrong_second(ag.Function).apply, (_x(ag),))
    assert ag.gradgradcheck(_wrong_second(ag.Function).apply, (_x(ag),),
                            raise_exception=False) is False
