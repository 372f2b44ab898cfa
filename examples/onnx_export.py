"""Train a small model with Ember, export it to ONNX, and run it with ONNX Runtime.

The model tells three noisy wave shapes apart (sine, square, triangle) from 64 samples:
a 1-d convolution, batch norm, pooling and a linear head. After training, it is exported
with `autograd.onnx.export` (the batch axis dynamic), checked with onnx.checker, run by
ONNX Runtime on a batch of another size, and both outputs are printed with their
largest difference (float32 rounding, ~1e-6).

    python examples/onnx_export.py            # a few seconds (2.4 s on a 2-core machine)
    python examples/onnx_export.py --quick    # 60 training steps instead of 400
Needs: pip install "ember-grad[onnx]"
"""
from __future__ import annotations

import os

import numpy as np
from _common import parse_args, seed_all

import autograd as ag
import nn
import nn.functional as F

CLASSES = ("sine", "square", "triangle")


def waves(rng, n: int, length: int = 64):
    """n noisy waves with random frequency and phase, and their class (0, 1, 2)."""
    t = np.linspace(0.0, 1.0, length, dtype=np.float32)
    label = rng.integers(0, 3, n)
    freq = rng.uniform(2.0, 5.0, (n, 1)).astype(np.float32)
    phase = rng.uniform(0.0, 1.0, (n, 1)).astype(np.float32)
    cycle = (t * freq + phase) % 1.0
    sine = np.sin(2 * np.pi * cycle)
    square = np.where(cycle < 0.5, 1.0, -1.0)
    triangle = 4 * np.abs(cycle - 0.5) - 1
    x = np.choose(label[:, None], [sine, square, triangle]).astype(np.float32)
    x += rng.normal(0.0, 0.3, x.shape).astype(np.float32)
    return ag.tensor(x[:, None, :]), ag.tensor(label)


def build():
    return nn.Sequential(
        nn.Conv1d(1, 8, 5, padding=2), nn.BatchNorm1d(8), nn.ReLU(), nn.MaxPool1d(2),
        nn.Conv1d(8, 16, 5, padding=2), nn.BatchNorm1d(16), nn.ReLU(),
        nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Dropout(0.1), nn.Linear(16, 3))


def main(argv=None) -> dict:
    args = parse_args("onnx_export", __doc__.splitlines()[0], argv)
    import onnx
    import onnxruntime as ort

    rng = seed_all(args.seed)
    model = build()
    opt = nn.optim.Adam(model.parameters(), lr=1e-2)
    steps = 60 if args.quick else 400
    model.train()
    for step in range(steps):
        x, y = waves(rng, 64)
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % max(1, steps // 5) == 0 or step == steps - 1:
            print(f"step {step:4d}  loss {loss.item():.4f}")

    path = os.path.join(args.out, "waves.onnx")
    x_export, _ = waves(rng, 4)
    ag.onnx.export(model, x_export, path, input_names=["waves"], output_names=["logits"],
                   dynamic_axes={"waves": {0: "batch"}, "logits": {0: "batch"}})
    onnx.checker.check_model(onnx.load(path))

    x_test, y_test = waves(rng, 7)                 # another batch size than the export's
    model.eval()
    with ag.no_grad():
        ember = model(x_test).numpy()
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    runtime = session.run(None, {"waves": x_test.numpy()})[0]
    diff = float(abs(ember - runtime).max())
    accuracy = float((runtime.argmax(1) == y_test.numpy()).mean())
    print(f"exported to {path}")
    print("Ember logits:\n", ember.round(4))
    print("ONNX Runtime logits:\n", runtime.round(4))
    print(f"max |difference| = {diff:.2e}; ONNX Runtime's accuracy on these "
          f"{len(runtime)} waves: {accuracy:.2f}")
    return {"path": path, "ember": ember, "onnxruntime": runtime, "max_diff": diff,
            "final_loss": loss.item(), "accuracy": accuracy}


if __name__ == "__main__":
    main()
