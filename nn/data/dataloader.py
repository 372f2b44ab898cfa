"""DataLoader, as torch.utils.data.dataloader: its options and their checks. Its
iterators live in _iter.py (loading in the calling process, `num_workers=0`) and
_multiprocess.py (worker processes)."""
from __future__ import annotations

import math
import multiprocessing
import os
import warnings

from ._iter import _SingleProcessIter
from ._multiprocess import MultiProcessIter
from .collate import default_collate, default_convert
from .dataset import IterableDataset, _has_batch_path
from .sampler import BatchSampler, RandomSampler, SequentialSampler


class DataLoader:
    """Same as torch.utils.data.DataLoader. `num_workers > 0` loads in that many worker
    processes (started with `multiprocessing_context`, by default "fork" on Linux and the
    platform's default elsewhere), seeded as torch seeds them; batches come back in order
    (unless `in_order=False`), CPU tensors through shared memory on Linux. `pin_memory`
    is accepted and has no effect (Ember has no pinned host memory). `shuffle=True` draws
    a fresh permutation per epoch from `generator` or the default generator."""

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers: int = 0, collate_fn=None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None,
                 persistent_workers: bool = False, pin_memory_device: str = "",
                 in_order: bool = True):
        _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers)
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        self.dataset = dataset
        self.num_workers, self.prefetch_factor = num_workers, prefetch_factor
        self.pin_memory, self.pin_memory_device = pin_memory, pin_memory_device
        self.timeout, self.worker_init_fn = timeout, worker_init_fn
        self.persistent_workers, self.in_order = persistent_workers, in_order
        self.multiprocessing_context = multiprocessing_context
        self.generator, self.drop_last = generator, drop_last
        self._iterator = None
        if isinstance(dataset, IterableDataset):
            if shuffle or sampler is not None or batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 "shuffle, sampler and batch_sampler options")
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

    @property
    def multiprocessing_context(self):
        return self._multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context) -> None:
        self._multiprocessing_context = _as_context(context, self.num_workers)

    @property
    def _iterable(self) -> bool:
        return isinstance(self.dataset, IterableDataset)

    @property
    def _auto_collation(self) -> bool:
        """True when samples are gathered into batches (torch's name)."""
        return self.batch_size is not None if self._iterable else \
            self.batch_sampler is not None

    def _fetcher_args(self) -> tuple:
        fast = (not self._iterable and self._auto_collation and self._auto_collate
                and _has_batch_path(self.dataset))
        return (self.dataset, self._iterable, self._auto_collation, self.collate_fn,
                self.drop_last, fast)

    def check_worker_number_rationality(self) -> None:
        """Same as torch: warn when there are more workers than cores to run them."""
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
            os.cpu_count()
        n = self.num_workers
        if cores and n > cores:
            warnings.warn(
                f"This DataLoader will create {n} worker processes in total. Our suggested "
                f"max number of worker in current system is {cores}, which is smaller than "
                f"what this DataLoader is going to create. Please be aware that excessive "
                f"worker creation might get DataLoader running slow or even freeze, lower "
                f"the worker number to avoid potential slowness/freeze if necessary.",
                stacklevel=4)

    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessIter(self)
        self.check_worker_number_rationality()
        return MultiProcessIter(self)

    def __iter__(self):
        # persistent workers: one worker iterator for the loader's lifetime, reset per epoch
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None or self._iterator._shutdown:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)  # TypeError when the dataset has no __len__, as torch
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
        if self.batch_sampler is None:
            return len(self.sampler)
        return len(self.batch_sampler)


def _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers) -> None:
    if num_workers < 0:
        raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                         "disable multiprocessing.")
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("prefetch_factor option could only be specified in "
                         "multiprocessing.let num_workers > 0 to enable multiprocessing, "
                         "otherwise set prefetch_factor to None.")
    if prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError("prefetch_factor option should be non-negative")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")


def _as_context(context, num_workers: int):
    """The multiprocessing context workers start in, checked as torch checks it."""
    if context is None:
        return None
    if num_workers == 0:
        raise ValueError(f"multiprocessing_context can only be used with multi-process "
                         f"loading (num_workers > 0), but got num_workers={num_workers}")
    if isinstance(context, str):
        methods = multiprocessing.get_all_start_methods()
        if context not in methods:
            raise ValueError(f"multiprocessing_context option should specify a valid start "
                             f"method in {methods!r}, but got "
                             f"multiprocessing_context={context!r}")
        context = multiprocessing.get_context(context)
    if not isinstance(context, multiprocessing.context.BaseContext):
        raise TypeError(f"multiprocessing_context option should be a valid context object or "
                        f"a string specifying the start method, but got "
                        f"multiprocessing_context={context}")
    return context
