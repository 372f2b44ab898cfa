"""The CNN and Transformer examples, run briefly (--quick): each trains, learns something
real in that short run, and writes its pictures."""
import os
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "examples"))

pytest.importorskip("matplotlib")


def _pngs_ok(result, out):
    assert result["pngs"]
    for png in result["pngs"]:
        assert os.path.dirname(png) == str(out)
        with open(png, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_digits_cnn_quick_run_learns_and_saves(tmp_path):
    pytest.importorskip("sklearn")
    import digits_cnn

    import nn
    r = digits_cnn.main(["--quick", "--no-progress", "--out", str(tmp_path)])
    assert r["test_accuracy"] > 0.9          # three epochs; a full run reaches >= 0.98
    assert r["history"]["train"][-1] < r["history"]["train"][0] / 3
    _pngs_ok(r, tmp_path)
    state = nn.utils.load(r["checkpoint"])
    assert "0.weight" in state and "1.running_mean" in state


def test_digits_cnn_shift_moves_images_by_at_most_one_pixel():
    import digits_cnn
    rng = np.random.default_rng(0)
    x = np.zeros((50, 1, 8, 8), np.float32)
    x[:, 0, 4, 4] = 1.0
    moved = digits_cnn.shift(x, rng)
    assert moved.shape == x.shape and moved.sum() == 50
    rows, cols = np.nonzero(moved[:, 0].sum(0))
    assert set(rows) <= {3, 4, 5} and set(cols) <= {3, 4, 5} and len(rows) > 1


def test_char_transformer_quick_run_beats_unigram_and_samples(tmp_path):
    import char_transformer
    r = char_transformer.main(["--quick", "--no-progress", "--out", str(tmp_path),
                               "--sample-length", "50"])
    val = r["history"]["val"]
    assert val[-1] < r["unigram_bits"]      # already uses context after 40 steps
    assert val[-1] < val[0]
    assert r["sample"].startswith("def ") and len(r["sample"]) == 54
    assert set(r["sample"]) <= set(r["vocab"])
    _pngs_ok(r, tmp_path)
    assert (tmp_path / "sample.txt").read_text(encoding="utf-8") == r["sample"]


def test_char_transformer_is_causal():
    """Changing a later character never changes the predictions for earlier positions."""
    import char_transformer

    import autograd as ag
    ag.manual_seed(0)
    model = char_transformer.CharTransformer(10, 16, d_model=16, nhead=2, layers=1)
    model.eval()
    a = np.random.default_rng(0).integers(0, 10, (1, 12))
    b = a.copy()
    b[0, 7] = (b[0, 7] + 1) % 10
    with ag.no_grad():
        la, lb = model(ag.tensor(a)).numpy(), model(ag.tensor(b)).numpy()
    np.testing.assert_allclose(la[0, :7], lb[0, :7], rtol=1e-5, atol=1e-6)
    assert not np.allclose(la[0, 7:], lb[0, 7:])
