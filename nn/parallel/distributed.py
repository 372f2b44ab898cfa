"""Process groups and collectives in the shape of torch.distributed, on established engines:
MPI through mpi4py (CPU tensors) and NCCL through CuPy (GPU tensors).

Processes are started by an MPI launcher (`mpirun -n 4 python train.py`). A process started
without one is a world of size 1: every collective is then a no-op and needs no mpi4py.
"""
from __future__ import annotations

import datetime
import os
import sys
import time
import traceback

from autograd import backend
from autograd.tensor import Tensor

DEFAULT_TIMEOUT = datetime.timedelta(minutes=30)
# environment variables by which MPI launchers announce the world size
_LAUNCHER_SIZE_VARS = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS")
_LOCAL_RANK_VARS = ("OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "PMI_LOCAL_RANK",
                    "SLURM_LOCALID")


class ReduceOp:
    """Same as torch.distributed.ReduceOp; the values are the strings all_reduce accepts."""
    SUM = "sum"
    AVG = "avg"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"


_OPS = {"sum", "avg", "product", "min", "max"}
_group = None  # the default process group


def _op_name(op, where) -> str:
    name = str(op).lower().rsplit(".", 1)[-1]  # "ReduceOp.SUM" -> "sum"
    name = {"prod": "product", "mean": "avg"}.get(name, name)
    if name not in _OPS:
        raise ValueError(f"{where}: expected op in {sorted(_OPS)} (or a ReduceOp), got {op!r}")
    return name


def _seconds(timeout) -> float:
    if timeout is None:
        return DEFAULT_TIMEOUT.total_seconds()
    if isinstance(timeout, datetime.timedelta):
        return timeout.total_seconds()
    return float(timeout)


def _launcher_world_size():
    for var in _LAUNCHER_SIZE_VARS:
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var])
    return None


def _import_mpi(why):
    try:
        from mpi4py import MPI
    except ImportError:
        raise ImportError(
            f"init_process_group: {why}, which needs mpi4py; install it with "
            "pip install 'ember-grad[distributed]' (and an MPI such as Open MPI)") from None
    return MPI


# ----------------------------------------------------------------------------- works
class Work:
    """A collective in flight (torch's Work): `wait()` finishes it, `is_completed()` polls."""

    def __init__(self, group, what, test, after=None, stream_wait=None):
        self._group, self._what, self._test, self._after = group, what, test, after
        self._stream_wait = stream_wait
        self._done = False

    def is_completed(self) -> bool:
        if not self._done and self._test():
            self._finish()
        return self._done

    def wait(self, timeout=None) -> bool:
        if self._done:
            return True
        if self._stream_wait is not None:
            # GPU collectives: later work on the current stream waits for the collective's
            # stream, as torch's NCCL Work.wait(); the host does not block
            self._stream_wait()
            self._finish()
            return True
        limit = self._group.timeout if timeout is None else _seconds(timeout)
        start = time.monotonic()
        delay = 0.0
        while not self._test():
            elapsed = time.monotonic() - start
            if elapsed > limit:
                raise RuntimeError(
                    f"{self._what}: rank {self._group.rank} of {self._group.world_size} timed "
                    f"out after {limit:g} s waiting for the other ranks; one of them may "
                    "have failed, hung, or skipped this collective")
            if elapsed > 2e-3:  # spin briefly, then back off so other ranks get the cores
                time.sleep(delay)
                delay = min(delay * 2 or 1e-5, 1e-3)
        self._finish()
        return True

    def _finish(self):
        self._done = True
        if self._after is not None:
            self._after()


# ----------------------------------------------------------------------------- groups
class _Group:
    """The world: rank, size, timeout, and collectives on raw backend arrays (in place)."""
    backend_name = "local"

    def __init__(self, rank, world_size, timeout):
        self.rank, self.world_size, self.timeout = rank, world_size, timeout
        self.mpi = None  # an mpi4py communicator when there is one (objects, barrier)

    def _done(self, what, after=None):
        return Work(self, what, lambda: True, after)

    def all_reduce(self, arr, op):
        return self._done("all_reduce")

    def broadcast(self, arr, src):
        return self._done("broadcast")

    def all_gather(self, out, arr):
        def copy():
            out[0] = arr
        return self._done("all_gather", copy)

    def barrier(self):
        return self._done("barrier")

    def all_gather_object(self, obj):
        if self.mpi is None:
            return [obj]
        return self.mpi.allgather(obj)

    def close(self):
        if self.mpi is not None:
            self.mpi.Free()
            self.mpi = None


