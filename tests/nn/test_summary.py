"""nn.utils.summary: per-layer parameter counts equal PyTorch's; shapes and saved bytes."""
import numpy as np
import torch

import autograd as ag
import nn


def _pairs():
    ours = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(4 * 4 * 4, 10))
    theirs = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(4 * 4 * 4, 10))
    return ours, theirs


def test_param_counts_match_torch_per_layer_and_total():
    ours, theirs = _pairs()
    s = nn.utils.summary(ours, ag.randn(2, 1, 8, 8))
    by_name = {r["name"]: r for r in s.rows}
    for name, m in theirs.named_modules():
        if name and not list(m.children()):
            assert by_name[name]["params"] == sum(p.numel() for p in m.parameters()), name
    assert s.total_params == sum(p.numel() for p in theirs.parameters())
    assert s.trainable_params == s.total_params


def test_rnn_and_nested_models_match_torch():
    ours = nn.Sequential(nn.Embedding(20, 8), nn.LSTM(8, 16, num_layers=2))
    theirs = torch.nn.Sequential(torch.nn.Embedding(20, 8), torch.nn.LSTM(8, 16, num_layers=2))
    s = nn.utils.summary(ours, ag.tensor(np.array([[1, 2, 3], [4, 5, 6]])))
    assert s.total_params == sum(p.numel() for p in theirs.parameters())
    assert [r["params"] for r in s.rows[1:]] == [
        sum(p.numel() for p in m.parameters()) for m in theirs]


def test_output_shapes_and_saved_bytes():
    ours, _ = _pairs()
    s = nn.utils.summary(ours, ag.randn(2, 1, 8, 8))
    shapes = [r["output_shape"] for r in s.rows]
    assert shapes == [[2, 10], [2, 4, 8, 8], [2, 4, 8, 8], [2, 4, 8, 8], [2, 4, 4, 4],
                      [2, 64], [2, 10]]
    relu = s.rows[3]
    assert relu["saved_bytes"] == 2 * 4 * 8 * 8 * 4  # its float32 output
    # a parent counts its whole subtree, each storage once: the model holds everything
    assert s.rows[0]["saved_bytes"] == s.saved_bytes
    assert s.rows[0]["own_saved_bytes"] == 0
    assert all(r["saved_bytes"] >= r["own_saved_bytes"] for r in s.rows)
    text = str(s)
    assert "Total params: 698" in text and "├─Conv2d: 1-1" in text


def test_dropout_mask_is_an_activation_and_parents_count_their_subtree():
    ag.manual_seed(0)
    inner = nn.Sequential(nn.Linear(8, 16), nn.Dropout(0.5))
    model = nn.Sequential(inner, nn.ReLU(), nn.Linear(16, 2))
    s = nn.utils.summary(model, ag.randn(4, 8))
    rows = {r["name"]: r for r in s.rows}
    mask = 4 * 16 * 4  # float32 keep-mask of the (4, 16) activation
    assert rows["0.1"]["saved_bytes"] == mask  # Dropout holds its mask, not "--"
    assert rows["0"]["own_saved_bytes"] == 0
    assert rows["0"]["saved_bytes"] == rows["0.0"]["saved_bytes"] + mask
    assert "Saved (subtree)" in str(s)
