"""SyncBatchNorm (same as torch.nn.SyncBatchNorm): batch norm whose training statistics are
those of the whole batch across the processes of a process group. Outside a process group
(or with one process, or in eval mode) it is BatchNorm. Across processes, each sums its
inputs and their squares per channel; one differentiable all-reduce (ops/collective.py)
makes the global mean and variance, so gradients are those of the global batch norm.
(PyTorch requires CUDA inputs for the synchronised case; Ember's process groups also run
on the CPU.)"""
from __future__ import annotations

import autograd as ag
from autograd.ops.collective import AllReduceSum

from ..parallel import distributed as _dist
from .norm import _BatchNorm, _InstanceNorm


class SyncBatchNorm(_BatchNorm):
    """Same as torch.nn.SyncBatchNorm(num_features, eps=1e-5, momentum=0.1, affine=True,
    track_running_stats=True, process_group=None, device=None, dtype=None)."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, process_group=None, device=None, dtype=None, *,
                 bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)
        self.process_group = process_group

    def _check_input_dim(self, input):
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")

    def forward(self, input):
        self._check_input_dim(input)
        if input.shape[1] == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")
        if not (self.training and _dist.is_available() and _dist.is_initialized()
                and _dist.get_world_size(self.process_group) > 1):
            return super().forward(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.track_running_stats:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                factor = 1.0 / int(self.num_batches_tracked.item())

        def reduce_(t):
            _dist.all_reduce(t, group=self.process_group)
        return sync_batch_norm(input, self.weight, self.bias, self.running_mean,
                               self.running_var, self.eps, factor, reduce_)

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """Same as torch.nn.SyncBatchNorm.convert_sync_batchnorm: every BatchNorm*d in
        module replaced by a SyncBatchNorm sharing its parameters and buffers."""
        out = module
        if isinstance(module, _BatchNorm) and not isinstance(module, (_InstanceNorm, cls)):
            out = cls(module.num_features, module.eps, module.momentum, module.affine,
                      module.track_running_stats, process_group)
            if module.affine:
                out.weight, out.bias = module.weight, module.bias
            out.running_mean, out.running_var = module.running_mean, module.running_var
            out.num_batches_tracked = module.num_batches_tracked
            out.training = module.training
        for name, child in module.named_children():
            out.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return out


def sync_batch_norm(x, weight, bias, running_mean, running_var, eps, factor, reduce_):
    """Batch norm of x with statistics summed across processes by reduce_ (in place)."""
    c = x.shape[1]
    dims = [0] + list(range(2, x.ndim))
    local = ag.cat([x.sum(dims), (x * x).sum(dims),
                    ag.full((1,), x.numel() // c, dtype=x.dtype, device=x.device)])
    stats = AllReduceSum.apply(local, reduce_)
    n = stats[2 * c]
    mean = stats[:c] / n
    var = stats[c:2 * c] / n - mean * mean
    if running_mean is not None:
        with ag.no_grad():
            running_mean.mul_(1 - factor).add_(mean.detach() * factor)
            unbiased = var.detach() * (n / (n - 1).clamp(min=1))  # no read-back of n
            running_var.mul_(1 - factor).add_(unbiased * factor)
    shape = [1, c] + [1] * (x.ndim - 2)
    out = (x - mean.reshape(shape)) * ag.rsqrt(var.reshape(shape) + eps)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out



