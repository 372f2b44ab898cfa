"""nn.utils.parametrize, nn.utils.parametrizations (weight_norm, spectral_norm) and the
legacy nn.utils.weight_norm / spectral_norm hooks vs PyTorch: state-dict keys, values and
gradients w.r.t. the originals, SGD training, register/remove round trips, errors."""
import copy
import warnings

import numpy as np
import pytest

import autograd as ag
import nn
from nn.utils import parametrizations as PZ
from nn.utils import parametrize as P
from tests.conftest import DEVICES, requires_torch, torch
from tests.nn.helpers import close

pytestmark = [requires_torch,
              pytest.mark.filterwarnings("ignore:`torch.nn.utils.weight_norm` is deprecated")]
TORCH_DTYPE = {np.float32: "float32", np.float64: "float64"}


# ------------------------------------------------------------------ custom parametrizations
def _symmetric_classes(lib):
    class Symmetric(lib.nn.Module if lib is torch else nn.Module):
        def forward(self, x):
            return x.triu() + x.triu(1).transpose(-1, -2)

        def right_inverse(self, a):
            return a.triu()

    class Scale(lib.nn.Module if lib is torch else nn.Module):
        def forward(self, x):
            return 2.0 * x

        def right_inverse(self, a):
            return a / 2.0

    class SumOfTwo(lib.nn.Module if lib is torch else nn.Module):
        # a tuple right_inverse: originals original0, original1
        def forward(self, a, b):
            return a + b

        def right_inverse(self, w):
            return w * 0.25, w * 0.75

    return Symmetric, Scale, SumOfTwo


def _register(lib, module, kind):
    """Apply one kind of parametrization with lib's own functions (ag or torch)."""
    symmetric, scale, sum_of_two = _symmetric_classes(lib)
    utils = torch.nn.utils if lib is torch else nn.utils
    if kind == "symmetric":
        utils.parametrize.register_parametrization(module, "weight", symmetric())
    elif kind == "chain":
        utils.parametrize.register_parametrization(module, "weight", symmetric())
        utils.parametrize.register_parametrization(module, "weight", scale())
        utils.parametrize.register_parametrization(module, "bias", scale())
    elif kind == "tuple":
        utils.parametrize.register_parametrization(module, "weight", sum_of_two())
    elif kind.startswith("weight_norm"):
        dim = {"weight_norm": 0, "weight_norm_dim1": 1, "weight_norm_none": None,
               "weight_norm_neg": -2}[kind]
        utils.parametrizations.weight_norm(module, dim=dim)
    elif kind == "spectral_norm":
        utils.parametrizations.spectral_norm(module, n_power_iterations=2)
    elif kind == "spectral_norm_dim1":
        utils.parametrizations.spectral_norm(module, dim=1)
    elif kind == "legacy_weight_norm":
        utils.weight_norm(module, dim=1)
    elif kind == "legacy_spectral_norm":
        utils.spectral_norm(module, n_power_iterations=2)
    return module


def _layers(lib, layer):
    mod = lib.nn if lib is torch else nn
    return {"linear": lambda: mod.Linear(4, 4), "conv": lambda: mod.Conv2d(2, 3, 3),
            "convt": lambda: mod.ConvTranspose2d(3, 2, 2)}[layer]()


CASES = [("symmetric", "linear"), ("chain", "linear"), ("tuple", "linear"),
         ("tuple", "conv"), ("weight_norm", "linear"), ("weight_norm", "conv"),
         ("weight_norm_dim1", "conv"), ("weight_norm_none", "conv"),
         ("weight_norm_neg", "conv"), ("spectral_norm", "linear"), ("spectral_norm", "conv"),
         ("spectral_norm", "convt"), ("spectral_norm_dim1", "conv"),
         ("legacy_weight_norm", "linear"), ("legacy_weight_norm", "conv"),
         ("legacy_spectral_norm", "linear"), ("legacy_spectral_norm", "convt")]
INPUT_SHAPE = {"linear": (5, 4), "conv": (2, 2, 5, 5), "convt": (2, 3, 3, 3)}


