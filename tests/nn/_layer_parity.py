"""Helpers for the layer parity tests: run the same computation in Ember and PyTorch and
compare values and every gradient (inputs and parameters, by name).

Every helper takes `device`: the Ember side then runs on that device ("cuda" for the
tests marked `cuda`) while PyTorch stays on the CPU, so a CUDA result is checked against
PyTorch's CPU result with the same tolerances."""
import numpy as np

import autograd as ag

try:
    import torch
except ImportError:  # the parity tests skip without torch
    torch = None

TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-5)}
DTYPES = [np.float64, np.float32]


def host(e):
    """An Ember tensor's values as a NumPy array (copied from the GPU when needed)."""
    return e.detach().cpu().numpy()


def close(e, t, dtype, what="", device="cpu"):
    """Assert an Ember tensor (or array) equals a torch tensor within the dtype's tolerance;
    an Ember tensor must live on `device`."""
    if isinstance(e, ag.Tensor):
        assert e.device.type == ag.device(device).type, \
            f"{what}: on {e.device}, expected {device}"
        e = host(e)
    else:
        e = np.asarray(e)
    t = t.detach().numpy()
    assert e.shape == t.shape, f"{what}: shape {e.shape} != {t.shape}"
    if t.dtype.kind == "f":
        assert e.dtype == t.dtype, f"{what}: dtype {e.dtype} != {t.dtype}"
        np.testing.assert_allclose(e, t, err_msg=what, **TOL[dtype])
    else:
        np.testing.assert_array_equal(e, t, err_msg=what)


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [y for o in out for y in _flat(o)]
    return [] if out is None else [out]


def pair(arr, grad=True, device="cpu"):
    """The same array as an Ember tensor (on `device`) and a torch tensor (on the CPU)."""
    return (ag.tensor(arr.copy(), device=device, requires_grad=grad),
            torch.tensor(arr.copy(), requires_grad=grad))


def run_both(fe, ft, arrays, dtype, seed=0, grads=None, device="cpu"):
    """fe(*ember_tensors) vs ft(*torch_tensors): outputs, then the gradients of a random
    weighted sum of the float outputs w.r.t. every input (grads[i] False skips input i)."""
    rng = np.random.default_rng(seed)
    grads = grads or [a.dtype.kind == "f" for a in arrays]
    es, ts = zip(*[pair(a, g, device) for a, g in zip(arrays, grads)])
    eo, to = _flat(fe(*es)), _flat(ft(*ts))
    assert len(eo) == len(to)
    for i, (e, t) in enumerate(zip(eo, to)):
        close(e, t, dtype, f"output {i}", device)
    backward_both(eo, to, rng)
    for i, (e, t, g) in enumerate(zip(es, ts, grads)):
        if g:
            close(e.grad, t.grad, dtype, f"grad of input {i}", device)
    return es, ts


def backward_both(eo, to, rng):
    e_loss, t_loss = 0, 0
    for e, t in zip(eo, to):
        if t.requires_grad:
            w = rng.standard_normal(tuple(t.shape)).astype(t.detach().numpy().dtype)
            e_loss = e_loss + (e * ag.tensor(w, device=e.device)).sum()
            t_loss = t_loss + (t * torch.tensor(w)).sum()
    e_loss.backward()
    t_loss.backward()


def copy_weights(tm, em):
    """Load a torch module's state dict into the Ember module by name (NumPy arrays:
    load_state_dict copies them onto each parameter's device)."""
    em.load_state_dict({k: v.detach().numpy().copy() for k, v in tm.state_dict().items()})


def check_module(em, tm, inputs, dtype, seed=0, grads=None, call=None, device="cpu"):
    """Same weights, same inputs: outputs, input gradients and parameter gradients agree;
    so do buffers afterwards (running statistics). The Ember module is moved to `device`
    after the weights are copied in."""
    copy_weights(tm, em)
    em.to(device)
    call = call or (lambda m, *xs: m(*xs))
    run_both(lambda *xs: call(em, *xs), lambda *xs: call(tm, *xs), inputs, dtype, seed, grads,
             device)
    e_params = dict(em.named_parameters())
    t_params = dict(tm.named_parameters())
    assert set(e_params) == set(t_params)
    for name, tp in t_params.items():
        ep = e_params[name]
        assert ep.device.type == ag.device(device).type, f"{name} on {ep.device}"
        if tp.grad is None:
            assert ep.grad is None or not np.any(host(ep.grad)), name
        else:
            close(ep.grad, tp.grad, dtype, f"grad of {name}", device)
    e_buf = dict(em.named_buffers())
    for name, tb in tm.named_buffers():
        close(e_buf[name], tb, dtype, f"buffer {name}", device)
