"""Measures of the code's layout (issue 16), as plain functions, not collected as tests:
the module-level import cycles among autograd's modules, the imports of Ember's own
modules inside function bodies, and the files over the line limit.

    PYTHONPATH=$PWD python tests/layout_rules.py     # prints all three
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OWN_PACKAGES = ("autograd", "nn")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _files(packages=OWN_PACKAGES) -> list[Path]:
    return sorted(p for pkg in packages for p in (ROOT / pkg).rglob("*.py"))


def _targets(node: ast.AST, module: str, is_package: bool) -> list[str]:
    """Absolute names an import statement reaches: the module, and for `from X import y`
    also X.y (kept only where X.y is a module, by the caller)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    base = module if is_package else module.rpartition(".")[0]
    for _ in range(max(node.level - 1, 0)):
        base = base.rpartition(".")[0]
    if node.level:
        base = f"{base}.{node.module}" if node.module else base
    else:
        base = node.module or ""
    return [base] + [f"{base}.{a.name}" for a in node.names]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _walk(tree: ast.AST):
    """(import node, inside a function?) for every import not under `if TYPE_CHECKING:`."""
    stack = [(tree, False)]
    while stack:
        node, in_fn = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child, in_fn
            fn = in_fn or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            stack.append((child, fn))


def _own(name: str) -> bool:
    return name.split(".")[0] in OWN_PACKAGES


def import_graph(package: str = "autograd") -> dict[str, set[str]]:
    """Module -> modules of `package` it imports at import time (module level)."""
    files = _files((package,))
    modules = {_module_name(p): p for p in files}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for mod, path in modules.items():
        tree = ast.parse(path.read_text())
        for node, in_fn in _walk(tree):
            if in_fn:
                continue
            targets = _targets(node, mod, path.name == "__init__.py")
            if isinstance(node, ast.Import):
                deps = targets
            else:  # `from X import sub` depends on X.sub; `from X import name` on X itself
                # (X's __init__ runs first, but an __init__ importing its own submodules is
                # the usual package shape, not a loop to count)
                base, *names = targets
                subs = [t for t in names if t in modules]
                deps = subs + ([base] if len(subs) < len(names) else [])
            graph[mod].update(t for t in deps if t in modules and t != mod)
    return graph


def cycle_edges(package: str = "autograd") -> list[tuple[str, str]]:
    """Import edges that lie on a cycle (both ends in one strongly connected component)."""
    graph = import_graph(package)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    comp: dict[str, int] = {}
    stack: list[str] = []
    counter = [0]

    def visit(v: str) -> None:  # Tarjan, recursive: the graph is a few dozen modules
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w not in comp:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            while True:
                w = stack.pop()
                comp[w] = index[v]
                if w == v:
                    break

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted((a, b) for a in graph for b in graph[a] if comp[a] == comp[b])


def imports_in_functions(packages=OWN_PACKAGES) -> list[str]:
    """`path:line module` for each import of Ember's own modules inside a function body."""
    out = []
    for path in _files(packages):
        mod = _module_name(path)
        for node, in_fn in _walk(ast.parse(path.read_text())):
            if not in_fn:
                continue
            target = _targets(node, mod, path.name == "__init__.py")[0]
            if (isinstance(node, ast.ImportFrom) and node.level) or _own(target):
                out.append(f"{path.relative_to(ROOT)}:{node.lineno} {target}")
    return out


def long_files(limit: int = 600, packages=OWN_PACKAGES) -> list[str]:
    """`path lines` for each Python file over `limit` lines."""
    out = []
    for path in _files(packages):
        n = len(path.read_text().splitlines())
        if n > limit:
            out.append(f"{path.relative_to(ROOT)} {n}")
    return out


if __name__ == "__main__":
    edges = cycle_edges()
    print(f"import-cycle edges in autograd: {len(edges)} "
          f"(modules: {len({m for e in edges for m in e})})")
    for a, b in edges:
        print(f"  {a} -> {b}")
    inner = imports_in_functions()
    by_pkg = {p: sum(1 for s in inner if s.startswith(p + "/")) for p in OWN_PACKAGES}
    print(f"own imports inside functions: {len(inner)} {by_pkg}")
    for s in inner:
        print(f"  {s}")
    print(f"files over 600 lines: {long_files()}")
