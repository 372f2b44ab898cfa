"""The surface diff against the pinned torch (tests/autograd/torch_surface.py: the
namespaces, the classes Ember provides and their built instances, with the reasoned
exclusion list) and Ember's torch namespace (autograd.as_torch)."""
import subprocess
import sys
import textwrap

import pytest

from tests.autograd import torch_surface
from tests.conftest import requires_torch

pytestmark = requires_torch

# The coverage this branch reaches; it may only go up (the goal is 0.97). History: 0.687
# before the surface branch, 0.807 before r4-surfA, 1.000 (2092/2092) after r4-surfB with
# ~250 torch top-level names excluded as "aten-level" or "aliases"; r4-surf3 narrowed those
# two exclusions to internals (255 more names counted) and served them: 0.997 (2340/2347;
# still missing: AcceleratorError, Event, Stream, embedding_bag, get_device_module, lobpcg,
# vmap).
MIN_COVERAGE = 0.996


def test_surface_coverage_reported_and_not_below_the_floor(capsys):
    import torch.nn.functional  # noqa: F401
    import torch.optim.lr_scheduler  # noqa: F401
    import torch.utils.data  # noqa: F401
    res = torch_surface.diff(torch)
    present, total, text = torch_surface.report(res)
    with capsys.disabled():
        print("\n" + text)
    assert total > 2000  # the curated set is the one measured, not a shrunken one
    assert present / total >= MIN_COVERAGE, text
    assert "torch" not in sys.modules or sys.modules["torch"] is torch  # restored


def test_every_exclusion_has_a_reason():
    for pat, why in torch_surface.EXCLUDED_PATTERNS.items():
        assert len(why) > 20, pat
    for spaces, pat, why in torch_surface.NAMESPACE_EXCLUDED:
        assert spaces and len(why) > 20, pat
    # the classes real scripts use are never excluded
    for name in ("Linear", "Conv2d", "LSTM", "relu", "cross_entropy", "Adam", "DataLoader",
                 "cat", "matmul", "no_grad", "Tensor"):
        for ns in ("torch", "torch.nn", "torch.nn.functional", "torch.optim"):
            assert torch_surface.excluded(ns, name) is None, (ns, name)
    # nor torch's aten-level top-level functions, in-place and copy forms, switches
    for name in ("dropout", "layer_norm", "embedding", "max_pool2d", "lstm", "lstm_cell",
                 "kl_div", "ctc_loss", "exp_", "sigmoid_", "index_put_", "view_copy",
                 "unsafe_split", "use_deterministic_algorithms", "set_float32_matmul_precision",
                 "get_autocast_cpu_dtype", "result_type", "can_cast", "vmap", "svd_lowrank",
                 "OutOfMemoryError", "Generator", "Stream"):
        assert torch_surface.excluded("torch", name) is None, name


def _run(script, *args, force=True):
    cmd = [sys.executable, "-m", "autograd.as_torch"] + (["--force"] if force else []) + \
        [str(script), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def test_as_torch_runs_an_unmodified_script(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent("""
        import sys
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        from torch.utils.data import DataLoader, TensorDataset
        from torch.utils.data.sampler import RandomSampler
        from torch.utils.data.dataset import Dataset
        from torch.utils.data.dataloader import DataLoader as DL2
        import torch.optim.lr_scheduler as sched
        from torch.nn.utils.rnn import pad_sequence
        import torch.linalg, torch.cuda, torch.amp, torch.autograd, torch.distributions
        import torch.distributed as dist
        assert DL2 is DataLoader and torch.Tensor.__module__.startswith("autograd")
        torch.manual_seed(0)
        x = torch.randn(16, 3); y = x @ torch.tensor([[1.0], [-2.0], [0.5]])
        model = nn.Linear(3, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        s = sched.StepLR(opt, 5)
        for xb, yb in DataLoader(TensorDataset(x, y), batch_size=4,
                                 sampler=RandomSampler(range(16))):
            opt.zero_grad(); F.mse_loss(model(xb), yb).backward(); opt.step(); s.step()
        print("ARGV", sys.argv[1:], "NAME", __name__, type(model).__module__)
    """))
    r = _run(script, "--lr", "3")
    assert r.returncode == 0, r.stderr
    assert "ARGV ['--lr', '3'] NAME __main__ nn." in r.stdout


def test_as_torch_never_shadows_a_real_torch_unless_forced(tmp_path):
    script = tmp_path / "s.py"
    script.write_text("import torch\nprint(torch.__name__)\n")
    r = _run(script, force=False)
    assert r.returncode == 2 and "real torch is installed" in r.stderr and "--force" in r.stderr


def test_missing_names_say_they_are_not_provided(tmp_path):
    script = tmp_path / "s.py"
    script.write_text(textwrap.dedent("""
        import torch, torch.nn
        from autograd.as_torch import NotProvided
        assert not hasattr(torch, "jit") and not hasattr(torch.nn, "NoSuchLayer")
        for stmt in ("import torch.jit", "from torch.nn import NoSuchLayer",
                     "torch.nn.functional.no_such_fn", "import torch.no_such_module"):
            try:
                exec(stmt)
            except (ImportError, AttributeError) as e:
                assert isinstance(e, NotProvided), stmt
                print("ERR", type(e).__name__, e)
            else:
                raise SystemExit(stmt + " did not raise")
    """))
    r = _run(script)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "NotProvidedImportError torch.jit is not provided by Ember (Ember has no " \
           "TorchScript compiler)" in out
    assert "torch.nn.NoSuchLayer is not provided by Ember" in out
    assert "NotProvidedAttributeError torch.nn.functional.no_such_fn is not provided" in out
    assert "torch.no_such_module is not provided" in out


def test_install_in_process_and_uninstall_restore_real_torch():
    from autograd import as_torch
    real = sys.modules["torch"]
    with pytest.raises(RuntimeError, match="real torch"):
        as_torch.install()
    as_torch.install(force=True)
    try:
        import torch as t

        import autograd
        import nn
        assert t.Tensor is autograd.Tensor and t.nn.Linear is nn.Linear
        import torch.nn.functional as F
        assert F.relu is nn.functional.relu
        t.backends.cudnn.benchmark = True  # set through to Ember's flags
        assert autograd.backends.cudnn.benchmark is True
        t.backends.cudnn.benchmark = False
    finally:
        as_torch.uninstall()
    import torch as again
    assert again is real and sys.modules["torch.nn"] is real.nn
