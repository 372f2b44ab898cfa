"""Checks on data (indices in range, probabilities in [0, 1], ...) without host round-trips
on the GPU: backend.check raises at once on the CPU (the messages of every converted check
are pinned here) and, on the GPU, at the next synchronisation (.item(), .cpu(),
autograd.cuda.synchronize()), the op staying in bounds meanwhile. A static guard keeps new
read-backs out of the ops, layers and optimisers."""
import ast
import contextlib
import pathlib
import types

import numpy as np
import pytest

import autograd as ag
import nn.functional as F
from autograd import backend
from autograd.ops.index import gpu_checked_index
from autograd.ops.reduce import _cumprod_grad_first_order
from autograd.tensor import _make
from tests.conftest import requires_cuda, requires_torch, torch

ROOT = pathlib.Path(__file__).resolve().parents[2]


# ----------------------------------------------------------------------------- the checks
def _ce_target():
    return F.cross_entropy(ag.randn(2, 3), ag.tensor([0, 3]))


def _ce_ignored():
    return F.cross_entropy(ag.randn(3, 3), ag.tensor([-100, 5, 7]))


def _nll_target():
    return F.nll_loss(ag.randn(2, 3), ag.tensor([-1, 1]))


def _embedding():
    return F.embedding(ag.tensor([[1, 4], [-1, 0]]), ag.randn(4, 2))


def _index_select():
    return ag.index_select(ag.randn(3, 2), 0, ag.tensor([0, 3]))


def _gather():
    return ag.gather(ag.randn(2, 3), 1, ag.tensor([[0, 5], [1, 2]]))


def _scatter_add():
    return ag.scatter_add(ag.zeros(2, 3), 1, ag.tensor([[0, 5]]), ag.ones(1, 2))


def _getitem():
    return ag.randn(2, 3)[:, ag.tensor([0, 3])]


def _bce():
    return F.binary_cross_entropy(ag.tensor([0.5, 1.5]), ag.tensor([0.0, 1.0]))


def _one_hot():
    return F.one_hot(ag.tensor([0, 3]), 3)


def _pow_tensor():
    return ag.tensor([2, 3]) ** ag.tensor([1, -1])


def _pow_number():
    return ag.tensor([2, 3]) ** -1


def _floor_divide():
    return ag.floor_divide(ag.tensor([4, 3]), ag.tensor([2, 0]))


def _remainder():
    return ag.remainder(ag.tensor([4, 3]), 0)


CHECKS = [
    (_ce_target, IndexError, "cross_entropy: Target 3 is out of bounds for 3 classes"),
    (_ce_ignored, IndexError, "cross_entropy: Target 5 is out of bounds for 3 classes"),
    (_nll_target, IndexError, "nll_loss: Target -1 is out of bounds for 3 classes"),
    (_embedding, IndexError, "embedding: index out of range in self (indices must be in "
                             "[0, 4), got min -1, max 4)"),
    (_index_select, IndexError, "index_select: index 3 is out of range for dimension 0 of "
                                "size 3"),
    (_gather, RuntimeError, "gather: index 5 is out of bounds for dimension 1 with size 3"),
    (_scatter_add, RuntimeError, "scatter_add: index 5 is out of bounds for dimension 1 with "
                                 "size 3"),
    (_getitem, IndexError, "getitem: index 3 is out of bounds for dimension 1 with size 3 (tensor "
                           "of shape (2, 3))"),
    (_bce, RuntimeError, "binary_cross_entropy: expected all elements of input between 0 and "
                         "1 (probabilities); for logits use binary_cross_entropy_with_logits"),
    (_one_hot, RuntimeError, "one_hot: expected class values in [0, 3), got values from 0 to 3"),
    (_pow_tensor, RuntimeError, "pow: integers to negative integer powers are not allowed"),
    (_pow_number, RuntimeError, "pow: integers to negative integer powers are not allowed"),
    (_floor_divide, RuntimeError, "floor_divide: ZeroDivisionError (integer division by zero)"),
    (_remainder, RuntimeError, "remainder: ZeroDivisionError (integer division by zero)"),
]
IDS = [fn.__name__.lstrip("_") for fn, _, _ in CHECKS]


