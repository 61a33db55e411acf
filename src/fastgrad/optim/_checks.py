"""Hyperparameter checks shared by the optimizers (ValueError, as in PyTorch)."""


def non_negative(opt, name, value):
    if not value >= 0.0:
        raise ValueError(f"{opt}: invalid {name}: {value} (must be >= 0)")


# How a hyperparameter is named in its error message (else "<key> value").
LABELS = {"lr": "learning rate", "eps": "epsilon value", "initial_accumulator_value": "initial_accumulator_value"}


def non_negative_keys(opt, group, *keys):
    """non_negative for each of the group's `keys`, in order."""
    for key in keys:
        non_negative(opt, LABELS.get(key, f"{key} value"), group[key])


def positive(opt, name, value):
    if not value > 0.0:
        raise ValueError(f"{opt}: invalid {name}: {value} (must be > 0)")


def in_unit_interval(opt, name, value):
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{opt}: invalid {name}: {value} (must be in [0, 1))")


def pair(opt, name, value, what):
    """`value` as a pair of floats, or ValueError naming `name` and `what` the pair holds."""
    try:
        first, second = value
        return float(first), float(second)
    except (TypeError, ValueError):
        raise ValueError(f"{opt}: invalid {name}: {value!r} (expected a pair {what})") from None


def betas_pair(opt, betas):
    try:
        beta1, beta2 = betas
    except (TypeError, ValueError):
        raise ValueError(f"{opt}: invalid betas: {betas!r} (expected a pair (beta1, beta2))") from None
    in_unit_interval(opt, "beta parameter at index 0", beta1)
    in_unit_interval(opt, "beta parameter at index 1", beta2)
    return float(beta1), float(beta2)


def foreach_and_fused(opt, foreach, fused):
    """PyTorch's implementation switches: None or a bool each, not both True.

    fastgrad's step is one call over the list of parameters (foreach) into a
    fused kernel (fused) unless told otherwise: foreach=False makes one call
    per parameter, fused=False runs the unfused reference form."""
    for name, value in (("foreach", foreach), ("fused", fused)):
        if value is not None and not isinstance(value, bool):
            raise TypeError(f"{opt}: {name} must be None, True or False, got {value!r}")
    if foreach and fused:
        raise ValueError(f"{opt}: foreach and fused cannot both be True (choose one implementation)")


def adam_family_checks(optimizer, group):
    """The _check_hyperparameters of Adam and its variants: adam_family under the class's name."""
    adam_family(type(optimizer).__name__, group)


def adam_family(opt, group):
    """The checks shared by Adam and its variants: lr, eps, betas and weight_decay."""
    non_negative(opt, "learning rate", group["lr"])
    positive(opt, "epsilon value", group["eps"])
    betas_pair(opt, group["betas"])
    non_negative(opt, "weight_decay value", group["weight_decay"])
