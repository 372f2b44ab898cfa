"""Every example's command line: --quick, --out, --seed and --no-progress everywhere, and
the two examples whose quick runs are not tested elsewhere (digits_ddp as a world of one
process; vanishing_gradients runs in tests/autograd/test_viz.py)."""
import importlib
import os
import sys

import pytest

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "examples")
sys.path.insert(0, EXAMPLES)
NAMES = sorted(f[:-3] for f in os.listdir(EXAMPLES) if f.endswith(".py") and f[0] != "_")

pytest.importorskip("sklearn")


def test_the_examples_are_all_here():
    assert len(NAMES) == 13 and {"digits_ddp", "memory_and_speed", "onnx_export"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_every_example_takes_quick_out_seed_no_progress(name, capsys):
    module = importlib.import_module(name)
    with pytest.raises(SystemExit) as exit_:
        module.main(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    for option in ("--quick", "--out", "--seed", "--no-progress"):
        assert option in text, (name, option)


def test_digits_ddp_quick_run_as_one_process(tmp_path, capsys):
    import digits_ddp

    import nn.parallel as dist
    acc = digits_ddp.main(["--quick", "--no-progress", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    lines = [ln for ln in out.splitlines() if ln.startswith("epoch ")]
    assert len(lines) == 3 and all("train loss" in ln and ln.endswith(" s") for ln in lines)
    assert "trained 3 epochs on 1 rank(s)" in out
    assert acc > 0.85 and (tmp_path / "model.safetensors").stat().st_size > 0
    assert not dist.is_initialized()