@pytest.mark.parametrize("fn, exc, message", CHECKS, ids=IDS)
def test_checks_raise_at_once_on_the_cpu_with_their_messages(fn, exc, message):
    with pytest.raises(exc) as info:
        fn()
    assert str(info.value) == message
    assert backend.pending_checks() == 0


def test_check_on_host_values():
    backend.check(False, lambda: ValueError("never"))
    backend.check(np.asarray(1) > 2, lambda: ValueError("never"))
    with pytest.raises(ValueError, match="boom"):
        backend.check(np.asarray([1, 2]).max() > 1, lambda: ValueError("boom"))


def test_check_index_returns_host_indices_unchanged():
    idx = np.array([0, 2, -3])
    assert backend.check_index(idx, -3, 3, None) is idx
    empty = np.zeros(0, dtype=np.int64)
    assert backend.check_index(empty, 0, 0, None) is empty
    with pytest.raises(IndexError, match="got 0 to 0"):  # an empty range: every index is bad
        backend.check_index(np.array([0]), 0, 0, lambda lo, hi: IndexError(f"got {lo} to {hi}"))


def test_first_outside_is_the_first_bad_element_in_c_order():
    arr = np.array([[0, 7], [-5, 9]])
    assert backend.first_outside(arr, 0, 3) == 7
    assert backend.first_outside(arr, -9, 10) is None


def test_bincount_counts_every_value():
    idx = np.array([3, 0, 3, 1, 3])
    assert backend.bincount(idx, 5).tolist() == [1, 1, 0, 3, 0]


# ----------------------------------------------------------------------------- GPU queue
class _FakeGpuArray(np.ndarray):
    """A host array that backend.check treats as a GPU one (no GPU here)."""

    @property
    def device(self):
        return types.SimpleNamespace(id=0)


@pytest.fixture
def fake_gpu(monkeypatch):
    fake_cp = types.SimpleNamespace(
        ndarray=_FakeGpuArray, stack=lambda arrs: np.stack([np.asarray(a) for a in arrs]),
        asnumpy=np.asarray, clip=lambda a, lo, hi: np.clip(np.asarray(a), lo, hi),
        cuda=types.SimpleNamespace(Device=lambda i: contextlib.nullcontext()))
    backend._pending_checks.clear()
    # the real "cuda" device type object, running on a fake CuPy, owns the fake arrays
    monkeypatch.setitem(backend.devices._BY_ARRAY, _FakeGpuArray, backend.CUDADevice(fake_cp))
    yield
    backend._pending_checks.clear()


def _flag(value):
    return np.asarray(value).view(_FakeGpuArray)


def test_gpu_checks_wait_for_the_flush_and_raise_the_first_failure(fake_gpu):
    made = []

    def error(name):
        made.append(name)
        return ValueError(name)

    backend.check(_flag(False), lambda: error("ok"))
    backend.check(_flag(True), lambda: error("first"))
    backend.check(_flag(True), lambda: error("second"))
    assert backend.pending_checks() == 3 and made == []  # nothing read back yet
    with pytest.raises(ValueError, match="first"):
        backend.flush_checks()
    assert made == ["first"] and backend.pending_checks() == 0
    backend.flush_checks()  # raised once: the queue is empty now


def test_reading_a_gpu_tensor_flushes(fake_gpu):
    backend.check(_flag(True), lambda: IndexError("bad index"))
    t = _make(np.asarray(2.5).view(_FakeGpuArray))
    with pytest.raises(IndexError, match="bad index"):
        t.item()
    assert t.item() == 2.5


def test_a_full_queue_is_tested_in_one_go(fake_gpu):
    for _ in range(backend.MAX_PENDING_CHECKS):
        backend.check(_flag(False), lambda: ValueError("never"))
    assert backend.pending_checks() == backend.MAX_PENDING_CHECKS
    with pytest.raises(ValueError, match="overflow"):
        backend.check(_flag(True), lambda: ValueError("overflow"))
    assert backend.pending_checks() == 0


def test_gpu_indices_are_clipped_while_the_check_waits(fake_gpu):
    idx = np.array([1, 7, -9]).view(_FakeGpuArray)
    out = backend.check_index(idx, -3, 3, lambda lo, hi: IndexError(f"from {lo} to {hi}"))
    assert np.asarray(out).tolist() == [1, 2, -3]
    with pytest.raises(IndexError, match="from -9 to 7"):
        backend.flush_checks()


