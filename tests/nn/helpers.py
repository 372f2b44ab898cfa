"""Parity helpers: run the same computation in Ember and PyTorch and compare.

`device` puts the Ember side on that device ("cuda" for the tests marked `cuda`); PyTorch
stays on the CPU, so a CUDA result is checked against PyTorch's CPU result."""
import numpy as np
import torch

import autograd as ag

TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-6)}


def tol(dtype):
    return TOL[np.dtype(dtype).type]


def pair(arr, requires_grad=False, device="cpu"):
    """The same values as an Ember tensor (on `device`) and a torch tensor (both leaves)."""
    arr = np.asarray(arr)
    rg = requires_grad and arr.dtype.kind == "f"
    return (ag.tensor(arr.copy(), device=device, requires_grad=rg),
            torch.tensor(arr.copy(), requires_grad=rg))


def close(ours, theirs, dtype, what="", device=None):
    """Values, shape and dtype agree; with `device`, an Ember tensor must live there."""
    if isinstance(ours, ag.Tensor):
        if device is not None:
            assert ours.device.type == ag.device(device).type, \
                f"{what}: on {ours.device}, expected {device}"
        ours = ours.detach().cpu().numpy()
    else:
        ours = np.asarray(ours)
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} vs {theirs.shape}"
    assert ours.dtype == theirs.dtype, f"{what}: dtype {ours.dtype} vs {theirs.dtype}"
    np.testing.assert_allclose(ours, theirs, err_msg=what, **tol(dtype))


def copy_torch_weights(ours, theirs):
    """Load torch's weights into our module through state_dict (by name)."""
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def check_module_parity(ours, theirs, inputs, dtype, grad_out_seed=0, device="cpu"):
    """Same weights in, then outputs and every gradient (inputs and parameters) equal; the
    Ember module and inputs on `device`."""
    ours.to(dtype)
    theirs.to({np.float32: torch.float32, np.float64: torch.float64}[np.dtype(dtype).type])
    copy_torch_weights(ours, theirs)
    ours.to(device)
    pairs = [pair(np.asarray(x, dtype=dtype) if np.asarray(x).dtype.kind == "f" else x,
                  requires_grad=True, device=device) for x in inputs]
    out_o = ours(*[p[0] for p in pairs])
    out_t = theirs(*[p[1] for p in pairs])
    close(out_o, out_t, dtype, "output", device)
    g = np.random.default_rng(grad_out_seed).standard_normal(out_t.shape).astype(dtype)
    out_o.backward(ag.tensor(g, device=device))
    out_t.backward(torch.tensor(g))
    for i, (a, b) in enumerate(pairs):
        if b.requires_grad:
            close(a.grad, b.grad, dtype, f"grad of input {i}", device)
    named_t = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        close(p.grad, named_t[name].grad, dtype, f"grad of {name}", device)
