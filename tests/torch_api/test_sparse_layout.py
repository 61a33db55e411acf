"""fastgrad.sparse: COO tensors (stored densely) as PyTorch scripts build and use them:
sparse_coo_tensor, to_sparse / to_dense, indices / values / _nnz, sparse @ dense, torch.spmm,
gradients through values and to_sparse; and the GCN example's model and adjacency
normalization, trained as PyTorch trains it."""
import numpy as np
import pytest

import fastgrad as fg
from torch_parity import copy_weights, to_fastgrad


def test_coo_tensor_sums_duplicates_and_describes_its_nonzeros():
    a = fg.sparse_coo_tensor([[0, 1, 2, 0], [1, 2, 0, 1]], fg.tensor([1.0, 2.0, 3.0, 4.0]), (3, 3))
    assert a.is_sparse and a.layout is fg.sparse_coo and not fg.ones(1).is_sparse and fg.ones(1).layout is fg.strided
    np.testing.assert_array_equal(a.to_dense().numpy(), [[0, 5, 0], [0, 0, 2], [3, 0, 0]])
    assert not a.to_dense().is_sparse
    assert a.indices().tolist() == [[0, 1, 2], [1, 2, 0]] and a.values().tolist() == [5.0, 2.0, 3.0]
    assert a._nnz() == 3 and a.coalesce() is a and a.is_coalesced()
    assert fg.sparse_coo_tensor([[0, 2]], [1.0, 1.0]).shape == (3,)


def test_matches_pytorch_and_differentiates(rng):
    torch = pytest.importorskip("torch")
    idx, vals = np.array([[0, 1, 2, 2], [1, 2, 0, 0]]), rng.standard_normal(4)
    dense = rng.standard_normal((3, 2))
    mine_v, theirs_v = fg.tensor(vals, requires_grad=True), torch.tensor(vals, requires_grad=True)
    mine_x, theirs_x = fg.tensor(dense, requires_grad=True), torch.tensor(dense, requires_grad=True)
    got = fg.sparse.mm(fg.sparse_coo_tensor(idx, mine_v, (3, 3)), mine_x.to_sparse().to_dense())
    expected = torch.sparse.mm(torch.sparse_coo_tensor(torch.tensor(idx), theirs_v, (3, 3)), theirs_x)
    np.testing.assert_allclose(got.numpy(), expected.detach().numpy(), rtol=1e-12)
    got.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(mine_v.grad.numpy(), theirs_v.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(mine_x.grad.numpy(), theirs_x.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("indices, values, size, error, message", [
    ([0, 1], [1.0, 2.0], (3,), TypeError, "argument 'indices' must be a 2-d integer array"),
    ([[0.0, 1.0]], [1.0, 2.0], (3,), TypeError, "argument 'indices' must be a 2-d integer array"),
    ([[0, 1]], [1.0], (3,), ValueError, r"argument 'values' must hold one value per index column \(2\)"),
    ([[0, 3]], [1.0, 2.0], (3,), ValueError, r"an index is outside size \(3,\)"),
    ([[0, 1]], [1.0, 2.0], (3, 3), ValueError, r"size \(3, 3\) has 2 dimensions, the indices 1"),
])
def test_bad_arguments(indices, values, size, error, message):
    with pytest.raises(error, match="sparse_coo_tensor: " + message):
        fg.sparse_coo_tensor(indices, values, size)


GCN = '''
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F


class GraphConv(nn.Module):
    def __init__(self, input_dim, output_dim, use_bias=False):
        super(GraphConv, self).__init__()
        self.kernel = nn.Parameter(torch.Tensor(input_dim, output_dim))
        nn.init.xavier_normal_(self.kernel)
        self.bias = None
        if use_bias:
            self.bias = nn.Parameter(torch.Tensor(output_dim))
            nn.init.zeros_(self.bias)

    def forward(self, input_tensor, adj_mat):
        support = torch.mm(input_tensor, self.kernel)
        output = torch.spmm(adj_mat, support)
        if self.bias is not None:
            output = output + self.bias
        return output


class GCN(nn.Module):
    def __init__(self, input_dim, hidden_dim, output_dim, use_bias=True, dropout_p=0.1):
        super(GCN, self).__init__()
        self.gc1 = GraphConv(input_dim, hidden_dim, use_bias=use_bias)
        self.gc2 = GraphConv(hidden_dim, output_dim, use_bias=use_bias)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, input_tensor, adj_mat):
        x = self.gc1(input_tensor, adj_mat)
        x = F.relu(x)
        x = self.dropout(x)
        x = self.gc2(x, adj_mat)
        return F.log_softmax(x, dim=1)


def graph(content, edges):
    """load_cora's processing, on arrays instead of the downloaded files."""
    features = torch.FloatTensor(content)
    scale_vector = torch.sum(features, dim=1)
    scale_vector = 1 / scale_vector
    scale_vector[scale_vector == float('inf')] = 0
    scale_vector = torch.diag(scale_vector).to_sparse()
    features = scale_vector @ features
    V, E = content.shape[0], edges.shape[0]
    adj_mat = torch.sparse_coo_tensor(edges.T, torch.ones(E), (V, V), dtype=torch.int64)
    adj_mat = torch.eye(V) + adj_mat
    degree_mat = torch.sum(adj_mat, dim=1)
    degree_mat = torch.sqrt(1 / degree_mat)
    degree_mat[degree_mat == float('inf')] = 0
    degree_mat = torch.diag(degree_mat).to_sparse()
    adj_mat = degree_mat @ adj_mat @ degree_mat
    return features.to_sparse(), adj_mat.to_sparse()
'''


def test_the_gcn_example_trains_as_pytorch(rng):
    torch = pytest.importorskip("torch")
    peer, mine = {}, {}
    exec(GCN, peer)
    exec(to_fastgrad(GCN), mine)
    content = (rng.random((30, 12)) < 0.3).astype(np.float64)
    content[3] = 0  # a node without features: its scale is inf, then 0
    edges = rng.integers(0, 30, (60, 2)).astype(np.int32)
    labels = rng.integers(0, 4, 30)
    torch.manual_seed(0)
    models = (peer["GCN"](12, 8, 4, True, 0.0).double(), mine["GCN"](12, 8, 4, True, 0.0).double())
    copy_weights(models[1], models[0])
    inputs = [scope["graph"](content, edges) for scope in (peer, mine)]
    assert inputs[1][0].is_sparse and inputs[1][1].is_sparse
    np.testing.assert_allclose(inputs[1][1].to_dense().numpy(), inputs[0][1].to_dense().numpy(), rtol=1e-6)
    opts = [lib.optim.Adam(m.parameters(), lr=0.01, weight_decay=5e-4) for lib, m in zip((torch, fg), models)]
    for _ in range(5):
        losses = []
        for lib, model, opt, (features, adj) in zip((torch, fg), models, opts, inputs):
            opt.zero_grad()
            loss = lib.nn.NLLLoss()(model(features.double(), adj.double()), lib.tensor(labels))
            loss.backward()
            opt.step()
            losses.append(loss.item())
        np.testing.assert_allclose(losses[1], losses[0], rtol=1e-6)