# getitem/setitem on the GPU: which dim each integer index array addresses
@pytest.mark.parametrize("index", [
    (np.array([0, 3]),), (slice(None), np.array([5])), (Ellipsis, np.array([-6])),
    (None, 1, np.array([[4]])), (np.array([True, False]), np.array([3])),
    (np.array([1]), None, Ellipsis, np.array([0, 4]), slice(None)),
    (np.ones((2, 3), dtype=bool), np.array([4])),
])
def test_gpu_index_check_names_the_dim_numpy_finds(index):
    x = np.zeros((2, 3, 4))
    with pytest.raises(IndexError) as want:
        x[index]
    with pytest.raises(IndexError) as got:
        gpu_checked_index(x.shape, index, "getitem")
    numpy_said = str(want.value).replace(" for axis ", " for dimension ")  # PyTorch's word
    assert str(got.value) == f"getitem: {numpy_said} (tensor of shape (2, 3, 4))"


def test_gpu_index_check_passes_good_indices():
    index = (np.array([1, -2]), Ellipsis, None, np.array([3, -4]))
    out = gpu_checked_index((2, 3, 4), index, "getitem")
    assert all(a is b for a, b in zip(out, index))


# ----------------------------------------------------------------------------- cumprod
@requires_torch
@pytest.mark.parametrize("shape, dim", [((7,), 0), ((3, 6), 1), ((5, 4, 3), 0), ((2, 5, 3), 1)])
def test_cumprod_first_order_gradient_is_exact_with_zeros(shape, dim):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape)
    x[rng.random(shape) < 0.3] = 0.0  # several zeros per slice, or none
    g = rng.standard_normal(shape)
    t = torch.tensor(x, requires_grad=True)
    y = torch.cumprod(t, dim)
    y.backward(torch.tensor(g))
    out = _cumprod_grad_first_order(x, y.detach().numpy(), g, dim)
    np.testing.assert_allclose(out, t.grad.numpy(), rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------------------- static guard
GUARDED = ["autograd/ops", "nn/functional", "nn/optim", "nn/layers", "nn/utils/clip_grad.py",
           "autograd/amp.py"]
_ARRAY_METHODS = {"any", "all", "max", "min", "sum", "mean", "item", "count_nonzero", "prod"}
_SYNCING = {"unique", "bincount", "nonzero", "argwhere", "flatnonzero", "compress", "extract"}
# (file, function, pattern): read-backs that stay, each for a reason
ALLOWED = {
    # the API returns a Python bool (PyTorch reads back too)
    ("autograd/ops/compare.py", "allclose", "bool(array)"),
    ("autograd/ops/compare.py", "equal", "bool(array)"),
    ("autograd/ops/operands.py", "_operand", ".item()"),  # a NumPy scalar: host
    ("autograd/ops/operands.py", "as_number", ".item()"),  # a NumPy scalar: host
    # a hyperparameter given as a Tensor (lr=torch.tensor(0.1)) is used by value, as
    # PyTorch's for-loop (default CPU) path reads it
    ("nn/optim/optimizer.py", "_value", ".item()"),
    ("autograd/ops/index.py", "nonzero", "xp.nonzero"),  # the output's size is data
    # a 0-d integer tensor index is an integer (a view), as PyTorch reads it back too
    ("autograd/ops/index.py", "_index_part", "int(array)"),
    ("autograd/ops/index.py", "unique", "xp.unique"),  # the output's size is data
    # host only: resampling's adjoint as a matrix product when the gradient is finite
    ("autograd/ops/resample.py", "_Plan.scatter", "bool(array)"),
    # host only (_tiles excludes device arrays): NaN windows go to the general path
    ("autograd/ops/pooling.py", "_max_pool_tiled", "truth of .any()/.all()"),
    ("autograd/ops/order.py", "bincount", ".tolist()"),  # the output's size is data
    # the number of squarings of matrix_exp is the data's norm (PyTorch reads back too)
    ("autograd/ops/matfunc.py", "expm_array", "int(array)"),
    # narrow(dim, start: 0-d Tensor, length): the view's offset is data (torch reads too)
    ("autograd/ops/split.py", "narrow", ".item()"),
    ("autograd/ops/split.py", "narrow", "int(array)"),
    # tensor_split given a tensor of cut points: the outputs' sizes are data (PyTorch
    # reads them back too)
    ("autograd/ops/composite.py", "tensor_split", "int(array)"),
    ("autograd/ops/composite.py", "tensor_split", ".tolist()"),
    ("autograd/ops/composite.py", "tensor_split", ".item()"),
    # host-only branches (the GPU takes the formula above them), and CumProd with
    # create_graph on the GPU
    ("autograd/ops/reduce.py", "Prod.backward", "bool(array)"),
    ("autograd/ops/reduce.py", "CumProd.backward", "bool(array)"),
    ("autograd/ops/embedding.py", "embedding_renorm_", "xp.unique"),  # host only
    # host only: are all targets classes (then no ignore mask is built)? GPU: check_index
    ("autograd/ops/loss.py", "_class_target", "int(array)"),
    ("nn/functional/linear.py", "one_hot", "int(array)"),  # num_classes=-1: the size is data
    # momentum=None: 1 / num_batches_tracked as a Python float, as PyTorch does
    ("nn/layers/norm.py", "_BatchNorm.forward", "int(array)"),
    ("nn/layers/norm.py", "_BatchNorm.forward", ".item()"),
    # GradScaler.step: whether any gradient was inf/nan decides if optimizer.step() runs at
    # all, one read-back per step (torch's _maybe_opt_step reads it back too)
    ("autograd/amp.py", "GradScaler.step", ".item()"),
    # these return Python numbers by API (torch calls .item() too); not called per step
    ("autograd/amp.py", "GradScaler.get_scale", ".item()"),
    ("autograd/amp.py", "GradScaler.get_scale", "float(array)"),
    ("autograd/amp.py", "GradScaler._get_growth_tracker", ".item()"),
    ("autograd/amp.py", "GradScaler._get_growth_tracker", "int(array)"),
    ("nn/functional/extra.py", "grouped_mm", ".tolist()"),  # offsets are the groups' sizes
    # Adafactor's step size and update clipping are Python floats of norms (as PyTorch's)
    ("nn/optim/adafactor.py", "Adafactor._update", ".item()"),
    # AveragedModel: the first update copies, later ones average (PyTorch reads back too)
    ("nn/optim/swa_utils.py", "AveragedModel.update_parameters", "int(array)"),
    ("nn/optim/swa_utils.py", "AveragedModel.update_parameters", ".item()"),
    # AdaptiveLogSoftmaxWithLoss: the target range check and skipping clusters no target
    # falls in (PyTorch reads both back too)
    ("nn/layers/adaptive.py", "AdaptiveLogSoftmaxWithLoss.forward", "bool(array)"),
    ("nn/layers/adaptive.py", "AdaptiveLogSoftmaxWithLoss.forward", ".item()"),
    ("nn/layers/adaptive.py", "AdaptiveLogSoftmaxWithLoss.predict", "bool(array)"),
    # momentum=None: 1 / num_batches_tracked as a Python float, as _BatchNorm
    ("nn/layers/sync_batchnorm.py", "SyncBatchNorm.forward", "int(array)"),
    ("nn/layers/sync_batchnorm.py", "SyncBatchNorm.forward", ".item()"),
}


def _read_backs(path):
    """(function, pattern, line) for every call in `path` that reads a device array back:
    .item(), .tolist(), bool/int/float of an array expression, the truth of .any()/.all(),
    xp functions whose output size depends on the data. An operand after
    `backend.defers_checks(...) or` runs on the host only and is not counted."""
    tree = ast.parse(path.read_text())
    parents = {c: p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}

    def where(n):
        names = []
        while n in parents:
            n = parents[n]
            if isinstance(n, (ast.FunctionDef, ast.ClassDef)):
                names.append(n.name)
        return ".".join(reversed(names))

    def defers(v):
        return (isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute)
                and v.func.attr == "defers_checks")

    def is_host_array(v):  # type(x) is backend.ndarray
        return (isinstance(v, ast.Compare) and isinstance(v.ops[0], ast.Is)
                and isinstance(v.comparators[0], ast.Attribute)
                and v.comparators[0].attr == "ndarray")

    def host_only(n):
        child, p = n, parents.get(n)
        while p is not None:
            if isinstance(p, ast.BoolOp) and isinstance(p.op, ast.Or) and child in p.values:
                if any(defers(v) for v in p.values[:p.values.index(child)]):
                    return True
            if isinstance(p, ast.If) and ((child in p.body and is_host_array(p.test)) or (
                    child in p.orelse and defers(p.test))):
                return True
            child, p = p, parents.get(p)
        return False

    def arrayish(n):
        return any((isinstance(s, ast.Attribute) and s.attr == "array") or (
            isinstance(s, ast.Call) and isinstance(s.func, ast.Attribute)
            and s.func.attr in _ARRAY_METHODS) for s in ast.walk(n))

    def truth_of_any(n):
        return (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                and n.func.attr in ("any", "all") and not n.args)

    out = []
    for n in ast.walk(tree):
        pattern = None
        if isinstance(n, ast.Call):
            f = n.func
            name = f.id if isinstance(f, ast.Name) else (
                f.attr if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)
                and f.value.id == "builtins" else None)
            if isinstance(f, ast.Attribute) and f.attr in ("item", "tolist") and not n.args:
                pattern = f".{f.attr}()"
            elif name in ("bool", "int", "float") and len(n.args) == 1 and arrayish(n.args[0]):
                pattern = f"{name}(array)"
            elif (isinstance(f, ast.Attribute) and f.attr in _SYNCING
                  and isinstance(f.value, ast.Name) and f.value.id == "xp"):
                pattern = f"xp.{f.attr}"
        if pattern and not host_only(n):
            out.append((where(n), pattern, n.lineno))
        tests = []
        if isinstance(n, (ast.If, ast.While, ast.IfExp)):
            tests.append(n.test)
        elif isinstance(n, ast.BoolOp):
            tests.extend(n.values)
        elif isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.Not):
            tests.append(n.operand)
        out += [(where(t), "truth of .any()/.all()", t.lineno) for t in tests
                if truth_of_any(t) and not host_only(t)]
    return out


