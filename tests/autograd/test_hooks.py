"""Tensor hooks, node hooks, retain_grad and post-accumulate hooks: order and values
as in PyTorch (each scenario runs on both libraries and the logs are compared)."""
import pytest
import torch

import autograd as ag


def _both(scenario):
    return scenario(ag), scenario(torch)


def test_hook_order_and_values_match_torch():
    def scenario(lib):
        log = []
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x * 2
        h.register_hook(lambda g: log.append(("h", g.tolist())))
        # a leaf hook runs once, on the summed gradient, before accumulation
        x.register_hook(lambda g: log.append(("x", g.tolist())) or g * 10)
        x.register_post_accumulate_grad_hook(lambda t: log.append(("post", t.grad.tolist())))
        y = h * x + x
        h.retain_grad()
        y.grad_fn.register_hook(lambda gi, go: log.append(("node", len(gi), len(go))))
        y.sum().backward()
        return log, x.grad.tolist(), h.grad.tolist()
    ours, theirs = _both(scenario)
    assert ours == theirs


def test_non_leaf_hook_replaces_gradient_and_retain_grad_sees_it():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x * 2
        h.retain_grad()
        handle = h.register_hook(lambda g: g * 3)
        (h * h).sum().backward()
        first = (h.grad.tolist(), x.grad.tolist())
        handle.remove()
        x.grad = None
        h2 = x * 2
        h2.register_hook(lambda g: None)  # returning None keeps the gradient
        (h2 * h2).sum().backward()
        return first, x.grad.tolist()
    ours, theirs = _both(scenario)
    assert ours == theirs


def test_leaf_hook_removed_by_handle_and_accumulates_across_calls():
    def scenario(lib):
        x = lib.tensor([1.0], requires_grad=True)
        handle = x.register_hook(lambda g: g + 100)
        (x * 3).sum().backward()
        handle.remove()
        (x * 3).sum().backward()
        return x.grad.tolist()
    ours, theirs = _both(scenario)
    assert ours == theirs == [106.0]


def test_several_hooks_chain_in_registration_order():
    def scenario(lib):
        x = lib.tensor([1.0], requires_grad=True)
        h = x * 1
        h.register_hook(lambda g: g + 1)
        h.register_hook(lambda g: g * 10)
        h.sum().backward()
        return x.grad.tolist()
    ours, theirs = _both(scenario)
    assert ours == theirs == [20.0]


def test_retain_grad_on_non_leaf_accumulates_and_leaf_is_noop():
    def scenario(lib):
        x = lib.tensor([1.0, 3.0], requires_grad=True)
        x.retain_grad()
        h = x.exp()
        h.retain_grad()
        h.sum().backward(retain_graph=True)
        h.sum().backward()
        return [round(v, 12) for v in h.grad.tolist()], h.retains_grad, x.retains_grad
    ours, theirs = _both(scenario)
    assert ours == theirs


def test_hooks_on_multi_output_node():
    def scenario(lib):
        x = lib.tensor([[3.0, 1.0], [2.0, 5.0]], requires_grad=True)
        values, _ = x.max(1)
        log = []
        values.register_hook(lambda g: log.append(g.tolist()) or g * 2)
        values.sum().backward()
        return log, x.grad.tolist()
    ours, theirs = _both(scenario)
    assert ours == theirs


def test_hook_errors_match_torch():
    for lib in (ag, torch):
        with pytest.raises(RuntimeError):
            lib.tensor([1.0]).register_hook(lambda g: g)
        x = lib.tensor([1.0], requires_grad=True)
        with pytest.raises(RuntimeError):
            (x * 2).register_post_accumulate_grad_hook(lambda t: None)
        with pytest.raises(RuntimeError):
            lib.tensor([1.0]).retain_grad()


def test_node_hook_can_replace_input_gradients():
    def scenario(lib):
        a = lib.tensor([1.0], requires_grad=True)
        b = lib.tensor([2.0], requires_grad=True)
        y = a * b
        y.grad_fn.register_hook(lambda gi, go: tuple(g * 0 if g is not None else None
                                                      for g in gi))
        y.sum().backward()
        return a.grad.tolist(), b.grad.tolist()
    ours, theirs = _both(scenario)
    assert ours == theirs == ([0.0], [0.0])


def test_post_accumulate_hook_can_step_the_parameter():
    def scenario(lib):
        w = lib.tensor([1.0, 2.0], requires_grad=True)

        def step(p):
            with lib.no_grad():
                p -= 0.5 * p.grad
            p.grad = None
        w.register_post_accumulate_grad_hook(step)
        (w * w).sum().backward()
        return w.tolist(), w.grad
    ours, theirs = _both(scenario)
    assert ours == theirs == ([0.0, 0.0], None)
