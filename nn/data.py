"""Datasets, samplers and `DataLoader`, as in torch.utils.data (single process).

Batches of a `TensorDataset` (or a `Subset` of one) are gathered with one fancy-indexing
op per tensor; other datasets are read item by item and merged by `default_collate`.
"""
from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence

import autograd as ag
from autograd import backend
from autograd.tensor import Tensor


class Dataset:
    """Same as torch.utils.data.Dataset: subclasses define __getitem__ (and __len__)."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """Same as torch.utils.data.IterableDataset: subclasses define __iter__; a DataLoader
    reads it in order and batches consecutive items."""

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


class ConcatDataset(Dataset):
    """Same as torch.utils.data.ConcatDataset: the datasets one after another."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise ValueError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = []
        total = 0
        for d in self.datasets:
            total += len(d)
            self.cumulative_sizes.append(total)

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx += len(self)
        lo = bisect.bisect_right(self.cumulative_sizes, idx)
        if lo == len(self.datasets):
            raise IndexError(f"ConcatDataset: index {idx} out of range for length {len(self)}")
        start = self.cumulative_sizes[lo - 1] if lo else 0
        return self.datasets[lo][idx - start]


class TensorDataset(Dataset):
    """Same as torch.utils.data.TensorDataset: item i is (t[i] for each tensor)."""

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset: expected at least one tensor")
        n = tensors[0].shape[0]
        for t in tensors:
            if t.shape[0] != n:
                raise ValueError(
                    f"TensorDataset: size mismatch between tensors: expected first dimension "
                    f"{n}, got shape {tuple(t.shape)}")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]

    def _batch(self, indices):
        """A whole batch, one gather per tensor; `indices` is a host int64 array."""
        out = []
        for t in self.tensors:
            index = ag.from_numpy(indices) if t.device.type == "cpu" else ag.tensor(
                indices, device=t.device)
            out.append(t[index])
        return out


