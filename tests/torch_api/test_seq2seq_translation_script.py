"""A script written in the shape of PyTorch's "NLP from scratch: translation with a sequence to
sequence network and attention" tutorial (our own code, not a copy) runs with only its imports
changed: vocabularies built from normalised sentences, padded index tensors in a TensorDataset
with a RandomSampler, an encoder (Embedding + GRU, batch_first), a decoder with additive
(Bahdanau) attention (three Linear layers, tanh, softmax, bmm, cat) fed by teacher forcing in
training and by its own detached topk choice in evaluation, NLLLoss over log_softmax and one
Adam optimizer per network.  The sentence pairs are a small made-up French-to-English set
written in the script.

With the same initial weights, dropout off and the batches in order, every epoch's loss, the
weights and the greedy translations equal PyTorch's (float64); unchanged (float32, shuffled,
dropout on), the script learns to translate every pair.
"""
import numpy as np
import pytest
from torch_parity import assert_same_state, float64_scripts, needs_torch, run_script, start_from, state_arrays

SCRIPT = """
import random
import re
import unicodedata

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import optim
from torch.utils.data import DataLoader, RandomSampler, TensorDataset

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
START, END = 0, 1
MAX_WORDS = 6           # the longest sentence and its end marker


class Vocabulary:
    '''Words numbered in the order they are first seen, after the start and end markers.'''

    def __init__(self):
        self.words = ["<SOS>", "<EOS>"]
        self.number = {}

    def __len__(self):
        return len(self.words)

    def add(self, sentence):
        for word in sentence.split(' '):
            if word not in self.number:
                self.number[word] = len(self.words)
                self.words.append(word)

    def ids(self, sentence):
        return [self.number[word] for word in sentence.split(' ')]


def normalise(text):
    '''Lower case, accents dropped, and only the words of letters (or ! and ?) kept.'''
    decomposed = unicodedata.normalize('NFD', text.lower().strip())
    plain = ''.join(ch for ch in decomposed if not unicodedata.combining(ch))
    return ' '.join(re.findall(r"[a-z]+|[!?]", plain))


SUBJECTS = [("Je suis", "i am"), ("Tu es", "you are"), ("Il est", "he is"), ("Elle est", "she is")]
ADJECTIVES = [("grand", "tall"), ("petit", "small"), ("content", "happy"), ("triste", "sad"),
              ("fatigué", "tired"), ("prêt", "ready")]


def build_corpus():
    '''Every subject with every adjective, plain and with "very": 48 French-English pairs.'''
    source_vocab, target_vocab, pairs = Vocabulary(), Vocabulary(), []
    for fr_subject, en_subject in SUBJECTS:
        for fr_adjective, en_adjective in ADJECTIVES:
            for fr_very, en_very in (("", ""), ("très ", "very ")):
                pair = (normalise(f"{fr_subject} {fr_very}{fr_adjective}."),
                        normalise(f"{en_subject} {en_very}{en_adjective}."))
                source_vocab.add(pair[0])
                target_vocab.add(pair[1])
                pairs.append(pair)
    return source_vocab, target_vocab, pairs


def make_batches(batch_size):
    '''Both sides of every pair as rows of word ids ending in END, padded with zeros.'''
    source_vocab, target_vocab, pairs = build_corpus()
    sources = np.zeros((len(pairs), MAX_WORDS), dtype=np.int32)
    targets = np.zeros_like(sources)
    for row, (source, target) in enumerate(pairs):
        for table, vocab, sentence in ((sources, source_vocab, source), (targets, target_vocab, target)):
            ids = vocab.ids(sentence) + [END]
            table[row, :len(ids)] = ids
    data = TensorDataset(torch.LongTensor(sources).to(device), torch.LongTensor(targets).to(device))
    return source_vocab, target_vocab, pairs, DataLoader(data, sampler=RandomSampler(data), batch_size=batch_size)


class Encoder(nn.Module):
    def __init__(self, vocab_size, hidden_size, dropout_p=0.1):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, hidden_size)
        self.drop = nn.Dropout(dropout_p)
        self.rnn = nn.GRU(hidden_size, hidden_size, batch_first=True)

    def forward(self, ids):
        return self.rnn(self.drop(self.embed(ids)))


class AdditiveAttention(nn.Module):
    '''score(q, k) = v . tanh(W q + U k), softmax over the source positions, and the weighted
    sum of the keys as the context.'''

    def __init__(self, hidden_size):
        super().__init__()
        self.from_query = nn.Linear(hidden_size, hidden_size)
        self.from_keys = nn.Linear(hidden_size, hidden_size)
        self.score = nn.Linear(hidden_size, 1)

    def forward(self, query, keys):
        energy = self.score(torch.tanh(self.from_query(query) + self.from_keys(keys)))   # (batch, length, 1)
        weights = F.softmax(energy.squeeze(2).unsqueeze(1), dim=-1)                      # (batch, 1, length)
        return torch.bmm(weights, keys), weights


class AttentionDecoder(nn.Module):
    '''Emits MAX_WORDS words.  Each step's GRU input is the previous word's embedding next to
    the attention context; the previous word is the target's (teacher forcing) when one is
    given, else the decoder's own most likely word.'''

    def __init__(self, hidden_size, vocab_size, dropout_p=0.1):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, hidden_size)
        self.attend = AdditiveAttention(hidden_size)
        self.rnn = nn.GRU(2 * hidden_size, hidden_size, batch_first=True)
        self.project = nn.Linear(hidden_size, vocab_size)
        self.drop = nn.Dropout(dropout_p)

    def step(self, word, state, memory):
        context, weights = self.attend(state.permute(1, 0, 2), memory)
        features = torch.cat((self.drop(self.embed(word)), context), dim=2)
        output, state = self.rnn(features, state)
        return self.project(output), state, weights

    def forward(self, memory, state, teacher=None):
        word = torch.empty(memory.size(0), 1, dtype=torch.long, device=device).fill_(START)
        all_scores, all_weights = [], []
        for position in range(MAX_WORDS):
            scores, state, weights = self.step(word, state, memory)
            all_scores.append(scores)
            all_weights.append(weights)
            if teacher is None:
                word = scores.topk(1)[1].squeeze(-1).detach()
            else:
                word = teacher[:, position].unsqueeze(1)
        log_probs = F.log_softmax(torch.cat(all_scores, dim=1), dim=-1)
        return log_probs, state, torch.cat(all_weights, dim=1)


def run_epoch(batches, encoder, decoder, optimizers, loss_fn):
    loss_sum = 0.0
    for sources, targets in batches:
        for optimizer in optimizers:
            optimizer.zero_grad()
        log_probs, _, _ = decoder(*encoder(sources), targets)
        loss = loss_fn(log_probs.view(-1, log_probs.size(-1)), targets.view(-1))
        loss.backward()
        for optimizer in optimizers:
            optimizer.step()
        loss_sum += loss.item()
    return loss_sum / len(batches)


def fit(batches, encoder, decoder, n_epochs, learning_rate, report_every):
    optimizers = [optim.Adam(network.parameters(), lr=learning_rate) for network in (encoder, decoder)]
    loss_fn = nn.NLLLoss()
    epoch_losses = []
    for epoch in range(1, n_epochs + 1):
        epoch_losses.append(run_epoch(batches, encoder, decoder, optimizers, loss_fn))
        if epoch % report_every == 0:
            print(f"after epoch {epoch}/{n_epochs}: mean loss {epoch_losses[-1]:.4f}")
    return epoch_losses


def translate(encoder, decoder, sentence, source_vocab, target_vocab):
    '''The greedy translation, with <EOS> where the decoder stops, and the attention weights.'''
    with torch.no_grad():
        ids = torch.tensor(source_vocab.ids(sentence) + [END], dtype=torch.long, device=device).view(1, -1)
        log_probs, _, weights = decoder(*encoder(ids))
        chosen = [word.item() for word in log_probs.topk(1)[1].squeeze()]
    if END in chosen:
        return [target_vocab.words[i] for i in chosen[:chosen.index(END)]] + ['<EOS>'], weights
    return [target_vocab.words[i] for i in chosen], weights


def main(n_epochs, hidden_size=32, batch_size=16, learning_rate=0.01):
    random.seed(0)
    torch.manual_seed(0)
    source_vocab, target_vocab, pairs, batches = make_batches(batch_size)
    encoder = Encoder(len(source_vocab), hidden_size).to(device)
    decoder = AttentionDecoder(hidden_size, len(target_vocab)).to(device)
    epoch_losses = fit(batches, encoder, decoder, n_epochs, learning_rate, report_every=5)
    encoder.eval()
    decoder.eval()
    translations = {}
    for source, target in pairs:
        words, weights = translate(encoder, decoder, source, source_vocab, target_vocab)
        translations[source] = ' '.join(words)
    correct = sum(translations[source] == target + ' <EOS>' for source, target in pairs)
    return encoder, decoder, epoch_losses, translations, correct / len(pairs), weights
"""


