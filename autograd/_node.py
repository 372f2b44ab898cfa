"""What Function.apply (function.py) and the apply of user-defined Functions (custom.py)
share: the edge into one output of a multi-output node, the check that an op's tensors
are on one device, and anomaly mode's record of where a node was created."""
from __future__ import annotations

import traceback

from .tensor_base import TensorBase as Tensor


class OutputEdge:
    """An edge into output `nr` of a multi-output node."""

    __slots__ = ("node", "nr")
    _is_tensor = False

    def __init__(self, node, nr):
        self.node, self.nr = node, nr


def _check_devices(cls, args):
    devs = [a.device for a in args if isinstance(a, Tensor)]
    if len(devs) < 2:
        return
    first = devs[0]
    for d in devs[1:]:
        if d.type != first.type or (d.index or 0) != (first.index or 0):
            raise RuntimeError(
                f"{cls.name()}: expected all tensors on one device, got {first} and {d}; "
                f"move one with .to({str(first)!r})")


# ----------------------------------------------------------------------------- anomaly mode
def _record_stack(node, depth=3):
    """Under detect_anomaly (`_mode.anomaly`): keep where the op was created (the stack
    without its last `depth` frames: this function's and autograd's own)."""
    node._stack = traceback.extract_stack()[:-depth]
    node._plain = False  # the engine then checks its gradients
