"""Shared test helpers: seeding, the CUDA marker, torch availability."""
import numpy as np
import pytest

import autograd as ag

try:
    import torch
except ImportError:  # parity tests skip without torch
    torch = None

requires_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
requires_cuda = pytest.mark.skipif(not ag.cuda.is_available(), reason="needs CuPy and a GPU")
DEVICES = ["cpu", pytest.param("cuda", marks=[pytest.mark.cuda, requires_cuda])]


@pytest.fixture(autouse=True)
def _seed():
    np.random.seed(0)
    ag.manual_seed(0)
    if torch is not None:
        torch.manual_seed(0)
    yield
