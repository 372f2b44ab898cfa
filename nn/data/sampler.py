"""Samplers as in torch.utils.data.sampler: orders of dataset indices, drawn from a
generator (or the default one) on the CPU, and BatchSampler grouping them."""
from __future__ import annotations

import autograd as ag
from autograd import _data_support as _data

from .dataset import _host_int64


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

    def _order(self):
        n = len(self.data_source)
        if self.replacement:
            return ag.randint(0, n, (self.num_samples,), generator=self.generator,
                              device="cpu").array
        # whole permutations, concatenated when num_samples exceeds the dataset size
        perms = [ag.randperm(n, generator=self.generator, device="cpu").array
                 for _ in range(-(-self.num_samples // n))]
        return _data.concatenate(perms)[:self.num_samples]

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
