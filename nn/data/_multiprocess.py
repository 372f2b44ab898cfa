"""The DataLoader iterator with worker processes, as torch's: up to prefetch_factor tasks
per worker in flight, handed out round robin, results put back in order; a worker's
error raised with its traceback; workers stopped when the iterator ends or is deleted
(or on Ctrl-C), and killed if they do not stop."""
from __future__ import annotations

import atexit
import itertools
import queue
import weakref
from multiprocessing.reduction import ForkingPickler
from typing import TYPE_CHECKING

from . import _shared
from ._iter import BaseIter, _tasks, default_context
from .worker import POLL_INTERVAL, IterableEnd, Resume, WorkerError, worker_loop

if TYPE_CHECKING:
    from .dataloader import DataLoader

_live = weakref.WeakSet()  # iterators whose workers still run, stopped at exit


@atexit.register
def _stop_all() -> None:
    for it in list(_live):
        it._shutdown_workers()


class MultiProcessIter(BaseIter):
    def __init__(self, loader: DataLoader):
        super().__init__(loader)
        ctx = loader.multiprocessing_context or default_context()
        n = self._num_workers = loader.num_workers
        self._prefetch = n * loader.prefetch_factor
        self._timeout, self._in_order = loader.timeout, loader.in_order
        self._persistent = loader.persistent_workers
        self._prefix = _shared.segment_prefix(self) if _shared.shm_available() else None
        self._results = ctx.Queue()
        self._done = ctx.Event()
        self._index_queues, self._workers = [], []
        _live.add(self)
        fetcher_args = loader._fetcher_args()
        try:
            for worker_id in range(n):
                index_queue = ctx.Queue()
                index_queue.cancel_join_thread()  # never block exiting on unsent tasks
                process = ctx.Process(
                    target=worker_loop, daemon=True,
                    args=(fetcher_args, index_queue, self._results, self._done,
                          self._base_seed, loader.worker_init_fn, worker_id, n,
                          self._prefix))
                process.start()
                self._index_queues.append(index_queue)
                self._workers.append(process)
            self._reset(first=True)
        except BaseException:
            self._shutdown_workers()
            raise

    def _reset(self, loader: DataLoader | None = None, first: bool = False) -> None:
        """Start an epoch: fresh tasks; persistent workers restart their iterables."""
        if not first:
            self._tasks = _tasks(*self._task_source)
        self._send_idx = self._rcvd_idx = 0
        self._task_info = {}  # task id -> (worker id,) while pending, (worker id, data) once in
        self._outstanding = 0
        self._active = [True] * self._num_workers
        self._next_worker = itertools.cycle(range(self._num_workers))
        if not first:
            for index_queue in self._index_queues:
                index_queue.put(Resume())
            acks = 0
            while acks < self._num_workers:  # batches of an unfinished epoch are dropped
                task_id, _ = self._get()
                acks += isinstance(task_id, Resume)
        for _ in range(self._prefetch):
            self._put_task()

    def _put_task(self) -> None:
        """Send the next task to the next active worker, if there is one and a task."""
        try:
            task = next(self._tasks)
        except StopIteration:
            return
        for _ in range(self._num_workers):
            worker_id = next(self._next_worker)
            if self._active[worker_id]:
                break
        else:  # every worker's iterable is exhausted
            return
        self._index_queues[worker_id].put((self._send_idx, task))
        self._task_info[self._send_idx] = (worker_id,)
        self._outstanding += 1
        self._send_idx += 1

    def _get(self):
        """The next message from any worker; raises if a worker died or on timeout."""
        wait = self._timeout if self._timeout > 0 else POLL_INTERVAL
        while True:
            try:
                return ForkingPickler.loads(self._results.get(timeout=wait))
            except queue.Empty:
                dead = [w for i, w in enumerate(self._workers)
                        if self._active[i] and not w.is_alive()]
                if dead:
                    for w in dead:
                        self._active[self._workers.index(w)] = False
                    pids = ", ".join(str(w.pid) for w in dead)
                    raise RuntimeError(
                        f"DataLoader worker (pid(s) {pids}) exited unexpectedly") from None
                if self._timeout > 0:
                    raise RuntimeError(
                        f"DataLoader timed out after {self._timeout} seconds") from None

    def __next__(self):
        try:
            return self._next_data()
        except KeyboardInterrupt:
            self._shutdown_workers()
            raise

    def _next_data(self):
        while True:
            # skip tasks that will never be answered (their worker's iterable ended)
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info is not None and (len(info) == 2 or self._active[info[0]]):
                    break
                self._task_info.pop(self._rcvd_idx, None)
                self._rcvd_idx += 1
            else:
                if not self._persistent:
                    self._shutdown_workers()
                raise StopIteration
            if len(self._task_info[self._rcvd_idx]) == 2:  # arrived earlier, out of order
                worker_id, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._deliver(data, worker_id)
            task_id, data = self._get()
            self._outstanding -= 1
            if isinstance(data, IterableEnd):
                self._active[data.worker_id] = False
                if not self._persistent:
                    self._index_queues[data.worker_id].put(None)
                self._put_task()
                continue
            if task_id == self._rcvd_idx or not self._in_order:
                worker_id = self._task_info.pop(task_id)[0]
                if task_id == self._rcvd_idx:
                    self._rcvd_idx += 1
                return self._deliver(data, worker_id)
            self._task_info[task_id] += (data,)

    def _deliver(self, data, worker_id: int):
        self._put_task()
        if isinstance(data, WorkerError):
            data.reraise()
        return data

    def _shutdown_workers(self) -> None:
        """Tell the workers to stop, wait a little, kill those still running, and remove
        the shared-memory files of batches nobody will read."""
        if self._shutdown or not hasattr(self, "_workers"):
            return
        self._shutdown = True
        _live.discard(self)
        try:
            self._done.set()
            for index_queue in self._index_queues:
                index_queue.put(None)
            for w in self._workers:
                w.join(timeout=POLL_INTERVAL)
            for index_queue in self._index_queues:
                index_queue.close()
        finally:
            for w in self._workers:
                if w.is_alive():
                    w.terminate()
                    w.join(timeout=POLL_INTERVAL)
            self._results.cancel_join_thread()
            self._results.close()
            if self._prefix is not None:
                _shared.remove_leftovers(self._prefix)

    def __del__(self):
        try:
            self._shutdown_workers()
        except Exception:  # at interpreter exit, modules may already be torn down
            pass

    def __getstate__(self):
        raise TypeError("DataLoader iterator: cannot be pickled")
