"""Python's protocols on tensors as PyTorch answers them: format(), == None, the
augmented assignments (in place, through views), Size arithmetic, and a quotient
changed in place before backward."""
import numpy as np
import pytest

import autograd as ag
from tests.conftest import requires_torch, torch


def test_format_of_a_0d_tensor_is_its_number():
    loss = (ag.tensor([1.0, 2.0], requires_grad=True) * 2).sum()
    assert f"loss={loss}" == "loss=6.0" and f"{loss:.3f}" == "6.000"
    assert "{}".format(ag.tensor(7)) == "7" and f"{ag.tensor(True)}" == "True"
    x = ag.tensor([1.5, 2.0])
    assert f"{x}" == repr(x) == "tensor([1.5000, 2.0000])"
    with pytest.raises(TypeError, match="unsupported format string"):
        f"{x:.2f}"
    p = ag.Parameter(ag.tensor(1.0))  # a subclass formats as its repr, as in PyTorch
    assert f"{p}" == repr(p)


@requires_torch
def test_format_matches_torch():
    for make in (lambda L: L.tensor(2.25), lambda L: L.tensor(3), lambda L: L.tensor([1.0])):
        assert f"{make(ag)}" == f"{make(torch)}"
    assert "{:>8}".format(ag.tensor(2.5)) == "{:>8}".format(torch.tensor(2.5))
    assert f"{ag.nn.Parameter(ag.tensor(1.0))}" == f"{torch.nn.Parameter(torch.tensor(1.0))}"


def test_comparison_with_none_or_a_string_is_python_equality():
    x = ag.tensor([1.0, 2.0])
    assert (x == None) is False and (x != None) is True  # noqa: E711
    assert (x == "a") is False and (x != "a") is True
    assert x not in [None, "a"]
    with pytest.raises(TypeError):
        x < None  # noqa: B015


@pytest.mark.parametrize("op, dtype, want", [
    ("//=", "int64", [[1, 2], [7, 9]]), ("%=", "int64", [[1, 1], [7, 9]]),
    ("&=", "int64", [[2, 0], [7, 9]]), ("|=", "int64", [[3, 7], [7, 9]]),
    ("^=", "int64", [[1, 7], [7, 9]])])
def test_augmented_assignments_write_through_views(op, dtype, want):
    t = ag.tensor([[3, 5], [7, 9]], dtype=getattr(ag, dtype))
    r = t[0]
    ns = {"r": r}
    exec(f"r {op} 2", ns)
    assert ns["r"] is r  # the same tensor, changed in place
    assert t.tolist() == want


def test_size_plus_tuple_is_a_size():
    s = ag.ones(2, 3).shape
    assert type(s + (4,)) is ag.Size and s + (4,) == (2, 3, 4)
    assert type((1,) + s) is ag.Size and (1,) + s == (1, 2, 3)
    assert repr(s + (4,)) == "torch.Size([2, 3, 4])"
    with pytest.raises(TypeError):
        s + [4]


def test_quotient_changed_in_place_before_backward():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    b = ag.tensor([4.0, 8.0], requires_grad=True)
    y = a / b
    y += 1  # division keeps its operands, not its output (PyTorch allows this)
    y.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [0.25, 0.125])
    np.testing.assert_allclose(b.grad.numpy(), [-1 / 16, -2 / 64])
    e = ag.tensor([1.0, 3.0], requires_grad=True).exp()
    p = e / e.sum()
    p.clamp_(min=1e-6)
    p[0].backward()
    with pytest.raises(RuntimeError, match="inplace|in-place|version"):
        x = ag.tensor([1.0, 2.0], requires_grad=True) * 1
        z = x / ag.tensor([2.0, 4.0], requires_grad=True)
        x.add_(1)  # the dividend the backward reads
        z.sum().backward()


def test_division_gradients_gradcheck():
    rng = np.random.default_rng(0)
    a = ag.tensor(rng.standard_normal(4), dtype=ag.float64, requires_grad=True)
    b = ag.tensor(rng.uniform(1, 2, 4), dtype=ag.float64, requires_grad=True)
    assert ag.gradcheck(lambda a, b: a / b, (a, b))
    assert ag.gradgradcheck(lambda a, b: a / b, (a, b))
    assert ag.gradcheck(lambda b: 3.0 / b, (b,))


