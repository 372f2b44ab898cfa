"""How drawn things look: colours, scales, labels and tooltips (no graph logic here)."""
from __future__ import annotations

import math

FONT = "Helvetica"

# node kinds: (shape, fill, extra attributes)
KINDS = {
    "op": dict(shape="box", style="rounded,filled", fillcolor="#ffffff"),
    "input": dict(shape="ellipse", style="filled", fillcolor="#c7e9c0"),
    "param": dict(shape="box", style="filled", fillcolor="#c6dbef"),
    "const": dict(shape="box", style="filled", fillcolor="#eeeeee", color="#aaaaaa",
                  fontcolor="#777777", fontsize="7", height="0.2", margin="0.04,0.02"),
    "module": dict(shape="tab", style="filled", fillcolor="#e5dcf3"),
    "fold": dict(shape="box3d", style="filled", fillcolor="#fdf1c7"),
    "saved": dict(shape="note", style="filled", fillcolor="#fff7dc", color="#c9a227",
                  fontsize="7", margin="0.04,0.02"),
}
OUTPUT = dict(peripheries="2", color="#d95f02", penwidth="1.5")
VANISHING_STYLE = dict(color="#1f3fbf", penwidth="3", style_extra="dashed")
EXPLODING_STYLE = dict(color="#c00000", penwidth="3", style_extra="bold")
ZERO_STYLE = dict(color="#777777", penwidth="2", style_extra="dotted")
MARK_STYLES = {"vanishing": VANISHING_STYLE, "exploding": EXPLODING_STYLE, "zero": ZERO_STYLE}
CLUSTER_FILLS = ["#f7f7f7", "#ececec", "#e2e2e2", "#d8d8d8"]

# colour scales, low to high (fills stay light enough for black text)
GRAD_FILL = ["#7b9be8", "#b9caf2", "#f2f2f2", "#f3b59f", "#e8735a"]
GRAD_EDGE = ["#3b4cc0", "#7b8fd6", "#9a9a9a", "#d0735c", "#b40426"]
BYTES_FILL = ["#ffffff", "#fef0c0", "#fdc778", "#f8894a", "#e34a33"]
BYTES_EDGE = ["#bbbbbb", "#e0b060", "#f08c3c", "#d9501f", "#b30000"]
NONFINITE = "#5c0000"


def _hex(c):
    return tuple(int(c[i:i + 2], 16) for i in (1, 3, 5))


def interpolate(palette, t):
    """Colour at t in [0, 1] along `palette` (linear in RGB between anchors)."""
    t = min(max(t, 0.0), 1.0) * (len(palette) - 1)
    i = min(int(t), len(palette) - 2)
    f = t - i
    a, b = _hex(palette[i]), _hex(palette[i + 1])
    return "#" + "".join(f"{round(x + (y - x) * f):02x}" for x, y in zip(a, b))


SPAN = 6


class LogScale:
    """Maps positive values to [0, 1] on a log scale over the range of `values`."""

    def __init__(self, values, fixed=None):
        logs = [math.log10(v) for v in values if v is not None and 0 < v < math.inf]
        if fixed is not None:  # a caller's (lo, hi): the same colours in every drawing
            self.lo, self.hi = math.log10(fixed[0]), math.log10(fixed[1])
            self.empty = False
            return
        if logs:
            self.lo, self.hi = math.floor(min(logs)), math.ceil(max(logs))
        else:
            self.lo, self.hi = 0, 1
        # at least SPAN decades: a healthy graph (norms within 1e-2) stays warm-to-neutral
        # instead of stretching its small spread over the whole palette
        self.lo = min(self.lo, self.hi - SPAN)
        self.empty = not logs

    def __call__(self, v):
        if v is None:
            return None
        if not math.isfinite(v):
            return math.inf
        if v <= 0:
            return 0.0
        return (math.log10(v) - self.lo) / (self.hi - self.lo)

    def ticks(self, n=5):
        """n exponents spread over the range (integers, low to high)."""
        lo, hi = math.floor(self.lo), math.ceil(self.hi)
        step = max(1, math.ceil((hi - lo) / (n - 1)))
        return list(range(lo, hi + 1, step))


def fill(palette, t):
    if t is None:
        return None
    return NONFINITE if t == math.inf else interpolate(palette, t)


def human_bytes(n):
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


def fmt_shape(shape):
    if shape is None:
        return "?"
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def fmt_norm(v):
    if v is None:
        return "not recorded"
    return f"{v:.3g}" if not math.isfinite(v) else f"{v:.2e}"


def fmt_count(n):
    if n >= 1_000_000:
        return f"{n / 1e6:.1f}M"
    if n >= 10_000:
        return f"{n / 1e3:.0f}k"
    return str(n)


def esc(text):
    """Text for a DOT label or tooltip: backslashes doubled, newlines as \\n."""
    return str(text).replace("\\", "\\\\").replace("\n", "\\n")
