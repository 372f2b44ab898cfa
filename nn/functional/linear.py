"""linear and bilinear (same as torch.nn.functional's), and the small helpers that
training scripts use beside them: one_hot and normalize."""
from __future__ import annotations

import autograd as ag
from autograd import _checks
from autograd import amp as _amp
from autograd.ops import linalg as _linalg
from autograd.ops.products import Linear


def linear(input, weight, bias=None):
    """Same as torch.nn.functional.linear: input @ weight.T + bias."""
    if _amp.mode.on:
        input, weight, bias = _amp.lower(input, weight, bias)
    if weight.ndim != 2:  # a 1-D weight: a dot product per row
        out = _linalg.matmul(input, weight)
        return out if bias is None else out + bias
    return Linear.apply(input, weight, bias)


def bilinear(input1, input2, weight, bias=None):
    """Same as torch.nn.functional.bilinear: y_o = x1^T W_o x2 + b_o."""
    n_out, n1, n2 = weight.shape
    if input1.shape[-1] != n1 or input2.shape[-1] != n2:
        raise RuntimeError(
            f"bilinear: expected inputs with last dimensions {n1} and {n2} (weight of shape "
            f"{tuple(weight.shape)}), got shapes {tuple(input1.shape)} and "
            f"{tuple(input2.shape)}")
    if tuple(input1.shape[:-1]) != tuple(input2.shape[:-1]):
        raise RuntimeError(
            f"bilinear: expected inputs with the same batch shape, got {tuple(input1.shape)} "
            f"and {tuple(input2.shape)}")
    # (x1 @ W viewed as (n1, out*n2)) gives, per output o, x1^T W_o; then dot with x2
    w = weight.permute(1, 0, 2).reshape(n1, n_out * n2)
    tmp = _linalg.matmul(input1, w).unflatten(-1, (n_out, n2))
    out = (tmp * input2.unsqueeze(-2)).sum(-1)
    return out if bias is None else out + bias


def one_hot(tensor, num_classes=-1):
    """Same as torch.nn.functional.one_hot: int64 class indices of any shape -> int64
    tensor with a new last dimension of size num_classes (max + 1 when -1)."""
    if tensor.dtype != ag.int64:
        raise RuntimeError(f"one_hot: expected class values of dtype int64, got {tensor.dtype}")
    if num_classes == -1:
        if tensor.numel() == 0:
            raise RuntimeError("one_hot: can not infer total number of classes from empty "
                               "tensor")
        num_classes = int(tensor.max()) + 1  # the output's size: read back, as in PyTorch
    # on the GPU this check waits for the next synchronisation (bad rows are all zeros)
    _checks.check_index(tensor, 0, num_classes, lambda low, high: RuntimeError(
        f"one_hot: expected class values in [0, {num_classes}), got values from {low} to "
        f"{high}"))
    classes = ag.arange(num_classes, device=tensor.device)
    return (tensor.detach().unsqueeze(-1) == classes).to(ag.int64)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """Same as torch.nn.functional.normalize: input / max(||input||_p over dim, eps)."""
    if out is not None:
        raise NotImplementedError("normalize: out= is not supported")
    denom = input.norm(p=p, dim=dim, keepdim=True).clamp_min(eps)
    return input / denom.expand_as(input)