def _pair(kind, layer, dtype, device="cpu"):
    """The same parametrized layer in both libraries, torch's state dict loaded into ours."""
    torch.manual_seed(0)
    theirs = _layers(torch, layer).to(getattr(torch, TORCH_DTYPE[np.dtype(dtype).type]))
    _register(torch, theirs, kind)
    ours = _register(ag, _layers(ag, layer).to(dtype), kind)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours.to(device), theirs


def _case_id(case):
    return "-".join(case)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_state_dict_keys_equal_torch(case):
    torch.manual_seed(0)
    theirs = _register(torch, _layers(torch, case[1]), case[0])
    ours = _register(ag, _layers(ag, case[1]), case[0])
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert type(ours).__name__ == type(theirs).__name__


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_forward_and_grads_wrt_originals_match_torch(case, dtype, device):
    ours, theirs = _pair(*case, dtype, device)
    x = np.random.default_rng(1).standard_normal(INPUT_SHAPE[case[1]]).astype(dtype)
    for _ in range(2):  # twice: spectral norm's power iteration advances on each call
        out_o = ours(ag.tensor(x, device=device))
        out_t = theirs(torch.tensor(x))
        close(out_o, out_t, dtype, "output", device)
    g = np.random.default_rng(2).standard_normal(out_t.shape).astype(dtype)
    out_o.backward(ag.tensor(g, device=device))
    out_t.backward(torch.tensor(g))
    named_t = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        close(p.grad, named_t[name].grad, dtype, f"grad of {name}", device)
    buffers_t = dict(theirs.named_buffers())
    for name, buf in ours.named_buffers():  # spectral norm's u and v
        close(buf, buffers_t[name], dtype, name, device)
    close(ours.weight, theirs.weight, dtype, "weight", device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_sgd_training_matches_torch(case, device):
    ours, theirs = _pair(*case, np.float64, device)
    opt_o = nn.optim.SGD(ours.parameters(), lr=0.1, momentum=0.9)
    opt_t = torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9)
    rng = np.random.default_rng(3)
    for _ in range(3):
        x = rng.standard_normal(INPUT_SHAPE[case[1]])
        for model, opt, xin in ((ours, opt_o, ag.tensor(x, device=device)),
                                (theirs, opt_t, torch.tensor(x))):
            opt.zero_grad()
            (model(xin) ** 2).mean().backward()
            opt.step()
    state_t = theirs.state_dict()
    for key, value in ours.state_dict().items():
        close(value, state_t[key], np.float64, key, device)


@pytest.mark.parametrize("case", [("spectral_norm", "conv"), ("legacy_spectral_norm", "linear")],
                         ids=_case_id)
def test_spectral_norm_eval_mode_leaves_u_v_alone(case):
    ours, theirs = _pair(*case, np.float64)
    ours.eval()
    theirs.eval()
    before = {k: v.numpy().copy() for k, v in ours.state_dict().items()}
    x = np.random.default_rng(4).standard_normal(INPUT_SHAPE[case[1]])
    close(ours(ag.tensor(x)), theirs(torch.tensor(x)), np.float64, "eval output")
    for key, value in ours.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), before[key])


def test_spectral_norm_divides_by_the_top_singular_value():
    m = PZ.spectral_norm(nn.Linear(6, 5).double(), n_power_iterations=20)
    w = m.weight.detach().numpy()
    np.testing.assert_allclose(np.linalg.svd(w, compute_uv=False)[0], 1.0, rtol=1e-8)


def test_state_dict_moves_from_ours_back_to_torch():
    ours, _ = _pair("weight_norm", "conv", np.float64)
    ours.parametrizations.weight.original1.data = ag.randn(3, 2, 3, 3, dtype=ag.float64)
    theirs = torch.nn.utils.parametrizations.weight_norm(torch.nn.Conv2d(2, 3, 3).double())
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    close(ours.weight, theirs.weight, np.float64, "weight")


