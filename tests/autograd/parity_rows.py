"""Run one lambda on PyTorch and on Ember and require the same outcome.

`check(fn, arrays)` calls `fn(L, *xs)` with `L` the `torch` or `autograd` namespace (see
`op_table.Namespace`) and the inputs as tensors requiring grad. Either both raise, with
the same exception class, or both compute: the outputs must agree in shape, dtype and
values (NaN where PyTorch has NaN, same infinities), and so must the gradients of every
float input under a fixed upstream gradient (None and a zero gradient are the same).
"""
from __future__ import annotations

import numpy as np

import autograd as ag
from tests.autograd.op_table import Namespace

try:
    import torch
except ImportError:  # the parity tests skip without torch
    torch = None

TOL = {np.dtype(np.float64): dict(rtol=1e-10, atol=1e-12),
       np.dtype(np.float32): dict(rtol=1e-5, atol=1e-6)}


def _tuple(out):
    if isinstance(out, (tuple, list)):
        return tuple(y for o in out for y in _tuple(o))
    return (out,)


def _outcome(lib, fn, arrays, grad, upstream_seed, device="cpu"):
    """('raise', exception class) or ('ok', outputs, gradients) for one library (Ember's
    tensors on `device`, PyTorch's on the CPU)."""
    is_torch = lib is not ag
    dtype = arrays[0].dtype if arrays else np.dtype(np.float64)
    ns = Namespace(lib, "cpu" if is_torch else device, dtype)
    xs = []
    for a in arrays:
        g = grad and a.dtype.kind == "f"
        xs.append(torch.tensor(a.copy(), requires_grad=g) if is_torch
                  else ag.tensor(a.copy(), requires_grad=g, device=device))
    try:
        outs = _tuple(fn(ns, *xs))
    except Exception as exc:  # noqa: BLE001 - the class is the outcome
        return ("raise", type(exc), str(exc))
    values = [o.detach().numpy() if is_torch else o.detach().cpu().numpy()
              if hasattr(o, "detach") else np.asarray(o) for o in outs]
    grads = None
    diff = [o for o in outs if hasattr(o, "requires_grad") and o.requires_grad]
    leaves = [x for x in xs if x.requires_grad]
    if grad and diff and leaves:
        rng = np.random.default_rng(upstream_seed)
        ups = [rng.standard_normal(tuple(o.shape)).astype(str(o.dtype).replace("torch.", ""))
               for o in diff]
        try:
            if is_torch:
                gs = torch.autograd.grad(diff, leaves, [torch.tensor(u) for u in ups],
                                         allow_unused=True)
            else:
                gs = ag.grad(diff, leaves, [ag.tensor(u, device=device) for u in ups],
                             allow_unused=True)
        except Exception as exc:  # noqa: BLE001
            return ("raise-backward", type(exc), str(exc))
        grads = [np.zeros(x.shape, dtype) if g is None else
                 (g.numpy(force=True) if is_torch else g.detach().cpu().numpy())
                 for x, g in zip(leaves, gs)]
    return ("ok", values, grads)


def _same_class(ours, theirs):
    return ours is theirs or issubclass(ours, theirs)


def _compare_arrays(e, t, what, rtol=None):
    assert e.shape == t.shape, f"{what}: shape {e.shape}, torch {t.shape}"
    assert e.dtype == t.dtype, f"{what}: dtype {e.dtype}, torch {t.dtype}"
    if t.dtype.kind in "fc":
        np.testing.assert_array_equal(np.isnan(e), np.isnan(t), err_msg=f"{what}: NaN places")
        tol = dict(TOL.get(t.dtype, TOL[np.dtype(np.float32)]))
        if rtol is not None:
            tol["rtol"] = max(tol["rtol"], rtol)
        np.testing.assert_allclose(e, t, err_msg=what, equal_nan=True, **tol)
    else:
        np.testing.assert_array_equal(e, t, err_msg=what)


def outcomes(fn, arrays, grad=True, seed=0, device="cpu"):
    """Ember's and PyTorch's outcomes (see `_outcome`)."""
    arrays = [np.asarray(a) for a in arrays]
    return (_outcome(ag, fn, arrays, grad, seed, device),
            _outcome(torch, fn, arrays, grad, seed))


def check(fn, arrays, grad=True, seed=0, rtol=None, device="cpu"):
    """Assert Ember and PyTorch agree on fn(L, *arrays): raise the same class, or compute
    the same outputs and gradients (`rtol` loosens the dtype's relative tolerance where
    PyTorch computes in lower precision). Returns Ember's outcome."""
    ours, theirs = outcomes(fn, arrays, grad, seed, device)
    if theirs[0] != "ok" or ours[0] != "ok":
        assert ours[0] == theirs[0], f"Ember: {ours[0]} {ours[1:]}, torch: {theirs[0]} " \
                                     f"{theirs[1:]}"
        assert _same_class(ours[1], theirs[1]), \
            f"Ember raised {ours[1].__name__} ({ours[2]}), torch {theirs[1].__name__} " \
            f"({theirs[2]})"
        return ours
    assert len(ours[1]) == len(theirs[1]), "number of outputs"
    for k, (e, t) in enumerate(zip(ours[1], theirs[1])):
        _compare_arrays(e, t, f"output {k}", rtol)
    if ours[2] is not None or theirs[2] is not None:
        # an output that does not require grad on one side: its gradients are zeros
        zeros = [np.zeros_like(g) for g in (ours[2] or theirs[2])]
        for k, (e, t) in enumerate(zip(ours[2] or zeros, theirs[2] or zeros)):
            _compare_arrays(e, t, f"grad of input {k}", rtol)
    return ours
