"""A word-level language model written as pytorch/examples' word_language_model is (a corpus read
from text files into a Dictionary and int64 id tensors; batchify with narrow, view, t() and
contiguous(); get_batch; an RNNModel of Embedding, Dropout, LSTM / GRU / RNN_TANH and a Linear
decoder tied to the embedding; init_hidden via weight.new_zeros; repackage_hidden detaching
hidden tuples; clip_grad_norm_ and the hand-written step `p.data.add_(p.grad, alpha=-lr)`; a
TransformerModel with a PositionalEncoding buffer, in the example's earlier form (a
TransformerEncoder of TransformerEncoderLayers, a causal mask from triu and
masked_fill(float('-inf'))) and its current one (a subclass of nn.Transformer, the mask as the
log of tril); evaluation under no_grad, perplexity by math.exp, the best model's state saved and
reloaded, and words sampled with multinomial) runs with only its imports changed.  (The example
saves the whole module with torch.save(model, f); fastgrad's files hold data only, never pickles,
so the script saves its state_dict.)

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
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Dictionary(object):
    def __init__(self):
        self.word2idx = {}
        self.idx2word = []

    def add_word(self, word):
        if word not in self.word2idx:
            self.idx2word.append(word)
            self.word2idx[word] = len(self.idx2word) - 1
        return self.word2idx[word]

    def __len__(self):
        return len(self.idx2word)


class Corpus(object):
    def __init__(self, path):
        self.dictionary = Dictionary()
        self.train = self.tokenize(os.path.join(path, 'train.txt'))
        self.valid = self.tokenize(os.path.join(path, 'valid.txt'))
        self.test = self.tokenize(os.path.join(path, 'test.txt'))

    def tokenize(self, path):
        assert os.path.exists(path)
        with open(path, 'r', encoding="utf8") as f:
            for line in f:
                for word in line.split() + ['<eos>']:
                    self.dictionary.add_word(word)
        with open(path, 'r', encoding="utf8") as f:
            idss = []
            for line in f:
                ids = [self.dictionary.word2idx[word] for word in line.split() + ['<eos>']]
                idss.append(torch.tensor(ids).type(torch.int64))
            ids = torch.cat(idss)
        return ids


class RNNModel(nn.Module):
    \"\"\"Container module with an encoder, a recurrent module, and a decoder.\"\"\"

    def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.5, tie_weights=False):
        super(RNNModel, self).__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        if rnn_type in ['LSTM', 'GRU']:
            self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout)
        else:
            try:
                nonlinearity = {'RNN_TANH': 'tanh', 'RNN_RELU': 'relu'}[rnn_type]
            except KeyError as e:
                raise ValueError("An invalid option for `--model` was supplied") from e
            self.rnn = nn.RNN(ninp, nhid, nlayers, nonlinearity=nonlinearity, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)

        # Tie the output layer to the embedding ("Using the Output Embedding to Improve Language Models")
        if tie_weights:
            if nhid != ninp:
                raise ValueError('When using the tied flag, nhid must be equal to emsize')
            self.decoder.weight = self.encoder.weight

        self.init_weights()

        self.rnn_type = rnn_type
        self.nhid = nhid
        self.nlayers = nlayers

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output)
        decoded = decoded.view(-1, self.ntoken)
        return F.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        if self.rnn_type == 'LSTM':
            return (weight.new_zeros(self.nlayers, bsz, self.nhid),
                    weight.new_zeros(self.nlayers, bsz, self.nhid))
        else:
            return weight.new_zeros(self.nlayers, bsz, self.nhid)


class PositionalEncoding(nn.Module):
    \"\"\"Adds sines and cosines of the position at geometrically spaced frequencies to the embeddings.\"\"\"

    def __init__(self, d_model, dropout=0.1, max_len=5000):
        super(PositionalEncoding, self).__init__()
        self.dropout = nn.Dropout(p=dropout)

        pe = torch.zeros(max_len, d_model)
        position = torch.arange(0, max_len, dtype=torch.float).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        pe = pe.unsqueeze(0).transpose(0, 1)
        self.register_buffer('pe', pe)

    def forward(self, x):
        x = x + self.pe[:x.size(0), :]
        return self.dropout(x)


# TransformerModel


# Starting from sequential data, batchify arranges the dataset into columns:
# each of the bsz columns is an independent stretch of the text.
def batchify(data, bsz, device):
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)       # drop what does not fill a column
    data = data.view(bsz, -1).t().contiguous()
    return data.to(device)


def repackage_hidden(h):
    \"\"\"Wraps hidden states in new Tensors, to detach them from their history.\"\"\"
    if isinstance(h, torch.Tensor):
        return h.detach()
    else:
        return tuple(repackage_hidden(v) for v in h)


# get_batch cuts bptt rows from the columns: the target of each token is the one below it.
def get_batch(source, i, bptt):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i:i+seq_len]
    target = source[i+1:i+1+seq_len].view(-1)
    return data, target


def evaluate(args, model, criterion, data_source, ntokens, eval_batch_size):
    model.eval()
    total_loss = 0.
    if args.model != 'Transformer':
        hidden = model.init_hidden(eval_batch_size)
    with torch.no_grad():
        for i in range(0, data_source.size(0) - 1, args.bptt):
            data, targets = get_batch(data_source, i, args.bptt)
            if args.model == 'Transformer':
                output = model(data)
                output = output.view(-1, ntokens)
            else:
                output, hidden = model(data, hidden)
                hidden = repackage_hidden(hidden)
            total_loss += len(data) * criterion(output, targets).item()
    return total_loss / (len(data_source) - 1)


def train(args, model, criterion, train_data, ntokens, lr, epoch, losses):
    model.train()
    total_loss = 0.
    start_time = time.time()
    if args.model != 'Transformer':
        hidden = model.init_hidden(args.batch_size)
    for batch, i in enumerate(range(0, train_data.size(0) - 1, args.bptt)):
        data, targets = get_batch(train_data, i, args.bptt)
        # Starting each batch, we detach the hidden state from how it was previously produced.
        # If we didn't, the model would try backpropagating all the way to start of the dataset.
        model.zero_grad()
        if args.model == 'Transformer':
            output = model(data)
            output = output.view(-1, ntokens)
        else:
            hidden = repackage_hidden(hidden)
            output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()

        # `clip_grad_norm` helps prevent the exploding gradient problem in RNNs / LSTMs.
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)

        total_loss += loss.item()
        losses.append(loss.item())

        if batch % args.log_interval == 0 and batch > 0:
            cur_loss = total_loss / args.log_interval
            elapsed = time.time() - start_time
            print('| epoch {:3d} | {:5d}/{:5d} batches | lr {:02.2f} | ms/batch {:5.2f} | '
                    'loss {:5.2f} | ppl {:8.2f}'.format(
                epoch, batch, len(train_data) // args.bptt, lr,
                elapsed * 1000 / args.log_interval, cur_loss, math.exp(cur_loss)))
            total_loss = 0
            start_time = time.time()


def main(args):
    torch.manual_seed(args.seed)
    device = torch.device("cpu")
    corpus = Corpus(args.data)
    eval_batch_size = 5
    train_data = batchify(corpus.train, args.batch_size, device)
    val_data = batchify(corpus.valid, eval_batch_size, device)
    test_data = batchify(corpus.test, eval_batch_size, device)

    ntokens = len(corpus.dictionary)
    if args.model == 'Transformer':
        model = TransformerModel(ntokens, args.emsize, args.nhead, args.nhid, args.nlayers, args.dropout).to(device)
    else:
        model = RNNModel(args.model, ntokens, args.emsize, args.nhid, args.nlayers, args.dropout, args.tied).to(device)
    criterion = nn.NLLLoss()

    lr = args.lr
    best_val_loss = None
    losses, val_losses = [], []
    for epoch in range(1, args.epochs+1):
        epoch_start_time = time.time()
        train(args, model, criterion, train_data, ntokens, lr, epoch, losses)
        val_loss = evaluate(args, model, criterion, val_data, ntokens, eval_batch_size)
        val_losses.append(val_loss)
        print('-' * 89)
        print('| end of epoch {:3d} | time: {:5.2f}s | valid loss {:5.2f} | '
                'valid ppl {:8.2f}'.format(epoch, (time.time() - epoch_start_time),
                                           val_loss, math.exp(val_loss)))
        print('-' * 89)
        # Save the model if the validation loss is the best we've seen so far.
        if not best_val_loss or val_loss < best_val_loss:
            with open(args.save, 'wb') as f:
                torch.save(model.state_dict(), f)
            best_val_loss = val_loss
        else:
            # Anneal the learning rate if no improvement has been seen in the validation dataset.
            lr /= 4.0

    # Load the best saved model.
    with open(args.save, 'rb') as f:
        model.load_state_dict(torch.load(f))
        if args.model in ['RNN_TANH', 'RNN_RELU', 'LSTM', 'GRU']:
            model.rnn.flatten_parameters()
    test_loss = evaluate(args, model, criterion, test_data, ntokens, eval_batch_size)
    print('=' * 89)
    print('| End of training | test loss {:5.2f} | test ppl {:8.2f}'.format(test_loss, math.exp(test_loss)))
    print('=' * 89)
    return {"model": model, "losses": losses, "val_losses": val_losses, "test_loss": test_loss,
            "generated": generate(args, model, corpus, 20), "ntokens": ntokens}


def generate(args, model, corpus, words):
    \"\"\"Samples words one at a time from the model's predicted distribution.\"\"\"
    model.eval()
    ntokens = len(corpus.dictionary)
    if args.model != 'Transformer':
        hidden = model.init_hidden(1)
    input = torch.randint(ntokens, (1, 1), dtype=torch.long)
    generated = []
    with torch.no_grad():
        for i in range(words):
            if args.model == 'Transformer':
                output = model(input, False)
                word_weights = output[-1].squeeze().div(args.temperature).exp().cpu()
                word_idx = torch.multinomial(word_weights, 1)[0]
                word_tensor = torch.Tensor([[word_idx]]).long()
                input = torch.cat([input, word_tensor], 0)
            else:
                output, hidden = model(input, hidden)
                word_weights = output.squeeze().div(args.temperature).exp().cpu()
                word_idx = torch.multinomial(word_weights, 1)[0]
                input.fill_(word_idx)
            generated.append(corpus.dictionary.idx2word[word_idx])
    return generated
"""


