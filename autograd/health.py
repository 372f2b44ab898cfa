"""The one definition of a vanishing gradient, shared by drawings (`viz.draw(...,
color_by="grad")`) and `nn.utils.GradientMonitor`.

A gradient *vanishes* when its norm is below `VANISHING` (1e-3) times the largest finite
gradient norm among its peers (the model's parameters at that step; for op nodes of a
drawing, the drawn ops), and is not exactly zero. Relative to the peers, not to the
weight: a layer vanishes when it learns a thousand times slower than the fastest one,
whatever the loss scale. An exactly zero gradient is *zero grad* instead (the loss does
not depend on it here: a dead ReLU, a zero initial state). A gradient that is zero by
construction (no path carries gradient: it is None, or it cancels to rounding level in
the op reading the parameter, as an attention key bias whose shift softmax ignores) is
neither: nothing can make it larger.
"""
from __future__ import annotations

import math

VANISHING = 1e-3
# a gradient sent to an input below this many rounding errors of the gradient reaching the
# op is a cancellation (a sum of terms that add to zero by construction)
_CANCEL_ULPS = 64.0


def verdict(norm: float | None, largest: float | None, rel: float = VANISHING) -> str | None:
    """'vanishing', 'zero' or None for a gradient norm among peers whose largest finite
    norm is `largest` (None: no gradient, nothing to say)."""
    if norm is None or not math.isfinite(norm) or not largest:
        return None
    if norm == 0:
        return "zero"
    if norm < rel * largest:
        return "vanishing"
    return None


def cancels(sent: float | None, reached: float | None, eps: float, terms: int) -> bool:
    """True when a gradient `sent` to an input is rounding noise of the gradient that
    `reached` the op (a sum of `terms` values per element that adds to zero by
    construction): |sent| <= 64 eps sqrt(terms) |reached|."""
    if sent is None or reached is None or not reached or not math.isfinite(reached):
        return False
    return sent <= _CANCEL_ULPS * eps * math.sqrt(max(terms, 1)) * reached


def largest(norms) -> float | None:
    """The largest finite, nonzero norm of an iterable (None where there is none)."""
    vals = [v for v in norms if v is not None and math.isfinite(v) and v > 0]
    return max(vals) if vals else None
