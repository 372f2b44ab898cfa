"""linear and bilinear (same as torch.nn.functional's), and the small helpers that
training scripts use beside them: one_hot and normalize."""
from __future__ import annotations

import autograd as ag
from autograd import amp as _amp
from autograd import backend
from autograd.function import Function, is_grad_enabled
from autograd.ops import linalg as _linalg
from autograd.ops import reduce as _reduce
from autograd.tensor import _make


class Linear(Function):
    """y = x W^T + b in one node (no separate transpose and add nodes)."""

    @staticmethod
    def forward(ctx, x, weight, bias):
        xa, wa = x.array, weight.array
        if xa.dtype != wa.dtype or (bias is not None and bias.array.dtype != wa.dtype):
            raise RuntimeError(
                "linear: expected input, weight and bias of one dtype, got "
                f"{xa.dtype}, {wa.dtype}" + (f" and {bias.dtype}" if bias is not None else ""))
        if xa.ndim == 0 or xa.shape[-1] != wa.shape[1]:
            raise RuntimeError(
                f"linear: expected input with last dimension {wa.shape[1]} (weight of shape "
                f"{tuple(wa.shape)}), got input of shape {tuple(xa.shape)}")
        out = backend.matmul(xa, wa.T)  # bfloat16: float32 accumulation
        if bias is not None:
            try:
                out += bias.array
            except ValueError:
                raise RuntimeError(
                    f"linear: expected bias of shape ({wa.shape[0]},), got "
                    f"{tuple(bias.shape)}") from None
        ctx.save_for_backward(x, weight)
        ctx.bias_shape = None if bias is None else bias.array.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.next  # None where no gradient is needed
        grad_x = grad_w = grad_b = None
        if not is_grad_enabled():  # plain backward: straight on the arrays, no op nodes
            g, wa = grad.array, weight.array
            n_out, n_in = wa.shape
            g2 = g if g.ndim == 2 else g.reshape(-1, n_out)
            if need_x is not None:
                grad_x = _make(backend.matmul(g, wa))
            if need_w is not None:
                xa = x.array
                grad_w = _make(backend.matmul(g2.T, xa if xa.ndim == 2 else xa.reshape(-1, n_in)))
            if need_b is not None:
                grad_b = (_make(g2.sum(axis=0)) if ctx.bias_shape == (n_out,) else
                          _reduce.sum_to(grad, ctx.bias_shape))
            return grad_x, grad_w, grad_b
        # forward checked the shapes and dtypes: the MatMul op itself, not the checking
        # matmul() function, is called here
        if need_x is not None:
            grad_x = _linalg.MatMul.apply(grad, weight)
        if need_w is not None:
            # sum over every leading (batch) dim: dW = G^T X with both flattened to 2-D
            if grad.ndim != 2:
                n_out, n_in = weight.array.shape
                grad, x = grad.reshape(-1, n_out), x.reshape(-1, n_in)
            grad_w = _linalg.MatMul.apply(grad.t(), x)
        if need_b is not None:
            grad_b = _reduce.sum_to(grad, ctx.bias_shape)
        return grad_x, grad_w, grad_b


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
    arr = tensor.array
    if arr.dtype != backend.int64:
        raise RuntimeError(f"one_hot: expected class values of dtype int64, got {arr.dtype}")
    xp = backend.array_module(arr)
    if num_classes == -1:
        if arr.size == 0:
            raise RuntimeError("one_hot: can not infer total number of classes from empty "
                               "tensor")
        num_classes = int(arr.max()) + 1  # the output's size: read back, as in PyTorch
    # on the GPU this check waits for the next synchronisation (bad rows are all zeros)
    backend.check_index(arr, 0, num_classes, lambda low, high: RuntimeError(
        f"one_hot: expected class values in [0, {num_classes}), got values from {low} to "
        f"{high}"))
    out = (arr[..., None] == xp.arange(num_classes)).astype(backend.int64)
    return ag.from_numpy(out) if backend.device_of(out).type == "cpu" else ag.as_tensor(out)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """Same as torch.nn.functional.normalize: input / max(||input||_p over dim, eps)."""
    if out is not None:
        raise NotImplementedError("normalize: out= is not supported")
    denom = input.norm(p=p, dim=dim, keepdim=True).clamp_min(eps)
    return input / denom.expand_as(input)