class _MPIGroup(_Group):
    backend_name = "mpi"

    def __init__(self, comm, timeout):
        super().__init__(comm.Get_rank(), comm.Get_size(), timeout)
        from mpi4py import MPI
        self._MPI = MPI
        self.mpi = comm
        self._ops = {"sum": MPI.SUM, "avg": MPI.SUM, "product": MPI.PROD, "min": MPI.MIN,
                     "max": MPI.MAX}

    def _check(self, arr, what):
        if backend.device_of(arr).type != "cpu":
            raise RuntimeError(
                f"{what}: expected a cpu tensor with the mpi backend, got one on "
                f"{backend.device_of(arr)}; use init_process_group(backend='nccl') for GPUs")

    def all_reduce(self, arr, op):
        self._check(arr, "all_reduce")
        req = self.mpi.Iallreduce(self._MPI.IN_PLACE, arr, op=self._ops[op])
        after = None
        if op == "avg":
            def after():
                if arr.dtype.kind == "f":
                    arr[...] /= self.world_size
                else:
                    arr[...] //= self.world_size
        return Work(self, "all_reduce", req.Test, after)

    def broadcast(self, arr, src):
        self._check(arr, "broadcast")
        return Work(self, "broadcast", self.mpi.Ibcast(arr, root=src).Test)

    def all_gather(self, out, arr):
        self._check(arr, "all_gather")
        return Work(self, "all_gather", self.mpi.Iallgather(arr, out).Test)

    def barrier(self):
        return Work(self, "barrier", self.mpi.Ibarrier().Test)

    def abort(self, code=1):
        self._MPI.COMM_WORLD.Abort(code)


class _NCCLGroup(_Group):
    """NCCL on a communication stream of its own: a collective waits for the work queued
    so far on the current stream, then runs beside later computation."""
    backend_name = "nccl"

    def __init__(self, rank, world_size, timeout, mpi, device_index):
        super().__init__(rank, world_size, timeout)
        self.mpi = mpi
        self.nccl = n = backend.nccl()
        self.device_index = device_index
        uid = n.get_unique_id() if rank == 0 else None
        if mpi is not None:
            uid = mpi.bcast(uid, root=0)
        with backend.cuda_device(device_index):
            self.comm = n.NcclCommunicator(world_size, uid, rank)
            self.stream = backend.cuda_new_stream()
        self._ops = {"sum": n.NCCL_SUM, "avg": n.NCCL_SUM, "product": n.NCCL_PROD,
                     "min": n.NCCL_MIN, "max": n.NCCL_MAX}
        self._types = {"float16": n.NCCL_FLOAT16, "float32": n.NCCL_FLOAT32,
                       "float64": n.NCCL_FLOAT64, "int32": n.NCCL_INT32,
                       "int64": n.NCCL_INT64, "uint8": n.NCCL_UINT8, "bool": n.NCCL_UINT8,
                       "int8": n.NCCL_INT8}

    def _type(self, arr, what):
        dev = backend.device_of(arr)
        if dev.type == "cpu":
            raise RuntimeError(f"{what}: expected a cuda tensor with the nccl backend, got a "
                               "cpu tensor; use init_process_group(backend='mpi') for CPUs")
        if (dev.index or 0) != self.device_index:
            raise RuntimeError(f"{what}: expected a tensor on cuda:{self.device_index} (this "
                               f"rank's device), got {dev}")
        kind = self._types.get(arr.dtype.name)
        if kind is None:
            raise TypeError(f"{what}: expected a float or integer tensor, got {arr.dtype}")
        return kind

    def _launch(self, what, call, after=None):
        """`call(stream_ptr)` on the communication stream, ordered after the current one."""
        with backend.cuda_device(self.device_index):
            ready = backend.cuda_event()
            ready.record(backend.cuda_current_stream())
            self.stream.wait_event(ready)
            call(self.stream.ptr)
            done = backend.cuda_event()
            done.record(self.stream)
        return Work(self, what, lambda: done.done, after,
                    lambda: backend.cuda_current_stream().wait_event(done))

    def all_reduce(self, arr, op):
        kind = self._type(arr, "all_reduce")
        ptr, n = arr.data.ptr, arr.size
        after = None
        if op == "avg":  # NCCL_AVG needs NCCL >= 2.10: sum, then divide
            def after():
                if arr.dtype.kind == "f":
                    arr[...] /= self.world_size
                else:
                    arr[...] //= self.world_size
        return self._launch("all_reduce", lambda s: self.comm.allReduce(
            ptr, ptr, n, kind, self._ops[op], s), after)

    def broadcast(self, arr, src):
        kind = self._type(arr, "broadcast")
        return self._launch("broadcast", lambda s: self.comm.bcast(
            arr.data.ptr, arr.size, kind, src, s))

    def all_gather(self, out, arr):
        kind = self._type(arr, "all_gather")
        return self._launch("all_gather", lambda s: self.comm.allGather(
            arr.data.ptr, out.data.ptr, arr.size, kind, s))

    def barrier(self):
        xp = backend.module_for(backend.device(f"cuda:{self.device_index}"))
        with backend.cuda_device(self.device_index):
            token = xp.zeros(1, dtype=xp.float32)
        work = self.all_reduce(token, "sum")
        work.wait()
        if self.mpi is not None:
            self.mpi.Barrier()
        return work

    def abort(self, code=1):
        if self.mpi is not None:
            from mpi4py import MPI
            MPI.COMM_WORLD.Abort(code)
        os._exit(code)

    def close(self):
        self.comm.destroy()
        super().close()