class Subset(Dataset):
    """Same as torch.utils.data.Subset."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index):
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self):
        return len(self.indices)

    def _batch(self, indices):
        own = _host_int64(self.indices)
        return self.dataset._batch(own[indices])


def _has_batch_path(dataset) -> bool:
    """True when batches can be gathered at once (a TensorDataset, maybe in Subsets)."""
    while isinstance(dataset, Subset):
        dataset = dataset.dataset
    return hasattr(dataset, "_batch")


def _host_int64(indices):
    """Indices (a list, array or Tensor) as a host int64 array."""
    if isinstance(indices, Tensor):
        return backend.to_host(indices.array).astype(backend.int64, copy=False)
    if backend.is_array(indices):
        return backend.to_host(indices).astype(backend.int64, copy=False)
    return ag.tensor(list(indices), dtype=ag.int64, device="cpu").array


def random_split(dataset, lengths, generator=None):
    """Same as torch.utils.data.random_split: lengths may be counts or fractions summing to
    1 (floor of each share, the remainder spread one by one from the first split)."""
    n = len(dataset)
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        counts = [int(math.floor(n * frac)) for frac in lengths]
        for frac in lengths:
            if not 0 <= frac <= 1:
                raise ValueError(f"random_split: fraction {frac} is not between 0 and 1")
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if sum(lengths) != n:
        raise ValueError(f"random_split: sum of input lengths ({sum(lengths)}) does not equal "
                         f"the length of the input dataset ({n})")
    order = ag.randperm(n, generator=generator, device="cpu").tolist()
    splits, start = [], 0
    for length in lengths:
        splits.append(Subset(dataset, order[start:start + length]))
        start += length
    return splits


# ----------------------------------------------------------------------------- samplers
class Sampler:
    """Same as torch.utils.data.Sampler: iterates over dataset indices."""

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    """Same as torch.utils.data.SequentialSampler: 0, 1, ..., len - 1."""

    def __init__(self, data_source):
        self.data_source = data_source

    def _order(self):
        return ag.arange(len(self.data_source), device="cpu").array

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """Same as torch.utils.data.RandomSampler. Draws from `generator`, or from the default
    generator (seeded by autograd.manual_seed) when None."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if num_samples is not None and (not isinstance(num_samples, int) or num_samples <= 0):
            raise ValueError(f"RandomSampler: expected a positive integer num_samples, got "
                             f"{num_samples}")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        """Lazy, as PyTorch's: with replacement, indices are drawn 32 at a time (so
        num_samples=10**10 allocates nothing up front); without, one permutation of the
        dataset at a time, the last one cut to what num_samples leaves."""
        n = len(self.data_source)
        gen = self.generator
        if self.replacement:
            for _ in range(self.num_samples // 32):
                yield from ag.randint(0, n, (32,), generator=gen, device="cpu").tolist()
            rest = self.num_samples % 32
            if rest:
                yield from ag.randint(0, n, (rest,), generator=gen, device="cpu").tolist()
            return
        for _ in range(self.num_samples // n):
            yield from ag.randperm(n, generator=gen, device="cpu").tolist()
        rest = self.num_samples % n
        if rest:
            yield from ag.randperm(n, generator=gen, device="cpu").tolist()[:rest]

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """Same as torch.utils.data.SubsetRandomSampler."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def _order(self):
        perm = ag.randperm(len(self.indices), generator=self.generator, device="cpu").array
        return _host_int64(self.indices)[perm]

    def __iter__(self):
        return iter(self._order().tolist())

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """Same as torch.utils.data.WeightedRandomSampler: `num_samples` indices drawn with
    probabilities proportional to `weights` (with or without replacement), from
    `generator` or the default generator."""

    def __init__(self, weights, num_samples: int, replacement: bool = True, generator=None):
        if isinstance(num_samples, bool) or not isinstance(num_samples, int) or \
                num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got "
                             f"replacement={replacement}")
        w = weights.detach().cpu() if isinstance(weights, ag.Tensor) else ag.tensor(weights)
        if w.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape "
                             f"{tuple(w.shape)}")
        self.weights = w.to(ag.float64)
        self.num_samples, self.replacement, self.generator = num_samples, replacement, generator

    def _order(self):
        return ag.multinomial(self.weights, self.num_samples, self.replacement,
                              generator=self.generator).array

    def __iter__(self):
        return iter(self._order().tolist())

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Same as torch.utils.data.BatchSampler: lists of `batch_size` indices."""

    def __init__(self, sampler, batch_size: int, drop_last: bool):
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"BatchSampler: expected a positive integer batch_size, got "
                             f"{batch_size}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def _index_batches(self):
        """Host int64 arrays, one per batch: slices of the sampler's whole order."""
        order = self.sampler._order()
        stop = len(order) - len(order) % self.batch_size if self.drop_last else len(order)
        return (order[i:i + self.batch_size] for i in range(0, stop, self.batch_size))

    def __iter__(self):
        if hasattr(self.sampler, "_order"):
            for batch in self._index_batches():
                yield batch.tolist()
            return
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return -(-len(self.sampler) // self.batch_size)


# ----------------------------------------------------------------------------- collation
def default_collate(batch):
    """Same as torch.utils.data.default_collate: stacks tensors and arrays into a new
    leading dimension, numbers into 1-d tensors (floats as float64, ints as int64),
    recursing into dicts, namedtuples and sequences (tuples become lists); strings stay
    lists."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return ag.stack(list(batch))
    if backend.is_array(elem):
        return ag.stack([ag.as_tensor(b) for b in batch])
    if backend.is_numpy_scalar(elem):
        return ag.tensor([b.item() for b in batch], dtype=elem.dtype)
    if isinstance(elem, float):
        return ag.tensor(batch, dtype=ag.float64)
    if isinstance(elem, (bool, int)):
        return ag.tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, Sequence):
        size = len(elem)
        if any(len(b) != size for b in batch):
            raise RuntimeError("default_collate: each element in list of batch should be of "
                               "equal size")
        return [default_collate(list(s)) for s in zip(*batch)]
    raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, "
                    f"dicts or lists; found {type(elem).__name__}")


def default_convert(data):
    """Same as torch.utils.data.default_convert: arrays become tensors, recursively."""
    if backend.is_array(data):
        return ag.as_tensor(data)
    if isinstance(data, Mapping):
        return {key: default_convert(v) for key, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(v) for v in data))
    if isinstance(data, (list, tuple)):
        return type(data)(default_convert(v) for v in data)
    return data


# ----------------------------------------------------------------------------- loader
class DataLoader:
    """Same as torch.utils.data.DataLoader, loading in the calling process (`num_workers`,
    `pin_memory`, `persistent_workers` and the other worker options are accepted and have
    no effect). `shuffle=True` draws a fresh permutation per epoch from `generator` or the
    default generator. An `IterableDataset` is read in order, `batch_size` items a batch."""

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False,
                 timeout=0, worker_init_fn=None, multiprocessing_context=None, generator=None,
                 *, prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True):
        if isinstance(dataset, IterableDataset):
            if shuffle or sampler is not None or batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 "shuffle, sampler and batch_sampler options")
            self.dataset = dataset
            self.num_workers, self.pin_memory = num_workers, pin_memory
            self.generator, self.drop_last = generator, drop_last
            self.batch_size, self.sampler, self.batch_sampler = batch_size, None, None
            self._auto_collate = collate_fn is None
            self.collate_fn = collate_fn if collate_fn is not None else (
                default_collate if batch_size is not None else default_convert)
            return
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None
                                          or drop_last):
            raise ValueError("DataLoader: batch_sampler option is mutually exclusive with "
                             "batch_size, shuffle, sampler, and drop_last")
        self.dataset = dataset
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.generator = generator
        self.drop_last = drop_last
        if batch_sampler is not None:
            batch_size, drop_last = None, False
        if sampler is None:
            sampler = (RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self._auto_collate = collate_fn is None
        self.collate_fn = collate_fn if collate_fn is not None else (
            default_collate if batch_sampler is not None else default_convert)

    def _iter_iterable(self):
        if self.batch_size is None:
            for item in self.dataset:
                yield self.collate_fn(item)
            return
        batch = []
        for item in self.dataset:
            batch.append(item)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def __iter__(self):
        if isinstance(self.dataset, IterableDataset):
            yield from self._iter_iterable()
            return
        if self.batch_sampler is None:  # batch_size=None: single samples, no batching
            for index in self.sampler:
                yield self.collate_fn(self.dataset[index])
            return
        fast = self._auto_collate and _has_batch_path(self.dataset)
        if fast and isinstance(self.batch_sampler, BatchSampler) and \
                hasattr(self.batch_sampler.sampler, "_order"):
            for indices in self.batch_sampler._index_batches():
                yield self.dataset._batch(indices)
            return
        for indices in self.batch_sampler:
            if fast:
                yield self.dataset._batch(_host_int64(indices))
            else:
                yield self.collate_fn([self.dataset[i] for i in indices])

    def __len__(self):
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)  # TypeError when the dataset has no __len__, as torch
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
        if self.batch_sampler is None:
            return len(self.sampler)
        return len(self.batch_sampler)


class DistributedSampler(Sampler):
    """Same as torch.utils.data.distributed.DistributedSampler: rank `rank` of
    `num_replicas` gets every num_replicas-th index of one (per-epoch, seeded) order,
    padded by repeating its start so all shards have one length (or, with drop_last,
    trimmed). `num_replicas`/`rank` default to nn.parallel's world size and rank."""

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0,
                 drop_last=False):
        if num_replicas is None or rank is None:
            from . import parallel
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
        xp = backend.array_module(order)
        if self.total_size > n:  # pad with the start of the order, repeated if need be
            order = xp.resize(order, self.total_size)
        return order[self.rank:self.total_size:self.num_replicas].astype(backend.int64)

    def __iter__(self):
        return iter(self._order().tolist())

    def __len__(self):
        return self.num_samples
