"""Optimizer hooks as torch.optim.Optimizer has them, checked against torch's call order;
torch.cuda's queries that answer without a GPU."""
import autograd as ag
import nn
from tests.conftest import requires_torch, torch

if torch is not None:
    import torch.optim.optimizer as torch_optimizer  # (torch.optim deletes the attribute)


def _trace(lib, opt_cls, **kw):
    calls = []
    p = (lib.nn.Parameter if lib is torch else nn.Parameter)(lib.ones(2))
    opt = opt_cls([p], lr=0.1, **kw)
    opt_mod = torch_optimizer if lib is torch else nn.optim.optimizer
    g = opt_mod.register_optimizer_step_pre_hook(lambda o, a, k: calls.append("global-pre"))
    h = opt.register_step_pre_hook(lambda o, a, k: calls.append("pre"))
    opt.register_step_post_hook(lambda o, a, k: calls.append("post"))
    opt.register_state_dict_pre_hook(lambda o: calls.append("sd-pre"))
    opt.register_state_dict_post_hook(lambda o, sd: dict(sd, extra=len(calls)))
    opt.register_load_state_dict_pre_hook(lambda o, sd: calls.append("load-pre"))
    opt.register_load_state_dict_post_hook(lambda o: calls.append("load-post"))
    p.grad = lib.ones(2)
    opt.step()
    g.remove()
    h.remove()
    opt.step()
    sd = opt.state_dict()
    calls.append(("extra", sd["extra"]))
    opt.load_state_dict({k: v for k, v in sd.items() if k != "extra"})
    return calls


@requires_torch
def test_optimizer_hooks_run_in_torchs_order():
    assert _trace(ag, nn.optim.SGD, momentum=0.9) == _trace(torch, torch.optim.SGD,
                                                            momentum=0.9)
    assert _trace(ag, nn.optim.Adam) == _trace(torch, torch.optim.Adam)


def test_step_pre_hook_may_replace_arguments_and_subclass_steps_are_hooked():
    p = nn.Parameter(ag.ones(2))
    opt = nn.optim.LBFGS([p])
    seen = []
    opt.register_step_pre_hook(lambda o, a, k: ((lambda: (p * p).sum(),), {}))
    opt.register_step_post_hook(lambda o, a, k: seen.append(len(a)))
    opt.step(None)  # the pre-hook supplies the closure LBFGS needs
    assert seen == [1]


def test_cuda_queries_without_a_gpu():
    c = ag.cuda
    assert c.is_bf16_supported() is False  # Ember has no bfloat16
    if not c.is_available():
        assert c.memory_reserved() == 0 and c.is_initialized() is False
        assert issubclass(c.OutOfMemoryError, Exception)
    state = c.get_rng_state()
    a = ag.randn(3)
    c.set_rng_state(state)
    assert bool((ag.randn(3) == a).all())
    with c.device_of(ag.zeros(1)):  # a CPU tensor: no device switch
        pass