def _guarded_files():
    for entry in GUARDED:
        p = ROOT / entry
        yield from [p] if p.is_file() else sorted(p.rglob("*.py"))


def test_no_new_read_backs_in_ops_layers_and_optimisers():
    found = []
    for path in _guarded_files():
        rel = path.relative_to(ROOT).as_posix()
        found += [f"{rel}:{line} {func} {pattern}" for func, pattern, line in _read_backs(path)
                  if (rel, func, pattern) not in ALLOWED]
    assert not found, ("host read-backs in the hot path (use backend.check / check_index, a "
                       "formula without a host decision, or add a reasoned entry to ALLOWED):\n"
                       + "\n".join(found))


def test_the_guard_sees_the_patterns(tmp_path):
    src = tmp_path / "ops.py"
    src.write_text(
        "def f(a, xp, backend):\n"
        "    if int(a.array.max()) > 3: pass\n"
        "    if (a.array < 0).any(): pass\n"
        "    v = a.item() + bool(xp.isnan(a.array).any()) + len(a.tolist())\n"
        "    r = xp.unique(a.array)\n"
        "    if backend.defers_checks(a.array) or a.array.any(): pass\n"
        "    if type(a.array) is backend.ndarray: v = int(a.array.max())\n"
        "    if backend.defers_checks(a.array): pass\n"
        "    else: v = a.array.any() and int(a.array.min())\n"
        "    return int(len(r)), float(2)\n")
    found = sorted((p, line) for _, p, line in _read_backs(src))
    assert found == [(".item()", 4), (".tolist()", 4), ("bool(array)", 4), ("int(array)", 2),
                     ("truth of .any()/.all()", 3), ("xp.unique", 5)]


