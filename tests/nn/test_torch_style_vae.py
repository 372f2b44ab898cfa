"""The VAE script of tests/nn/programs/torch_style_vae.py, written with `import torch` only,
runs unmodified through `python -m autograd.as_torch` and prints what PyTorch prints."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import requires_torch

pytestmark = requires_torch
ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "nn" / "programs" / "torch_style_vae.py"


def _run(cmd, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300, cwd=cwd)
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout.splitlines()


def _numbers_close(a, b, rtol):
    wa, wb = a.split(), b.split()
    assert len(wa) == len(wb), (a, b)
    for x, y in zip(wa, wb):
        try:
            fx, fy = float(x), float(y)
        except ValueError:
            assert x == y, (a, b)
            continue
        assert abs(fx - fy) <= rtol * max(abs(fy), 1e-12), (a, b)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("vae")  # away from the repository: `import torch` is real
    ember = _run([sys.executable, "-m", "autograd.as_torch", "--force", str(SCRIPT)], cwd)
    theirs = _run([sys.executable, str(SCRIPT)], cwd)
    return ember, theirs


def test_deterministic_phase_and_rsample_checks_match(outputs):
    ember, theirs = outputs
    assert len(ember) == len(theirs) == 11
    for a, b in zip(ember[:10], theirs[:10]):  # phases 1 and 2
        _numbers_close(a, b, 1e-7)
    assert ember[7] == "rsample shape (4000, 4, 2) dloc 1.000000"
    assert ember[8] == "rsample moments ok True"


def test_rsample_training_learns_on_both(outputs):
    first = float(outputs[1][0].split("loss ")[1].split()[0])
    elbos = [float(out[-1].split("elbo ")[1].split()[0]) for out in outputs]
    bces = [float(out[-1].split("bce ")[1]) for out in outputs]
    for elbo in elbos:
        assert elbo > -first + 0.5  # better than the untrained model's loss
    # different random streams: the same quality, not the same digits
    assert abs(elbos[0] - elbos[1]) < 0.5 and abs(bces[0] - bces[1]) < 0.05