# ------------------------------------------------------------------ gradcheck
def test_weight_norm_and_spectral_norm_gradcheck():
    rng = np.random.default_rng(5)
    g = ag.tensor(rng.standard_normal((3, 1)) + 2, requires_grad=True)
    v = ag.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    wn = PZ._WeightNorm(0)
    assert ag.gradcheck(wn, (g, v))
    assert ag.gradgradcheck(wn, (g, v))
    sn = PZ._SpectralNorm(v.detach(), dim=0).eval()
    w = ag.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    assert ag.gradcheck(sn, (w,))
    assert ag.gradgradcheck(sn, (w,))


# ------------------------------------------------------------------ register / remove
def test_setting_the_parametrized_tensor_calls_right_inverse_as_torch():
    ours, theirs = _pair("chain", "linear", np.float64)
    a = np.random.default_rng(6).standard_normal((4, 4))
    a = a + a.T
    original = ours.parametrizations.weight.original
    ours.weight = ag.tensor(a)
    theirs.weight = torch.tensor(a)
    assert ours.parametrizations.weight.original is original  # identity kept (optimisers)
    close(ours.weight, theirs.weight, np.float64, "weight after set")
    np.testing.assert_allclose(ours.weight.detach().numpy(), a, rtol=1e-12)
    close(original, theirs.parametrizations.weight.original, np.float64, "original")


def test_tuple_right_inverse_set_and_remove():
    ours, theirs = _pair("weight_norm", "linear", np.float64)
    w = np.random.default_rng(7).standard_normal((4, 4))
    ours.weight = ag.tensor(w)
    theirs.weight = torch.tensor(w)
    np.testing.assert_allclose(ours.weight.detach().numpy(), w, rtol=1e-12)
    for key, value in theirs.state_dict().items():
        close(ours.state_dict()[key], value, np.float64, key)
    P.remove_parametrizations(ours, "weight")
    torch.nn.utils.parametrize.remove_parametrizations(theirs, "weight")
    assert type(ours) is nn.Linear and isinstance(ours.weight, nn.Parameter)
    assert ours.weight.requires_grad
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["bias", "weight"]
    close(ours.weight, theirs.weight, np.float64, "weight after remove")
    with pytest.raises(ValueError):
        P.remove_parametrizations(PZ.weight_norm(nn.Linear(2, 2)), "weight",
                                  leave_parametrized=False)


@pytest.mark.parametrize("leave_parametrized", [True, False])
def test_register_remove_round_trip(leave_parametrized):
    m = nn.Linear(4, 4).double()
    weight = m.weight
    w0 = weight.detach().numpy().copy()
    symmetric, scale, _ = _symmetric_classes(ag)
    P.register_parametrization(m, "weight", symmetric())
    P.register_parametrization(m, "weight", scale())
    assert type(m).__name__ == "ParametrizedLinear" and isinstance(m, nn.Linear)
    assert P.type_before_parametrizations(m) is nn.Linear
    assert P.is_parametrized(m) and P.is_parametrized(m, "weight")
    assert not P.is_parametrized(m, "bias")
    assert "weight" not in m._parameters and m.parametrizations.weight.original is weight
    expected = 2 * (np.triu(w0) + np.triu(w0, 1).T)
    np.testing.assert_allclose(m.weight.detach().numpy(), expected, rtol=1e-12)
    P.remove_parametrizations(m, "weight", leave_parametrized=leave_parametrized)
    assert type(m) is nn.Linear and not P.is_parametrized(m)
    assert "parametrizations" not in m._modules
    assert m.weight is weight  # the same Parameter object comes back
    np.testing.assert_allclose(m.weight.detach().numpy(),
                               expected if leave_parametrized else np.triu(w0), rtol=1e-12)
    assert list(m.state_dict()) == ["bias", "weight"]
    # the generated class went with it: a fresh Linear has no property
    assert isinstance(nn.Linear(2, 2).__dict__.get("_parameters")["weight"], nn.Parameter)


def test_parametrizing_one_instance_leaves_its_class_alone():
    a, b = nn.Linear(3, 3), nn.Linear(3, 3)
    PZ.weight_norm(a)
    assert type(b) is nn.Linear and isinstance(b.weight, nn.Parameter)
    assert "weight" in b._parameters


