"""Run a program written for PyTorch on Ember, unmodified.

    python -m autograd.as_torch [--force] script.py [args ...]
    python -m autograd.as_torch [--force] -m package.module [args ...]

or, in a notebook, `autograd.as_torch.install()` before `import torch`.

A meta-path finder maps `torch` and its submodules (`torch.nn`, `torch.nn.functional`,
`torch.optim.lr_scheduler`, `torch.utils.data.sampler`, `torch.linalg`, `torch.fft`,
`torch.special`, `torch.distributions`, `torch.cuda`, `torch.amp`, `torch.distributed`,
`torch.autograd`, `torch.func`, ...) onto Ember's modules. Each `torch.X` module is a thin
alias of the Ember module behind it: the same objects (`torch.Tensor is
autograd.Tensor`), and a name Ember lacks raises `NotProvidedAttributeError` (an
AttributeError, so `hasattr` answers False) or, imported, `NotProvidedImportError` (a
ModuleNotFoundError, so `try: import ... except ImportError` still works), both naming the
torch name. Ember modules are looked up by name when first used, so a namespace another
part of Ember adds later (an `autograd.fft`) resolves once it exists and, until then,
gives the same "not provided" error.

A real installed torch is never shadowed unless asked (`--force`, `install(force=True)`).
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import runpy
import sys
import types

__all__ = ["NotProvided", "NotProvidedAttributeError", "NotProvidedImportError", "install",
           "uninstall", "is_installed", "main", "TORCH_MODULES"]


class NotProvided(Exception):
    """Base of the errors for a torch name that Ember does not provide."""


class NotProvidedAttributeError(NotProvided, AttributeError):
    pass


class NotProvidedImportError(NotProvided, ModuleNotFoundError):
    pass


# torch module name -> the Ember modules that stand for it, tried in order ("nn.data.sampler"
# once the loader is a package, "nn.data" before): the first that imports is the module,
# a name it lacks is looked up in the others. "autograd:attr" names an attribute.
TORCH_MODULES: dict[str, tuple[str, ...]] = {
    "torch": ("autograd",),
    "torch.autograd": ("autograd", "autograd.variable"),
    "torch.autograd.variable": ("autograd.variable",),
    "torch.autograd.function": ("autograd.custom", "autograd.ops.delayed", "autograd"),
    "torch.autograd.functional": ("autograd.functional",),
    "torch.autograd.graph": ("autograd.saved_hooks", "autograd.graph"),
    "torch.autograd.profiler": ("autograd.profiler",),
    "torch.autograd.anomaly_mode": ("autograd.anomaly",),
    "torch.autograd.grad_mode": ("autograd.grad_mode",),
    "torch.nn": ("nn",),
    "torch.nn.modules": ("nn",),
    "torch.nn.modules.module": ("nn.module",),
    "torch.nn.modules.loss": ("nn.loss",),
    "torch.nn.parameter": ("nn",),
    "torch.nn.functional": ("nn.functional",),
    "torch.nn.init": ("nn.init",),
    "torch.nn.utils": ("nn.utils",),
    "torch.nn.utils.rnn": ("nn.utils.rnn",),
    "torch.nn.utils.parametrize": ("nn.utils.parametrize",),
    "torch.nn.utils.parametrizations": ("nn.utils.parametrizations",),
    "torch.nn.utils.clip_grad": ("nn.utils.clip_grad",),
    "torch.nn.utils.stateless": ("autograd.func",),
    "torch.nn.parallel": ("nn.parallel",),
    "torch.optim": ("nn.optim",),
    "torch.optim.lr_scheduler": ("nn.optim.lr_scheduler",),
    "torch.optim.optimizer": ("nn.optim.optimizer",),
    "torch.optim.swa_utils": ("nn.optim.swa_utils",),
    "torch.utils": ("autograd.as_torch:_utils",),
    "torch.utils.data": ("nn.data",),
    "torch.utils.data.dataloader": ("nn.data.dataloader", "nn.data"),
    "torch.utils.data.sampler": ("nn.data.sampler", "nn.data"),
    "torch.utils.data.dataset": ("nn.data.dataset", "nn.data"),
    "torch.utils.data.distributed": ("nn.data.distributed", "nn.data"),
    "torch.utils.checkpoint": ("autograd.checkpoint",),
    "torch.linalg": ("autograd.linalg",),
    "torch.fft": ("autograd.fft",),
    "torch.special": ("autograd.special",),
    "torch.distributions": ("autograd.distributions",),
    "torch.distributions.constraints": ("autograd.distributions.constraints",),
    "torch.distributions.kl": ("autograd.distributions.kl",),
    "torch.distributions.transforms": ("autograd.distributions.transforms",),
    "torch.distributions.distribution": ("autograd.distributions.distribution",),
    "torch.cuda": ("autograd.cuda",),
    "torch.cuda.amp": ("autograd.amp:cuda_amp",),
    "torch.amp": ("autograd.amp",),
    "torch.backends": ("autograd:backends",),
    "torch.distributed": ("nn.parallel.distributed",),
    "torch.func": ("autograd.func",),
    "torch.testing": ("autograd.testing",),
    "torch.random": ("autograd",),
    "torch.profiler": ("autograd.profiler",),
    "torch.return_types": ("autograd.return_types",),
    "torch.compiler": ("autograd.compile.compiler",),
    "torch._dynamo": ("autograd.compile.dynamo",),
    "torch._dynamo.config": ("autograd.compile.dynamo:config",),
}

# Namespaces Ember leaves out on purpose: the reason goes into the error.
_REASONS = {
    "torch.jit": "Ember has no TorchScript compiler",
    "torch.fx": "Ember has no symbolic tracer",
    "torch.sparse": "Ember has no sparse tensors",
    "torch.quantization": "Ember has no quantized tensors",
    "torch.ao": "Ember has no quantized tensors",
    "torch.masked": "Ember has no masked tensors",
    "torch.mps": "Ember runs on NumPy (cpu) and CuPy (cuda) only",
    "torch.xpu": "Ember runs on NumPy (cpu) and CuPy (cuda) only",
    "torch._C": "Ember has no C++ core",
}

_utils = types.SimpleNamespace()  # torch.utils: only its submodules (filled by the alias)


def _not_provided(torch_name: str) -> str:
    top = next((r for k, r in _REASONS.items()
                if torch_name == k or torch_name.startswith(k + ".")), None)
    why = f" ({top})" if top else ""
    return f"{torch_name} is not provided by Ember{why}; Ember stands in for torch here " \
           "(autograd.as_torch)"


def _resolve(torch_name: str):
    """The Ember object behind a torch module name, or None when none of its candidates
    exists (yet)."""
    for cand in TORCH_MODULES.get(torch_name, ()):
        mod_name, _, attr = cand.partition(":")
        try:
            mod = importlib.import_module(mod_name)
        except ModuleNotFoundError as e:
            if e.name is None or not (mod_name == e.name or mod_name.startswith(e.name + ".")):
                raise  # the Ember module exists but imports something missing: a real error
            continue
        return getattr(mod, attr) if attr else mod
    return None


class _TorchAlias(types.ModuleType):
    """`torch.X`: reads its names from the Ember object behind it, in the order: the
    Ember object's attribute, then a mapped torch submodule; else NotProvidedAttributeError.
    Names set on the alias (torch.backends.cudnn.benchmark = True) are set on the Ember
    object too."""

    def __init__(self, name: str, target) -> None:
        super().__init__(name, getattr(target, "__doc__", None))
        object.__setattr__(self, "_ember_target", target)
        object.__setattr__(self, "__path__", [])  # a package: `import torch.X.Y` asks us

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            if name == "__version__" and self.__name__ == "torch":
                # the torch API Ember matches, and Ember's own version (a PEP 440 local
                # part): version checks in scripts take their PyTorch 2.13 paths
                target = object.__getattribute__(self, "_ember_target")
                return f"2.13.0+ember{getattr(target, '__version__', '0')}"
            raise AttributeError(name)
        target = object.__getattribute__(self, "_ember_target")
        full = f"{self.__name__}.{name}"
        if full in TORCH_MODULES:  # a submodule: the alias, imported through the finder
            try:
                return importlib.import_module(full)
            except NotProvidedImportError:
                raise NotProvidedAttributeError(_not_provided(full)) from None
        try:
            return getattr(target, name)
        except AttributeError:
            pass
        for cand in TORCH_MODULES.get(self.__name__, ())[1:]:  # the other Ember modules
            mod_name, _, attr = cand.partition(":")
            if attr:
                continue
            try:
                return getattr(importlib.import_module(mod_name), name)
            except (ModuleNotFoundError, AttributeError):
                continue
        raise NotProvidedAttributeError(_not_provided(full))

    def __setattr__(self, name: str, value) -> None:
        dunder = name.startswith("__") and name.endswith("__")
        if not dunder and f"{self.__name__}.{name}" not in TORCH_MODULES:
            setattr(object.__getattribute__(self, "_ember_target"), name, value)
        object.__setattr__(self, name, value)

    def __dir__(self):
        target = object.__getattribute__(self, "_ember_target")
        subs = {k.rsplit(".", 1)[1] for k in TORCH_MODULES
                if k.rsplit(".", 1)[0] == self.__name__}
        return sorted(set(dir(target)) | subs)

    def __repr__(self) -> str:
        target = object.__getattribute__(self, "_ember_target")
        return f"<module {self.__name__!r} (Ember: {getattr(target, '__name__', target)!r})>"


class _Loader(importlib.abc.Loader):
    def __init__(self, target) -> None:
        self.target = target

    def create_module(self, spec):
        return _TorchAlias(spec.name, self.target)

    def exec_module(self, module) -> None:
        pass


class _TorchFinder(importlib.abc.MetaPathFinder):
    """Answers every `torch` / `torch.*` import with an alias of Ember's module."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        ember = _resolve(fullname)
        if ember is None:
            raise NotProvidedImportError(_not_provided(fullname))
        spec = importlib.machinery.ModuleSpec(fullname, _Loader(ember), is_package=True)
        spec.submodule_search_locations = []
        return spec


