"""torch.autograd.graph's saved-tensor hooks: `saved_tensors_hooks(pack_hook,
unpack_hook)`, `save_on_cpu` and `disable_saved_tensors_hooks`.

Inside a `saved_tensors_hooks` block, every tensor an op saves for backward through
`ctx.save_for_backward` (built-in ops and custom Functions alike) is replaced by
`pack_hook(tensor)`, and `ctx.saved_tensors` gives back `unpack_hook(packed)`. As in
PyTorch, a packed tensor is not checked for later in-place changes (the hook owns it).
Arrays that ops keep without save_for_backward (an op's own output, which Ember keeps as
its array) are not passed through the hooks. Hooks are per thread and nest (the
innermost applies)."""
from __future__ import annotations

import threading

# Any thread ever entered a hook block: save_for_backward / saved_tensors test this one
# cheap flag before looking at the thread's stack.
EVER = [False]


class _State(threading.local):
    def __init__(self) -> None:
        self.stack = []
        self.disabled = None


_state = _State()


class Packed:
    """A saved tensor as its pack hook returned it, with the matching unpack hook."""

    __slots__ = ("value", "unpack")

    def __init__(self, value, unpack) -> None:
        self.value, self.unpack = value, unpack


def current():
    """The innermost (pack, unpack) pair of this thread, or None."""
    return _state.stack[-1] if _state.stack else None


def pack(tensors, is_tensor) -> tuple:
    """tensors with each tensor replaced by a Packed (for save_for_backward)."""
    if _state.disabled is not None:
        raise RuntimeError(_state.disabled)
    pack_hook, unpack_hook = _state.stack[-1]
    return tuple(Packed(pack_hook(t), unpack_hook) if is_tensor(t) else t for t in tensors)


def unpack(saved) -> tuple:
    return tuple(s.unpack(s.value) if type(s) is Packed else s for s in saved)


class saved_tensors_hooks:
    """Same as torch.autograd.graph.saved_tensors_hooks (a context manager)."""

    def __init__(self, pack_hook, unpack_hook) -> None:
        self.pack_hook, self.unpack_hook = pack_hook, unpack_hook

    def __enter__(self):
        if _state.disabled is not None:
            raise RuntimeError(_state.disabled)
        EVER[0] = True
        _state.stack.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc) -> None:
        _state.stack.pop()


class save_on_cpu(saved_tensors_hooks):
    """Same as torch.autograd.graph.save_on_cpu: saved tensors are kept on the CPU and
    moved back to their device when backward needs them."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        def pack(t):
            return (t.device, t.detach().to("cpu"))

        def unpack(packed):
            device, t = packed
            return t.to(device)
        super().__init__(pack, unpack)


class disable_saved_tensors_hooks:
    """Same as torch.autograd.graph.disable_saved_tensors_hooks: inside it, using saved
    tensor hooks raises RuntimeError with `error_message`."""

    def __init__(self, error_message: str) -> None:
        self.error_message = error_message
        self._prev = None

    def __enter__(self):
        self._prev = _state.disabled
        _state.disabled = self.error_message
        return self

    def __exit__(self, *exc) -> None:
        _state.disabled = self._prev
