"""A script in the shape of PyTorch's "NLP from scratch: translation with a sequence to sequence
network and attention" tutorial runs with only its imports changed: Lang vocabularies, padded
index tensors in a TensorDataset with a RandomSampler, an EncoderRNN (Embedding + GRU,
batch_first), a decoder with Bahdanau attention (Wa/Ua/Va, bmm, softmax, cat) fed by teacher
forcing in training and by its own detached topk choice in evaluation, NLLLoss over log_softmax
and one Adam optimizer per network.  The sentence pairs are a small made-up French-to-English
set written in the script.

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
SOS_token = 0
EOS_token = 1
MAX_LENGTH = 6


class Lang:
    def __init__(self, name):
        self.name = name
        self.word2index = {}
        self.word2count = {}
        self.index2word = {0: "SOS", 1: "EOS"}
        self.n_words = 2

    def addSentence(self, sentence):
        for word in sentence.split(' '):
            self.addWord(word)

    def addWord(self, word):
        if word not in self.word2index:
            self.word2index[word] = self.n_words
            self.word2count[word] = 1
            self.index2word[self.n_words] = word
            self.n_words += 1
        else:
            self.word2count[word] += 1


def unicodeToAscii(s):
    return ''.join(c for c in unicodedata.normalize('NFD', s) if unicodedata.category(c) != 'Mn')


def normalizeString(s):
    s = unicodeToAscii(s.lower().strip())
    s = re.sub(r"([.!?])", r" \\1", s)
    s = re.sub(r"[^a-zA-Z!?]+", r" ", s)
    return s.strip()


SUBJECTS = [("Je suis", "i am"), ("Tu es", "you are"), ("Il est", "he is"), ("Elle est", "she is")]
ADJECTIVES = [("grand", "tall"), ("petit", "small"), ("content", "happy"), ("triste", "sad"),
              ("fatigué", "tired"), ("prêt", "ready")]


def readPairs():
    pairs = []
    for fr_subject, en_subject in SUBJECTS:
        for fr_adjective, en_adjective in ADJECTIVES:
            for fr_very, en_very in (("", ""), ("très ", "very ")):
                pairs.append([normalizeString(f"{fr_subject} {fr_very}{fr_adjective}."),
                              normalizeString(f"{en_subject} {en_very}{en_adjective}.")])
    return pairs


def prepareData():
    input_lang, output_lang = Lang('fra'), Lang('eng')
    pairs = readPairs()
    for pair in pairs:
        input_lang.addSentence(pair[0])
        output_lang.addSentence(pair[1])
    return input_lang, output_lang, pairs


def indexesFromSentence(lang, sentence):
    return [lang.word2index[word] for word in sentence.split(' ')]


def tensorFromSentence(lang, sentence):
    indexes = indexesFromSentence(lang, sentence)
    indexes.append(EOS_token)
    return torch.tensor(indexes, dtype=torch.long, device=device).view(1, -1)


def get_dataloader(batch_size):
    input_lang, output_lang, pairs = prepareData()
    n = len(pairs)
    input_ids = np.zeros((n, MAX_LENGTH), dtype=np.int32)
    target_ids = np.zeros((n, MAX_LENGTH), dtype=np.int32)
    for idx, (inp, tgt) in enumerate(pairs):
        inp_ids = indexesFromSentence(input_lang, inp)
        tgt_ids = indexesFromSentence(output_lang, tgt)
        inp_ids.append(EOS_token)
        tgt_ids.append(EOS_token)
        input_ids[idx, :len(inp_ids)] = inp_ids
        target_ids[idx, :len(tgt_ids)] = tgt_ids
    train_data = TensorDataset(torch.LongTensor(input_ids).to(device), torch.LongTensor(target_ids).to(device))
    train_sampler = RandomSampler(train_data)
    train_dataloader = DataLoader(train_data, sampler=train_sampler, batch_size=batch_size)
    return input_lang, output_lang, pairs, train_dataloader


class EncoderRNN(nn.Module):
    def __init__(self, input_size, hidden_size, dropout_p=0.1):
        super(EncoderRNN, self).__init__()
        self.hidden_size = hidden_size
        self.embedding = nn.Embedding(input_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, input):
        embedded = self.dropout(self.embedding(input))
        output, hidden = self.gru(embedded)
        return output, hidden


class BahdanauAttention(nn.Module):
    def __init__(self, hidden_size):
        super(BahdanauAttention, self).__init__()
        self.Wa = nn.Linear(hidden_size, hidden_size)
        self.Ua = nn.Linear(hidden_size, hidden_size)
        self.Va = nn.Linear(hidden_size, 1)

    def forward(self, query, keys):
        scores = self.Va(torch.tanh(self.Wa(query) + self.Ua(keys)))
        scores = scores.squeeze(2).unsqueeze(1)
        weights = F.softmax(scores, dim=-1)
        context = torch.bmm(weights, keys)
        return context, weights


class AttnDecoderRNN(nn.Module):
    def __init__(self, hidden_size, output_size, dropout_p=0.1):
        super(AttnDecoderRNN, self).__init__()
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.attention = BahdanauAttention(hidden_size)
        self.gru = nn.GRU(2 * hidden_size, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, output_size)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, encoder_outputs, encoder_hidden, target_tensor=None):
        batch_size = encoder_outputs.size(0)
        decoder_input = torch.empty(batch_size, 1, dtype=torch.long, device=device).fill_(SOS_token)
        decoder_hidden = encoder_hidden
        decoder_outputs = []
        attentions = []

        for i in range(MAX_LENGTH):
            decoder_output, decoder_hidden, attn_weights = self.forward_step(
                decoder_input, decoder_hidden, encoder_outputs
            )
            decoder_outputs.append(decoder_output)
            attentions.append(attn_weights)

            if target_tensor is not None:
                # Teacher forcing: the next input is the target word
                decoder_input = target_tensor[:, i].unsqueeze(1)
            else:
                # Without teacher forcing: the next input is the decoder's own best guess
                _, topi = decoder_output.topk(1)
                decoder_input = topi.squeeze(-1).detach()

        decoder_outputs = torch.cat(decoder_outputs, dim=1)
        decoder_outputs = F.log_softmax(decoder_outputs, dim=-1)
        attentions = torch.cat(attentions, dim=1)
        return decoder_outputs, decoder_hidden, attentions

    def forward_step(self, input, hidden, encoder_outputs):
        embedded = self.dropout(self.embedding(input))
        query = hidden.permute(1, 0, 2)
        context, attn_weights = self.attention(query, encoder_outputs)
        input_gru = torch.cat((embedded, context), dim=2)
        output, hidden = self.gru(input_gru, hidden)
        output = self.out(output)
        return output, hidden, attn_weights


def train_epoch(dataloader, encoder, decoder, encoder_optimizer, decoder_optimizer, criterion):
    total_loss = 0
    for data in dataloader:
        input_tensor, target_tensor = data

        encoder_optimizer.zero_grad()
        decoder_optimizer.zero_grad()

        encoder_outputs, encoder_hidden = encoder(input_tensor)
        decoder_outputs, _, _ = decoder(encoder_outputs, encoder_hidden, target_tensor)

        loss = criterion(
            decoder_outputs.view(-1, decoder_outputs.size(-1)),
            target_tensor.view(-1)
        )
        loss.backward()

        encoder_optimizer.step()
        decoder_optimizer.step()

        total_loss += loss.item()
    return total_loss / len(dataloader)


def train(train_dataloader, encoder, decoder, n_epochs, learning_rate=0.001, print_every=100):
    losses = []
    encoder_optimizer = optim.Adam(encoder.parameters(), lr=learning_rate)
    decoder_optimizer = optim.Adam(decoder.parameters(), lr=learning_rate)
    criterion = nn.NLLLoss()
    for epoch in range(1, n_epochs + 1):
        loss = train_epoch(train_dataloader, encoder, decoder, encoder_optimizer, decoder_optimizer, criterion)
        losses.append(loss)
        if epoch % print_every == 0:
            print('epoch %d (%d%%) %.4f' % (epoch, epoch / n_epochs * 100, loss))
    return losses


def evaluate(encoder, decoder, sentence, input_lang, output_lang):
    with torch.no_grad():
        input_tensor = tensorFromSentence(input_lang, sentence)
        encoder_outputs, encoder_hidden = encoder(input_tensor)
        decoder_outputs, decoder_hidden, decoder_attn = decoder(encoder_outputs, encoder_hidden)

        _, topi = decoder_outputs.topk(1)
        decoded_ids = topi.squeeze()

        decoded_words = []
        for idx in decoded_ids:
            if idx.item() == EOS_token:
                decoded_words.append('<EOS>')
                break
            decoded_words.append(output_lang.index2word[idx.item()])
    return decoded_words, decoder_attn


def main(n_epochs, hidden_size=32, batch_size=16, learning_rate=0.01):
    random.seed(0)
    torch.manual_seed(0)
    input_lang, output_lang, pairs, train_dataloader = get_dataloader(batch_size)
    encoder = EncoderRNN(input_lang.n_words, hidden_size).to(device)
    decoder = AttnDecoderRNN(hidden_size, output_lang.n_words).to(device)
    losses = train(train_dataloader, encoder, decoder, n_epochs, learning_rate, print_every=5)
    encoder.eval()
    decoder.eval()
    translations = {}
    for source, target in pairs:
        output_words, attentions = evaluate(encoder, decoder, source, input_lang, output_lang)
        translations[source] = ' '.join(output_words)
    correct = sum(translations[source] == target + ' <EOS>' for source, target in pairs)
    return encoder, decoder, losses, translations, correct / len(pairs), attentions
"""


