"""The diagnostics shown in the README and on the "Measuring memory and time" page, each
with one call. `python docs/snippets/diagnostics.py` prints what the pages quote."""
import os
import sys

import autograd as ag
import nn
import nn.functional as F

ag.manual_seed(0)
model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Dropout(0.1), nn.Linear(128, 10))
x, y = ag.randn(32, 64), ag.randint(0, 10, (32,))
opt = nn.optim.Adam(model.parameters(), lr=1e-3)

print("== summary ==")
print(nn.utils.summary(model, x))

print("== memory ledger ==")
print(ag.memory.ledger(F.cross_entropy(model(x), y), model=model))

print("== profiler ==")
with ag.profile(model=model) as prof:
    for _ in range(20):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
print(prof.table(row_limit=6))

print("== explain_grad ==")
w = ag.randn(64, 10, requires_grad=True)
b = ag.full((10,), -100.0, requires_grad=True)   # a bias that kills every unit
out = ag.relu(x @ w + b).sum()
out.backward()
print(ag.explain_grad(w, out))

print("== GradientMonitor ==")
monitor = nn.utils.GradientMonitor(model, optimizer=opt)
loss = F.cross_entropy(model(x), y)
opt.zero_grad()
loss.backward()
opt.step()
print(monitor.report())

print("== viz.draw ==")
from autograd import viz  # noqa: E402

loss = F.cross_entropy(model(x), y)
viz.watch(loss)
loss.backward()
g = viz.draw(loss, model=model, color_by="grad")
print("marks:", g.marks)
if len(sys.argv) > 1:  # a folder: render the drawing there as PNG
    print(g.render(os.path.join(sys.argv[1], "diagnostics_mlp"), format="png", cleanup=True))
