# Stands for: the PyTorch examples repository's word-level language model
# (word_language_model/model.py and main.py): an RNNModel over nn.Embedding with an LSTM, GRU
# or tanh RNN and a tied Linear decoder, a TransformerModel with a sinusoidal
# PositionalEncoding buffer, nn.TransformerEncoderLayer/TransformerEncoder and a square
# subsequent mask, batchify/get_batch over a token stream, repackage_hidden between batches,
# clip_grad_norm_ and the hand-written SGD step p.data.add_(p.grad, alpha=-lr), and an
# evaluation pass under no_grad. The corpus is a random token stream; sizes are tiny and
# dropout is zero so that the losses are deterministic.
import math

import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F


class RNNModel(nn.Module):
    """Container module with an encoder, a recurrent module, and a decoder."""

    def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.5, tie_weights=False):
        super(RNNModel, self).__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        if rnn_type in ['LSTM', 'GRU']:
            self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout)
        else:
            nonlinearity = {'RNN_TANH': 'tanh', 'RNN_RELU': 'relu'}[rnn_type]
            self.rnn = nn.RNN(ninp, nhid, nlayers, nonlinearity=nonlinearity, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
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
        return weight.new_zeros(self.nlayers, bsz, self.nhid)


class PositionalEncoding(nn.Module):
    """Adds sine and cosine position signals of different frequencies to the embeddings."""

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


class TransformerModel(nn.Module):
    """An encoder-only transformer language model."""

    def __init__(self, ntoken, ninp, nhead, nhid, nlayers, dropout=0.5):
        super(TransformerModel, self).__init__()
        self.model_type = 'Transformer'
        self.src_mask = None
        self.pos_encoder = PositionalEncoding(ninp, dropout, max_len=64)
        encoder_layers = nn.TransformerEncoderLayer(ninp, nhead, nhid, dropout)
        self.transformer_encoder = nn.TransformerEncoder(encoder_layers, nlayers,
                                                         enable_nested_tensor=False)
        self.input_emb = nn.Embedding(ntoken, ninp)
        self.ninp = ninp
        self.decoder = nn.Linear(ninp, ntoken)
        self.init_weights()

    def _generate_square_subsequent_mask(self, sz):
        return torch.log(torch.tril(torch.ones(sz, sz)))

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.input_emb.weight, -initrange, initrange)
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

        src = self.input_emb(src) * math.sqrt(self.ninp)
        src = self.pos_encoder(src)
        output = self.transformer_encoder(src, self.src_mask)
        output = self.decoder(output)
        return F.log_softmax(output, dim=-1)


def batchify(data, bsz, device):
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    data = data.view(bsz, -1).t().contiguous()
    return data.to(device)


def get_batch(source, i, bptt):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i:i + seq_len]
    target = source[i + 1:i + 1 + seq_len].view(-1)
    return data, target


def repackage_hidden(h):
    """Wraps hidden states in new Tensors, to detach them from their history."""
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


def run_model(kind, model, train_data, val_data, ntokens, bptt, lr, losses):
    criterion = nn.NLLLoss()
    model.train()
    if kind != 'Transformer':
        hidden = model.init_hidden(train_data.size(1))
    for batch, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
        data, targets = get_batch(train_data, i, bptt)
        model.zero_grad()
        if kind == 'Transformer':
            output = model(data)
            output = output.view(-1, ntokens)
        else:
            hidden = repackage_hidden(hidden)
            output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        losses.append(loss.item())
        print('| {:5d} batches | lr {:02.2f} | loss {:5.2f} | ppl {:8.2f}'.format(
            batch, lr, loss.item(), math.exp(loss.item())))

    model.eval()
    total_loss = 0.
    if kind != 'Transformer':
        hidden = model.init_hidden(val_data.size(1))
    with torch.no_grad():
        for i in range(0, val_data.size(0) - 1, bptt):
            data, targets = get_batch(val_data, i, bptt)
            if kind == 'Transformer':
                output = model(data)
                output = output.view(-1, ntokens)
            else:
                output, hidden = model(data, hidden)
                hidden = repackage_hidden(hidden)
            total_loss += len(data) * criterion(output, targets).item()
    losses.append(total_loss / (len(val_data) - 1))


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    device = torch.device("cpu")
    ntokens, bptt = 23, 5
    train_ids = torch.tensor(rng.integers(0, ntokens, 4 * bptt * steps + 1), dtype=torch.long)
    val_ids = torch.tensor(rng.integers(0, ntokens, 2 * bptt + 1), dtype=torch.long)
    train_data = batchify(train_ids, 4, device)
    val_data = batchify(val_ids, 2, device)

    models = {
        'LSTM': RNNModel('LSTM', ntokens, 8, 8, 2, dropout=0.0, tie_weights=True),
        'GRU': RNNModel('GRU', ntokens, 8, 12, 1, dropout=0.0),
        'RNN_TANH': RNNModel('RNN_TANH', ntokens, 8, 12, 2, dropout=0.0),
        'Transformer': TransformerModel(ntokens, 8, 2, 16, 2, dropout=0.0),
    }
    initial = {}
    losses = []
    for kind, model in models.items():
        model = model.to(device)
        if state is not None:
            model.load_state_dict({k[len(kind) + 1:]: torch.tensor(v) for k, v in state.items()
                                   if k.startswith(kind + '.')})
        initial.update({f'{kind}.{k}': v.detach().cpu().numpy().copy()
                        for k, v in model.state_dict().items()})
        run_model(kind, model, train_data, val_data, ntokens, bptt, 5.0, losses)
    return {"losses": losses, "initial": initial}
