"""The demo's models: a 2-layer MLP (Linear -> activation -> Linear) and a small CNN."""
import fastgrad as fg
from fastgrad import nn

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


MODELS = ("mlp", "cnn")


def build_model(kind, num_features, hidden, num_classes, activation="relu", seed=0):
    """The demo's `kind` of model ("mlp" or "cnn"), its initial weights depending only on `seed`."""
    if kind == "mlp":
        return build_mlp(num_features, hidden, num_classes, activation, seed)
    if kind == "cnn":
        return build_cnn(num_features, hidden, num_classes, activation, seed)
    raise ValueError(f"unknown model {kind!r}: choose from {', '.join(MODELS)}")


def describe_model(kind, num_features, hidden, num_classes, activation):
    """One line naming the layers, for the demo's header."""
    if kind == "cnn":
        side = image_side(num_features)
        return (f"CNN {side}x{side} -> conv3x3 16 -> BN -> pool -> conv3x3 32 -> BN -> pool -> {hidden} -> "
                f"{num_classes} ({activation})")
    return f"MLP {num_features}-{hidden}-{num_classes} ({activation})"


def image_side(num_features):
    """The side of the square images whose pixels are the features (64 -> 8, 784 -> 28)."""
    side = int(round(num_features ** 0.5))
    if side * side != num_features or side < 4:
        raise ValueError(f"the CNN needs square images of side >= 4; {num_features} features are not one")
    return side


def build_cnn(num_features, hidden, num_classes, activation="relu", seed=0):
    """A small CNN on the square images whose flattened pixels are the features.

    (side x side) -> conv 3x3 (16, padding 1) -> batch norm -> act -> max pool 2
    -> conv 3x3 (32, padding 1) -> batch norm -> act -> max pool 2
    -> flatten -> Linear(hidden) -> act -> Linear(num_classes).
    Batch normalization keeps the demo's default learning rates stable for it.
    """
    side = image_side(num_features)
    fg.manual_seed(seed)
    return nn.Sequential(
        Image(side),
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), activation_module(activation), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), activation_module(activation), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * (side // 4) ** 2, hidden), activation_module(activation),
        nn.Linear(hidden, num_classes),
    )


class Image(nn.Module):
    """Rows of side * side pixels as (N, 1, side, side) images."""

    def __init__(self, side):
        super().__init__()
        self.side = side

    def forward(self, x):
        return x.reshape(x.shape[0], 1, self.side, self.side)

    def extra_repr(self):
        return f"side={self.side}"
