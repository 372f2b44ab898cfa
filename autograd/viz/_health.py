"""Gradient verdicts of a drawing: 'vanishing', 'exploding', 'zero' or None per op, per
leaf, and as a share of the parameters of a module or folded block. "Vanishing" is the
definition of `autograd.health` (shared with GradientMonitor); parameters whose gradient
is None or cancels by construction are left out of every count."""
from __future__ import annotations

import math

from .. import backend, health
from ..op_names import op_label
from ..tensor_base import TensorBase as Tensor
from ._layout import out_meta, post_order
from ._record import edge_grad, node_grad, norm

EXPLODING = 1e2    # |grad| / |weight| above this, or any inf / nan gradient


def _numel(shape):
    n = 1
    for s in shape or ():
        n *= s
    return n


class Health:
    """Gradient norms of a graph's ops and leaves, and their verdicts."""

    def __init__(self, outputs):
        self.nodes = post_order(outputs)
        self.op_norm = {id(n): node_grad(n) for n in self.nodes}
        self.op_max = health.largest(self.op_norm.values())
        self.readers = {}   # id(leaf) -> [(node, slot)]
        leaves = {}
        for n in self.nodes:
            for slot, e in enumerate(n.next):
                if e is not None and e._is_tensor:
                    self.readers.setdefault(id(e), []).append((n, slot))
                    leaves[id(e)] = e
        self.leaf_max = health.largest(norm(t.grad) for t in leaves.values()
                                       if t.grad is not None)
        self.recorded = any(v is not None for v in self.op_norm.values()) or any(
            t.grad is not None for t in leaves.values())
        self.leaf_cache = {}

    def op_verdict(self, node):
        v = self.op_norm.get(id(node))
        if v is not None and not math.isfinite(v):
            return "exploding"
        return health.verdict(v, self.op_max)

    def by_construction(self, t) -> bool:
        """No gradient can reach `t`: .grad is None, or `t` is added in (a bias: its
        gradient is the sum of the gradient reaching the op) and that sum is rounding
        noise of it (it cancels, e.g. an attention key bias, whose shift softmax
        ignores). The gradient reaching the op comes from `watch`; for linear without
        it, ||grad_W|| / ||x|| is a lower bound of it (||grad_W|| once backward freed
        x: a heuristic, right unless ||x|| is far above 1)."""
        if t.grad is None:
            return True
        g = norm(t.grad)
        readers = self.readers.get(id(t), [])
        if not g or not math.isfinite(g) or not readers:
            return False  # exactly zero here is a 'zero grad' verdict, not structural
        eps = float(backend.finfo(t.dtype).eps)
        for node, slot in readers:
            label = op_label(node)
            if not (label in ("add", "sub") or (label == "addmm" and slot == 2)):
                return False
            sent = edge_grad(node, slot)
            reached = node_grad(node)
            if reached is None and label == "addmm":
                w = node.next[1]
                saved = node.saved if isinstance(node.saved, tuple) else ()
                x_norm = norm(saved[0]) if saved else None
                if w is not None and w._is_tensor and w.grad is not None:
                    # freed input (after backward): ||grad_W|| itself, a heuristic
                    reached = norm(w.grad) / (x_norm or 1.0)
            terms = _numel(out_meta(node)[0]) // max(_numel(t.shape), 1)
            if not health.cancels(g if sent is None else sent, reached, eps, terms):
                return False
        return True

    def leaf(self, t):
        """(grad norm, weight norm, verdict) of a leaf; verdict 'none' when it gets no
        gradient by construction."""
        got = self.leaf_cache.get(id(t))
        if got is None:
            g = norm(t.grad) if isinstance(t, Tensor) and t.grad is not None else None
            w = norm(t) if isinstance(t, Tensor) else None
            verdict = None
            if isinstance(t, Tensor) and t.requires_grad and self.by_construction(t):
                verdict = "none" if g is not None else None
            elif g is not None:
                if not math.isfinite(g) or g > EXPLODING * (w or 1.0):
                    verdict = "exploding"
                else:
                    verdict = health.verdict(g, self.leaf_max)
            got = self.leaf_cache[id(t)] = (g, w, verdict)
        return got

    def share(self, params):
        """(verdict, detail) of a group of parameters, by the share that vanish: marked
        when any explodes, or when at least half of those that can get a gradient vanish
        (or are exactly zero); detail says 'k/n params vanishing'."""
        verdicts = [self.leaf(t)[2] for t in params]
        eligible = [v for v in verdicts if v != "none"]
        n = len(eligible)
        if not n:
            return None, ""
        for v in ("exploding", "vanishing", "zero"):
            k = eligible.count(v)
            if k and (v == "exploding" or 2 * k >= n):
                what = "zero grad" if v == "zero" else v
                return v, f"{k}/{n} params {what}"
        return None, ""

    def node_key(self, node):
        """What folding must also compare: repeats fold only with equal verdicts."""
        leaves = tuple(self.leaf(e)[2] for e in node.next if e is not None and e._is_tensor)
        return self.op_verdict(node), leaves
