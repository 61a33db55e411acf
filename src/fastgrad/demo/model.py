"""The demo's model: a 2-layer MLP, Linear -> activation -> Linear."""
import fastgrad as fg

ACTIVATIONS = ("relu", "tanh", "sigmoid", "gelu")


def activation_module(name):
    """nn module for an activation name (relu, tanh, sigmoid, gelu)."""
    from fastgrad import nn

    modules = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "gelu": nn.GELU}
    if name not in modules:
        raise ValueError(f"unknown activation {name!r}: choose from {', '.join(ACTIVATIONS)}")
    return modules[name]()


def build_mlp(num_features, hidden, num_classes, activation="relu", seed=0):
    """A 2-layer MLP whose initial weights depend only on `seed`.

    logits = W2 act(W1 x + b1) + b2, with nn.Linear's default initialisation.
    """
    from fastgrad import nn

    fg.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(num_features, hidden),
        activation_module(activation),
        nn.Linear(hidden, num_classes),
    )