def test_torch_version_under_as_torch(tmp_path):
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    script = tmp_path / "v.py"
    script.write_text("import torch\nprint(torch.__version__)\n")
    run = subprocess.run([sys.executable, "-m", "autograd.as_torch", "--force", str(script)],
                         capture_output=True, text=True, cwd=root, timeout=120,
                         env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr[-2000:]
    version = run.stdout.strip()
    assert version.startswith("2.13.0+ember") and version.split("+ember")[1] == ag.__version__


def test_variable_makes_a_leaf_on_the_same_memory():
    from autograd.variable import Variable
    a = ag.ones(2)
    v = Variable(a, requires_grad=True)
    assert v is not a and v.requires_grad and v.is_leaf and isinstance(a, Variable)
    v.data[0] = 5.0
    assert a[0].item() == 5.0  # shares a's memory
    b = ag.ones(2, requires_grad=True) * 2
    w = Variable(b)
    assert not w.requires_grad and w.grad_fn is None
    with pytest.raises(TypeError, match="Variable data has to be a tensor"):
        Variable(3)
    with pytest.warns(UserWarning, match="volatile"):
        Variable(a, volatile=True)


def test_legacy_autograd_imports_under_as_torch(tmp_path):
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    script = tmp_path / "v.py"
    script.write_text(
        "import torch\n"
        "from torch.autograd import Variable\n"
        "from torch.autograd.function import Function, once_differentiable\n"
        "class Twice(Function):\n"
        "    @staticmethod\n"
        "    def forward(ctx, a):\n"
        "        return a * 2\n"
        "    @staticmethod\n"
        "    @once_differentiable\n"
        "    def backward(ctx, g):\n"
        "        return g * 2\n"
        "x = Variable(torch.ones(2), requires_grad=True)\n"
        "Twice.apply(x).sum().backward()\n"
        "print(x.grad.tolist(), isinstance(x, Variable))\n")
    run = subprocess.run([sys.executable, "-m", "autograd.as_torch", "--force", str(script)],
                         capture_output=True, text=True, cwd=root, timeout=120,
                         env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "[2.0, 2.0] True"


def _printed(L):
    x = L.tensor([[1.0, 3.0], [2.0, 0.5]])
    return [repr(x.max(0)), str(x.min(1)), repr(x.sort(1)), repr(x.topk(1)),
            repr(L.linalg.slogdet(x)), repr(x.aminmax()), repr(L.nn.Parameter(L.ones(2))),
            str(L.nn.Parameter(L.ones(2)))]


@requires_torch
def test_named_results_and_parameters_print_as_torch():
    for ours, theirs in zip(_printed(ag), _printed(torch)):
        assert ours == theirs


def test_named_results_are_tuples_with_fields():
    r = ag.tensor([[1.0, 3.0], [2.0, 0.5]]).max(0)
    values, indices = r
    assert r.values is values and r.indices is indices and isinstance(r, tuple)
    assert type(r) is type(ag.ones(2, 2).max(1))  # one class per name
    assert repr(r).startswith("torch.return_types.max(\nvalues=")


def test_legacy_tensor_types():
    t = ag.ones(2)
    assert isinstance(t, ag.FloatTensor) and not isinstance(t.long(), ag.FloatTensor)
    assert isinstance(t.long(), ag.LongTensor) and not isinstance(3, ag.LongTensor)
    assert t.type(ag.LongTensor).dtype == ag.int64 and t.type("torch.DoubleTensor").dtype == \
        ag.float64
    assert ag.FloatTensor(2, 3).shape == (2, 3) and ag.LongTensor([1, 2]).tolist() == [1, 2]


def test_copy_shares_memory_and_numpy_under_no_grad():
    import copy
    t = ag.ones(2, requires_grad=True)
    c = copy.copy(t)
    assert c is not t and c.requires_grad and c.is_leaf
    with ag.no_grad():
        c[0] = 5.0
        assert t.numpy().tolist() == [5.0, 1.0]  # no_grad: numpy() of a grad tensor is fine
    with pytest.raises(RuntimeError, match="requires grad"):
        t.numpy()
    y = t * 2
    assert copy.copy(y).grad_fn is None
    p = ag.nn.Parameter(ag.ones(2)) if hasattr(ag, "nn") else None
    if p is not None:
        assert type(copy.copy(p)) is type(p)
