"""Arguments of the optimizer step kernels for the GPU kernel tests."""

def step_scalars(name, kwargs, step):
    """The keyword arguments of an optimizer step kernel at step `step`: the options of
    `kwargs` with the per-step scalars that fastgrad.optim.functional computes."""
    kwargs = dict(kwargs)
    if name == "adam_step":
        beta1, beta2, lr = kwargs["beta1"], kwargs["beta2"], kwargs["lr"]
        kwargs.update(step_size=lr / (1.0 - beta1 ** step), bias_correction2_sqrt=(1.0 - beta2 ** step) ** 0.5)
    if name == "adagrad_step":
        kwargs["clr"] = kwargs.pop("lr") / (1 + (step - 1) * kwargs.pop("lr_decay", 0.0))
    if name == "nadam_step":   # a fixed momentum schedule: the kernels take its coefficients
        kwargs.update(bias_correction2=1.0 - kwargs["beta2"] ** step, grad_coef=-0.1 * kwargs["lr"] / step,
                      avg_coef=-0.9 * kwargs["lr"] / step)
    if name == "radam_step":
        beta1, beta2 = kwargs["beta1"], kwargs["beta2"]
        kwargs.update(bias_correction1=1.0 - beta1 ** step, bias_correction2_sqrt=(1.0 - beta2 ** step) ** 0.5,
                      rect=0.5, rectified=step > 2)
    if name == "adamax_step":
        kwargs["clr"] = kwargs.pop("lr") / (1.0 - kwargs["beta1"] ** step)
    return kwargs


def one_parameter(arrays):
    """The arguments of a step kernel for a single parameter: each array as a list of one."""
    return [None if a is None else [a] for a in arrays]
