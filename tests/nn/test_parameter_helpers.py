"""nn.ParameterList, nn.init.orthogonal_, nn.utils.parameters_to_vector / vector_to_parameters and
nn.utils.rnn.pad_sequence, against PyTorch where it is installed."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn, optim
from fastgrad.nn.utils.rnn import pad_sequence


# ---- ParameterList -------------------------------------------------------------------------------

class Mixture(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.ParameterList([nn.Parameter(fg.ones(3)) for _ in range(2)])
        self.weights.append(np.full((2, 3), 2.0, np.float32))          # an array becomes a Parameter

    def forward(self, x):
        return sum((x * w).sum() for w in self.weights)


def test_parameter_list_registers_its_parameters():
    m = Mixture()
    assert [name for name, _ in m.named_parameters()] == ["weights.0", "weights.1", "weights.2"]
    assert list(m.state_dict()) == ["weights.0", "weights.1", "weights.2"]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in m.weights)
    assert len(m.weights) == 3 and m.weights[-1].shape == (2, 3) and len(m.weights[:2]) == 2
    opt = optim.SGD(m.parameters(), lr=0.5)
    m(fg.ones(3)).backward()
    opt.step()
    np.testing.assert_allclose(m.weights[0].numpy(), 0.5)
    m.weights[1] = fg.zeros(4)
    assert m.weights[1].shape == (4,) and isinstance(m.weights[1], nn.Parameter)
    with pytest.raises(IndexError, match="out of range"):
        m.weights[5]
    with pytest.raises(TypeError, match="ParameterList: cannot hold None"):
        m.weights.append(None)
    with pytest.raises(TypeError, match="ParameterList.extend: expects an iterable"):
        m.weights.extend(3)


def test_parameter_list_repr_as_pytorch():
    torch = pytest.importorskip("torch")
    ours = repr(nn.ParameterList([fg.ones(2), fg.ones(3, 2)]))
    theirs = repr(torch.nn.ParameterList([torch.ones(2), torch.ones(3, 2)]))
    assert ours == theirs.replace("torch.float32", "float32")
    assert repr(nn.ParameterList()) == repr(torch.nn.ParameterList())


# ---- init.orthogonal_ ------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(5, 5), (3, 7), (7, 3), (4, 2, 3, 3)])
def test_orthogonal_rows_or_columns_are_orthonormal(shape):
    w = nn.Parameter(np.empty(shape, np.float64))
    assert nn.init.orthogonal_(w, gain=2.0, generator=np.random.default_rng(0)) is w
    flat = w.numpy().reshape(shape[0], -1) / 2.0
    gram = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
    np.testing.assert_allclose(gram, np.eye(gram.shape[0]), atol=1e-12)
    again = nn.Parameter(np.empty(shape, np.float64))
    nn.init.orthogonal_(again, gain=2.0, generator=np.random.default_rng(0))
    np.testing.assert_array_equal(again.numpy(), w.numpy())


def test_orthogonal_edge_cases():
    empty = fg.empty(0, 3)
    assert nn.init.orthogonal_(empty) is empty
    with pytest.raises(ValueError, match="orthogonal_: only tensors with 2 or more dimensions"):
        nn.init.orthogonal_(fg.empty(4))
    w = fg.empty(3, 4)
    nn.init.orthogonal_(w)
    assert w.dtype == np.float32


# ---- parameters_to_vector / vector_to_parameters ------------------------------------------------------

def test_parameter_vectors_round_trip_and_match_pytorch():
    torch = pytest.importorskip("torch")
    peer = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2)).double()
    mine = nn.Sequential(nn.Linear(3, 4, dtype=np.float64), nn.Linear(4, 2, dtype=np.float64))
    mine.load_state_dict({k: fg.tensor(v.detach().numpy()) for k, v in peer.state_dict().items()})
    vec = nn.utils.parameters_to_vector(mine.parameters())
    np.testing.assert_array_equal(vec.detach().numpy(), torch.nn.utils.parameters_to_vector(peer.parameters())
                                  .detach().numpy())
    (vec * fg.tensor(np.arange(vec.shape[0], dtype=np.float64))).sum().backward()
    np.testing.assert_array_equal(mine[0].weight.grad.numpy(), np.arange(12.0).reshape(4, 3))
    new = np.linspace(-1, 1, vec.shape[0])
    nn.utils.vector_to_parameters(fg.tensor(new), mine.parameters())
    torch.nn.utils.vector_to_parameters(torch.tensor(new), peer.parameters())
    for (name, p), q in zip(mine.named_parameters(), peer.parameters()):
        np.testing.assert_array_equal(p.numpy(), q.detach().numpy(), err_msg=name)


def test_parameter_vector_errors():
    m = nn.Linear(2, 2)
    with pytest.raises(ValueError, match="vector_to_parameters: vec has 5 elements, the parameters 6"):
        nn.utils.vector_to_parameters(fg.zeros(5), m.parameters())
    with pytest.raises(TypeError, match="vector_to_parameters: expected vec to be a Tensor"):
        nn.utils.vector_to_parameters(np.zeros(6), m.parameters())
    with pytest.raises(ValueError, match="vector_to_parameters: vec must be 1-d"):
        nn.utils.vector_to_parameters(fg.zeros(2, 3), m.parameters())
    with pytest.raises(TypeError, match="parameters_to_vector: expects an iterable of Tensors"):
        nn.utils.parameters_to_vector(m.weight)
    with pytest.raises(ValueError, match="parameters_to_vector: no parameters given"):
        nn.utils.parameters_to_vector([])


# ---- pad_sequence ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [dict(), dict(batch_first=True), dict(padding_value=-1.5),
                                    dict(batch_first=True, padding_side="left")])
def test_pad_sequence_matches_pytorch_with_gradients(kwargs, rng):
    torch = pytest.importorskip("torch")
    arrays = [rng.standard_normal((n, 2, 3)) for n in (4, 1, 3)]
    ours = [fg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = pad_sequence(ours, **kwargs), torch.nn.utils.rnn.pad_sequence(theirs, **kwargs)
    np.testing.assert_array_equal(out.detach().numpy(), ref.detach().numpy())
    seed = rng.standard_normal(out.shape)
    (out * fg.tensor(seed)).sum().backward()
    (ref * torch.tensor(seed)).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


def test_pad_sequence_edges_and_errors():
    assert pad_sequence([fg.ones(2), fg.ones(0)]).shape == (2, 2)
    assert pad_sequence([fg.ones(3)], batch_first=True).shape == (1, 3)
    with pytest.raises(ValueError, match="pad_sequence: received an empty list"):
        pad_sequence([])
    with pytest.raises(ValueError, match="pad_sequence: every sequence must be"):
        pad_sequence([fg.ones(2, 3), fg.ones(2, 4)])
    with pytest.raises(ValueError, match="pad_sequence: padding_side must be"):
        pad_sequence([fg.ones(2)], padding_side="middle")
    with pytest.raises(TypeError, match="pad_sequence: sequence 1 is a list"):
        pad_sequence([fg.ones(2), [1.0]])
