"""`summary(model, example_input)`: a torchinfo-style table of layers, output shapes,
parameter counts and the activation bytes each layer saved for backward (measured)."""
from __future__ import annotations

import autograd as ag
from autograd.memory import Ledger
from autograd.tensor import Tensor

__all__ = ["summary", "ModelSummary"]

_WIDTH = 100


def _shape(out):
    if isinstance(out, Tensor):
        return list(out.shape)
    if isinstance(out, (tuple, list)):
        return [_shape(o) for o in out if isinstance(o, (Tensor, tuple, list))]
    return "--"


class ModelSummary:
    """What `summary` returns: `.rows` (dicts: name, type, depth, output_shape, params,
    saved_bytes: held for backward by the module's whole subtree, own_saved_bytes: by
    its own ops only), `.total_params`, `.trainable_params`, `.saved_bytes`; print it."""

    def __init__(self, rows, total, trainable, saved, output_bytes):
        self.rows, self.total_params, self.trainable_params = rows, total, trainable
        self.saved_bytes, self.output_bytes = saved, output_bytes

    def __str__(self):
        bar = "=" * _WIDTH
        lines = [bar, f"{'Layer (type:depth-idx)':<44}{'Output Shape':<26}{'Param #':>14}"
                      f"{'Saved (subtree)':>17}", bar]
        for r in self.rows:
            indent = "│    " * max(r["depth"] - 1, 0) + ("├─" if r["depth"] else "")
            label = f"{indent}{r['type']}" + (f": {r['depth']}-{r['idx']}" if r["depth"] else "")
            params = f"{r['params']:,}" if r["leaf"] or r["depth"] == 0 else "--"
            if r["depth"] == 0:
                params = "--"
            saved = _mb(r["saved_bytes"]) if r["saved_bytes"] else "--"
            lines.append(f"{label[:43]:<44}{str(r['output_shape'])[:25]:<26}{params:>14}"
                         f"{saved:>17}")
        lines += [bar,
                  f"Total params: {self.total_params:,}",
                  f"Trainable params: {self.trainable_params:,}",
                  f"Non-trainable params: {self.total_params - self.trainable_params:,}",
                  bar,
                  f"Activations saved for backward (MB): {self.saved_bytes / 1e6:.2f}",
                  "Saved (subtree): bytes held for backward by the ops of a module and "
                  "its submodules",
                  f"Forward output size (MB): {self.output_bytes / 1e6:.2f}",
                  bar]
        return "\n".join(lines)

    __repr__ = __str__


def _mb(n):
    return f"{n / 1e6:.3f} MB" if n >= 1e4 else f"{n} B"


def summary(model, example_input) -> ModelSummary:
    """Same idea as torchinfo.summary(model, input_data=...): runs `example_input`
    (a Tensor or a tuple of them) through `model` once with grad mode on, and reports
    per module its output shape, its own parameter count (leaf modules; PyTorch's
    numbers) and the activation bytes the ops of its subtree saved for backward (from
    the memory ledger, each storage once; parameters and inputs not included).
    The graph is dropped afterwards."""
    inputs = example_input if isinstance(example_input, tuple) else (example_input,)
    named = list(model.named_modules())
    outputs, handles = {}, []
    for name, m in named:
        def hook(mod, args, out, name=name):
            outputs.setdefault(name, out)
            return None
        handles.append(m.register_forward_hook(hook))
    try:
        with ag.enable_grad():
            out = model(*inputs)
    finally:
        for h in handles:
            h.remove()
    flat = [o for o in (out if isinstance(out, (tuple, list)) else (out,))
            if isinstance(o, Tensor)]
    stores = []  # (innermost module name, storage id, bytes) of each held activation
    total_saved = 0
    if any(o.requires_grad for o in flat):
        led = Ledger([o for o in flat if o.requires_grad], model=model)
        stores = [(r["module"], r["storage"], r["bytes"]) for r in led.rows
                  if r["kind"] != "leaf"]
        total_saved = led.activation_bytes

    def saved_in(name, subtree):
        """Bytes of distinct storages held by the ops of `name` (and its submodules)."""
        seen = {}
        for mod, key, nbytes in stores:
            if mod == name or (subtree and (name == "" or mod.startswith(name + "."))):
                seen[key] = max(seen.get(key, 0), nbytes)
        return sum(seen.values())

    rows = []
    counters = {}
    for name, m in named:
        depth = 0 if name == "" else name.count(".") + 1
        counters[depth] = counters.get(depth, 0) + 1
        own = sum(p.numel() for p in m.parameters(recurse=False))
        leaf = not any(True for _ in m.children())
        rows.append({"name": name, "type": type(m).__name__, "depth": depth,
                     "idx": counters[depth], "leaf": leaf,
                     "output_shape": _shape(outputs[name]) if name in outputs else "--",
                     "params": own if leaf else sum(p.numel() for p in m.parameters()),
                     "saved_bytes": saved_in(name, True),
                     "own_saved_bytes": saved_in(name, False)})
    params = list(model.parameters())
    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    out_bytes = sum(int(o.array.nbytes) for o in flat)
    return ModelSummary(rows, total, trainable, total_saved, out_bytes)
