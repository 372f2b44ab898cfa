"""What the DataLoader's two iterators share (the worker start context, the task stream,
the base seed) and the iterator that loads in the calling process (`num_workers=0`);
the one with worker processes lives in _multiprocess.py."""
from __future__ import annotations

import multiprocessing
import sys
import warnings
from typing import TYPE_CHECKING

import autograd as ag

from .sampler import BatchSampler
from .worker import Fetcher

if TYPE_CHECKING:
    from .dataloader import DataLoader


def default_context():
    """Where workers start when multiprocessing_context is None: fork on Linux (as torch
    gets from Python up to 3.13), the platform's default start method elsewhere."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _tasks(iterable: bool, batch_size, index_sampler):
    """What each batch is made from: index lists (or single indices) from the sampler;
    for an IterableDataset, the number of items per batch, forever."""
    if iterable:
        def forever():
            while True:
                yield batch_size
        return forever()
    return iter(index_sampler)


class BaseIter:
    """What both iterators share: the per-iterator base seed (drawn first, from the
    loader's generator, as torch does even without workers) and the task stream."""

    def __init__(self, loader: DataLoader):
        if loader.pin_memory and not ag.cuda.is_available():
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, "
                          "then device pinned memory won't be used.", stacklevel=5)
        # what the tasks come from, not the loader itself: a loader holds its persistent
        # iterator, which must not hold the loader back
        self._task_source = (loader._iterable, loader.batch_size,
                             loader.batch_sampler if loader.batch_sampler is not None
                             else loader.sampler)
        self._base_seed = ag.randint(0, 2**63 - 1, (), generator=loader.generator,
                                     device="cpu").item()
        self._tasks = _tasks(*self._task_source)
        self._shutdown = False

    def __iter__(self):
        return self

    def __len__(self) -> int:
        iterable, batch_size, index_sampler = self._task_source
        if iterable:
            raise TypeError("DataLoader iterator over an IterableDataset has no len()")
        return len(index_sampler)


class _SingleProcessIter(BaseIter):
    """Loads each batch in the calling process when it is asked for."""

    def __init__(self, loader: DataLoader):
        if loader.timeout != 0:
            raise AssertionError("DataLoader: timeout applies to worker processes; with "
                                 f"num_workers=0 it must be 0, got {loader.timeout}")
        super().__init__(loader)
        self._fetcher = Fetcher(*loader._fetcher_args())
        batch_sampler = loader.batch_sampler
        if self._fetcher.fast_batches and isinstance(batch_sampler, BatchSampler) and \
                hasattr(batch_sampler.sampler, "_order"):
            # the sampler's whole order at once, sliced into batches (no per-index lists)
            self._tasks = batch_sampler._index_batches()

    def __next__(self):
        return self._fetcher.fetch(next(self._tasks))
