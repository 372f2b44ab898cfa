"""DistributedDataParallel: one model replica per process, gradients averaged in buckets.

Gradients are copied into a few flat buffers ("buckets", filled in reverse parameter order,
which is roughly the order backward produces them). A bucket's all-reduce starts, without
blocking, as soon as its last gradient is accumulated (a post-accumulate-grad hook); the
hook of the last gradient of the pass waits for all of them and writes the averages back
into `.grad`, so `loss.backward(); opt.step()` needs nothing more.
"""
from __future__ import annotations

from contextlib import contextmanager

from autograd import backend, graph
from autograd.function import is_grad_enabled
from autograd.tensor import Tensor, _make

from ..module import Module
from .distributed import _default_group


class _Bucket:
    """Gradients of some parameters (one device and dtype), flattened into `flat`."""

    def __init__(self, indices, offsets, flat):
        self.indices = indices      # positions in DistributedDataParallel._params
        self.offsets = offsets      # where each one starts in `flat`
        self.flat = flat
        self.pending = len(indices)
        self.work = None


def _new_flat(like, n):
    """A zeroed 1-d array of `n` elements with `like`'s dtype, on its device."""
    xp = backend.array_module(like)
    dev = backend.device_of(like)
    if dev.type == "cpu":
        return xp.zeros(n, dtype=like.dtype)
    with backend.cuda_device(dev.index or 0):
        return xp.zeros(n, dtype=like.dtype)