@needs_torch
def test_same_losses_weights_and_translations_as_pytorch(capsys):
    import torch

    import fastgrad
    results = {}
    with float64_scripts(torch, fastgrad):
        theirs = run_script(SCRIPT, "torch", "seq2seq")
        input_lang, output_lang, _ = theirs["prepareData"]()
        states = {"EncoderRNN": state_arrays(theirs["EncoderRNN"](input_lang.n_words, 32)),
                  "AttnDecoderRNN": state_arrays(theirs["AttnDecoderRNN"](32, output_lang.n_words))}
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
    assert encoder.embedding.weight.dtype == fastgrad.float64
    assert translations == their_translations and accuracy == their_accuracy
    assert attentions.shape == their_attentions.shape == (1, 6, 5)   # "elle est tres pret" and EOS
    np.testing.assert_allclose(attentions.numpy(), their_attentions.numpy(), rtol=1e-8, atol=1e-12)


def test_script_runs_unchanged_and_learns_to_translate(capsys):
    out = run_script(SCRIPT, "fastgrad", "seq2seq")
    encoder, decoder, losses, translations, accuracy, attentions = out["main"](n_epochs=25)
    assert "epoch 25 (100%)" in capsys.readouterr().out
    assert np.all(np.isfinite(losses)) and losses[-1] < 0.05 * losses[0]
    assert accuracy > 0.9, translations            # of 48 pairs; an untrained decoder gets none
    np.testing.assert_allclose(attentions.sum(-1).numpy(), 1.0, rtol=1e-5)