# ----------------------------------------------------------------------------- on the GPU
def _cuda(x):
    return ag.tensor(x, device="cuda")


@pytest.mark.parametrize("sync", ["item", "cpu", "synchronize"])
@pytest.mark.cuda
@requires_cuda
def test_gpu_cross_entropy_target_error_waits_for_the_sync(sync):
    logits = ag.randn(4, 3, device="cuda", requires_grad=True)
    loss = F.cross_entropy(logits, _cuda([0, 2, 3, 1]))  # no error yet, no crash
    loss.backward()  # the computation went on, in bounds
    assert backend.pending_checks() >= 1
    with pytest.raises(IndexError) as info:
        {"item": loss.item, "cpu": loss.cpu, "synchronize": ag.cuda.synchronize}[sync]()
    assert str(info.value) == "cross_entropy: Target 3 is out of bounds for 3 classes"
    assert backend.pending_checks() == 0
    assert np.isfinite(F.cross_entropy(logits, _cuda([0, 2, 1, 1])).item())


@pytest.mark.cuda
@requires_cuda
def test_gpu_embedding_index_error_at_cpu():
    weight = ag.randn(4, 2, device="cuda", requires_grad=True)
    out = F.embedding(_cuda([[1, 4], [-1, 0]]), weight)
    out.sum().backward()
    with pytest.raises(IndexError) as info:
        out.cpu()
    assert str(info.value) == ("embedding: index out of range in self (indices must be in "
                               "[0, 4), got min -1, max 4)")