# ----------------------------------------------------------------------------- the world
def is_available() -> bool:
    """Same as torch.distributed.is_available."""
    return True


def is_initialized() -> bool:
    """Same as torch.distributed.is_initialized."""
    return _group is not None


def _default_group():
    if _group is None:
        raise ValueError("Default process group has not been initialized, please make sure "
                         "to call init_process_group.")
    return _group


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1,
                       store=None, group_name="", pg_options=None, device_id=None):
    """Same as torch.distributed.init_process_group for the "mpi" (default) and "nccl"
    backends. Rank and size come from the MPI launcher; without one this is a world of
    size 1. `timeout` bounds every wait for other ranks. With more than one rank an
    uncaught exception on any rank prints its rank and aborts the whole job."""
    global _group
    if _group is not None:
        raise ValueError("trying to initialize the default process group twice!")
    name = (backend or "mpi").lower()
    if name not in ("mpi", "nccl"):
        raise ValueError(f"init_process_group: expected backend 'mpi' or 'nccl', got "
                         f"{backend!r}")
    seconds = _seconds(timeout)
    launched = _launcher_world_size()
    comm = None
    if launched is not None or "mpi4py.MPI" in sys.modules:
        MPI = _import_mpi(f"this process was started by an MPI launcher ({launched} ranks)")
        comm = MPI.COMM_WORLD.Dup()  # our own communicator: user traffic cannot mix in
    size, me = (comm.Get_size(), comm.Get_rank()) if comm is not None else (1, 0)
    if world_size not in (-1, None) and world_size != size:
        raise ValueError(f"init_process_group: expected world_size={size} (from the launcher), "
                         f"got {world_size}")
    if rank not in (-1, None) and rank != me:
        raise ValueError(f"init_process_group: expected rank={me} (from the launcher), got "
                         f"{rank}")
    if name == "nccl":
        index = _device_index(device_id)
        group = _NCCLGroup(me, size, seconds, comm, index)
    elif comm is not None:
        group = _MPIGroup(comm, seconds)
    else:
        group = _Group(0, 1, seconds)
    _group = group
    if size > 1:
        _install_abort_hook(group)


def _device_index(device_id) -> int:
    if device_id is not None:
        return backend.as_device(device_id).index or 0
    local = next((int(os.environ[v]) for v in _LOCAL_RANK_VARS
                  if os.environ.get(v, "").isdigit()), 0)
    return local % max(backend.device_count(), 1)


def destroy_process_group(group=None) -> None:
    """Same as torch.distributed.destroy_process_group (the default group)."""
    global _group
    if _group is None:
        return
    _uninstall_abort_hook()
    _group.close()
    _group = None


def get_rank(group=None) -> int:
    """Same as torch.distributed.get_rank."""
    return _default_group().rank


def get_world_size(group=None) -> int:
    """Same as torch.distributed.get_world_size."""
    return _default_group().world_size


def get_backend(group=None) -> str:
    """Same as torch.distributed.get_backend: "mpi" or "nccl" (a lone process says "mpi")."""
    name = _default_group().backend_name
    return "mpi" if name == "local" else name