def _tensors_in(obj):
    """The Tensors in a (nested) forward output."""
    if isinstance(obj, Tensor):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _tensors_in(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _tensors_in(v)


def _leaves_reached(output) -> set:
    """ids of the leaf tensors that `output`'s graph reaches."""
    return {id(t) for t in graph.reached_leaves(*_tensors_in(output))}


class DistributedDataParallel(Module):
    """Same as torch.nn.parallel.DistributedDataParallel (one device per process).
    `device_ids`, `output_device`, `dim`, `check_reduction`, `gradient_as_bucket_view` and
    `static_graph` are accepted and have no effect."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0,
                 broadcast_buffers=True, init_sync=True, process_group=None,
                 bucket_cap_mb=None, find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: expected a Module, got "
                            f"{type(module).__name__}")
        self.module = module
        self._group = _default_group()
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.bucket_cap_mb = 25 if bucket_cap_mb is None else bucket_cap_mb
        self.require_backward_grad_sync = True
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        self._names = [n for n, _ in named]
        self._params = [p for _, p in named]
        self._verify_same_parameters()
        if init_sync:
            self._broadcast_from_rank0([p.array for p in module.parameters()] +
                                       [b.array for b in module.buffers()])
        self._buckets, self._where = self._make_buckets()
        self._grad_hooks = [p.register_post_accumulate_grad_hook(self._hook_for(i))
                       for i, p in enumerate(self._params)]
        self._armed = False       # this iteration's backward must average gradients
        self._started = False     # a gradient of this iteration has arrived
        self._finished = False    # and all were averaged
        self._ready = [False] * len(self._params)
        self._next_bucket = 0
        self._used = None         # find_unused_parameters: all-reduced "used" flags

    # ------------------------------------------------------------------ construction
    def _verify_same_parameters(self):
        """Every rank must hold the same parameter names, shapes and dtypes; each rank sees
        every rank's list (one allgather), so they all fail together, not hang."""
        g = self._group
        mine = [(n, tuple(p.shape), str(p.dtype)) for n, p in zip(self._names, self._params)]
        everyone = g.all_gather_object(mine)
        for r, theirs in enumerate(everyone):
            if theirs == everyone[0]:
                continue
            ref = everyone[0]
            diff = next(((a, b) for a, b in zip(ref, theirs) if a != b), None)
            if diff is None:
                what = f"rank 0 has {len(ref)} parameters, rank {r} has {len(theirs)}"
            else:
                (n0, s0, d0), (n1, s1, d1) = diff
                what = f"rank 0 has {n0} {s0} {d0}, rank {r} has {n1} {s1} {d1}"
            raise RuntimeError(
                f"DistributedDataParallel: expected every rank to hold the same parameters, "
                f"got a mismatch ({what}); raised on rank {g.rank}")

    def _broadcast_from_rank0(self, arrays):
        """Overwrite `arrays` with rank 0's values, one message per device and dtype."""
        if self._group.world_size == 1 or not arrays:
            return
        groups = {}
        for a in arrays:
            groups.setdefault((str(backend.device_of(a)), a.dtype.str), []).append(a)
        for same in groups.values():
            xp = backend.array_module(same[0])
            flat = xp.concatenate([a.reshape(-1) for a in same])
            self._group.broadcast(flat, 0).wait()
            start = 0
            for a in same:
                a[...] = flat[start:start + a.size].reshape(a.shape)
                start += a.size

    def _make_buckets(self):
        """Buckets of at most bucket_cap_mb each, in reverse parameter order."""
        cap = self.bucket_cap_mb * 2 ** 20
        buckets, where, open_ = [], {}, {}
        for i in reversed(range(len(self._params))):
            arr = self._params[i].array
            key = (str(backend.device_of(arr)), arr.dtype.str)
            members = open_.get(key)
            if members is None or (members[1] and (members[2] + arr.size) *
                                   arr.itemsize > cap):
                members = open_[key] = [arr, [], 0]
                buckets.append(members)
            members[1].append(i)
            members[2] += arr.size
        out = []
        for b, (like, indices, total) in enumerate(buckets):
            offsets, start = [], 0
            for i in indices:
                offsets.append(start)
                where[i] = (b, start)
                start += self._params[i].array.size
            out.append(_Bucket(indices, offsets, _new_flat(like, total)))
        return out, where

    # ------------------------------------------------------------------ forward
    def forward(self, *inputs, **kwargs):
        if self._armed and self._started and not self._finished:
            self._unfinished_error()
        if self._armed and not self._started:  # no backward came: let collectives end
            if self.find_unused_parameters and self._used is not None:
                self._used_work.wait()
            for b in self._buckets[:self._next_bucket]:
                b.work.wait()
        sync = is_grad_enabled() and self.require_backward_grad_sync
        if sync and self.broadcast_buffers and self._group.world_size > 1:
            self._broadcast_from_rank0([b.array for b in self.module.buffers()])
        output = self.module(*inputs, **kwargs)
        if sync:
            self._prepare_for_backward(output)
        else:
            self._armed = False
        return output

    def _unfinished_error(self):
        missing = [n for n, ready in zip(self._names, self._ready) if not ready]
        raise RuntimeError(
            f"DistributedDataParallel: rank {self._group.rank}: expected to have finished "
            f"reduction in the prior iteration before starting a new one; parameters that "
            f"received no gradient: {', '.join(missing)}. The module has parameters that "
            f"were not used in producing the loss: pass find_unused_parameters=True to "
            f"DistributedDataParallel, or make every forward output take part in the loss")

    def _prepare_for_backward(self, output):
        self._armed, self._started, self._finished = True, False, False
        self._next_bucket = 0
        self._ready = [False] * len(self._params)
        for b in self._buckets:
            b.pending, b.work = len(b.indices), None
        if not self.find_unused_parameters:
            return
        reached = _leaves_reached(output)
        like = self._buckets[0].flat if self._buckets else None
        if like is None:
            return
        flags = [id(p) in reached for p in self._params]
        self._used = backend.asarray(flags, dtype=backend.int32, dev=backend.device_of(like))
        self._used_work = self._group.all_reduce(self._used, "max")
        for i, used in enumerate(flags):
            if not used:  # counts as a zero gradient in the average
                self._mark_ready(i, None)

    # ------------------------------------------------------------------ backward
    def _hook_for(self, i):
        def hook(param):
            if not self._armed:
                return
            if self._finished or self._ready[i]:
                raise RuntimeError(
                    f"DistributedDataParallel: rank {self._group.rank}: parameter "
                    f"{self._names[i]} received a gradient twice in one iteration; expected "
                    f"one backward per forward (run extra backward passes inside no_sync())")
            self._started = True
            self._mark_ready(i, param.grad)
        return hook

    def _mark_ready(self, i, grad):
        b, start = self._where[i]
        bucket = self._buckets[b]
        segment = bucket.flat[start:start + self._params[i].array.size]
        if grad is None:
            segment[...] = 0
        else:
            segment[...] = grad.array.reshape(-1)
        self._ready[i] = True
        bucket.pending -= 1
        if bucket.pending == 0:
            self._launch_ready_buckets()
        elif self._next_bucket:  # let communication already under way progress
            self._buckets[self._next_bucket - 1].work.is_completed()

    def _launch_ready_buckets(self):
        # buckets start in index order on every rank: MPI matches collectives by order
        buckets = self._buckets
        while self._next_bucket < len(buckets) and buckets[self._next_bucket].pending == 0:
            bucket = buckets[self._next_bucket]
            bucket.work = self._group.all_reduce(bucket.flat, "sum")
            self._next_bucket += 1
        if self._next_bucket == len(buckets) and self._started:
            self._finalize()

    def _finalize(self):
        """Wait for every bucket and write the averaged gradients into `.grad`."""
        world = self._group.world_size
        used = None
        if self.find_unused_parameters and self._used is not None:
            self._used_work.wait()
            used = backend.to_host(self._used).tolist()
        for bucket in self._buckets:
            bucket.work.wait()
            if world > 1:
                bucket.flat /= world
            for i, start in zip(bucket.indices, bucket.offsets):
                if used is not None and not used[i]:
                    continue  # unused on every rank: .grad stays as it was
                p = self._params[i]
                avg = bucket.flat[start:start + p.array.size].reshape(p.array.shape)
                if p.grad is None:
                    p.grad = _make(avg.copy())
                else:
                    p.grad.array[...] = avg
        self._finished = True

    @contextmanager
    def no_sync(self):
        """Same as torch's DDP.no_sync: backward passes of forwards run inside accumulate
        local gradients only; the first backward after it averages the sum."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old
