"""The optimizers the demo compares, by name, with learning rates that work on digits."""
from fastgrad import optim

# name -> (default learning rate, factory(params, lr))
OPTIMIZERS = {
    "sgd": (0.1, lambda params, lr: optim.SGD(params, lr=lr)),
    "momentum": (0.05, lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9)),
    "nesterov": (0.05, lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9, nesterov=True)),
    "adam": (1e-3, lambda params, lr: optim.Adam(params, lr=lr)),
    "adamw": (1e-3, lambda params, lr: optim.AdamW(params, lr=lr)),
}


def default_lr(name):
    return OPTIMIZERS[name][0]


def make_optimizer(name, params, lr):
    """An optimizer over `params`: sgd, momentum (0.9), nesterov, adam or adamw."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}: choose from {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[name][1](params, lr)
