"""Optimizer option combinations shared by the optimizer tests."""
import itertools

from fastgrad import optim


def _combos(base, **choices):
    keys = list(choices)
    for values in itertools.product(*(choices[k] for k in keys)):
        kw = dict(base)
        kw.update(zip(keys, values))
        yield kw


def _sgd():
    for kw in _combos({"lr": 0.01}, momentum=[0.0, 0.9], weight_decay=[0.0, 0.05], maximize=[False, True]):
        yield kw
        if kw["momentum"]:
            yield dict(kw, dampening=0.3)
            yield dict(kw, nesterov=True)


def _adam():
    yield from _combos({"lr": 0.01}, weight_decay=[0.0, 0.1], amsgrad=[False, True], maximize=[False, True])
    yield {"lr": 0.02, "betas": (0.8, 0.95), "eps": 1e-6}
    yield {"lr": 0.02, "betas": (0.3, 0.5)}


def _rmsprop():
    yield from _combos({"lr": 0.01}, momentum=[0.0, 0.9], centered=[False, True], weight_decay=[0.0, 0.1])
    yield {"lr": 0.01, "alpha": 0.9, "eps": 1e-6, "maximize": True}


def _adagrad():
    yield from _combos({"lr": 0.1}, lr_decay=[0.0, 0.01], weight_decay=[0.0, 0.1],
                       initial_accumulator_value=[0.0, 0.1])
    yield {"lr": 0.1, "eps": 1e-6, "maximize": True}


def _nadam():
    yield from _combos({"lr": 0.01}, weight_decay=[0.0, 0.1], decoupled_weight_decay=[False, True],
                       maximize=[False, True])
    yield {"lr": 0.02, "betas": (0.8, 0.95), "eps": 1e-6, "momentum_decay": 0.01}


def _radam():
    yield from _combos({"lr": 0.01}, weight_decay=[0.0, 0.1], decoupled_weight_decay=[False, True],
                       maximize=[False, True])
    yield {"lr": 0.02, "betas": (0.8, 0.9), "eps": 1e-6}        # rho_t > 5 from step 3 on


def _adamax():
    yield from _combos({"lr": 0.01}, weight_decay=[0.0, 0.1], maximize=[False, True])
    yield {"lr": 0.02, "betas": (0.8, 0.95), "eps": 1e-6}


def _adadelta():
    yield from _combos({"lr": 1.0}, weight_decay=[0.0, 0.1], maximize=[False, True])
    yield {"lr": 0.5, "rho": 0.5, "eps": 1e-4}


def _rprop():
    yield from _combos({"lr": 0.01}, maximize=[False, True])
    yield {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.08)}     # both clamps reached
    yield {"lr": 0.1, "etas": (0.9, 1.1), "step_sizes": (0.0, 1.0), "maximize": True}


def _asgd():
    yield from _combos({"lr": 0.01}, weight_decay=[0.0, 0.1], maximize=[False, True])
    yield {"lr": 0.05, "lambd": 0.1, "alpha": 0.5, "t0": 10.0}           # averaging from step 11 on
    yield {"lr": 0.02, "lambd": 1e-3, "t0": 0.0, "weight_decay": 0.05}


def cases():
    """(id, fastgrad class, PyTorch class name, kwargs) for every option combination."""
    table = [(optim.SGD, "SGD", _sgd), (optim.Adam, "Adam", _adam), (optim.AdamW, "AdamW", _adam),
             (optim.RMSprop, "RMSprop", _rmsprop), (optim.Adagrad, "Adagrad", _adagrad),
             (optim.NAdam, "NAdam", _nadam), (optim.RAdam, "RAdam", _radam), (optim.Adamax, "Adamax", _adamax),
             (optim.Adadelta, "Adadelta", _adadelta), (optim.Rprop, "Rprop", _rprop), (optim.ASGD, "ASGD", _asgd)]
    out = []
    for cls, torch_name, gen in table:
        for kw in gen():
            label = ",".join(f"{k}={v}" for k, v in sorted(kw.items()))
            out.append((f"{torch_name}({label})", cls, torch_name, kw))
    return out
