"""The layout rules of the architecture (README "Where things live", docs/architecture.md):
every differentiable op lives in autograd/ops, nn reaches arrays only through autograd,
files stay readable, and imports of Ember's own modules sit at the top of files."""
import ast
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_LINES = 600
MAX_LOCAL_IMPORTS = 4  # imports of autograd/nn modules inside function bodies, both packages
# (3 today: the two lazy torch-namespace imports of nn in autograd/__init__.py and the ONNX
# exporter's; 93 before the architecture work)


def _files(package):
    for folder, _, names in os.walk(os.path.join(ROOT, package)):
        for name in sorted(names):
            if name.endswith(".py"):
                yield os.path.join(folder, name)


def _rel(path):
    return os.path.relpath(path, ROOT)


def _tree(path):
    with open(path, encoding="utf-8") as f:
        return ast.parse(f.read(), path)


def _own(node, path):
    """Does this import statement import one of Ember's own modules?"""
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] in ("autograd", "nn")
    return any(a.name.split(".")[0] in ("autograd", "nn") for a in node.names)


def test_no_differentiable_op_is_defined_under_nn():
    found = []
    for path in _files("nn"):
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.ClassDef) and any(
                    (isinstance(b, ast.Name) and b.id == "Function") or
                    (isinstance(b, ast.Attribute) and b.attr == "Function") for b in node.bases):
                found.append(f"{_rel(path)}: class {node.name}")
    assert not found, "differentiable ops belong in autograd/ops/:\n" + "\n".join(found)


def test_nn_reaches_arrays_only_through_autograd():
    pattern = re.compile(r"^\s*(from autograd(\.backend)? import .*\bbackend\b|"
                         r"import autograd\.backend|from autograd\.backend\b|"
                         r"(import|from) (numpy|cupy)\b)", re.M)
    found = []
    for path in _files("nn"):
        if _rel(path).startswith(os.path.join("nn", "parallel")):
            continue  # MPI/NCCL buffers are the one exception
        with open(path, encoding="utf-8") as f:
            if pattern.search(f.read()):
                found.append(_rel(path))
    assert not found, "nn/ (outside nn/parallel) imports the backend or an array library:\n" \
        + "\n".join(found)


def test_only_the_backend_imports_array_libraries():
    pattern = re.compile(r"^\s*(import|from) (numpy|cupy)\b", re.M)
    found = []
    for path in _files("autograd"):
        if _rel(path).startswith(os.path.join("autograd", "backend")):
            continue
        with open(path, encoding="utf-8") as f:
            if pattern.search(f.read()):
                found.append(_rel(path))
    assert not found, "\n".join(found)


def test_no_file_over_the_line_limit():
    long = []
    for package in ("autograd", "nn"):
        for path in _files(package):
            with open(path, encoding="utf-8") as f:
                n = sum(1 for _ in f)
            if n > MAX_LINES:
                long.append(f"{_rel(path)}: {n} lines")
    assert not long, f"files over {MAX_LINES} lines:\n" + "\n".join(long)


def test_backend_files_stay_small():
    long = []
    for path in _files(os.path.join("autograd", "backend")):
        with open(path, encoding="utf-8") as f:
            n = sum(1 for _ in f)
        if n > 400:
            long.append(f"{_rel(path)}: {n} lines")
    assert not long, "\n".join(long)


def test_few_imports_of_own_modules_inside_functions():
    local = []
    for package in ("autograd", "nn"):
        for path in _files(package):
            tree = _tree(path)
            for fn in ast.walk(tree):
                if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                for node in ast.walk(fn):
                    if isinstance(node, (ast.Import, ast.ImportFrom)) and _own(node, path):
                        local.append(f"{_rel(path)}:{node.lineno}")
    local = sorted(set(local))
    assert len(local) < MAX_LOCAL_IMPORTS, \
        f"{len(local)} imports of Ember's modules inside functions:\n" + "\n".join(local)


def test_importing_autograd_does_not_import_nn():
    import subprocess
    import sys
    code = "import sys, autograd; sys.exit('nn' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_no_import_cycles_among_autograds_modules():
    import sys
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    from layout_rules import cycle_edges
    edges = cycle_edges()
    assert not edges, "module-level import cycles in autograd:\n" + "\n".join(
        f"{a} -> {b}" for a, b in edges)
