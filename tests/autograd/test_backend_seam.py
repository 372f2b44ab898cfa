"""The backend seam: only the autograd/backend/ package may import numpy or cupy."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = set((ROOT / "autograd" / "backend").glob("*.py"))
FORBIDDEN = {"numpy", "cupy", "cupyx"}


def _library_files():
    files = []
    for package in ("autograd", "nn"):
        if (ROOT / package).is_dir():
            files += sorted((ROOT / package).rglob("*.py"))
    return files


def _imported_modules(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__"
              and node.args and isinstance(node.args[0], ast.Constant)):
            yield node.lineno, str(node.args[0].value)
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant)):
            yield node.lineno, str(node.args[0].value)


def test_library_files_exist():
    assert ROOT / "autograd" / "backend" / "__init__.py" in _library_files()
    assert ALLOWED <= set(_library_files())


@pytest.mark.parametrize("path", _library_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_only_backend_imports_numpy_or_cupy(path):
    if path in ALLOWED:
        return
    bad = [f"line {line}: {name}" for line, name in _imported_modules(path)
           if name.split(".")[0] in FORBIDDEN]
    assert not bad, f"{path.relative_to(ROOT)} imports the array library directly: {bad}"


def test_seam_check_detects_an_import(tmp_path):
    f = tmp_path / "x.py"
    f.write_text("import os\nfrom numpy import ones\ndef g():\n    import cupy as cp\n")
    assert [n for _, n in _imported_modules(f)] == ["os", "numpy", "cupy"]
