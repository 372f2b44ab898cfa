"""Same as torch.nn.init: in-place initialisers. All run under no_grad and draw from the
default generator (or the one given), so `autograd.manual_seed` reproduces them."""
from __future__ import annotations

import math
import warnings

import autograd as ag
from autograd import _nn_support
from autograd.function import no_grad

_LINEAR = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d")


def calculate_gain(nonlinearity, param=None):
    """Same as torch.nn.init.calculate_gain."""
    if nonlinearity in _LINEAR or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    """(fan_in, fan_out): dims 1 and 0 times the receptive field (dims 2...)."""
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than "
                         "2 dimensions")
    receptive = 1
    for s in tensor.shape[2:]:
        receptive *= s
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Same as torch.nn.init.uniform_."""
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Same as torch.nn.init.normal_."""
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Same as torch.nn.init.trunc_normal_: N(mean, std) restricted to [a, b] (with
    PyTorch's warning when mean is more than 2 std from the interval).

    Sampled by the inverse CDF in float64: u uniform between Phi(alpha) and Phi(beta)
    (alpha, beta the bounds in standard units), x = mean + std Phi^-1(u). An interval
    lying mostly above the mean is mirrored below it, where both CDF values (from erfc)
    keep their precision, so a far-off interval is still sampled exactly."""
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The "
                      "distribution of values may be incorrect.", stacklevel=2)
    alpha, beta = (a - mean) / std, (b - mean) / std
    flip = alpha + beta > 0
    if flip:
        alpha, beta = -beta, -alpha
    lo, hi = (0.5 * math.erfc(-z / math.sqrt(2)) for z in (alpha, beta))
    with no_grad():
        u = ag.rand(*tensor.shape, generator=generator, dtype=ag.float64,
                    device=tensor.device) * (hi - lo) + lo
        z = ag.special.ndtri(u)
        tensor.copy_((-z if flip else z).mul_(std).add_(mean).clamp_(a, b))
    return tensor


def constant_(tensor, val):
    """Same as torch.nn.init.constant_."""
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor):
    return constant_(tensor, 1.0)


def zeros_(tensor):
    return constant_(tensor, 0.0)


def eye_(tensor):
    """Same as torch.nn.init.eye_ (2-D tensors only)."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    with no_grad():
        tensor.copy_(ag.eye(*tensor.shape, dtype=tensor.dtype, device=tensor.device))
    return tensor


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Same as torch.nn.init.xavier_uniform_: U(-a, a), a = gain sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Same as torch.nn.init.xavier_normal_: N(0, gain^2 2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def _kaiming_std(tensor, a, mode, nonlinearity, op):
    if 0 in tuple(tensor.shape):
        warnings.warn(f"{op}: initializing zero-element tensors is a no-op")
        return None
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """Same as torch.nn.init.kaiming_uniform_: U(-b, b), b = gain sqrt(3 / fan)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_uniform_")
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """Same as torch.nn.init.kaiming_normal_: N(0, gain^2 / fan)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_normal_")
    if std is None:
        return tensor
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor, gain=1, generator=None):
    """Same as torch.nn.init.orthogonal_: the Q of a Gaussian matrix's QR, signs fixed
    so that the distribution is uniform (Haar), times gain."""
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    with no_grad():
        flat = ag.randn(rows, cols, generator=generator, dtype=ag.float64,
                        device=tensor.device)
        if rows < cols:
            flat = flat.T
        q, r = _nn_support.qr(flat)
        q = q * r.diagonal().sign()  # make the factorisation unique
        if rows < cols:
            q = q.T
        tensor.copy_((q * gain).reshape(tensor.shape))
    return tensor


def _default_reset_(weight, bias) -> None:
    """PyTorch's default for Linear and convolutions: kaiming_uniform_(a=sqrt(5)) on the
    weight, i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the same bound for the bias."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = _calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        uniform_(bias, -bound, bound)


def dirac_(tensor, groups=1):
    """Same as torch.nn.init.dirac_: a 3-, 4- or 5-D convolution weight that passes its first
    min(out_channels / groups, in_channels) channels of each group through unchanged (a one at
    the kernel's centre, zeros elsewhere)."""
    dims = tensor.dim()
    if dims not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tuple(tensor.shape)
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    per_group = sizes[0] // groups
    keep = min(per_group, sizes[1])
    with no_grad():
        tensor.zero_()
        if keep and groups:
            d = ag.arange(keep, device=tensor.device).repeat(groups)
            g = ag.arange(groups, device=tensor.device).repeat_interleave(keep)
            centre = tuple(s // 2 for s in sizes[2:])
            tensor[(g * per_group + d, d) + centre] = 1
    return tensor


def _deprecated(new):
    old = new.__name__[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(f"`nn.init.{old}` is now deprecated in favor of `nn.init.{new.__name__}`.",
                      FutureWarning, stacklevel=2)
        return new(*args, **kwargs)

    deprecated_init.__name__ = deprecated_init.__qualname__ = old
    deprecated_init.__doc__ = f"{old}(...): deprecated, see nn.init.{new.__name__}."
    return deprecated_init


# the deprecated names without the trailing underscore (warn with FutureWarning, as torch does)
uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
Tensor = ag.Tensor
