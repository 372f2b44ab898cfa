"""A variational autoencoder written against PyTorch's names and nothing else (`import
torch`); run it with PyTorch, or unmodified on Ember with

    python -m autograd.as_torch --force tests/nn/programs/torch_style_vae.py

It uses torch.distributions the way VAE code does: the encoder returns a Normal, the
decoder an Independent(Bernoulli(logits=...)), the loss is -log_prob + kl_divergence, and
the latent sample is `rsample()` (reparameterised, so gradients reach the encoder).
Weights come from NumPy, so both libraries start from the same point. Phase 1 trains on
the posterior mean (deterministic: both print the same numbers); phase 2 checks the
reparameterised sample (its gradient with respect to loc is exactly one, its Monte-Carlo
moments match the Normal's); phase 3 trains with rsample (random: both must learn)."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Bernoulli, Independent, Normal, kl_divergence
from torch.utils.data import DataLoader, TensorDataset

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)
rng = np.random.default_rng(0)
N, D, H, Z = 128, 16, 24, 2

# binary 4x4 images: one horizontal or vertical bar each, with a little flip noise
images = np.zeros((N, 4, 4))
for i in range(N):
    k = i % 4
    if i % 8 < 4:
        images[i, k, :] = 1
    else:
        images[i, :, k] = 1
flip = rng.random(images.shape) < 0.03
images = np.abs(images - flip).reshape(N, D)


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(D, H), nn.Tanh())
        self.mu = nn.Linear(H, Z)
        self.logvar = nn.Linear(H, Z)
        self.dec = nn.Sequential(nn.Linear(Z, H), nn.Tanh(), nn.Linear(H, D))
        with torch.no_grad():
            for name, p in self.named_parameters():
                p.copy_(torch.tensor(0.3 * rng.normal(size=tuple(p.shape))))

    def encode(self, x):
        h = self.enc(x)
        return Normal(self.mu(h), torch.exp(0.5 * self.logvar(h)))

    def decode(self, z):
        return Independent(Bernoulli(logits=self.dec(z)), 1)

    def loss(self, x, z, q):
        prior = Normal(torch.zeros_like(q.loc), torch.ones_like(q.scale))
        kl = kl_divergence(q, prior).sum(-1)
        return (-self.decode(z).log_prob(x) + kl).mean(), kl.mean()


model = VAE()
x_all = torch.tensor(images)
loader = DataLoader(TensorDataset(x_all), batch_size=32, shuffle=False)
opt = torch.optim.Adam(model.parameters(), lr=0.02)

# phase 1: deterministic (z = the posterior mean)
for epoch in range(6):
    for (xb,) in loader:
        q = model.encode(xb)
        loss, kl = model.loss(xb, q.mean, q)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        q = model.encode(x_all)
        loss, kl = model.loss(x_all, q.mean, q)
    print(f"epoch {epoch} loss {loss.item():.10e} kl {kl.item():.10e}")
print("state", " ".join(model.state_dict().keys()))

# phase 2: the reparameterised sample
q = model.encode(x_all[:4])
loc = q.loc.detach().requires_grad_()
scale = q.scale.detach().requires_grad_()
z = Normal(loc, scale).rsample((4000,))
z.sum().backward()
print(f"rsample shape {tuple(z.shape)} dloc {loc.grad.mean().item() / 4000:.6f}")
mc_mean = (z.mean(0) - loc).abs().max().item() / scale.max().item()
mc_std = (z.std(0) / scale - 1).abs().max().item()
print(f"rsample moments ok {mc_mean < 0.1 and mc_std < 0.1}")
print(f"rsample log_prob {Normal(loc, scale).log_prob(loc).sum().item():.10e}")

# phase 3: train with rsample
for epoch in range(10):
    for (xb,) in loader:
        q = model.encode(xb)
        loss, kl = model.loss(xb, q.rsample(), q)
        opt.zero_grad()
        loss.backward()
        opt.step()
with torch.no_grad():
    q = model.encode(x_all)
    elbo = -model.loss(x_all, q.rsample((64,)), q)[0].item()
    recon = torch.sigmoid(model.dec(q.mean))
    bits = F.binary_cross_entropy(recon, x_all).item()
print(f"final elbo {elbo:.3f} bce {bits:.3f}")
