"""Weight averaging (PyTorch's `torch.optim.swa_utils`): stochastic weight averaging and EMA.

    ema = swa_utils.AveragedModel(model, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(0.999))
    for x, y in loader:
        ...; opt.step()
        ema.update_parameters(model)        # ema now holds the running average
    swa_utils.update_bn(loader, ema)        # BatchNorm statistics for the averaged weights

`AveragedModel` keeps a copy of the model whose parameters (and, with use_buffers, buffers)
are averaged over the calls to update_parameters: equally (SWA, the default) or as given by
avg_fn / multi_avg_fn.  `SWALR` anneals each group's rate to a constant swa_lr.
"""
import copy
import itertools
import math

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..creation import tensor
from ..nn.modules.module import Module
from ..nn.modules.norm import _BatchNorm
from .lr_scheduler import LRScheduler, _per_group

__all__ = ["AveragedModel", "SWALR", "update_bn", "get_ema_avg_fn", "get_ema_multi_avg_fn", "get_swa_avg_fn",
           "get_swa_multi_avg_fn"]


def _checked_decay(decay):
    if not 0.0 <= decay <= 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")
    return decay


def get_ema_avg_fn(decay=0.999):
    """avg_fn of an exponential moving average: decay * averaged + (1 - decay) * current."""
    _checked_decay(decay)

    def ema_update(averaged, current, num_averaged):
        return decay * averaged + (1 - decay) * current
    return ema_update


def get_swa_avg_fn():
    """avg_fn of the equal-weight average: averaged + (current - averaged) / (num_averaged + 1)."""
    def swa_update(averaged, current, num_averaged):
        return averaged + (current - averaged) / (num_averaged + 1)
    return swa_update


def get_ema_multi_avg_fn(decay=0.999):
    """multi_avg_fn of an exponential moving average: each averaged tensor moves (1 - decay) of
    the way to the current one, in place."""
    _checked_decay(decay)

    def ema_update(averaged_list, current_list, num_averaged):
        with no_grad():
            for averaged, current in zip(averaged_list, current_list):
                _move_towards(averaged, current, 1 - decay, decay)
    return ema_update


def get_swa_multi_avg_fn():
    """multi_avg_fn of the equal-weight average, in place."""
    def swa_update(averaged_list, current_list, num_averaged):
        weight = 1.0 / (int(num_averaged) + 1)
        with no_grad():
            for averaged, current in zip(averaged_list, current_list):
                _move_towards(averaged, current, weight, None)
    return swa_update


def _move_towards(averaged, current, weight, decay):
    """averaged += weight * (current - averaged) for floating tensors (lerp); integer ones, as
    PyTorch, are rebuilt from decay * averaged + (1 - decay) * current (EMA) or the mean step."""
    if averaged.dtype.kind == "f":
        averaged.copy_(averaged.lerp(current, weight))
    elif decay is not None:
        averaged.copy_(averaged * decay + current * (1 - decay))
    else:
        averaged.copy_(averaged + (current - averaged) * weight)


class AveragedModel(Module):
    """A copy of `model` (in `self.module`) whose weights are the running average of the
    model's weights over the calls to update_parameters.

    avg_fn(averaged, current, num_averaged) returns one averaged tensor; multi_avg_fn(averaged
    list, current list, num_averaged) updates them in place (give at most one; neither: the
    equal-weight SWA average).  use_buffers averages the buffers too (as parameters); otherwise
    the buffers are copied from the model at every update.  Calling it runs the averaged copy."""

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise ValueError("AveragedModel: give avg_fn or multi_avg_fn, not both")
        if not isinstance(model, Module):
            raise TypeError(f"AveragedModel: argument 'model' must be a Module, got {type(model).__name__}")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", tensor(0))
        self.avg_fn, self.multi_avg_fn, self.use_buffers = avg_fn, multi_avg_fn, use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def _averaged_tensors(self, model):
        if self.use_buffers:
            return (list(itertools.chain(self.module.parameters(), self.module.buffers())),
                    list(itertools.chain(model.parameters(), model.buffers())))
        return list(self.module.parameters()), list(model.parameters())

    def update_parameters(self, model):
        """Fold the model's current weights into the average (the first call copies them)."""
        mine, theirs = self._averaged_tensors(model)
        if len(mine) != len(theirs):
            raise ValueError(f"AveragedModel.update_parameters: the model has {len(theirs)} tensors to average, "
                             f"the averaged copy {len(mine)}: not the same architecture")
        mine = [p.detach() for p in mine]
        theirs = [p.detach() for p in theirs]
        count = int(self.n_averaged.item())
        with no_grad():
            if count == 0:
                for averaged, current in zip(mine, theirs):
                    averaged.copy_(current)
            elif self.avg_fn is not None:
                for averaged, current in zip(mine, theirs):
                    averaged.copy_(self.avg_fn(averaged, current, self.n_averaged))
            else:
                (self.multi_avg_fn or get_swa_multi_avg_fn())(mine, theirs, self.n_averaged)
            if not self.use_buffers:
                for averaged, current in zip(self.module.buffers(), model.buffers()):
                    averaged.detach().copy_(current.detach())
            self.n_averaged.add_(1)


def update_bn(loader, model, device=None):
    """Recompute the running statistics of every BatchNorm layer of `model` with one pass over
    `loader` (each batch a tensor, or a list / tuple whose first item is the input), as a
    cumulative average; the model's train/eval mode and the layers' momenta are restored."""
    layers = [m for m in model.modules() if isinstance(m, _BatchNorm)]
    if not layers:
        return
    momenta = {}
    for layer in layers:
        layer.reset_running_stats()
        momenta[layer] = layer.momentum
        layer.momentum = None
    was_training = model.training
    model.train()
    with no_grad():
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            if device is not None and isinstance(batch, Tensor):
                batch = batch.to(device)
            model(batch)
    for layer, momentum in momenta.items():
        layer.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneals each group's rate from its current value to swa_lr over anneal_epochs steps
    ('cos' or 'linear'), then holds it there, as PyTorch's SWALR."""

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos", last_epoch=-1):
        for rate, group in zip(_per_group("swa_lr", swa_lr, optimizer), optimizer.param_groups):
            group["swa_lr"] = rate
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"SWALR: anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy!r}")
        if not isinstance(anneal_epochs, int) or isinstance(anneal_epochs, bool) or anneal_epochs < 0:
            raise ValueError(f"SWALR: anneal_epochs must be equal or greater than 0, got {anneal_epochs!r}")
        self.anneal_strategy, self.anneal_epochs = anneal_strategy, anneal_epochs
        super().__init__(optimizer, last_epoch)

    def _anneal(self, t):
        return (1 - math.cos(math.pi * t)) / 2 if self.anneal_strategy == "cos" else t

    def get_lr(self):
        # The group's rate was set from the previous step's fraction; undo that mix to find the
        # rate annealing started from, then mix it with swa_lr at this step's fraction.
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        before = self._anneal(max(0.0, min(1.0, (step - 1) / max(1, self.anneal_epochs))))
        now = self._anneal(max(0.0, min(1.0, step / max(1, self.anneal_epochs))))
        rates = []
        for group in self.optimizer.param_groups:
            start = group["swa_lr"] if before == 1 else (group["lr"] - before * group["swa_lr"]) / (1 - before)
            rates.append(group["swa_lr"] * now + start * (1 - now))
        return rates