def transformer_methods(embedding, run_encoder):
    """init_weights and forward, which both forms write alike but for the embedding's name and
    how the encoder stack is called; the causal mask is made once per sequence length."""
    return f"""
    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.{embedding}.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, src, has_mask=True):
        if has_mask:
            device = src.device
            if self.src_mask is None or self.src_mask.size(0) != len(src):
                mask = self._generate_square_subsequent_mask(len(src)).to(device)
                self.src_mask = mask
        else:
            self.src_mask = None

        src = self.{embedding}(src) * math.sqrt(self.ninp)
        src = self.pos_encoder(src)
        output = {run_encoder}
        output = self.decoder(output)
        return F.log_softmax(output, dim=-1)
"""


# The TransformerModel of the example's earlier form: a TransformerEncoder of TransformerEncoderLayers
# with a causal mask from triu and masked_fill.
ENCODER_STACK = """
class TransformerModel(nn.Module):
    \"\"\"Container module with an encoder, a transformer encoder stack, and a decoder.\"\"\"

    def __init__(self, ntoken, ninp, nhead, nhid, nlayers, dropout=0.5):
        super(TransformerModel, self).__init__()
        self.model_type = 'Transformer'
        self.src_mask = None
        self.pos_encoder = PositionalEncoding(ninp, dropout)
        encoder_layers = nn.TransformerEncoderLayer(ninp, nhead, nhid, dropout)
        self.transformer_encoder = nn.TransformerEncoder(encoder_layers, nlayers)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.ninp = ninp
        self.decoder = nn.Linear(ninp, ntoken)

        self.init_weights()

    def _generate_square_subsequent_mask(self, sz):
        mask = (torch.triu(torch.ones(sz, sz)) == 1).transpose(0, 1)
        mask = mask.float().masked_fill(mask == 0, float('-inf')).masked_fill(mask == 1, float(0.0))
        return mask
""" + transformer_methods("encoder", "self.transformer_encoder(src, self.src_mask)")

