"""swap_in_optimizer_params_and_state (same as torch.optim's): run optimizer APIs against
other parameter tensors and another state dict for the duration of a `with` block."""
from __future__ import annotations

import contextlib
from collections import defaultdict

_NAME = "swap_in_optimizer_params_and_state"


def _check(optimizer, params, osd):
    if not optimizer.state:
        raise RuntimeError(f"{_NAME} requires initialized optimizer state.")
    if not isinstance(osd, dict) or not isinstance(osd.get("state"), dict) \
            or not isinstance(osd.get("param_groups"), (list, tuple)):
        raise RuntimeError(f"{_NAME} requires a DCP-style optimizer state_dict.")
    groups = osd["param_groups"]
    if len(groups) != len(optimizer.param_groups):
        raise RuntimeError(f"{_NAME} requires as many param groups as the live optimizer: "
                           f"{len(groups)} given, {len(optimizer.param_groups)} live.")
    infos, offset, seen = [], 0, set()
    for idx, (live, saved) in enumerate(zip(optimizer.param_groups, groups)):
        ids = list(saved["params"])
        if len(ids) != len(live["params"]):
            raise RuntimeError(f"{_NAME}: group {idx} has {len(ids)} parameter ids, the live "
                               f"group {len(live['params'])} parameters.")
        if set(saved) != set(live):
            raise RuntimeError(
                f"{_NAME} requires optimizer.state_dict()-style param group keys to exactly "
                f"match the live optimizer group keys for group {idx}. Keys only in swap-in: "
                f"{sorted(set(saved) - set(live))}. Keys only in live: "
                f"{sorted(set(live) - set(saved))}.")
        seen.update(ids)
        if offset + len(ids) > len(params):
            raise RuntimeError(f"{_NAME} requires the explicit parameter state to match "
                               "optimizer.param_groups ordering.")
        infos.append((live, saved, params[offset:offset + len(ids)], ids))
        offset += len(ids)
    extra = [k for k in osd["state"] if k not in seen]
    if extra:
        raise RuntimeError(f"{_NAME} requires swapin_optim_state['state'] to be keyed only by "
                           f"packed parameter ids from param_groups[*]['params']; got extra "
                           f"keys {extra!r}.")
    return infos


@contextlib.contextmanager
def swap_in_optimizer_params_and_state(optimizer, swapin_parameters, swapin_optim_state):
    """Same as torch.optim.swap_in_optimizer_params_and_state: inside the block the
    optimizer's groups hold swapin_parameters (in parameter order) and the group options of
    swapin_optim_state (an optimizer.state_dict()-shaped dict), its state that dict's
    per-parameter entries (in-place tensor edits reach them); both are restored on exit."""
    params = list(swapin_parameters.values()) if isinstance(swapin_parameters, dict) \
        else list(swapin_parameters)
    infos = _check(optimizer, params, swapin_optim_state)
    original_state = optimizer.state
    snapshots = [dict(g) for g in optimizer.param_groups]
    try:
        state = defaultdict(dict)
        for live, saved, swap, ids in infos:
            live["params"] = swap
            live.update({k: v for k, v in saved.items() if k != "params"})
            for p, i in zip(swap, ids):
                state[p] = dict(swapin_optim_state["state"].get(i, {}))
        optimizer.state = state
        yield
    finally:
        for group, snapshot in zip(optimizer.param_groups, snapshots):
            group.clear()
            group.update(snapshot)
        optimizer.state = original_state
