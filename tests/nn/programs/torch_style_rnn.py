"""A sequence-classification script written against PyTorch's names, run with Ember in
torch's place (`import autograd as torch`): variable-length sequences padded with
pad_sequence and packed for a bidirectional LSTM, an embedding with padding_idx,
cross-entropy, Adam with a cosine warm-restart schedule, named parameters and gradient
clipping by value."""
import sys

import numpy as np

if sys.argv[1] == "ember":
    import autograd as torch
else:
    import torch
nn = torch.nn
rnn_utils = torch.nn.utils.rnn

torch.manual_seed(0)
rng = np.random.default_rng(0)
VOCAB, N = 12, 96
lengths = rng.integers(2, 9, N)
seqs = [rng.integers(1, VOCAB, n) for n in lengths]
labels = np.array([int((s % 2 == 0).sum() * 2 > len(s)) for s in seqs])  # more evens?


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, 8, padding_idx=0)
        self.lstm = nn.LSTM(8, 16, batch_first=True, bidirectional=True)
        self.head = nn.Linear(32, 2)

    def forward(self, padded, lens):
        packed = rnn_utils.pack_padded_sequence(self.emb(padded), lens, batch_first=True,
                                                enforce_sorted=False)
        _, (h, _) = self.lstm(packed)
        return self.head(torch.cat([h[0], h[1]], dim=1))


model = Model()
opt = torch.optim.Adam(model.named_parameters(), lr=2e-2)
sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2)
crit = nn.CrossEntropyLoss()
for epoch in range(12):
    for start in range(0, N, 32):
        batch = [torch.tensor(s) for s in seqs[start:start + 32]]
        padded = rnn_utils.pad_sequence(batch, batch_first=True, padding_value=0)
        y = torch.tensor(labels[start:start + 32])
        loss = crit(model(padded, torch.tensor(lengths[start:start + 32])), y)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_value_(model.parameters(), 1.0)
        opt.step()
    sched.step()
with torch.no_grad():
    padded = rnn_utils.pad_sequence([torch.tensor(s) for s in seqs], batch_first=True)
    pred = model(padded, torch.tensor(lengths)).argmax(1)
    acc = (pred == torch.tensor(labels)).float().mean().item()
print(f"train acc {acc:.3f} lr {sched.get_last_lr()[0]:.6f}")
print("keys", " ".join(sorted(model.state_dict().keys())))
