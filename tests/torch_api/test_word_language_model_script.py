"""A word-level language model written in the shape of pytorch/examples' word_language_model and
using its idioms, not a copy of it: a corpus read from text files into a vocabulary and int64 id
tensors; columns cut with narrow, view, t() and contiguous(); windows of rows as inputs and
targets; a recurrent model of Embedding, Dropout, LSTM / GRU / RNN_TANH and a Linear decoder tied
to the embedding; zero states from weight.new_zeros; hidden tuples detached between windows;
clip_grad_norm_ and the hand-written step `p.data.add_(p.grad, alpha=-lr)`; a transformer with a
positional-encoding buffer, in the example's earlier form (a TransformerEncoder of
TransformerEncoderLayers, a causal mask from triu and masked_fill(float('-inf'))) and its current
one (a subclass of nn.Transformer, the mask as the log of tril); evaluation under no_grad,
perplexity by math.exp, the best state saved and reloaded, and words sampled with multinomial.
It runs with only its imports changed.  (The example saves the whole module with
torch.save(model, f); fastgrad's files hold data only, never pickles, so the script saves its
state_dict.)

From the same initial weights and without dropout, fastgrad and PyTorch take the same steps in
float64 for every model kind; unchanged, in float32, every kind learns the corpus' grammar."""
import argparse

import numpy as np
import pytest
from script_runs import assert_same_parameters, numpy_state, start_from
from torch_parity import float64_scripts, run_script