# ----------------------------------------------------------------------------- collectives
def _check_tensor(t, what):
    if not isinstance(t, Tensor):
        raise TypeError(f"{what}: expected a Tensor, got {type(t).__name__}")


def _in_place(t, start):
    """Run `start(arr)` on a contiguous array of `t` and write the result back into `t`."""
    arr = t.array
    contiguous = arr.flags.c_contiguous
    buf = arr if contiguous else backend.ascontiguous(arr)
    work = start(buf)
    inner = work._after

    def after():
        if inner is not None:
            inner()
        if not contiguous:
            arr[...] = buf
        t._version[0] += 1
    work._after = after
    return work


def _finish(work, async_op):
    if async_op:
        return work
    work.wait()
    return None


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Same as torch.distributed.all_reduce: in place; op is "sum", "avg", "max", "min",
    "product" or the ReduceOp of that name."""
    _check_tensor(tensor, "all_reduce")
    name = _op_name(op, "all_reduce")
    g = _default_group()
    return _finish(_in_place(tensor, lambda arr: g.all_reduce(arr, name)), async_op)


def broadcast(tensor, src, group=None, async_op=False):
    """Same as torch.distributed.broadcast: in place, from rank `src`."""
    _check_tensor(tensor, "broadcast")
    g = _default_group()
    if not 0 <= src < g.world_size:
        raise ValueError(f"broadcast: expected src in [0, {g.world_size - 1}], got {src}")
    return _finish(_in_place(tensor, lambda arr: g.broadcast(arr, src)), async_op)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Same as torch.distributed.all_gather: tensor_list[i] receives rank i's `tensor`."""
    _check_tensor(tensor, "all_gather")
    g = _default_group()
    if len(tensor_list) != g.world_size:
        raise ValueError(f"all_gather: expected a list of {g.world_size} tensors (the world "
                         f"size), got {len(tensor_list)}")
    for out in tensor_list:
        _check_tensor(out, "all_gather")
        if tuple(out.shape) != tuple(tensor.shape) or out.dtype != tensor.dtype:
            raise RuntimeError(f"all_gather: expected output tensors of shape "
                               f"{tuple(tensor.shape)} and dtype {tensor.dtype}, got "
                               f"{tuple(out.shape)} and {out.dtype}")
    xp = backend.array_module(tensor.array)
    send = backend.ascontiguous(tensor.array)
    recv = xp.empty((g.world_size,) + send.shape, dtype=send.dtype)
    work = g.all_gather(recv, send)
    inner = work._after

    def scatter_out():
        if inner is not None:
            inner()
        for i, out in enumerate(tensor_list):
            out.array[...] = recv[i]
            out._version[0] += 1
    work._after = scatter_out
    return _finish(work, async_op)


def all_gather_object(object_list, obj, group=None) -> None:
    """Same as torch.distributed.all_gather_object (pickled objects, via MPI)."""
    g = _default_group()
    gathered = g.all_gather_object(obj)
    object_list[:] = gathered


def barrier(group=None, async_op=False, device_ids=None):
    """Same as torch.distributed.barrier (bounded by the group's timeout)."""
    return _finish(_default_group().barrier(), async_op)


# ----------------------------------------------------------------------------- failures
_previous_hooks = None


def _install_abort_hook(group):
    """One failing rank ends the job: report it with its rank, then MPI Abort (which makes
    the launcher stop every other rank) instead of leaving them waiting forever."""
    global _previous_hooks
    import threading
    _previous_hooks = (sys.excepthook, threading.excepthook)

    def report_and_abort(exc_type, exc, tb):
        lines = traceback.format_exception(exc_type, exc, tb)
        prefix = f"[rank {group.rank}] "
        sys.stderr.write("".join(prefix + line for part in lines
                                 for line in part.splitlines(True)))
        sys.stderr.write(
            f"nn.parallel: rank {group.rank} of {group.world_size} failed with "
            f"{exc_type.__name__}: {exc}; aborting all ranks\n")
        sys.stderr.flush()
        group.abort(1)

    sys.excepthook = report_and_abort
    threading.excepthook = lambda args: report_and_abort(args.exc_type, args.exc_value,
                                                         args.exc_traceback)


def _uninstall_abort_hook():
    global _previous_hooks
    if _previous_hooks is not None:
        import threading
        sys.excepthook, threading.excepthook = _previous_hooks
        _previous_hooks = None
