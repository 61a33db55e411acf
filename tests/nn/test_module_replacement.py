"""Replacing a child or a parameter keeps its place (the order of iteration and of state_dict
keys), as in PyTorch: `model.fc = nn.Linear(...)`, `model[1] = nn.Tanh()`, `del model[0]`."""
import pytest

import fastgrad as fg
from fastgrad import nn


def build(library):
    class Net(library.nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = library.nn.Parameter(library.ones(1))
            self.shift = library.nn.Parameter(library.zeros(1))
            self.features = library.nn.Sequential(library.nn.Linear(4, 8), library.nn.ReLU(),
                                                  library.nn.Linear(8, 8), library.nn.ReLU())
            self.fc = library.nn.Linear(8, 2)
            self.out = library.nn.Identity()

    net = Net()
    net.fc = library.nn.Linear(8, 5)                 # a new head, as transfer learning does
    net.scale = library.nn.Parameter(library.ones(3))
    net.features[1] = library.nn.Tanh()
    del net.features[2]
    return net


def layout(net):
    return (list(net.state_dict()), [name for name, _ in net.named_children()],
            [type(m).__name__ for m in net.features], list(net.features._modules))


def test_replaced_children_and_parameters_keep_their_place():
    net = build(fg)
    keys, children, kinds, names = layout(net)
    assert keys == ["scale", "shift", "features.0.weight", "features.0.bias", "fc.weight", "fc.bias"]
    assert children == ["features", "fc", "out"]
    assert kinds == ["Linear", "Tanh", "ReLU"] and names == ["0", "1", "2"]
    assert net.fc.out_features == 5 and tuple(net.scale.shape) == (3,)


def test_the_layout_is_pytorchs():
    torch = pytest.importorskip("torch")
    assert layout(build(fg)) == layout(build(torch))


def test_bad_replacements_are_refused():
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    with pytest.raises(IndexError, match="out of range"):
        model[2] = nn.ReLU()
    with pytest.raises(TypeError, match="must be a Module"):
        model[0] = "linear"
