"""A training script written against PyTorch's names, run with Ember in torch's place
(`import autograd as torch`): Dataset subclass, random_split with fractions, DataLoader
options, Conv/BatchNorm/AdaptiveAvgPool/Dropout, AdamW with OneCycleLR, label smoothing,
gradient clipping, eval under no_grad, torch.save of the state dict."""
import sys

import numpy as np

if sys.argv[1] == "ember":
    import autograd as torch
else:
    import torch
nn = torch.nn
F = torch.nn.functional

torch.manual_seed(0)
torch.backends.cudnn.benchmark = True
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

class DS(torch.utils.data.Dataset):
    def __init__(self, n):
        rng = np.random.default_rng(0)
        self.x = rng.standard_normal((n, 1, 12, 12)).astype(np.float32)
        self.y = (self.x.reshape(n, -1).mean(1) > 0).astype(np.int64)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return torch.from_numpy(self.x[i]), int(self.y[i])



class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.pool = nn.AdaptiveAvgPool2d((2, 2))
        self.drop = nn.Dropout(0.1)
        self.fc = nn.Linear(16, 2)
    def forward(self, x):
        x = self.pool(F.relu(self.bn(self.conv(x))))
        return self.fc(self.drop(torch.flatten(x, 1)))


ds = DS(256)
train, val = torch.utils.data.random_split(ds, [0.75, 0.25],
                                          generator=torch.Generator().manual_seed(1))
tl = torch.utils.data.DataLoader(train, batch_size=32, shuffle=True, num_workers=0,
                                 pin_memory=True)
vl = torch.utils.data.DataLoader(val, batch_size=64)
model = Net().to(device)
opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=5e-2, total_steps=5 * len(tl))
crit = nn.CrossEntropyLoss(label_smoothing=0.05)
for epoch in range(5):
    model.train()
    for xb, yb in tl:
        xb, yb = xb.to(device, non_blocking=True), yb.to(device)
        opt.zero_grad(set_to_none=True)
        loss = crit(model(xb), yb)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for xb, yb in vl:
            pred = model(xb.to(device)).argmax(dim=1)
            correct += (pred == yb.to(device)).sum().item()
            total += yb.size(0)
    print(f"epoch {epoch} loss {loss.item():.3f} val acc {correct / total:.3f} "
          f"lr {sched.get_last_lr()[0]:.4f}")
torch.save(model.state_dict(), sys.argv[2])
print("keys", " ".join(sorted(model.state_dict().keys())))
