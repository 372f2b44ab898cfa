"""A tiny character-level GPT written against PyTorch's names, run with Ember in torch's
place (`import autograd as torch`): token and position embeddings, causal self-attention
through scaled_dot_product_attention, pre-norm blocks with GELU, weight-decay parameter
groups, a warm-up LambdaLR, a disabled GradScaler, and sampling with topk + multinomial."""
import math
import sys

if sys.argv[1] == "ember":
    import autograd as torch
else:
    import torch
nn = torch.nn
F = torch.nn.functional

torch.manual_seed(0)
text = "hello world, hello ember. " * 20
chars = sorted(set(text))
stoi = {c: i for i, c in enumerate(chars)}
data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
V, T, D, H = len(chars), 16, 32, 4


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(D), nn.LayerNorm(D)
        self.qkv, self.proj = nn.Linear(D, 3 * D), nn.Linear(D, D)
        self.mlp = nn.Sequential(nn.Linear(D, 4 * D), nn.GELU(approximate="tanh"),
                                 nn.Linear(4 * D, D))

    def forward(self, x):
        B, L, _ = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(D, dim=2)
        q, k, v = (t.view(B, L, H, D // H).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.proj(y.transpose(1, 2).contiguous().view(B, L, D))
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok, self.pos = nn.Embedding(V, D), nn.Embedding(T, D)
        self.blocks = nn.ModuleList([Block() for _ in range(2)])
        self.ln, self.head = nn.LayerNorm(D), nn.Linear(D, V, bias=False)

    def forward(self, idx, targets=None):
        x = self.tok(idx) + self.pos(torch.arange(idx.size(1)))
        for b in self.blocks:
            x = b(x)
        logits = self.head(self.ln(x))
        loss = None if targets is None else \
            F.cross_entropy(logits.view(-1, V), targets.view(-1))
        return logits, loss


model = GPT()
decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                         {"params": no_decay, "weight_decay": 0.0}],
                        lr=3e-3, betas=(0.9, 0.95))
steps = 60
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: min(1.0, (s + 1) / 10) * 0.5 * (1 + math.cos(math.pi * s / steps)))
scaler = torch.amp.GradScaler("cpu", enabled=False)
g = torch.Generator().manual_seed(1)
for step in range(steps):
    ix = torch.randint(0, len(data) - T - 1, (8,), generator=g)
    xb = torch.stack([data[i:i + T] for i in ix.tolist()])
    yb = torch.stack([data[i + 1:i + 1 + T] for i in ix.tolist()])
    _, loss = model(xb, yb)
    opt.zero_grad(set_to_none=True)
    scaler.scale(loss).backward()
    scaler.unscale_(opt)
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    scaler.step(opt)
    scaler.update()
    sched.step()
model.eval()
idx = data[:4].unsqueeze(0)
with torch.no_grad():
    for _ in range(8):
        logits, _ = model(idx[:, -T:])
        v, _ = torch.topk(logits[:, -1, :], 5)
        logits = logits[:, -1, :].masked_fill(logits[:, -1, :] < v[:, [-1]], float("-inf"))
        nxt = torch.multinomial(F.softmax(logits, dim=-1), num_samples=1, generator=g)
        idx = torch.cat((idx, nxt), dim=1)
print(f"final loss {loss.item():.3f}")
print("generated", idx.shape[1])
print("keys", " ".join(sorted(model.state_dict().keys())))
