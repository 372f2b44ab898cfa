"""A spectral regression script written against PyTorch's names, run with Ember in
torch's place (`import autograd as torch`): FFT features (rfft magnitudes), a learnable
complex filter on the low modes (torch.complex, complex products, irfft back), fftfreq
and fftshift for reporting, Adam on float64. Weights come from NumPy so both libraries
start from the same point and should print the same numbers."""
import sys

import numpy as np

if sys.argv[1] == "ember":
    import autograd as torch
else:
    import torch
nn = torch.nn

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(0)
N, T, MODES = 48, 32, 6
t = np.arange(T)
freqs = rng.integers(1, 6, N)
amps = rng.uniform(0.5, 2.0, N)
phase = rng.uniform(0, 2 * np.pi, (N, 1))
signals = amps[:, None] * np.sin(2 * np.pi * freqs[:, None] * t / T + phase)
signals += 0.1 * rng.normal(size=(N, T))
target = amps * freqs / 5.0


class SpectralNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.w_re = nn.Parameter(torch.tensor(1.0 + 0.1 * rng.normal(size=MODES)))
        self.w_im = nn.Parameter(torch.tensor(0.1 * rng.normal(size=MODES)))
        self.head = nn.Linear(T // 2 + 1, 1)
        with torch.no_grad():
            self.head.weight.copy_(torch.tensor(0.1 * rng.normal(size=(1, T // 2 + 1))))
            self.head.bias.zero_()

    def forward(self, x):
        spec = torch.fft.rfft(x, norm="ortho")
        w = torch.complex(self.w_re, self.w_im)
        low = spec[:, :MODES] * w  # a learnable filter on the lowest modes
        smooth = torch.fft.irfft(low, n=x.shape[-1], norm="ortho")
        feats = torch.fft.rfft(smooth + 0.5 * x).abs()
        return self.head(feats).squeeze(-1)


model = SpectralNet()
opt = torch.optim.Adam(model.parameters(), lr=0.02)
x, y = torch.tensor(signals), torch.tensor(target)
for step in range(30):
    loss = nn.functional.mse_loss(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 5 == 0:
        print(f"step {step} loss {loss.item():.10e}")
with torch.no_grad():
    power = torch.fft.fftshift(torch.fft.fft(x).abs().pow(2).mean(0))
    f = torch.fft.fftshift(torch.fft.fftfreq(T, d=1.0 / T))
    peak = f[power.argmax()].abs().item()
    energy = torch.fft.fft2(x, norm="ortho").abs().pow(2).sum().item()
print(f"peak frequency {peak:.1f}")
print(f"parseval {energy:.10e} {x.pow(2).sum().item():.10e}")
print("filter", " ".join(f"{v:.8e}" for v in torch.view_as_real(
    torch.complex(model.w_re, model.w_im)).flatten().tolist()))
print(f"final loss {nn.functional.mse_loss(model(x), y).item():.10e}")