@needs_torch
def test_same_losses_weights_and_translations_as_pytorch(capsys):
    import torch

    import fastgrad
    results = {}
    with float64_scripts(torch, fastgrad):
        theirs = run_script(SCRIPT, "torch", "seq2seq")
        source_vocab, target_vocab, _ = theirs["build_corpus"]()
        states = {"Encoder": state_arrays(theirs["Encoder"](len(source_vocab), 32)),
                  "AttentionDecoder": state_arrays(theirs["AttentionDecoder"](32, len(target_vocab)))}
        for library, namespace in (("torch", theirs), ("fastgrad", run_script(SCRIPT, "fastgrad", "seq2seq"))):
            for name, state in states.items():
                start_from(namespace, name, state)
            namespace["RandomSampler"] = namespace["torch"].utils.data.SequentialSampler   # the same batches
            results[library] = namespace["main"](n_epochs=3)
    encoder, decoder, losses, translations, accuracy, attentions = results["fastgrad"]
    their_encoder, their_decoder, their_losses, their_translations, their_accuracy, their_attentions = results["torch"]
    assert len(losses) == 3 and their_losses[-1] < their_losses[0]
    np.testing.assert_allclose(losses, their_losses, rtol=1e-10)
    assert_same_state(encoder, their_encoder)
    assert_same_state(decoder, their_decoder)
    assert encoder.embed.weight.dtype == fastgrad.float64
    assert translations == their_translations and accuracy == their_accuracy
    assert attentions.shape == their_attentions.shape == (1, 6, 5)   # "elle est tres pret" and EOS
    np.testing.assert_allclose(attentions.numpy(), their_attentions.numpy(), rtol=1e-8, atol=1e-12)


def test_script_runs_unchanged_and_learns_to_translate(capsys):
    out = run_script(SCRIPT, "fastgrad", "seq2seq")
    encoder, decoder, losses, translations, accuracy, attentions = out["main"](n_epochs=25)
    assert "after epoch 25/25:" in capsys.readouterr().out
    assert np.all(np.isfinite(losses)) and losses[-1] < 0.05 * losses[0]
    assert accuracy > 0.9, translations            # of 48 pairs; an untrained decoder gets none
    np.testing.assert_allclose(attentions.sum(-1).numpy(), 1.0, rtol=1e-5)