@pytest.mark.cuda
@requires_cuda
def test_gpu_index_select_error_at_synchronize():
    x = ag.randn(3, 2, device="cuda", requires_grad=True)
    out = ag.index_select(x, 0, _cuda([0, 3]))
    out.sum().backward()
    with pytest.raises(IndexError) as info:
        ag.cuda.synchronize()
    assert str(info.value) == "index_select: index out of range for dimension 0 of size 3"


# a Python-number operand is checked on the host, at once, on every device
HOST_DECIDED = {"pow_number", "remainder"}


@pytest.mark.parametrize("fn, exc, message", CHECKS, ids=IDS)
@pytest.mark.cuda
@requires_cuda
def test_gpu_checks_raise_the_cpu_error_at_the_next_read(fn, exc, message):
    computed = []
    ag.set_default_device("cuda")
    try:
        with pytest.raises(exc) as info:
            out = fn()  # no error yet when the check waits on the device
            computed.append(out.device.type)
            out.tolist()
    finally:
        ag.set_default_device("cpu")
    assert str(info.value) == message
    assert computed == ([] if fn.__name__.lstrip("_") in HOST_DECIDED else ["cuda"])
    assert backend.pending_checks() == 0


@pytest.mark.cuda
@requires_cuda
def test_gpu_valid_checks_never_block_and_never_pile_up():
    logits = ag.randn(8, 5, device="cuda")
    target = _cuda([0, 1, 2, 3, 4, 0, 1, -100])
    for _ in range(3 * backend.MAX_PENDING_CHECKS):
        F.cross_entropy(logits, target)
        assert backend.pending_checks() <= backend.MAX_PENDING_CHECKS
    ag.cuda.synchronize()
    assert backend.pending_checks() == 0


def _both(fn, *arrays):
    """fn's output and input gradients on the CPU and on the GPU."""
    outs = []
    for dev in ("cpu", "cuda"):
        ts = [ag.tensor(a, device=dev, requires_grad=True) for a in arrays]
        out = fn(*ts)
        out.backward(ag.ones_like(out))
        outs.append([out.detach().cpu().numpy()] + [t.grad.cpu().numpy() for t in ts])
    return outs


@pytest.mark.cuda
@requires_cuda
def test_gpu_prod_and_cumprod_gradients_with_zeros_match_the_cpu():
    x = np.array([[1.5, 0.0, 2.0, 0.0], [0.5, 2.0, -1.0, 3.0], [0.0, 1.0, 2.0, 4.0]])
    for fn in (lambda t: t.prod(1), lambda t: t.prod(), lambda t: ag.cumprod(t, 1),
               lambda t: ag.cumprod(t, 0)):
        cpu, gpu_ = _both(fn, x)
        for a, b in zip(cpu, gpu_):
            np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)


@pytest.mark.cuda
@requires_cuda
def test_gpu_attention_dead_rows_and_max_pool_nans_match_the_cpu():
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal((2, 3, 4)) for _ in range(3))
    mask = np.ones((3, 3), dtype=bool)
    mask[1] = False  # a row with every key masked out
    for dev_mask in (mask, np.ones((3, 3), dtype=bool)):
        def attend(q, k, v, m=dev_mask):
            return F.scaled_dot_product_attention(q, k, v,
                                                  attn_mask=ag.tensor(m, device=q.device))
        cpu, gpu_ = _both(attend, q, k, v)
        for a, b in zip(cpu, gpu_):
            np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)
    x = rng.standard_normal((1, 1, 4, 4))
    x[0, 0, 1, 1] = np.nan
    cpu, gpu_ = _both(lambda t: F.max_pool2d(t, 2), x)
    for a, b in zip(cpu, gpu_):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12, equal_nan=True)
