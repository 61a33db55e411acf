"""swap_in_optimizer_params_and_state: run an optimizer's steps on other parameters and another
state for the duration of a `with` block, leaving the live ones untouched."""
import contextlib

from ..autograd.tensor import Tensor

__all__ = ["swap_in_optimizer_params_and_state"]


def _swapped_groups(optimizer, parameters, state_dict):
    """[(live group, its swap-in params, the saved group)] after checking the saved structure."""
    op = "swap_in_optimizer_params_and_state"
    if not optimizer.state:
        raise RuntimeError(f"{op} requires initialized optimizer state (take a step first)")
    if not isinstance(state_dict, dict) or not isinstance(state_dict.get("state"), dict) \
            or not isinstance(state_dict.get("param_groups"), (list, tuple)):
        raise RuntimeError(f"{op} requires a state dict shaped as optimizer.state_dict() "
                           "({'state': {id: {...}}, 'param_groups': [...]})")
    saved_groups = list(state_dict["param_groups"])
    if len(saved_groups) != len(optimizer.param_groups):
        raise RuntimeError(f"{op}: the state dict has {len(saved_groups)} parameter groups, the optimizer "
                           f"{len(optimizer.param_groups)}")
    flat = list(parameters.values()) if isinstance(parameters, dict) else list(parameters)
    if not all(isinstance(p, Tensor) for p in flat):
        raise TypeError(f"{op}: the swap-in parameters must be Tensors")
    if len(flat) != sum(len(g["params"]) for g in optimizer.param_groups):
        raise RuntimeError(f"{op}: got {len(flat)} parameters, the optimizer's groups hold "
                           f"{sum(len(g['params']) for g in optimizer.param_groups)}")
    result, offset = [], 0
    for i, (group, saved) in enumerate(zip(optimizer.param_groups, saved_groups)):
        ids = list(saved.get("params", ()))
        if len(ids) != len(group["params"]):
            raise RuntimeError(f"{op}: parameter group {i} lists {len(ids)} parameters in the state dict, "
                               f"{len(group['params'])} in the optimizer")
        swapped = flat[offset:offset + len(ids)]
        for p, live in zip(swapped, group["params"]):
            if tuple(p.shape) != tuple(live.shape):
                raise RuntimeError(f"{op}: a swap-in parameter has shape {tuple(p.shape)}, the optimizer's "
                                   f"{tuple(live.shape)}")
        result.append((group, swapped, saved, ids))
        offset += len(ids)
    return result


@contextlib.contextmanager
def swap_in_optimizer_params_and_state(optimizer, swapin_parameters, swapin_optim_state):
    """Inside the block, `optimizer` works on `swapin_parameters` (a dict of Tensors, or a sequence,
    in the order of its groups' parameters) with the state and hyperparameters of
    `swapin_optim_state` (shaped as optimizer.state_dict()); on exit its own parameters, state and
    hyperparameters are back. step() changes the swap-in parameters and the state dict's arrays
    in place (Tensors in it share their arrays), and its step counts are written back to the state
    dict; other changes (new entries) are dropped, as in PyTorch.

    >>> saved = copy.deepcopy(optimizer.state_dict())
    >>> trial = {n: p.detach().clone() for n, p in model.named_parameters()}
    >>> with swap_in_optimizer_params_and_state(optimizer, trial, saved):
    ...     optimizer.step()                      # model and optimizer are left as they were
    """
    groups = _swapped_groups(optimizer, swapin_parameters, swapin_optim_state)
    saved_entries = swapin_optim_state["state"]
    original = (optimizer.state, [dict(g) for g in optimizer.param_groups], optimizer._gathered, optimizer._homes)
    written = []            # (swap-in state dict entry, the state the steps update)
    try:
        state = {}
        for group, swapped, saved, ids in groups:
            group["params"] = swapped
            for key, value in saved.items():
                if key != "params":
                    group[key] = tuple(value) if isinstance(value, list) else value
            for p, index in zip(swapped, ids):
                entry = saved_entries.get(index, saved_entries.get(str(index)))
                if entry is None:
                    continue
                state[p] = {k: v._data if isinstance(v, Tensor) else v for k, v in entry.items()}
                written.append((entry, state[p]))
        optimizer.state, optimizer._gathered, optimizer._homes = state, {}, {}
        yield
    finally:
        for entry, live in written:        # counts are replaced, not changed in place: copy them back
            for key, value in live.items():
                if key not in entry or getattr(value, "shape", ()) != ():
                    continue
                if isinstance(entry[key], Tensor):
                    entry[key]._data[...] = value
                else:
                    entry[key] = value
        state, snapshots, gathered, homes = original
        for group, snapshot in zip(optimizer.param_groups, snapshots):
            group.clear()
            group.update(snapshot)
        optimizer.state, optimizer._gathered, optimizer._homes = state, gathered, homes
