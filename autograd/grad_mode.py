"""The mode switches, per thread: grad mode (`no_grad`, `enable_grad`,
`set_grad_enabled`), `inference_mode`, the anomaly-mode flags (see anomaly.py) and the
recorders that capture ops (`_tracers`, for compile and ONNX export).

They live in one `threading.local` object, `_mode`, read by `Function.apply` on every
op (`_mode.enabled`): a thread-local attribute read is cheap, and each thread sees only
its own switches, as in PyTorch, where these are thread-local too.
"""
from __future__ import annotations

import threading
from collections.abc import MutableSequence


class _ThreadModes(threading.local):
    """The mode switches, one set per thread (as PyTorch keeps them): a `no_grad` in one
    thread never changes what another thread records. The class attributes are what a
    new thread starts with (grad on, no inference mode, anomaly mode off, no capture),
    whatever the thread that started it had switched on. (What stays global, as in
    PyTorch, is listed in the README: the random generator, the default dtype, ...)"""

    enabled = True      # grad mode: record graphs
    inference = False   # inside an active inference_mode
    anomaly = False     # detect_anomaly: nodes keep their creation stack, grads checked
    check_nan = True    # ... and gradients holding NaN/Inf raise
    tracers = ()        # recorders told of every op call (a list once one is added)
    watched = False     # anomaly or tracers: `apply` takes its slow path (_watched_apply)

    def rewatch(self):
        """Recompute `watched` after anomaly mode or the recorders changed."""
        now = self.anomaly or bool(self.tracers)
        if now != self.watched:
            with _watch_lock:
                _watching[0] += 1 if now else -1
            self.watched = now


_mode = _ThreadModes()
# How many threads have `watched` on. Only a shortcut for `apply`: while no thread
# watches, it reads this instead of a second thread-local switch.
_watching = [0]
_watch_lock = threading.Lock()


def is_grad_enabled() -> bool:
    return _mode.enabled


class set_grad_enabled:
    """Same as torch.set_grad_enabled: a function, a context manager and a decorator."""

    def __init__(self, mode: bool):
        self.prev = _mode.enabled
        _mode.enabled = bool(mode)
        self.mode = bool(mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _mode.enabled = self.prev

    def __call__(self, fn):
        mode = self.mode
        _mode.enabled = self.prev  # used as a decorator: undo the switch made in __init__

        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)
        wrapper.__wrapped__ = fn
        wrapper.__name__ = getattr(fn, "__name__", "wrapper")
        wrapper.__doc__ = getattr(fn, "__doc__", None)
        return wrapper


class _ModeContext:
    mode = True

    def __init__(self, fn=None):
        self.fn = fn

    def __enter__(self):
        self.prev = _mode.enabled
        _mode.enabled = self.mode

    def __exit__(self, *exc):
        _mode.enabled = self.prev

    def __call__(self, *args, **kwargs):
        if self.fn is None:  # @no_grad() form: called with the function
            return type(self)(args[0])._decorated()
        with type(self)():
            return self.fn(*args, **kwargs)

    def _decorated(self):
        fn, ctx_type = self.fn, type(self)

        def wrapper(*args, **kwargs):
            with ctx_type():
                return fn(*args, **kwargs)
        wrapper.__wrapped__ = fn
        wrapper.__name__ = getattr(fn, "__name__", "wrapper")
        wrapper.__doc__ = getattr(fn, "__doc__", None)
        return wrapper


class no_grad(_ModeContext):
    """Same as torch.no_grad: ops inside record no graph (context manager or decorator)."""

    mode = False


class inference_mode(_ModeContext):
    """Same as torch.inference_mode: no graph is recorded inside (as no_grad; Ember has
    no separate inference tensors). `inference_mode(False)` changes nothing."""

    mode = False

    def __init__(self, mode=True):
        if callable(mode) and not isinstance(mode, bool):  # @inference_mode without ()
            super().__init__(mode)
            self._active = True
            return
        super().__init__(None)
        self._active = bool(mode)

    def __enter__(self):
        self.prev = _mode.enabled
        self.prev_inference = _mode.inference
        if self._active:
            _mode.enabled = False
            _mode.inference = True

    def __exit__(self, *exc):
        _mode.enabled = self.prev
        _mode.inference = self.prev_inference

    def __call__(self, *args, **kwargs):
        if self.fn is None:
            fn = args[0]
            active = self._active

            def wrapper(*a, **kw):
                with inference_mode(active):
                    return fn(*a, **kw)
            wrapper.__wrapped__ = fn
            wrapper.__name__ = getattr(fn, "__name__", "wrapper")
            wrapper.__doc__ = getattr(fn, "__doc__", None)
            return wrapper
        with inference_mode(True):
            return self.fn(*args, **kwargs)


def is_inference_mode_enabled() -> bool:
    """Same as torch.is_inference_mode_enabled: True inside an active inference_mode."""
    return _mode.inference


class enable_grad(_ModeContext):
    """Same as torch.enable_grad."""

    mode = True


# ----------------------------------------------------------------------------- capture
# Recorders that see every op call (autograd.compile, autograd.onnx): each has
# `record(cls, args, kwargs, out)`, called after the op ran. They live in `_mode.tracers`,
# so a recorder sees the ops of the thread that added it, and no other thread's.
class _ThreadTracers(MutableSequence):
    """`_tracers`: the current thread's recorders, used as a list (append a recorder to
    start capturing this thread's ops, remove it to stop). Each thread has its own."""

    @staticmethod
    def _own():
        t = _mode.tracers
        if type(t) is not list:  # the class default (an empty tuple) is shared
            t = _mode.tracers = []
        return t

    def __getitem__(self, i):
        return _mode.tracers[i]

    def __setitem__(self, i, value):
        self._own()[i] = value
        _mode.rewatch()

    def __delitem__(self, i):
        del self._own()[i]
        _mode.rewatch()

    def __len__(self):
        return len(_mode.tracers)

    def insert(self, i, value):
        self._own().insert(i, value)
        _mode.rewatch()

    def __repr__(self):
        return f"_tracers({list(_mode.tracers)!r})"


_tracers = _ThreadTracers()