# Its current form: a subclass of nn.Transformer (whose decoder it replaces by the Linear one)
# with the causal mask as the log of a lower-triangular matrix of ones.
TRANSFORMER_SUBCLASS = """
class TransformerModel(nn.Transformer):
    \"\"\"Container module with an encoder, a transformer module, and a decoder.\"\"\"

    def __init__(self, ntoken, ninp, nhead, nhid, nlayers, dropout=0.5):
        super(TransformerModel, self).__init__(d_model=ninp, nhead=nhead, dim_feedforward=nhid,
                                               num_encoder_layers=nlayers)
        self.model_type = 'Transformer'
        self.src_mask = None
        self.pos_encoder = PositionalEncoding(ninp, dropout)

        self.input_emb = nn.Embedding(ntoken, ninp)
        self.ninp = ninp
        self.decoder = nn.Linear(ninp, ntoken)

        self.init_weights()

    def _generate_square_subsequent_mask(self, sz):
        return torch.log(torch.tril(torch.ones(sz, sz)))
""" + transformer_methods("input_emb", "self.encoder(src, mask=self.src_mask)")

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
    args = dict(data=write_corpus(folder, 0), model="LSTM", emsize=16, nhid=16, nlayers=2, lr=20.0, clip=0.25,
                epochs=3, batch_size=8, bptt=14, dropout=0.2, tied=True, seed=1111, log_interval=4,
                save=str(folder / "model.pt"), nhead=2, temperature=1.0)
    args.update(changes)
    return argparse.Namespace(**args)


