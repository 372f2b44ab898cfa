"""Vanishing gradients, seen in the graph: a deep sigmoid MLP beside a ReLU MLP with He
initialisation, trained on the same data; both graphs are drawn coloured by gradient norm.

    python examples/vanishing_gradients.py [--quick] [--out runs/vanishing_gradients]

In the sigmoid network each layer multiplies the gradient by sigmoid' <= 1/4 times the
weights, so the first layers get gradients ~1e-6 of their weights: drawn blue and marked
"vanishing". The ReLU + He network keeps them within an order of magnitude of each other.
"""
from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import one_blas_thread, parse_args, progress, say  # noqa: E402

import autograd as ag  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402
from autograd import viz  # noqa: E402


def mlp(depth, width, n_in, n_out, activation, he_init):
    layers, d = [], n_in
    for _ in range(depth):
        lin = nn.Linear(d, width)
        if he_init:
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
            nn.init.zeros_(lin.bias)
        layers += [lin, activation()]
        d = width
    layers.append(nn.Linear(d, n_out))
    return nn.Sequential(*layers)


def data(n, n_in, n_classes):
    """Points labelled by which of `n_classes` random directions they are closest to."""
    x = ag.randn(n, n_in)
    centres = ag.randn(n_classes, n_in)
    y = (x @ centres.T).argmax(dim=1)
    return x, y


def train_and_draw(name, model, x, y, steps, args):
    out = args.out
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    start = time.perf_counter()
    for _ in progress(range(steps), args, name):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with ag.no_grad():
        acc = float((model(x).argmax(dim=1) == y).float().mean().item())
    say(f"{name}: {steps} steps, loss {loss.item():.3f}, training accuracy {acc:.3f}, "
        f"{time.perf_counter() - start:.1f} s")
    opt.zero_grad()
    loss = F.cross_entropy(model(x), y)
    viz.watch(loss)  # record the gradient norms of ops during the next backward
    loss.backward()
    graph = viz.draw(loss, model=model, color_by="grad", fold=False)
    paths = []
    for fmt in ("png", "svg"):
        try:
            paths.append(graph.render(os.path.join(out, name), format=fmt, cleanup=True))
        except RuntimeError as err:  # Graphviz missing: keep the DOT source
            print(err)
            graph.save(os.path.join(out, name + ".dot"))
            break
    ratios = {n: (p.grad.norm() / p.norm()).item()
              for n, p in model.named_parameters() if n.endswith("weight")}
    return dict(loss=loss.item(), graph=graph, paths=paths, ratios=ratios)


@one_blas_thread
def main(argv=None):
    args = parse_args("vanishing_gradients", __doc__.splitlines()[0], argv,
                      extra=lambda p: p.add_argument("--depth", type=int, default=10))
    ag.manual_seed(args.seed)
    n, steps = (64, 2) if args.quick else (512, 50)
    x, y = data(n, 8, 4)
    results = {}
    for name, act, he in (("sigmoid", nn.Sigmoid, False), ("relu_he", nn.ReLU, True)):
        ag.manual_seed(args.seed + 1)
        model = mlp(args.depth, 32, 8, 4, act, he)
        r = results[name] = train_and_draw(name, model, x, y, steps, args)
        print(f"{name}: loss {r['loss']:.3f}, |grad|/|weight| per layer:")
        print("  " + "  ".join(f"{v:.0e}" for v in r["ratios"].values()))
        print(f"  marked vanishing: {r['graph'].marks['vanishing'] or 'none'}")
        for p in r["paths"]:
            print(f"  wrote {p}")
    return results


if __name__ == "__main__":
    main()
