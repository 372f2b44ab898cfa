"""DistributedSampler, as in torch.utils.data.distributed: each process's shard."""
from __future__ import annotations

import math

import autograd as ag
from autograd import _data_support as _data

from .. import parallel
from .sampler import Sampler


class DistributedSampler(Sampler):
    """Same as torch.utils.data.distributed.DistributedSampler: rank `rank` of
    `num_replicas` gets every num_replicas-th index of one (per-epoch, seeded) order,
    padded by repeating its start so all shards have one length (or, with drop_last,
    trimmed). `num_replicas`/`rank` default to nn.parallel's world size and rank."""

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0,
                 drop_last=False):
        if num_replicas is None or rank is None:
            if not parallel.is_initialized():
                raise RuntimeError("DistributedSampler: expected num_replicas and rank, or "
                                   "nn.parallel.init_process_group() to have been called")
            num_replicas = parallel.get_world_size() if num_replicas is None else num_replicas
            rank = parallel.get_rank() if rank is None else rank
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas, self.rank = num_replicas, rank
        self.shuffle, self.seed, self.drop_last = shuffle, seed, drop_last
        self.epoch = 0
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas

    def set_epoch(self, epoch: int) -> None:
        """Same as torch: a different shuffle each epoch, equal on every rank."""
        self.epoch = epoch

    def _order(self):
        n = len(self.dataset)
        if self.shuffle:  # the same permutation on every rank: seeded by seed + epoch
            gen = ag.Generator().manual_seed(self.seed + self.epoch)
            order = ag.randperm(n, generator=gen, device="cpu").array
        else:
            order = ag.arange(n, device="cpu").array
        if self.total_size > n:  # pad with the start of the order, repeated if need be
            order = _data.resize(order, self.total_size)
        return _data.host_int64(order[self.rank:self.total_size:self.num_replicas])

    def __iter__(self):
        return iter(self._order().tolist())

    def __len__(self):
        return self.num_samples
