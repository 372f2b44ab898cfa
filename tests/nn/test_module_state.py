"""Module's state-dict family (extra state, the four state-dict hooks), set_submodule,
to_empty, bfloat16 and compile, side by side with PyTorch."""
import pytest
import torch

import autograd as ag
import nn


def _pair(lib):
    class WithExtra(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = lib.nn.Linear(2, 3)
            self.counter = 0

        def get_extra_state(self):
            return {"counter": self.counter}

        def set_extra_state(self, state):
            self.counter = state["counter"]
    return WithExtra


@pytest.mark.parametrize("lib", ["ember", "torch"])
def test_extra_state_round_trip_and_keys(lib):
    L = torch if lib == "torch" else type("L", (), {"nn": nn})
    cls = _pair(L)
    outer = L.nn.Sequential(cls(), L.nn.ReLU())
    outer[0].counter = 7
    sd = outer.state_dict()
    assert list(sd) == ["0._extra_state", "0.lin.weight", "0.lin.bias"]
    fresh = L.nn.Sequential(cls(), L.nn.ReLU())
    fresh.load_state_dict(sd)
    assert fresh[0].counter == 7
    del sd["0._extra_state"]
    with pytest.raises(RuntimeError, match="Missing key.*0._extra_state"):
        fresh.load_state_dict(sd)
    plain = L.nn.Linear(2, 3)
    res = plain.load_state_dict({**plain.state_dict(), "_extra_state": 1}, strict=False)
    assert res.unexpected_keys == ["_extra_state"]
    with pytest.raises(RuntimeError):
        L.nn.Linear(2, 2).get_extra_state()


@pytest.mark.parametrize("lib", ["ember", "torch"])
def test_state_dict_hooks_order_and_effects(lib):
    L = torch if lib == "torch" else ag
    N = torch.nn if lib == "torch" else nn
    model = N.Sequential(N.Linear(2, 2), N.Linear(2, 1))
    calls = []
    model.register_state_dict_pre_hook(lambda m, prefix, keep: calls.append(("pre", prefix)))
    model[1].register_state_dict_pre_hook(lambda m, prefix, keep: calls.append(("pre", prefix)))

    def post(m, sd, prefix, meta):
        calls.append(("post", prefix, meta["version"]))
        sd[prefix + "note"] = L.ones(1)
    model[0].register_state_dict_post_hook(post)
    sd = model.state_dict()
    assert calls == [("pre", ""), ("post", "0.", 1), ("pre", "1.")]
    assert "0.note" in sd
    h = model[0].register_state_dict_post_hook(lambda *a: {})
    with pytest.raises(RuntimeError, match="must return None"):
        model.state_dict()
    h.remove()

    # load hooks: the pre-hook renames keys (in a copy), the post-hook clears unexpected
    target = N.Sequential(N.Linear(2, 2), N.Linear(2, 1))

    def rename(m, sd, prefix, meta, strict, missing, unexpected, errors):
        for k in [k for k in sd if k.startswith(prefix + "old_")]:
            sd[prefix + k[len(prefix) + 4:]] = sd.pop(k)
    target[1].register_load_state_dict_pre_hook(rename)
    seen = []

    def post_load(m, keys):
        seen.append(list(keys.unexpected_keys))
        keys.unexpected_keys.clear()
    target.register_load_state_dict_post_hook(post_load)
    given = {k.replace("1.", "1.old_"): v for k, v in model.state_dict().items()}
    res = target.load_state_dict(given)
    assert seen == [["0.note"]] and res.unexpected_keys == []
    assert "1.old_weight" in given  # the caller's dict is untouched
    assert (target[1].weight.detach().numpy() == model[1].weight.detach().numpy()).all()
    target.register_load_state_dict_post_hook(lambda m, keys: 1)
    with pytest.raises(AssertionError):
        target.load_state_dict(given)


@pytest.mark.parametrize("lib", ["ember", "torch"])
def test_set_submodule(lib):
    N = torch.nn if lib == "torch" else nn
    m = N.Sequential(N.Sequential(N.Linear(2, 2)), N.ReLU())
    m.set_submodule("0.0", N.Tanh())
    assert isinstance(m[0][0], N.Tanh)
    m.set_submodule("0.extra", N.ReLU())
    assert isinstance(m[0].extra, N.ReLU)
    with pytest.raises(AttributeError):
        m.set_submodule("0.missing", N.ReLU(), strict=True)
    with pytest.raises(ValueError):
        m.set_submodule("", N.ReLU())
    with pytest.raises(ValueError):
        m.set_submodule("1", 3)
    m.training_flag = 3
    with pytest.raises(AttributeError):
        m.set_submodule("training_flag", N.ReLU())


def test_to_empty_bfloat16_and_compile_in_place():
    m = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    w = m[0].weight
    m.to_empty(device="cpu")
    assert m[0].weight is w and w.shape == (2, 3)
    m2 = nn.Linear(3, 2).bfloat16()
    assert m2.weight.dtype == ag.bfloat16
    lin = nn.Linear(3, 2)
    x = ag.randn(4, 3)
    ref = lin(x).detach().numpy()
    assert lin.compile() is None
    for _ in range(3):  # the third call replays the capture
        out = lin(x)
    assert (out.detach().numpy() == ref).all()
    out.sum().backward()
    assert lin.weight.grad is not None