SCRIPT = """
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

END = '<eos>'


class Vocabulary(object):
    def __init__(self):
        self.ids = {}
        self.words = []

    def id_of(self, word):
        if word not in self.ids:
            self.ids[word] = len(self.words)
            self.words.append(word)
        return self.ids[word]

    def __len__(self):
        return len(self.words)


class TextFiles(object):
    \"\"\"train.txt, valid.txt and test.txt of a folder as 1-d int64 tensors of word ids.\"\"\"

    def __init__(self, folder):
        self.vocab = Vocabulary()
        self.train, self.valid, self.test = (self.read(os.path.join(folder, name + '.txt'))
                                             for name in ('train', 'valid', 'test'))

    def read(self, path):
        pieces = []
        with open(path, 'r', encoding="utf8") as text:
            for line in text:
                ids = [self.vocab.id_of(word) for word in line.split() + [END]]
                pieces.append(torch.tensor(ids).type(torch.int64))
        return torch.cat(pieces)


class RecurrentLM(nn.Module):
    def __init__(self, cell, vocab_size, embed_dim, hidden_dim, layers, dropout=0.5, tie=False):
        super(RecurrentLM, self).__init__()
        self.cell, self.vocab_size, self.hidden_dim, self.layers = cell, vocab_size, hidden_dim, layers
        self.drop = nn.Dropout(dropout)
        self.embed = nn.Embedding(vocab_size, embed_dim)
        if cell in ('LSTM', 'GRU'):
            self.rnn = getattr(nn, cell)(embed_dim, hidden_dim, layers, dropout=dropout)
        elif cell in ('RNN_TANH', 'RNN_RELU'):
            self.rnn = nn.RNN(embed_dim, hidden_dim, layers, nonlinearity=cell[4:].lower(), dropout=dropout)
        else:
            raise ValueError('unknown cell %r' % cell)
        self.decoder = nn.Linear(hidden_dim, vocab_size)
        if tie:
            if hidden_dim != embed_dim:
                raise ValueError('tying needs hidden_dim == embed_dim')
            self.decoder.weight = self.embed.weight      # one matrix for reading and writing words
        nn.init.uniform_(self.embed.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -0.1, 0.1)

    def forward(self, words, state):
        out, state = self.rnn(self.drop(self.embed(words)), state)
        scores = self.decoder(self.drop(out)).view(-1, self.vocab_size)
        return F.log_softmax(scores, dim=1), state

    def zero_state(self, columns):
        weight = next(self.parameters())
        shape = (self.layers, columns, self.hidden_dim)
        if self.cell == 'LSTM':
            return (weight.new_zeros(*shape), weight.new_zeros(*shape))
        return weight.new_zeros(*shape)


class SinusoidPositions(nn.Module):
    def __init__(self, width, dropout=0.1, longest=5000):
        super(SinusoidPositions, self).__init__()
        self.dropout = nn.Dropout(p=dropout)
        where = torch.arange(0, longest, dtype=torch.float).unsqueeze(1)
        rates = torch.exp(torch.arange(0, width, 2).float() * (-math.log(10000.0) / width))
        table = torch.zeros(longest, width)
        table[:, 0::2] = torch.sin(where * rates)
        table[:, 1::2] = torch.cos(where * rates)
        self.register_buffer('table', table.unsqueeze(0).transpose(0, 1))

    def forward(self, x):
        return self.dropout(x + self.table[:x.size(0), :])


# TransformerModel


def to_columns(ids, columns, device):
    rows = ids.size(0) // columns
    ids = ids.narrow(0, 0, rows * columns)        # the ragged tail is dropped
    return ids.view(columns, -1).t().contiguous().to(device)


def cut_history(state):
    # a state carried into the next window keeps its values but not its graph
    if isinstance(state, torch.Tensor):
        return state.detach()
    return tuple(cut_history(part) for part in state)


def window(columns, start, length):
    n = min(length, len(columns) - 1 - start)
    return columns[start:start+n], columns[start+1:start+1+n].view(-1)


def predict(opts, model, words, state):
    if opts.model == 'Transformer':
        return model(words).view(-1, model.vocab_size), state
    return model(words, state)


def mean_loss(opts, model, nll, columns):
    model.eval()
    total = 0.
    state = None if opts.model == 'Transformer' else model.zero_state(columns.size(1))
    with torch.no_grad():
        for start in range(0, columns.size(0) - 1, opts.seq_len):
            words, targets = window(columns, start, opts.seq_len)
            scores, state = predict(opts, model, words, state)
            total += len(words) * nll(scores, targets).item()
    return total / (len(columns) - 1)


def train_epoch(opts, model, nll, columns, lr, epoch, losses):
    model.train()
    state = None if opts.model == 'Transformer' else model.zero_state(opts.columns)
    for step, start in enumerate(range(0, columns.size(0) - 1, opts.seq_len)):
        words, targets = window(columns, start, opts.seq_len)
        model.zero_grad()
        if state is not None:
            state = cut_history(state)
        scores, state = predict(opts, model, words, state)
        loss = nll(scores, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), opts.clip)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        losses.append(loss.item())
        if step > 0 and step % opts.report_every == 0:
            recent = sum(losses[-opts.report_every:]) / opts.report_every
            print('epoch %d, window %d: lr %.3g, loss %.3f, perplexity %.2f' % (epoch, step, lr, recent,
                                                                                math.exp(recent)))


def main(opts):
    torch.manual_seed(opts.seed)
    device = torch.device("cpu")
    text = TextFiles(opts.data)
    train_cols = to_columns(text.train, opts.columns, device)
    valid_cols, test_cols = to_columns(text.valid, 5, device), to_columns(text.test, 5, device)

    vocab_size = len(text.vocab)
    if opts.model == 'Transformer':
        model = TransformerModel(vocab_size, opts.embed_dim, opts.heads, opts.hidden_dim, opts.layers, opts.dropout)
    else:
        model = RecurrentLM(opts.model, vocab_size, opts.embed_dim, opts.hidden_dim, opts.layers, opts.dropout,
                            opts.tie)
    model = model.to(device)
    nll = nn.NLLLoss()

    lr, best = opts.lr, math.inf
    losses, val_losses = [], []
    for epoch in range(1, opts.epochs + 1):
        train_epoch(opts, model, nll, train_cols, lr, epoch, losses)
        val_losses.append(mean_loss(opts, model, nll, valid_cols))
        print('after epoch %d: validation loss %.3f, perplexity %.2f' % (epoch, val_losses[-1],
                                                                           math.exp(val_losses[-1])))
        if val_losses[-1] < best:
            best = val_losses[-1]
            with open(opts.checkpoint, 'wb') as f:
                torch.save(model.state_dict(), f)
        else:
            lr /= 4.0      # no progress on the validation text: smaller steps

    with open(opts.checkpoint, 'rb') as f:
        model.load_state_dict(torch.load(f))
    if opts.model != 'Transformer':
        model.rnn.flatten_parameters()
    test_loss = mean_loss(opts, model, nll, test_cols)
    print('best model on the test text: loss %.3f, perplexity %.2f' % (test_loss, math.exp(test_loss)))
    return {"model": model, "losses": losses, "val_losses": val_losses, "test_loss": test_loss,
            "generated": babble(opts, model, text.vocab, 20), "ntokens": vocab_size}


def babble(opts, model, vocab, count):
    model.eval()
    state = None if opts.model == 'Transformer' else model.zero_state(1)
    words = torch.randint(len(vocab), (1, 1), dtype=torch.long)
    said = []
    with torch.no_grad():
        for _ in range(count):
            if opts.model == 'Transformer':
                weights = model(words, False)[-1].squeeze().div(opts.temperature).exp().cpu()
                chosen = torch.multinomial(weights, 1)[0]
                words = torch.cat([words, torch.Tensor([[chosen]]).long()], 0)
            else:
                scores, state = model(words, state)
                weights = scores.squeeze().div(opts.temperature).exp().cpu()
                chosen = torch.multinomial(weights, 1)[0]
                words.fill_(chosen)
            said.append(vocab.words[chosen])
    return said
"""


