"""A PCA / whitening script written against PyTorch's names, run with Ember in torch's
place (`import autograd as torch`): PCA through torch.linalg.svd, ZCA whitening through
torch.linalg.eigh of the covariance, a least-squares fit on the components
(torch.linalg.lstsq, pinv), matrix_rank and a nuclear-norm penalty differentiated
through the SVD, then a linear classifier trained on the whitened data. Everything it
prints is invariant to the signs of singular vectors, so both libraries print the same."""
import sys

import numpy as np

if sys.argv[1] == "ember":
    import autograd as torch
else:
    import torch
nn = torch.nn

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(1)
N, D, K = 200, 6, 3
latent = rng.normal(size=(N, K)) * np.array([3.0, 2.0, 1.0])
mixing = rng.normal(size=(K, D))
data = latent @ mixing + 0.05 * rng.normal(size=(N, D)) + rng.normal(size=D)
labels = (latent[:, 0] + 0.5 * latent[:, 1] > 0).astype(np.int64)

X = torch.tensor(data)
mean = X.mean(0, keepdim=True)
Xc = X - mean
U, S, Vh = torch.linalg.svd(Xc, full_matrices=False)
explained = (S ** 2) / (S ** 2).sum()
print("explained", " ".join(f"{v:.8f}" for v in explained.tolist()))
print("rank", torch.linalg.matrix_rank(Xc, atol=1.0).item(), torch.linalg.matrix_rank(Xc).item())
Z = Xc @ Vh[:K].T  # the principal components
recon = Z @ Vh[:K] + mean
print(f"reconstruction error {(recon - X).pow(2).mean().item():.10e}")

cov = Xc.T @ Xc / (N - 1)
evals, evecs = torch.linalg.eigh(cov)
print("eigenvalues", " ".join(f"{v:.8e}" for v in evals.flip(0).tolist()))
zca = evecs @ torch.diag(1.0 / torch.sqrt(evals + 1e-5)) @ evecs.T
W = Xc @ zca
wcov = W.T @ W / (N - 1)
print(f"whitened covariance off identity {(wcov - torch.eye(D)).abs().max().item():.3e}")

# least squares on the components: coefficients of the first input feature
sol = torch.linalg.lstsq(Z, Xc[:, :1]).solution
fit = Z @ sol
print(f"lstsq residual {(fit - Xc[:, :1]).pow(2).sum().item():.10e}")
print(f"pinv agrees {(torch.linalg.pinv(Z) @ Xc[:, :1] - sol).abs().max().item() < 1e-8}")

# a nuclear-norm penalty differentiated through the SVD
A = Xc[:10].clone().requires_grad_(True)
torch.linalg.matrix_norm(A, "nuc").backward()
print(f"nuclear norm grad {A.grad.pow(2).sum().item():.10e}")

# a linear classifier on the whitened data
clf = nn.Linear(D, 2)
with torch.no_grad():
    clf.weight.zero_()
    clf.bias.zero_()
opt = torch.optim.SGD(clf.parameters(), lr=0.5)
y = torch.tensor(labels)
for step in range(40):
    loss = nn.functional.cross_entropy(clf(W), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 10 == 0:
        print(f"step {step} loss {loss.item():.10e}")
acc = (clf(W).argmax(1) == y).double().mean().item()
print(f"train acc {acc:.3f}")
