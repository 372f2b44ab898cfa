"""DataParallel (same interface as torch.nn.DataParallel). Without GPUs it calls the module
directly, as PyTorch does. With GPUs, the batch is scattered into one chunk per device id
and the chunks run one after the other through the module on device_ids[0] (the module is
not copied to other devices), then gathered on output_device: the values and gradients
are those of PyTorch's DataParallel, without its multi-GPU speed-up (use
DistributedDataParallel for that)."""
from __future__ import annotations

import autograd as ag
from autograd.tensor import Tensor

from ..module import Module


def _device(d):
    return ag.device("cuda", d) if isinstance(d, int) else ag.device(d)


def _chunks(obj, n, dim, device):
    """n chunks of every tensor in obj (nested tuples, lists, dicts), on device."""
    if isinstance(obj, Tensor):
        return [c.to(device) for c in obj.chunk(n, dim)]
    if isinstance(obj, (tuple, list)) and obj:
        per = [_chunks(o, n, dim, device) for o in obj]
        k = min(len(p) for p in per)
        return [type(obj)(p[i] for p in per) for i in range(k)]
    if isinstance(obj, dict) and obj:
        per = {key: _chunks(v, n, dim, device) for key, v in obj.items()}
        k = min(len(p) for p in per.values())
        return [{key: p[i] for key, p in per.items()} for i in range(k)]
    return [obj] * n


class DataParallel(Module):
    """Same as torch.nn.DataParallel(module, device_ids=None, output_device=None, dim=0)
    (state_dict keys module.*); see the module docstring for how it runs."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module
        if not ag.cuda.is_available():
            self.device_ids = []
            return
        if device_ids is None:
            device_ids = list(range(ag.cuda.device_count()))
        if output_device is None:
            output_device = device_ids[0]
        self.dim = dim
        self.device_ids = [_device(d).index if not isinstance(d, int) else d
                           for d in device_ids]
        self.output_device = _device(output_device)
        self.src_device_obj = _device(self.device_ids[0])

    def forward(self, *inputs, **kwargs):
        if not self.device_ids:
            return self.module(*inputs, **kwargs)
        for t in (*self.module.parameters(), *self.module.buffers()):
            if t.device != self.src_device_obj:
                raise RuntimeError("module must have its parameters and buffers on device "
                                   f"{self.src_device_obj} (device_ids[0]) but found one of "
                                   f"them on device: {t.device}")
        inputs, kwargs = self.scatter(inputs, kwargs, self.device_ids)
        if not inputs and not kwargs:
            inputs, kwargs = ((),), ({},)
        if len(self.device_ids) == 1:
            return self.module(*inputs[0], **kwargs[0])
        replicas = self.replicate(self.module, self.device_ids[:len(inputs)])
        outputs = self.parallel_apply(replicas, inputs, kwargs)
        return self.gather(outputs, self.output_device)

    def replicate(self, module, device_ids):
        """One replica per device id: the module itself (it runs every chunk)."""
        return [module] * len(device_ids)

    def scatter(self, inputs, kwargs, device_ids):
        """(inputs per chunk, kwargs per chunk): tensors chunked along dim."""
        n = len(device_ids)
        dev = _device(device_ids[0])
        ins = _chunks(tuple(inputs), n, self.dim, dev) if inputs else []
        kws = _chunks(dict(kwargs or {}), n, self.dim, dev) if kwargs else []
        k = max(len(ins), len(kws))
        ins = list(ins) + [()] * (k - len(ins))
        kws = list(kws) + [{}] * (k - len(kws))
        return tuple(ins), tuple(kws)

    def parallel_apply(self, replicas, inputs, kwargs):
        return [r(*i, **k) for r, i, k in zip(replicas, inputs, kwargs)]

    def gather(self, outputs, output_device):
        """The chunks' outputs concatenated along dim on output_device."""
        first = outputs[0]
        if isinstance(first, Tensor):
            dev = _device(output_device)
            return ag.cat([o.to(dev) for o in outputs], dim=self.dim)
        if isinstance(first, dict):
            return type(first)((k, self.gather([o[k] for o in outputs], output_device))
                               for k in first)
        if isinstance(first, (tuple, list)):
            return type(first)(self.gather(list(parts), output_device)
                               for parts in zip(*outputs))
        return first
