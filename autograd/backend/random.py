"""Random numbers: torch.Generator's idea (one seed, one stream per device type, made by
that device type on first use), the default generator and torch's seeding calls."""
from __future__ import annotations

import numpy as np

from .devices import module_owner

_DEFAULT_SEED = 67280421310721  # torch.Generator()'s initial seed


class Generator:
    """Same as torch.Generator(device='cpu'): one seeded stream per device type, seeded
    with PyTorch's default seed until manual_seed/seed. (An int in place of the device
    is taken as the seed: Ember's shorthand, Generator(7).)"""

    def __init__(self, device="cpu", seed: int | None = None):
        if isinstance(device, int) and not isinstance(device, bool):
            device, seed = "cpu", device
        self.device = device
        self.manual_seed(_DEFAULT_SEED if seed is None else seed)

    def seed(self) -> int:
        """Reseed from fresh entropy; returns the new seed (torch.Generator.seed)."""
        return self.manual_seed(np.random.SeedSequence().entropy % (2**63)).initial_seed()

    def manual_seed(self, seed: int) -> "Generator":
        seed = int(seed) % (2**64)  # a negative seed wraps, as PyTorch takes it
        self._seed = seed
        self._np = np.random.default_rng(seed)
        self._streams = {np: self._np}  # array module -> its stream
        return self

    def initial_seed(self) -> int:
        return self._seed

    def for_module(self, xp):
        stream = self._streams.get(xp)
        if stream is None:
            stream = self._streams[xp] = module_owner(xp).rng(self._seed)
        return stream

    def get_state(self):
        return {"seed": self._seed, "np": self._np.bit_generator.state}

    def set_state(self, state) -> None:
        self._seed = state["seed"]
        self._np.bit_generator.state = state["np"]


default_generator = Generator(0)


def manual_seed(seed: int) -> Generator:
    """Same as torch.manual_seed: reseeds the default generator on every device."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Same as torch.seed: reseed the default generator from fresh entropy; returns it."""
    return default_generator.manual_seed(
        np.random.SeedSequence().entropy % (2**63)).initial_seed()


def initial_seed() -> int:
    """Same as torch.initial_seed: the default generator's seed."""
    return default_generator.initial_seed()


def rng(xp, generator: Generator | None = None):
    return (generator or default_generator).for_module(xp)


def permutation(xp, n: int, generator: Generator | None = None):
    """A random permutation of range(n) from the generator's stream for `xp`."""
    return module_owner(xp).permutation(rng(xp, generator), n)


def seed_numpy_global(words) -> None:
    """Seed NumPy's global generator (np.random.*), as torch does in DataLoader workers."""
    np.random.seed(words)
