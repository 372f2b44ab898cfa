"""What training costs and why: a small CNN on scikit-learn's 8x8 digits, with the memory
ledger, the per-op profile, the gradient report and the saving from checkpoint.

    python examples/memory_and_speed.py [--quick] [--out runs/memory_and_speed]

Prints one line per epoch while training under the profiler, then the reports; writes
them all to `report.txt` in --out.
"""
from __future__ import annotations

import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import one_blas_thread, parse_args, progress, say  # noqa: E402

import autograd as ag  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402


def load_digits(n):
    try:
        from sklearn.datasets import load_digits as sk
        d = sk()
        x, y = d.images.astype(np.float32) / 16.0, d.target.astype(np.int64)
    except ImportError:  # synthetic stand-in with the same shapes
        rng = np.random.default_rng(0)
        y = rng.integers(0, 10, 1797)
        x = (rng.random((1797, 8, 8)) * 0.3 + (y[:, None, None] / 10.0)).astype(np.float32)
    return ag.tensor(x[:n, None]), ag.tensor(y[:n])


class Features(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.pool = nn.MaxPool2d(2)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))      # (N, 16, 4, 4)
        return self.pool(F.relu(self.conv2(x)))   # (N, 32, 2, 2)


class Net(nn.Module):
    def __init__(self, use_checkpoint=False):
        super().__init__()
        self.features = Features()
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
        self.use_checkpoint = use_checkpoint

    def forward(self, x):
        if self.use_checkpoint:
            return self.head(ag.checkpoint(self.features, x))
        return self.head(self.features(x))


@one_blas_thread  # small matrices: extra BLAS threads only spin (and skew the profile)
def main(argv=None) -> dict:
    args = parse_args("memory_and_speed", __doc__.splitlines()[0], argv)
    n, steps, batch = (256, 10, 64) if args.quick else (1797, 120, 128)
    ag.manual_seed(args.seed)
    report = []

    def show(text=""):
        report.append(text)
        print(text)
    x, y = load_digits(n)
    model = Net()
    opt = nn.optim.Adam(model.parameters(), lr=3e-3)
    monitor = nn.utils.GradientMonitor(model, optimizer=opt)

    show(str(nn.utils.summary(model, x[:batch])))

    per_epoch = max(1, n // batch)  # steps that see about every sample once
    start = epoch_start = time.perf_counter()
    with ag.profile(model=model) as prof:
        for step in progress(range(steps), args, "steps", leave=True):
            i = (step * batch) % (n - batch + 1)
            xb, yb = x[i:i + batch], y[i:i + batch]
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if (step + 1) % per_epoch == 0 or step + 1 == steps:
                with ag.no_grad():
                    acc = float((model(x).argmax(1) == y).float().mean().item())
                say(f"epoch {(step + 1) / per_epoch:4.1f} (step {step + 1}/{steps}): loss "
                    f"{loss.item():.3f}, train accuracy {acc:.3f}, "
                    f"{time.perf_counter() - epoch_start:.2f} s")
                epoch_start = time.perf_counter()
    show(f"\n{steps} steps in {time.perf_counter() - start:.1f} s, last loss {loss.item():.3f}, "
         f"train accuracy {acc:.1%}\n")

    show("== memory held for backward (one batch) ==")
    led = ag.memory.ledger(F.cross_entropy(model(x[:batch]), y[:batch]), model=model)
    show(str(led))

    show("\n== profile: top ops ==")
    show(prof.table(sort_by="total", row_limit=10))
    show("\n== profile: by module ==")
    show(prof.table(by="module", row_limit=10))

    show("\n== gradients at the last step ==")
    show(monitor.report())

    # checkpoint: the features' activations are recomputed in backward, not stored
    predicted = led.module_bytes(model.features)
    model.use_checkpoint = True
    led_ckpt = ag.memory.ledger(F.cross_entropy(model(x[:batch]), y[:batch]), model=model)
    saved = led.activation_bytes - led_ckpt.activation_bytes
    show(f"\n== checkpoint(features) ==\nactivations held between forward and backward: "
         f"{led.activation_bytes:,} B -> {led_ckpt.activation_bytes:,} B; measured saving "
         f"{saved:,} B (ledger predicted {predicted:,} B). Backward then rebuilds the "
         f"features' activations for a moment, one segment at a time.")
    path = os.path.join(args.out, "report.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(report) + "\n")
    print(f"saved {path}")
    return {"accuracy": acc, "ledger": led, "ledger_checkpoint": led_ckpt,
            "predicted_saving": predicted, "measured_saving": saved, "profile": prof,
            "monitor": monitor, "report": path}


if __name__ == "__main__":
    main()
