"""torch.compiler and torch._dynamo on Ember: reset, disable, is_compiling, config,
explain, optimize, mark_dynamic, reached as torch.* through autograd.as_torch."""
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import autograd as torch
import nn
from autograd.compile import compiler, dynamo

compile_package = sys.modules["autograd.compile"]  # autograd.compile is also the function

ROOT = Path(__file__).resolve().parents[2]


def _step():
    model = nn.Linear(4, 2)
    x = torch.ones(3, 4)
    return model, x


def test_reset_makes_every_compiled_callable_capture_again():
    model, x = _step()
    c = torch.compile(lambda x: model(x).sum())
    for _ in range(3):
        c(x)
    assert c.captures == 1
    compiler.reset()
    assert c(x).item() == pytest.approx(model(x).sum().item())
    assert c.captures == 2
    dynamo.reset()
    c(x)
    assert c.captures == 3


def test_disable_keeps_functions_and_modules_uncompiled():
    @compiler.disable
    def f(x):
        return x * 2
    assert torch.compile(f) is f and f(torch.ones(2)).tolist() == [2.0, 2.0]
    g = compiler.disable(recursive=False)(lambda x: x + 1)
    assert torch.compile(g) is g
    model, x = _step()
    assert torch.compile(compiler.disable(model)) is model


def test_is_compiling_only_while_recording_on_this_thread():
    seen = []

    def f(x):
        seen.append(compiler.is_compiling())
        return x * 2
    c = torch.compile(f)
    for _ in range(5):
        c(torch.ones(2))
    # the recordings (two here: `seen` is a list the guards cannot cover); replays run
    # no Python
    assert seen == [True, True]
    assert not compiler.is_compiling() and not compiler.is_dynamo_compiling()


def test_config_cache_size_limit_is_the_compile_limit_and_unknown_names_raise():
    old = dynamo.config.cache_size_limit
    try:
        dynamo.config.recompile_limit = 3
        assert dynamo.config.cache_size_limit == 3 == compile_package.cache_size_limit
    finally:
        dynamo.config.cache_size_limit = old
    dynamo.config.suppress_errors = True
    assert dynamo.config.suppress_errors is True
    dynamo.config.suppress_errors = False
    with pytest.raises(AttributeError, match="no_such_option"):
        dynamo.config.no_such_option = 1
    with pytest.raises(AttributeError, match="no_such_option"):
        dynamo.config.no_such_option  # noqa: B018


def test_explain_and_optimize():
    def f(x):
        y = x * 3
        print(y)  # a graph break: the values on the host
        return y.sum()
    x = torch.ones(2, 2)
    with pytest.warns(UserWarning, match="graph break"):
        e = dynamo.explain(f)(x)
    assert e.graph_break_count == 1 and "test_compile_namespace.py" in e.graph_breaks[0]
    assert dynamo.explain(lambda x: (x + 1).sum(), x).graph_count == 1
    h = dynamo.optimize("inductor")(lambda x: (x * 2).sum())
    assert h(x).item() == 8.0 and h(x).item() == 8.0
    dynamo.mark_dynamic(x, 0)
    dynamo.maybe_mark_dynamic(x, 0)
    dynamo.mark_static(x)


def test_torch_compiler_and_dynamo_import_as_torch(tmp_path):
    script = tmp_path / "s.py"
    script.write_text(textwrap.dedent("""
        import torch
        import torch._dynamo
        from torch._dynamo import config
        config.cache_size_limit = 4
        torch.compiler.reset()
        torch._dynamo.reset()
        f = torch.compile(lambda x: (x * 2).sum())
        x = torch.ones(3)
        print(f(x).item(), f(x).item(), torch.compiler.is_compiling(), config.recompile_limit)
    """))
    run = subprocess.run([sys.executable, "-m", "autograd.as_torch", "--force", str(script)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["6.0", "6.0", "False", "4"]