def transformer_methods(run_encoder):
    """init and forward, which both forms write alike but for how the encoder stack is called;
    the causal mask is made once per sequence length and kept."""
    return f"""
    def init_layers(self):
        nn.init.uniform_(self.embed.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -0.1, 0.1)

    def forward(self, words, masked=True):
        if not masked:
            self.causal_mask = None
        elif self.causal_mask is None or self.causal_mask.size(0) != len(words):
            self.causal_mask = self.causal(len(words)).to(words.device)
        x = self.positions(self.embed(words) * math.sqrt(self.width))
        return F.log_softmax(self.decoder({run_encoder}), dim=-1)
"""


# The TransformerModel of the example's earlier form: a TransformerEncoder of TransformerEncoderLayers
# with a causal mask from triu and masked_fill.
ENCODER_STACK = """
class TransformerModel(nn.Module):
    def __init__(self, vocab_size, width, heads, hidden_dim, layers, dropout=0.5):
        super(TransformerModel, self).__init__()
        self.vocab_size, self.width, self.causal_mask = vocab_size, width, None
        self.positions = SinusoidPositions(width, dropout)
        self.stack = nn.TransformerEncoder(nn.TransformerEncoderLayer(width, heads, hidden_dim, dropout), layers)
        self.embed = nn.Embedding(vocab_size, width)
        self.decoder = nn.Linear(width, vocab_size)
        self.init_layers()

    def causal(self, n):
        allowed = (torch.triu(torch.ones(n, n)) == 1).transpose(0, 1)
        return allowed.float().masked_fill(allowed == 0, float('-inf')).masked_fill(allowed == 1, float(0.0))
""" + transformer_methods("self.stack(x, self.causal_mask)")

# Its current form: a subclass of nn.Transformer (whose decoder it replaces by the Linear one)
# with the causal mask as the log of a lower-triangular matrix of ones.
TRANSFORMER_SUBCLASS = """
class TransformerModel(nn.Transformer):
    def __init__(self, vocab_size, width, heads, hidden_dim, layers, dropout=0.5):
        super(TransformerModel, self).__init__(d_model=width, nhead=heads, dim_feedforward=hidden_dim,
                                               num_encoder_layers=layers)
        self.vocab_size, self.width, self.causal_mask = vocab_size, width, None
        self.positions = SinusoidPositions(width, dropout)
        self.embed = nn.Embedding(vocab_size, width)
        self.decoder = nn.Linear(width, vocab_size)
        self.init_layers()

    def causal(self, n):
        return torch.log(torch.tril(torch.ones(n, n)))
""" + transformer_methods("self.encoder(x, mask=self.causal_mask)")

# The corpus: sentences of a tiny grammar, each word drawn from its slot's few choices.
SLOTS = [["the", "a", "one"], ["cat", "dog", "bird", "fish"], ["sees", "likes", "eats"],
         ["the", "a"], ["tree", "house", "ball", "cake"], ["today", "now", "again"]]


