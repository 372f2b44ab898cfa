"""Every teaching example runs with --quick into a temporary folder, writes its PNGs, and
the effect it teaches holds in that short run."""
import importlib
import math
import os
import sys

import pytest

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "examples")
sys.path.insert(0, EXAMPLES)

pytest.importorskip("matplotlib")
pytest.importorskip("sklearn")


def run(name, tmp_path):
    module = importlib.import_module(name)
    out = tmp_path / name
    result = module.main(["--quick", "--no-progress", "--out", str(out)])
    assert result["pngs"]
    for png in result["pngs"]:
        assert os.path.dirname(png) == str(out)
        with open(png, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
        assert os.path.getsize(png) > 10_000
    return result


def test_sine_approximation_wider_fits_better(tmp_path):
    r = run("sine_approximation", tmp_path)
    err = r["max_error"]
    assert err[64] < err[8] < err[2]
    assert err[64] < 0.1
    assert r["final_loss"][64] < r["final_loss"][2] / 100


def test_initialisation_symmetry_vanishing_and_healthy(tmp_path):
    runs = run("initialisation", tmp_path)["runs"]
    chance = math.log(10)
    for act, good in (("tanh", "Xavier"), ("ReLU", "He")):
        zeros, small, healthy = runs[f"{act}/zeros"], runs[f"{act}/normal(0, 0.01)"], \
            runs[f"{act}/{good}"]
        assert zeros["unit_spread"] == 0.0                     # symmetry never broken
        assert zeros["final_loss"] > 0.9 * chance
        assert small["act_std"][-1] < 1e-8                     # the signal vanished
        assert small["grad_std"][0] < 1e-8 * healthy["grad_std"][0]
        assert small["final_loss"] > 0.9 * chance
        assert healthy["final_loss"] < 0.3 and healthy["val_acc"] > 0.85
    assert runs["ReLU/He"]["final_loss"] < runs["ReLU/zeros"]["final_loss"] / 5


def test_transfer_learning_frozen_weights_and_gain(tmp_path):
    r = run("transfer_learning", tmp_path)
    assert r["frozen_equal"] is True
    for moved in r["moved"].values():
        assert moved["transfer"]["features.0.weight"] == 0.0
        assert moved["transfer"]["features.3.weight"] == 0.0
        assert moved["transfer"]["head.weight"] > 0.0
        assert moved["scratch"]["features.0.weight"] > 0.0
    assert r["source_acc"] > 0.9
    transfer = sum(r["transfer_acc"].values())
    scratch = sum(r["scratch_acc"].values())
    assert transfer > scratch


def test_overfitting_regularisation_narrows_the_gap(tmp_path):
    runs = run("overfitting", tmp_path)["runs"]
    base = runs["no regularisation"]
    assert base["train_loss"] < 0.5 * 0.3 ** 2 < base["val_loss"]   # fits the noise
    for name in ("dropout 0.5", "weight decay (AdamW)", "early stopping"):
        assert runs[name]["gap"] < 0.8 * base["gap"], name
    assert runs["early stopping"]["val_loss"] <= base["val_loss"]


def test_exploding_gradients_clipping_and_batchnorm(tmp_path):
    runs = run("exploding_gradients", tmp_path)["runs"]
    plain = runs["no clipping"]
    clipped = runs["clip_grad_norm_(max_norm=1)"]
    bn = runs["batch normalisation"]
    assert plain["diverged"]
    assert not clipped["diverged"] and not bn["diverged"]
    assert clipped["max_applied_norm"] <= 1.0 + 1e-6
    assert clipped["final_loss"] < clipped["first_loss"]
    assert bn["max_applied_norm"] < 1e3 and bn["final_loss"] < 0.5 * bn["first_loss"]


def test_losses_huber_robust_and_ce_equals_bce(tmp_path):
    r = run("losses", tmp_path)
    assert r["inlier_error"]["Huber (delta=1)"] < 0.5 * r["inlier_error"]["MSE"]
    w, b = r["fits"]["Huber (delta=1)"]
    assert abs(w - 2.0) < 0.2 and abs(b - 1.0) < 1.0
    accs = list(r["accuracy"].values())
    assert min(accs) > 0.85 and abs(accs[0] - accs[1]) < 0.05
    assert r["identity_gap"] < 1e-12


def test_memory_and_speed_prints_ledger_profile_report_and_checkpoint_saving(capsys, tmp_path):
    module = importlib.import_module("memory_and_speed")
    r = module.main(["--quick", "--no-progress", "--out", str(tmp_path)])
    text = capsys.readouterr().out
    assert r["report"] == str(tmp_path / "report.txt")
    written = (tmp_path / "report.txt").read_text(encoding="utf-8")
    assert "checkpoint(features)" in written and "Layer (type:depth-idx)" in written
    assert "epoch" in text and "train accuracy" in text   # the lines while training
    for heading in ("Layer (type:depth-idx)", "memory held for backward", "top ops",
                    "by module", "gradients at the last step", "checkpoint(features)"):
        assert heading in text, heading
    assert r["measured_saving"] == r["predicted_saving"] > 0.9 * r["ledger"].activation_bytes
    assert r["profile"].ops["conv2dfn"]["calls"] > 0
    assert {"features.conv1", "features.conv2", "head.1"} <= set(r["profile"].by_module)
    assert r["monitor"].steps == 10  # one record per --quick step
    assert not any(r["monitor"].flags().values())  # a healthy small CNN