def test_buffer_can_be_parametrized():
    m = nn.Linear(3, 3)
    m.register_buffer("mask", ag.ones(3, 3))
    _, scale, _ = _symmetric_classes(ag)
    P.register_parametrization(m, "mask", scale())
    assert "parametrizations.mask.original" in m.state_dict()
    assert not isinstance(m.parametrizations.mask.original, nn.Parameter)
    # right_inverse halves the original, the forward doubles it back
    np.testing.assert_array_equal(m.parametrizations.mask.original.numpy(),
                                  np.full((3, 3), 0.5, np.float32))
    np.testing.assert_array_equal(m.mask.numpy(), np.ones((3, 3), np.float32))


def test_unsafe_allows_a_change_of_shape():
    class Flatten(nn.Module):
        def forward(self, x):
            return x.reshape(-1)

    m = nn.Linear(3, 2)
    with pytest.raises(ValueError):
        P.register_parametrization(m, "weight", Flatten())
    P.register_parametrization(m, "weight", Flatten(), unsafe=True)
    assert m.weight.shape == (6,) and m.parametrizations.weight.unsafe


def test_cached_evaluates_each_parametrization_once():
    calls = []

    class Counting(nn.Module):
        def forward(self, x):
            calls.append(1)
            return x * 1.0

    m = P.register_parametrization(nn.Linear(3, 3), "weight", Counting())
    calls.clear()
    with P.cached():
        first = m.weight
        with P.cached():
            assert m.weight is first
        assert m.weight is first
    assert len(calls) == 1
    assert m.weight is not first and len(calls) == 2


def test_parametrization_follows_training_mode_and_dtype_moves():
    m = nn.Linear(4, 3).eval()
    PZ.spectral_norm(m)
    assert not m.parametrizations.weight[0].training
    m.train().double()
    assert m.parametrizations.weight[0].training
    assert m.parametrizations.weight[0]._u.dtype == ag.float64
    assert m.weight.dtype == ag.float64


def test_deepcopy_of_parametrized_module_is_independent():
    m = PZ.weight_norm(nn.Linear(3, 3).double())
    c = copy.deepcopy(m)
    assert type(c) is type(m) and P.is_parametrized(c, "weight")
    close(c.weight, torch.tensor(m.weight.detach().numpy()), np.float64, "copy")
    with ag.no_grad():
        c.parametrizations.weight.original1.mul_(2.0)
    assert c.parametrizations.weight.original1 is not m.parametrizations.weight.original1
    np.testing.assert_allclose(c.weight.detach().numpy(), m.weight.detach().numpy(),
                               rtol=1e-12)  # scaling v leaves g * v / ||v|| unchanged


def test_transfer_parametrizations_and_params_matches_torch():
    ours, theirs = _pair("weight_norm", "linear", np.float64)
    to_o = P.transfer_parametrizations_and_params(ours, nn.Linear(4, 4).double())
    to_t = torch.nn.utils.parametrize.transfer_parametrizations_and_params(
        theirs, torch.nn.Linear(4, 4).double())
    assert list(to_o.state_dict()) == list(to_t.state_dict())
    close(to_o.weight, to_t.weight, np.float64, "transferred weight")


# ------------------------------------------------------------------ legacy hooks
def test_legacy_weight_norm_warns_and_round_trips():
    m = nn.Linear(3, 4).double()
    w0 = m.weight.detach().numpy().copy()
    with pytest.warns(FutureWarning, match="parametrizations.weight_norm"):
        nn.utils.weight_norm(m)
    assert list(m.state_dict()) == ["bias", "weight_g", "weight_v"]
    np.testing.assert_allclose(m.weight_g.detach().numpy(),
                               np.linalg.norm(w0, axis=1, keepdims=True), rtol=1e-12)
    with pytest.raises(RuntimeError):
        nn.utils.weight_norm(m)
    with ag.no_grad():
        m.weight_g.mul_(3.0)
    m(ag.ones(2, 3, dtype=ag.float64))  # the pre-hook recomputes weight
    np.testing.assert_allclose(m.weight.detach().numpy(), 3 * w0, rtol=1e-12)
    nn.utils.remove_weight_norm(m)
    assert list(m.state_dict()) == ["bias", "weight"] and not m._forward_pre_hooks
    assert isinstance(m.weight, nn.Parameter)
    np.testing.assert_allclose(m.weight.detach().numpy(), 3 * w0, rtol=1e-12)
    with pytest.raises(ValueError):
        nn.utils.remove_weight_norm(m)


