"""Optimizers and learning-rate schedules, with PyTorch's names and defaults.

    from fastgrad import optim
    opt = optim.Adam(model.parameters(), lr=1e-3)
    sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=100)

The classes keep parameter groups and state; `optim.functional` holds each
algorithm as a function over lists of arrays.  A step is one fused in-place
C pass over all parameters of a dtype (float32/float64 NumPy arrays), one
CuPy kernel per parameter on the GPU, and the reference twins of
fastgrad/backend/reference/optim.py for other arrays.
"""
from . import functional, lr_scheduler, swa_utils
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .asgd import ASGD
from .lbfgs import LBFGS
from .muon import Muon
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD
from .sparse_adam import SparseAdam
from .swap_in import swap_in_optimizer_params_and_state

__all__ = ["ASGD", "Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "LBFGS", "NAdam", "Optimizer", "RAdam", "RMSprop",
           "Rprop", "SGD", "SparseAdam", "swap_in_optimizer_params_and_state", "Muon",
           "functional", "lr_scheduler", "swa_utils"]
