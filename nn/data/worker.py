"""What runs inside a DataLoader worker process, as torch.utils.data's workers: seeding,
get_worker_info, the fetch loop, and errors carried back with their traceback."""
from __future__ import annotations

import os
import pickle
import queue
import random
import sys
import traceback
from dataclasses import dataclass
from multiprocessing.reduction import ForkingPickler

import autograd as ag
from autograd import _data_support as _data

from . import _shared
from .dataset import _host_int64

# how often a blocked worker (or the main process) checks that the other side is alive
POLL_INTERVAL = 1.0


@dataclass(frozen=True)
class WorkerInfo:
    """Same as torch.utils.data.WorkerInfo: what get_worker_info() returns in a worker."""

    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object = None  # torch's per-thread streams of thread workers; processes here
    worker_method: str = "multiprocessing"


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """Same as torch.utils.data.get_worker_info: in a DataLoader worker, its id, the
    number of workers, its seed and its copy of the dataset; None in the main process."""
    return _worker_info


def numpy_seed(base_seed: int, worker_id: int) -> list[int]:
    """The four 32-bit words torch seeds NumPy's global generator with in worker
    `worker_id`: NumPy's SeedSequence hashing of (worker_id, base_seed's low and high
    words, 0), so that NumPy's stream differs from `random`'s, seeded with the same
    base_seed + worker_id."""
    mask = 0xFFFFFFFF

    def xorshift(v: int) -> int:
        return (v ^ (v >> 16)) & mask

    hash_mult = 0x43B0D7E5

    def hash32(value: int) -> int:
        nonlocal hash_mult
        value = (value ^ hash_mult) & mask
        hash_mult = (hash_mult * 0x931E8875) & mask
        return xorshift((value * hash_mult) & mask)

    def mix(x: int, y: int) -> int:
        return xorshift((0xCA01F9DD * x - 0x4973F715 * y) & mask)

    pool = [hash32(v) for v in (worker_id, base_seed & mask, base_seed >> 32, 0)]
    for src in range(4):  # every word of the pool mixed into every other one
        for dst in range(4):
            if src != dst:
                pool[dst] = mix(pool[dst], hash32(pool[src]))
    out, out_mult = [], 0x8B51F9DD
    for v in pool:
        v = (v ^ out_mult) & mask
        out_mult = (out_mult * 0x58F38DED) & mask
        out.append(xorshift((v * out_mult) & mask))
    return out


def seed_worker(base_seed: int, worker_id: int) -> int:
    """Seed Ember's default generator and Python's `random` with base_seed + worker_id
    and NumPy's global generator with numpy_seed(), as torch seeds its workers."""
    seed = base_seed + worker_id
    random.seed(seed)
    ag.manual_seed(seed)
    _data.seed_numpy_global(numpy_seed(base_seed, worker_id))
    return seed


class WorkerError:
    """An exception raised in a worker, carried to the main process as its type and
    formatted traceback; `reraise` raises it there as torch does."""

    def __init__(self, where: str):
        exc_type, exc, tb = sys.exc_info()
        try:  # a class defined inside a function cannot be pickled by reference
            pickle.dumps(exc_type)
            self.exc_type = exc_type
        except Exception:
            self.exc_type = RuntimeError
        self.where = where
        self.text = "".join(traceback.format_exception(exc_type, exc, tb))

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.text}"
        if self.exc_type is KeyError:  # KeyError would show the message's repr
            raise KeyError(_PlainMessage(msg))
        try:
            error = self.exc_type(msg)
        except Exception:  # an exception type that wants other arguments
            raise RuntimeError(msg) from None
        try:
            raise error
        finally:  # no error -> traceback -> this frame -> error cycle: the iterator in the
            del error  # traceback is freed (and its workers stopped) with the exception


class _PlainMessage(str):
    def __repr__(self) -> str:
        return str(self)


@dataclass(frozen=True)
class IterableEnd:
    """Sent by a worker whose copy of an IterableDataset is exhausted."""

    worker_id: int


@dataclass(frozen=True)
class Resume:
    """Sent to persistent workers at the start of each new epoch."""


class Fetcher:
    """Turns one task (a list of indices, one index, or for an IterableDataset the number
    of items) into a batch; the same code serves the main process and the workers."""

    def __init__(self, dataset, iterable: bool, auto_collation: bool, collate_fn,
                 drop_last: bool, fast_batches: bool):
        self.dataset, self.iterable = dataset, iterable
        self.auto_collation, self.collate_fn = auto_collation, collate_fn
        self.drop_last, self.fast_batches = drop_last, fast_batches
        self.items = iter(dataset) if iterable else None

    def fetch(self, task):
        if self.iterable:
            if not self.auto_collation:
                return self.collate_fn(next(self.items))  # StopIteration ends the worker
            batch = []
            for item in self.items:
                batch.append(item)
                if len(batch) == task:
                    break
            if not batch or (self.drop_last and len(batch) < task):
                raise StopIteration
            return self.collate_fn(batch)
        if not self.auto_collation:
            return self.collate_fn(self.dataset[task])
        if self.fast_batches:
            return self.dataset._batch(_host_int64(task))
        return self.collate_fn([self.dataset[i] for i in task])


def _send(result_queue, item: tuple, where: str) -> None:
    """Pickle here rather than in the queue's feeder thread, so that a batch that cannot
    be pickled becomes an error the main process raises instead of a lost message."""
    try:
        payload = bytes(ForkingPickler.dumps(item))
    except Exception:
        payload = bytes(ForkingPickler.dumps((item[0], WorkerError(where))))
    result_queue.put(payload)


def worker_loop(fetcher_args: tuple, index_queue, result_queue, done_event, base_seed: int,
                init_fn, worker_id: int, num_workers: int, shm_prefix: str | None) -> None:
    """A worker's life: seed, run worker_init_fn, then answer (task id, task) messages
    with (task id, batch) until told to stop (None) or the main process is gone."""
    try:
        ag.set_num_threads(1)  # the workers share the machine's cores, as in torch
        seed = seed_worker(base_seed, worker_id)
        global _worker_info
        _worker_info = WorkerInfo(worker_id, num_workers, seed, fetcher_args[0])
        _shared.set_worker_prefix(shm_prefix, worker_id)
        where = f"in DataLoader worker process {worker_id}"
        init_error = fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = Fetcher(*fetcher_args)
        except Exception:
            init_error = WorkerError(where)  # given as the answer to the first task
        ended = False  # this worker's IterableDataset copy is exhausted
        parent = os.getppid()
        while os.getppid() == parent:  # a worker whose main process died exits
            try:
                task = index_queue.get(timeout=POLL_INTERVAL)
            except queue.Empty:
                continue
            if task is None:
                break
            if isinstance(task, Resume):
                ended = False
                fetcher = Fetcher(*fetcher_args)
                _send(result_queue, (task, None), where)
                continue
            if done_event.is_set() or ended:
                continue
            task_id, index = task
            if init_error is not None:
                data, init_error = init_error, None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if not fetcher.iterable:
                        data = WorkerError(where)
                    else:
                        data, ended = IterableEnd(worker_id), True
                except Exception:
                    data = WorkerError(where)
            _send(result_queue, (task_id, data), where)
            del data, index, task
    except KeyboardInterrupt:  # Ctrl-C reaches the workers too: the main process reports it
        pass
    if done_event.is_set():
        result_queue.cancel_join_thread()
        result_queue.close()
