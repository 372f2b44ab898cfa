"""The one checkpoint error, atomic writes, and the clean-up of temporary files that a
killed save left behind.

A save writes `.{name}.tmp-{pid}-{thread}` next to the target and renames it over the
target, so a failed or killed save never touches the previous checkpoint. A process
killed mid-write cannot remove its temporary file; the next save or load of that path
removes every such file whose owning process is gone.
"""
from __future__ import annotations

import contextlib
import os
import pickle
import re
import threading


class CheckpointError(ValueError, pickle.UnpicklingError):
    """A checkpoint file that cannot be read: truncated, corrupt, neither safetensors nor
    a PyTorch checkpoint, or holding something other than weights (a refused pickle
    global). The message names the file and the problem.

    It is a ValueError (what safetensors-style format errors were before) and a
    pickle.UnpicklingError (what torch.load(weights_only=True) raises for a refused
    global), so code written for either catches it.
    """


def describe(f) -> str:
    """The file's name for messages: the path, or the file object's name."""
    name = getattr(f, "name", None) if hasattr(f, "read") or hasattr(f, "write") else f
    return repr(os.fspath(name)) if isinstance(name, (str, bytes, os.PathLike)) \
        else f"<{type(f).__name__}>"


def _temp_pattern(path: str):
    return re.compile(re.escape(f".{os.path.basename(path)}.tmp-") + r"(\d+)-\d+\Z")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":  # no cheap liveness test: leave the file alone
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # alive under another user, or not a pid we can ask about
    return True


def remove_stale_temps(path) -> None:
    """Delete the temporary files of saves of `path` whose process no longer exists."""
    path = os.path.abspath(os.fspath(path))
    directory = os.path.dirname(path)
    pattern = _temp_pattern(path)
    with contextlib.suppress(OSError):
        with os.scandir(directory) as entries:
            stale = [e.path for e in entries if (m := pattern.match(e.name))
                     and not _pid_alive(int(m.group(1)))]
        for name in stale:
            with contextlib.suppress(OSError):
                os.unlink(name)


def atomic_write(path, chunks) -> None:
    """Write the byte chunks to `path` atomically (temporary file, fsync, rename); on any
    failure the temporary file is removed and an existing `path` is left as it was."""
    path = os.path.abspath(os.fspath(path))
    directory = os.path.dirname(path)
    remove_stale_temps(path)
    tmp = os.path.join(directory, f".{os.path.basename(path)}.tmp-{os.getpid()}-"
                                  f"{threading.get_ident()}")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)  # ours by name, so left by an earlier failed save in this thread
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                 0o666)  # the usual mode: the umask applies
    try:
        with open(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def read_exact(f, n: int, what: str, name: str):
    """Exactly `n` bytes from `f` into a new writable bytearray (read once, no copy), or a
    CheckpointError saying the file is truncated."""
    buffer = bytearray(n)
    view = memoryview(buffer)
    got = 0
    while got < n:
        step = f.readinto(view[got:got + (1 << 20)])  # small steps: a zip member's
        # readinto reads a bytes object of the step's size first
        if not step:
            raise CheckpointError(f"load: {name}: truncated: {what} needs {n} bytes, "
                                  f"the file holds {got}")
        got += step
    return buffer


BF16_MISSING = ("this Ember has no bfloat16 (autograd.bfloat16 needs the ml_dtypes "
                "package); convert the tensors with .float() before saving")
