"""Datasets as in torch.utils.data: map-style and iterable, concatenation, subsets,
TensorDataset (whose batches are gathered with one fancy-indexing op per tensor) and
random_split."""
from __future__ import annotations

import bisect
import math
import warnings

import autograd as ag
from autograd import _data_support as _data


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

    def __add__(self, other):
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """Same as torch.utils.data.ChainDataset: iterable datasets one after another, chained
    lazily."""

    def __init__(self, datasets):
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self):
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            total += len(d)
        return total


class StackDataset(Dataset):
    """Same as torch.utils.data.StackDataset: datasets of one length read side by side;
    an item is a tuple (positional datasets) or a dict (keyword datasets)."""

    def __init__(self, *args, **kwargs):
        if args and kwargs:
            raise ValueError("Supported either ``tuple``- (via ``args``) or``dict``- (via "
                             "``kwargs``) like input/output, but both types are given.")
        datasets = args or tuple(kwargs.values())
        if not datasets:
            raise ValueError("At least one dataset should be passed")
        self._length = len(datasets[0])
        if any(len(d) != self._length for d in datasets):
            raise ValueError("Size mismatch between datasets")
        self.datasets = args if args else dict(kwargs)

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __getitems__(self, indices):
        """A batch of items, using each dataset's own __getitems__ when it has one."""
        def column(d):
            if hasattr(d, "__getitems__"):
                items = d.__getitems__(indices)
                if len(items) != len(indices):
                    raise ValueError(f"Nested dataset's output size mismatch. Expected "
                                     f"{len(indices)}, got {len(items)}")
                return list(items)
            return [d[i] for i in indices]
        if isinstance(self.datasets, dict):
            cols = {k: column(d) for k, d in self.datasets.items()}
            return [{k: cols[k][i] for k in cols} for i in range(len(indices))]
        cols = [column(d) for d in self.datasets]
        return [tuple(c[i] for c in cols) for i in range(len(indices))]

    def __len__(self):
        return self._length


class ConcatDataset(Dataset):
    """Same as torch.utils.data.ConcatDataset: the datasets one after another."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise ValueError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = self.cumsum(self.datasets)

    @staticmethod
    def cumsum(sequence):
        """Same as torch's ConcatDataset.cumsum: the running totals of the lengths."""
        out, total = [], 0
        for d in sequence:
            total += len(d)
            out.append(total)
        return out

    @property
    def cummulative_sizes(self):
        warnings.warn("cummulative_sizes attribute is renamed to cumulative_sizes",
                      DeprecationWarning, stacklevel=2)
        return self.cumulative_sizes

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


_host_int64 = _data.host_int64  # indices (a list, array or Tensor) as a host int64 array


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