def test_legacy_spectral_norm_round_trip():
    ours, theirs = _pair("legacy_spectral_norm", "linear", np.float64)
    x = np.ones((2, 4))
    ours(ag.tensor(x))
    theirs(torch.tensor(x))
    nn.utils.remove_spectral_norm(ours)
    torch.nn.utils.remove_spectral_norm(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["bias", "weight"]
    assert isinstance(ours.weight, nn.Parameter) and not ours._forward_pre_hooks
    close(ours.weight, theirs.weight, np.float64, "weight after remove")
    with pytest.raises(ValueError):
        nn.utils.remove_spectral_norm(ours)


# ------------------------------------------------------------------ errors as in torch
def _errors(lib):
    mod = torch.nn if lib is torch else nn
    utils = mod.utils

    class Shrink(mod.Module):
        def forward(self, x):
            return x[0]

    class NoInverse(mod.Module):
        def forward(self, x):
            return x

    class IntInverse(NoInverse):
        def right_inverse(self, x):
            return 3

    class ToFloat32(NoInverse):
        def right_inverse(self, x):
            return x.float()

    def set_without_inverse():
        m = utils.parametrize.register_parametrization(mod.Linear(2, 2), "weight",
                                                       NoInverse())
        m.weight = lib.zeros(2, 2)

    def twice(register):
        def run():
            m = mod.Linear(2, 2)
            register(m)
            register(m)
        return run

    reg = utils.parametrize.register_parametrization
    return {
        "not_a_module": lambda: reg(mod.Linear(2, 2), "weight", lambda x: x),
        "no_such_tensor": lambda: reg(mod.Linear(2, 2), "foo", NoInverse()),
        "shape_change": lambda: reg(mod.Linear(2, 3), "weight", Shrink()),
        "shape_change_chained": lambda: reg(reg(mod.Linear(2, 3), "weight", NoInverse()),
                                            "weight", Shrink()),
        "int_right_inverse": lambda: reg(mod.Linear(2, 2), "weight", IntInverse()),
        "int_right_inverse_chained": lambda: reg(reg(mod.Linear(2, 2), "weight",
                                                     NoInverse()), "weight", IntInverse()),
        "dtype_right_inverse": lambda: reg(mod.Linear(2, 2).double(), "weight", ToFloat32()),
        "set_without_inverse": set_without_inverse,
        "remove_unparametrized": lambda: utils.parametrize.remove_parametrizations(
            mod.Linear(2, 2), "weight"),
        "assign_parameter": lambda: setattr(
            utils.parametrizations.weight_norm(mod.Linear(2, 2)), "weight",
            mod.Parameter(lib.zeros(2, 2))),
        "spectral_zero_iterations": lambda: utils.parametrizations.spectral_norm(
            mod.Linear(2, 2), n_power_iterations=0),
        "spectral_bad_dim": lambda: utils.parametrizations.spectral_norm(mod.Linear(2, 2),
                                                                         dim=2),
        "spectral_no_name": lambda: utils.parametrizations.spectral_norm(mod.Linear(2, 2),
                                                                         name="foo"),
        "legacy_weight_norm_twice": twice(utils.weight_norm),
        "legacy_spectral_norm_twice": twice(utils.spectral_norm),
        "legacy_spectral_zero_iterations": lambda: utils.spectral_norm(
            mod.Linear(2, 2), n_power_iterations=0),
        "legacy_weight_norm_no_name": lambda: utils.weight_norm(mod.Linear(2, 2), name="foo"),
        "legacy_spectral_no_name": lambda: utils.spectral_norm(mod.Linear(2, 2), name="foo"),
    }


@pytest.mark.parametrize("name", list(_errors(torch)))
def test_errors_have_torch_types(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with pytest.raises(Exception) as theirs:
            _errors(torch)[name]()
        with pytest.raises(type(theirs.value)):
            _errors(ag)[name]()
