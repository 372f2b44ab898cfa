"""How tensors cross process boundaries (worker batches, spawned workers' datasets), as
torch.multiprocessing does it: a reducer registered with multiprocessing's pickler.

Inside a DataLoader worker on Linux, a CPU tensor's bytes are written once into a file in
/dev/shm and only its name travels through the queue; the main process maps the file
(no copy), unlinks it at once, and the array keeps the mapping alive. Elsewhere (small
tensors, no /dev/shm, the main process pickling a dataset for spawned workers) the bytes
travel in the pickle. Files a worker wrote but the main process never read (a batch still
queued at shutdown, a killed worker) are removed by `remove_leftovers`.
"""
from __future__ import annotations

import glob
import itertools
import mmap
import os
from multiprocessing.reduction import ForkingPickler

from autograd import _data_support as _data
from autograd.tensor import Tensor

SHM_DIR = "/dev/shm"
# below this size a tensor is cheaper to send inside the pickle than through a file
# (creating, mapping and unlinking one costs a few syscalls)
MIN_SHARED_BYTES = 64 * 1024

_prefix: str | None = None  # set in a worker: names of its files start with it
_counter = itertools.count()


def shm_available() -> bool:
    return os.path.isdir(SHM_DIR) and os.access(SHM_DIR, os.W_OK)


def segment_prefix(owner: object) -> str:
    """The file-name prefix of one loader iterator's workers (the main pid and an id)."""
    return f"ember-dataloader-{os.getpid()}-{id(owner):x}"


def set_worker_prefix(prefix: str | None, worker_id: int) -> None:
    global _prefix
    _prefix = None if prefix is None else f"{prefix}-w{worker_id}"


def remove_leftovers(prefix: str) -> None:
    """Unlink every file of this prefix still in /dev/shm."""
    for path in glob.glob(os.path.join(SHM_DIR, glob.escape(prefix) + "-*")):
        try:
            os.unlink(path)
        except FileNotFoundError:  # the main process read it meanwhile
            pass


def _write_segment(raw) -> str:
    """Write raw bytes (a host uint8 array) to a new /dev/shm file; returns its path."""
    path = os.path.join(SHM_DIR, f"{_prefix}-{next(_counter)}")
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.ftruncate(fd, raw.nbytes)
        with mmap.mmap(fd, raw.nbytes) as mm:
            mm[:] = raw
    except BaseException:
        os.unlink(path)
        raise
    finally:
        os.close(fd)
    return path


def _rebuild_shared(path: str, dtype, shape, device: str, requires_grad: bool) -> Tensor:
    fd = os.open(path, os.O_RDWR)
    try:
        size = os.fstat(fd).st_size
        mm = mmap.mmap(fd, size)
    finally:
        os.close(fd)
        os.unlink(path)  # the mapping stays valid until the array holding it is freed
    return _wrap(_data.tensor_from_bytes(mm, dtype, shape), device, requires_grad)


def _rebuild_bytes(raw: bytes, dtype, shape, device: str, requires_grad: bool) -> Tensor:
    # bytearray: a writable buffer, so that the array needs no second copy
    return _wrap(_data.tensor_from_bytes(bytearray(raw), dtype, shape), device,
                 requires_grad)


def _wrap(out: Tensor, device: str, requires_grad: bool) -> Tensor:
    if device != "cpu":
        out = out.to(device)
    return out.requires_grad_() if requires_grad else out


def _reduce_tensor(t: Tensor):
    if t.grad_fn is not None:
        raise RuntimeError(
            "Cowardly refusing to serialize non-leaf tensor which requires_grad, since "
            "autograd does not support crossing process boundaries.  If you just want to "
            "transfer the data, call detach() on the tensor before serializing (e.g., "
            "putting it on the queue).")
    raw = _data.tensor_bytes(t)
    meta = (t.dtype, tuple(t.shape), str(t.device), t.requires_grad)
    if _prefix is not None and raw.nbytes >= MIN_SHARED_BYTES:
        return _rebuild_shared, (_write_segment(raw),) + meta
    return _rebuild_bytes, (raw.tobytes(),) + meta


# multiprocessing's queues and spawned processes' arguments pickle with ForkingPickler;
# plain pickle.dumps(tensor) still refuses (use nn.utils.save)
ForkingPickler.register(Tensor, _reduce_tensor)