_finder: _TorchFinder | None = None
_saved: dict[str, types.ModuleType] = {}


def _torch_modules() -> list[str]:
    return [k for k in sys.modules if k == "torch" or k.startswith("torch.")]


def is_installed() -> bool:
    return _finder is not None and _finder in sys.meta_path


def install(force: bool = False) -> None:
    """Make `import torch` (and its submodules) load Ember. Refuses, with RuntimeError, when
    a real torch is installed or already imported, unless `force=True`; forced, the real
    torch modules already imported are set aside (and come back on `uninstall()`)."""
    global _finder
    if is_installed():
        return
    if not force:
        imported = sys.modules.get("torch")
        spec = None if imported is not None else importlib.util.find_spec("torch")
        if imported is not None or spec is not None:
            where = getattr(imported, "__file__", None) or (spec.origin if spec else None)
            raise RuntimeError(
                f"autograd.as_torch: a real torch is installed ({where}); Ember does not "
                "shadow it unless asked: use install(force=True) or `python -m "
                "autograd.as_torch --force`")
    for name in _torch_modules():
        _saved[name] = sys.modules.pop(name)
    _finder = _TorchFinder()
    sys.meta_path.insert(0, _finder)


def uninstall() -> None:
    """Undo install(): `import torch` finds what it found before."""
    global _finder
    if _finder is not None and _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    _finder = None
    for name in _torch_modules():
        if isinstance(sys.modules[name], _TorchAlias):
            del sys.modules[name]
    sys.modules.update(_saved)
    _saved.clear()


_USAGE = ("usage: python -m autograd.as_torch [--force] script.py [args ...]\n"
          "       python -m autograd.as_torch [--force] -m module [args ...]")


def main(argv: list[str] | None = None) -> int:
    """The command line: install, then run the script (or -m module) as __main__ with
    sys.argv set as Python would set it."""
    args = list(sys.argv[1:] if argv is None else argv)
    force = False
    while args and args[0] in ("--force", "-h", "--help"):
        if args[0] != "--force":
            print(_USAGE)
            return 0
        force = True
        args.pop(0)
    if not args or args[0] == "-m" and len(args) < 2:
        print(_USAGE, file=sys.stderr)
        return 2
    try:
        install(force=force)
    except RuntimeError as e:
        print(e, file=sys.stderr)
        return 2
    if args[0] == "-m":
        sys.argv = [args[1]] + args[2:]
        sys.path.insert(0, os.getcwd())
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
    else:
        script = args[0]
        sys.argv = list(args)
        sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
        runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    from autograd import as_torch as _self  # the finder's state lives in the named module

    sys.exit(_self.main())