VOCABULARY = len({word for slot in SLOTS for word in slot}) + 1     # and '<eos>'
KINDS = {"LSTM": dict(model="LSTM", nlayers=1, clip=1.0, lr=10.0), "GRU": dict(model="GRU"),
         "RNN_TANH": dict(model="RNN_TANH", lr=2.0), "Transformer": dict(model="Transformer", nhid=32, lr=1.0),
         "nn.Transformer subclass": dict(model="Transformer", nhid=32, lr=1.0)}


def script(kind):
    form = TRANSFORMER_SUBCLASS if kind == "nn.Transformer subclass" else ENCODER_STACK
    return SCRIPT.replace("# TransformerModel\n", form)


def model_arguments(args, ntokens):
    if args.model == "Transformer":
        return ntokens, args.emsize, args.nhead, args.nhid, args.nlayers, args.dropout
    return args.model, ntokens, args.emsize, args.nhid, args.nlayers, args.dropout, args.tied


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")     # PyTorch's, about its own fast path
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_same_steps_as_pytorch_in_float64(kind, monkeypatch, tmp_path, capsys):
    torch = pytest.importorskip("torch")
    import fastgrad

    args = arguments(tmp_path, epochs=2, **KINDS[kind])
    model_class = "TransformerModel" if args.model == "Transformer" else "RNNModel"
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
        assert ours["model"].decoder.weight is ours["model"].encoder.weight    # still tied after load_state_dict
    assert "| End of training | test loss" in capsys.readouterr().out


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_runs_unchanged_in_float32_and_learns_the_grammar(kind, tmp_path):
    import fastgrad

    out = run_script(script(kind), "fastgrad", "word_language_model")["main"](arguments(tmp_path, epochs=6,
                                                                                        **KINDS[kind]))
    assert np.all(np.isfinite(out["losses"])) and out["model"].decoder.weight.dtype == fastgrad.float32
    # 18 words (ppl 18 when guessing); the grammar leaves about 3 choices a word: ppl near 3-4
    assert np.exp(out["test_loss"]) < 6.0, np.exp(out["val_losses"])
    assert len(out["generated"]) == 20 and set(out["generated"]) <= {w for slot in SLOTS for w in slot} | {"<eos>"}
