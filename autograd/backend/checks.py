"""Value checks (an index out of range, a probability outside [0, 1]): raised at once on
host arrays, queued on devices that defer them (CUDA) and raised at the next sync."""
from __future__ import annotations

import threading

from .devices import _BY_ARRAY, owner

# Checks on data need the data on the host. On the CPU that costs nothing and they raise
# at once. On the GPU, reading a flag back would wait for all queued work after every op,
# so, like PyTorch's device-side asserts, the flag stays on the device and is tested when
# the host waits anyway: at to_host (.cpu(), .numpy(), .item(), .tolist(), printing),
# synchronize, or when more than MAX_PENDING_CHECKS are queued. The first failed check
# raises its op's own error then. Meanwhile the op keeps its work in bounds (check_index
# clips the indices on the device).
MAX_PENDING_CHECKS = 64
_pending_checks = []  # (bad: 0-d bool device array, make_error: () -> Exception)
_pending_lock = threading.Lock()


def check(bad, make_error) -> None:
    """Raise make_error() if `bad` (a bool, or a 0-d bool array: "some element is invalid")
    is true: at once for host values, at the next synchronisation for deferring devices."""
    (_BY_ARRAY.get(type(bad)) or owner(bad)).check(bad, make_error)


def check_index(idx, lo: int, hi: int, make_error):
    """Check lo <= idx < hi elementwise; make_error(low, high) gets the smallest and largest
    index as ints. Returns the indices to use: `idx` itself on the host (a bad one has
    raised already); where the check waits, `idx` clipped into [lo, hi) so the op never
    reads or writes out of bounds meanwhile."""
    if not idx.size:
        return idx
    return (_BY_ARRAY.get(type(idx)) or owner(idx)).check_index(idx, lo, hi, make_error)


def pending_checks() -> int:
    """How many device checks wait for the next synchronisation."""
    return len(_pending_checks)


class DeferredChecks:
    """The check methods of a device type that defers them: the flag joins the queue and
    `read_flags` (of the device type) reads a batch of them back when it is flushed."""

    defers_checks = True

    def check(self, bad, make_error) -> None:
        with _pending_lock:
            _pending_checks.append((bad, make_error))
            full = len(_pending_checks) > MAX_PENDING_CHECKS
        if full:
            flush_checks()

    def check_index(self, idx, lo: int, hi: int, make_error):
        low, high = idx.min(), idx.max()
        if hi <= lo:  # nothing is in range: known without reading the data
            raise make_error(int(low), int(high))
        self.check((low < lo) | (high >= hi), lambda: make_error(int(low), int(high)))
        return self.xp.clip(idx, lo, hi - 1)

    def read_flags(self, flags) -> list:
        """The 0-d bool arrays `flags` as Python bools, in one transfer where possible."""
        raise NotImplementedError


def flush_checks() -> None:
    """Test every queued check with one read-back per device type; raise the first
    failure (the queue is emptied first, so each failure is raised once)."""
    if not _pending_checks:
        return
    with _pending_lock:
        pending = list(_pending_checks)
        _pending_checks.clear()
    by_type = {}
    for k, (bad, _) in enumerate(pending):
        by_type.setdefault(owner(bad), []).append(k)
    failed = [False] * len(pending)
    for dt, ks in by_type.items():
        for k, flag in zip(ks, dt.read_flags([pending[k][0] for k in ks])):
            failed[k] = flag
    for (_, make_error), bad in zip(pending, failed):
        if bad:
            raise make_error()


def first_outside(arr, lo: int, hi: int):
    """The first element of `arr` (in C order) outside [lo, hi), as an int (None if none).
    For error messages; reads the array back."""
    host = owner(arr).to_numpy(arr).reshape(-1)
    bad = host[(host < lo) | (host >= hi)]
    return int(bad[0]) if bad.size else None