def write_corpus(folder, seed):
    rng = np.random.default_rng(seed)
    for name, lines in (("train.txt", 120), ("valid.txt", 24), ("test.txt", 24)):
        sentences = [" ".join(slot[rng.integers(len(slot))] for slot in SLOTS) for _ in range(lines)]
        (folder / name).write_text("\n".join(sentences) + "\n", encoding="utf8")
    return str(folder)


def arguments(folder, **changes):
    args = dict(data=write_corpus(folder, 0), model="LSTM", embed_dim=16, hidden_dim=16, layers=2, lr=20.0,
                clip=0.25, epochs=3, columns=8, seq_len=14, dropout=0.2, tie=True, seed=1111, report_every=4,
                checkpoint=str(folder / "model.pt"), heads=2, temperature=1.0)
    args.update(changes)
    return argparse.Namespace(**args)


VOCABULARY = len({word for slot in SLOTS for word in slot}) + 1     # and '<eos>'
KINDS = {"LSTM": dict(model="LSTM", layers=1, clip=1.0, lr=10.0), "GRU": dict(model="GRU"),
         "RNN_TANH": dict(model="RNN_TANH", lr=2.0), "Transformer": dict(model="Transformer", hidden_dim=32, lr=1.0),
         "nn.Transformer subclass": dict(model="Transformer", hidden_dim=32, lr=1.0)}


def script(kind):
    form = TRANSFORMER_SUBCLASS if kind == "nn.Transformer subclass" else ENCODER_STACK
    return SCRIPT.replace("# TransformerModel\n", form)


def model_arguments(args, ntokens):
    if args.model == "Transformer":
        return ntokens, args.embed_dim, args.heads, args.hidden_dim, args.layers, args.dropout
    return args.model, ntokens, args.embed_dim, args.hidden_dim, args.layers, args.dropout, args.tie


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")     # PyTorch's, about its own fast path
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_same_steps_as_pytorch_in_float64(kind, monkeypatch, tmp_path, capsys):
    torch = pytest.importorskip("torch")
    import fastgrad

    args = arguments(tmp_path, epochs=2, **KINDS[kind])
    model_class = "TransformerModel" if args.model == "Transformer" else "RecurrentLM"
    runs = {}
    for library in (torch, fastgrad):          # PyTorch first: its initial weights are the shared ones
        namespace = run_script(script(kind), library.__name__, "word_language_model")
        with float64_scripts(library):
            if library is torch:
                state = numpy_state(namespace[model_class](*model_arguments(args, VOCABULARY)))
            start_from(monkeypatch, namespace[model_class], state, library, dropout_off=True)
            runs[library.__name__] = namespace["main"](args)
    ours, theirs = runs["fastgrad"], runs["torch"]
    assert isinstance(ours["model"], fastgrad.nn.Module) and ours["ntokens"] == theirs["ntokens"] == VOCABULARY
    assert len(theirs["losses"]) == 2 * 8      # 840 words in 8 columns: 105 rows, 8 batches of 14 rows at most
    np.testing.assert_allclose(ours["losses"], theirs["losses"], rtol=1e-10)
    np.testing.assert_allclose(ours["val_losses"], theirs["val_losses"], rtol=1e-10)
    np.testing.assert_allclose(ours["test_loss"], theirs["test_loss"], rtol=1e-10)
    assert_same_parameters(ours["model"], theirs["model"], rtol=1e-9, atol=1e-12)
    assert str(ours["model"]) == str(theirs["model"])         # print(model) shows the same layers
    if args.model != "Transformer":
        assert ours["model"].decoder.weight is ours["model"].embed.weight    # still tied after load_state_dict
    assert "best model on the test text: loss " in capsys.readouterr().out


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_runs_unchanged_in_float32_and_learns_the_grammar(kind, tmp_path):
    import fastgrad

    out = run_script(script(kind), "fastgrad", "word_language_model")["main"](arguments(tmp_path, epochs=6,
                                                                                        **KINDS[kind]))
    assert np.all(np.isfinite(out["losses"])) and out["model"].decoder.weight.dtype == fastgrad.float32
    # 18 words (ppl 18 when guessing); the grammar leaves about 3 choices a word: ppl near 3-4
    assert np.exp(out["test_loss"]) < 6.0, np.exp(out["val_losses"])
    assert len(out["generated"]) == 20 and set(out["generated"]) <= {w for slot in SLOTS for w in slot} | {"<eos>"}
