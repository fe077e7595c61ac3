# Stands for: Dive into Deep Learning (PyTorch edition), the recurrent and attention chapters:
# an RNN written from scratch (parameters from torch.randn * 0.01 with requires_grad_, inputs
# one-hot encoded with F.one_hot(X.T, vocab_size), a tanh step loop, torch.cat of the outputs,
# grad_clipping through the norm of all gradients and p.grad[:] *= theta / norm, perplexity),
# the concise RNN with nn.RNN and nn.LazyLinear, masked_softmax (sequence_mask with X[~mask] =
# value and repeat_interleave of the valid lengths; its one change from the book is marked),
# additive and scaled dot-product attention with bmm, multi-head attention with
# transpose_qkv/transpose_output, sinusoidal positional encoding with torch.pow, and the
# Transformer encoder block (AddNorm with LayerNorm, PositionWiseFFN). Random token sequences
# stand in for the time machine corpus.
import math

import numpy as np

import minigrad as torch
from minigrad import nn
from minigrad.nn import functional as F


def get_params(vocab_size, num_hiddens, rng):
    num_inputs = num_outputs = vocab_size

    def normal(shape):
        return torch.tensor(rng.standard_normal(shape).astype(np.float32)) * 0.01

    W_xh = normal((num_inputs, num_hiddens))
    W_hh = normal((num_hiddens, num_hiddens))
    b_h = torch.zeros(num_hiddens)
    W_hq = normal((num_hiddens, num_outputs))
    b_q = torch.zeros(num_outputs)
    params = [W_xh, W_hh, b_h, W_hq, b_q]
    for param in params:
        param.requires_grad_(True)
    return params


def init_rnn_state(batch_size, num_hiddens):
    return (torch.zeros((batch_size, num_hiddens)),)


def rnn(inputs, state, params):
    W_xh, W_hh, b_h, W_hq, b_q = params
    H, = state
    outputs = []
    for X in inputs:
        H = torch.tanh(torch.mm(X, W_xh) + torch.mm(H, W_hh) + b_h)
        Y = torch.mm(H, W_hq) + b_q
        outputs.append(Y)
    return torch.cat(outputs, dim=0), (H,)


class RNNModelScratch:
    def __init__(self, vocab_size, num_hiddens, rng):
        self.vocab_size, self.num_hiddens = vocab_size, num_hiddens
        self.params = get_params(vocab_size, num_hiddens, rng)

    def __call__(self, X, state):
        X = F.one_hot(X.T, self.vocab_size).type(torch.float32)
        return rnn(X, state, self.params)

    def begin_state(self, batch_size):
        return init_rnn_state(batch_size, self.num_hiddens)


def grad_clipping(net, theta):
    if isinstance(net, nn.Module):
        params = [p for p in net.parameters() if p.requires_grad]
    else:
        params = net.params
    norm = torch.sqrt(sum(torch.sum((p.grad ** 2)) for p in params))
    if norm > theta:
        for param in params:
            param.grad[:] *= theta / norm


class RNNModel(nn.Module):
    def __init__(self, rnn_layer, vocab_size):
        super(RNNModel, self).__init__()
        self.rnn = rnn_layer
        self.vocab_size = vocab_size
        self.num_hiddens = self.rnn.hidden_size
        self.linear = nn.Linear(self.num_hiddens, self.vocab_size)

    def forward(self, inputs, state):
        X = F.one_hot(inputs.T.long(), self.vocab_size)
        X = X.to(torch.float32)
        Y, state = self.rnn(X, state)
        output = self.linear(Y.reshape((-1, Y.shape[-1])))
        return output, state

    def begin_state(self, batch_size=1):
        return torch.zeros((self.rnn.num_layers, batch_size, self.num_hiddens))


def sequence_mask(X, valid_len, value=0):
    maxlen = X.size(1)
    mask = torch.arange((maxlen), dtype=torch.float32,
                        device=X.device)[None, :] < valid_len[:, None]
    X[~mask] = value
    return X


def masked_softmax(X, valid_lens):
    if valid_lens is None:
        return nn.functional.softmax(X, dim=-1)
    shape = X.shape
    if valid_lens.dim() == 1:
        valid_lens = torch.repeat_interleave(valid_lens, shape[1])
    else:
        valid_lens = valid_lens.reshape(-1)
    # The book passes the reshaped view itself; an in-place write into a view of a tensor in
    # the autograd graph is refused here (see the README's differences), hence clone().
    X = sequence_mask(X.reshape(-1, shape[-1]).clone(), valid_lens, value=-1e6)
    return nn.functional.softmax(X.reshape(shape), dim=-1)


class AdditiveAttention(nn.Module):
    def __init__(self, num_hiddens, dropout):
        super().__init__()
        self.W_k = nn.LazyLinear(num_hiddens, bias=False)
        self.W_q = nn.LazyLinear(num_hiddens, bias=False)
        self.w_v = nn.LazyLinear(1, bias=False)
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries, keys, values, valid_lens):
        queries, keys = self.W_q(queries), self.W_k(keys)
        features = queries.unsqueeze(2) + keys.unsqueeze(1)
        features = torch.tanh(features)
        scores = self.w_v(features).squeeze(-1)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)


class DotProductAttention(nn.Module):
    def __init__(self, dropout):
        super().__init__()
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries, keys, values, valid_lens=None):
        d = queries.shape[-1]
        scores = torch.bmm(queries, keys.transpose(1, 2)) / math.sqrt(d)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)


class MultiHeadAttention(nn.Module):
    def __init__(self, num_hiddens, num_heads, dropout, bias=False):
        super().__init__()
        self.num_heads = num_heads
        self.attention = DotProductAttention(dropout)
        self.W_q = nn.LazyLinear(num_hiddens, bias=bias)
        self.W_k = nn.LazyLinear(num_hiddens, bias=bias)
        self.W_v = nn.LazyLinear(num_hiddens, bias=bias)
        self.W_o = nn.LazyLinear(num_hiddens, bias=bias)

    def transpose_qkv(self, X):
        X = X.reshape(X.shape[0], X.shape[1], self.num_heads, -1)
        X = X.permute(0, 2, 1, 3)
        return X.reshape(-1, X.shape[2], X.shape[3])

    def transpose_output(self, X):
        X = X.reshape(-1, self.num_heads, X.shape[1], X.shape[2])
        X = X.permute(0, 2, 1, 3)
        return X.reshape(X.shape[0], X.shape[1], -1)

    def forward(self, queries, keys, values, valid_lens):
        queries = self.transpose_qkv(self.W_q(queries))
        keys = self.transpose_qkv(self.W_k(keys))
        values = self.transpose_qkv(self.W_v(values))
        if valid_lens is not None:
            valid_lens = torch.repeat_interleave(valid_lens, repeats=self.num_heads, dim=0)
        output = self.attention(queries, keys, values, valid_lens)
        output_concat = self.transpose_output(output)
        return self.W_o(output_concat)


class PositionalEncoding(nn.Module):
    def __init__(self, num_hiddens, dropout, max_len=1000):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.P = torch.zeros((1, max_len, num_hiddens))
        X = torch.arange(max_len, dtype=torch.float32).reshape(-1, 1) / torch.pow(
            10000, torch.arange(0, num_hiddens, 2, dtype=torch.float32) / num_hiddens)
        self.P[:, :, 0::2] = torch.sin(X)
        self.P[:, :, 1::2] = torch.cos(X)

    def forward(self, X):
        X = X + self.P[:, :X.shape[1], :].to(X.device)
        return self.dropout(X)


class PositionWiseFFN(nn.Module):
    def __init__(self, ffn_num_hiddens, ffn_num_outputs):
        super().__init__()
        self.dense1 = nn.LazyLinear(ffn_num_hiddens)
        self.relu = nn.ReLU()
        self.dense2 = nn.LazyLinear(ffn_num_outputs)

    def forward(self, X):
        return self.dense2(self.relu(self.dense1(X)))


class AddNorm(nn.Module):
    def __init__(self, norm_shape, dropout):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.ln = nn.LayerNorm(norm_shape)

    def forward(self, X, Y):
        return self.ln(self.dropout(Y) + X)


class TransformerEncoderBlock(nn.Module):
    def __init__(self, num_hiddens, ffn_num_hiddens, num_heads, dropout, use_bias=False):
        super().__init__()
        self.attention = MultiHeadAttention(num_hiddens, num_heads, dropout, use_bias)
        self.addnorm1 = AddNorm(num_hiddens, dropout)
        self.ffn = PositionWiseFFN(ffn_num_hiddens, num_hiddens)
        self.addnorm2 = AddNorm(num_hiddens, dropout)

    def forward(self, X, valid_lens):
        Y = self.addnorm1(X, self.attention(X, X, X, valid_lens))
        return self.addnorm2(Y, self.ffn(Y))


class TransformerEncoder(nn.Module):
    def __init__(self, vocab_size, num_hiddens, ffn_num_hiddens, num_heads, num_blks, dropout):
        super().__init__()
        self.num_hiddens = num_hiddens
        self.embedding = nn.Embedding(vocab_size, num_hiddens)
        self.pos_encoding = PositionalEncoding(num_hiddens, dropout)
        self.blks = nn.Sequential()
        for i in range(num_blks):
            self.blks.add_module("block" + str(i), TransformerEncoderBlock(
                num_hiddens, ffn_num_hiddens, num_heads, dropout))
        self.head = nn.LazyLinear(vocab_size)

    def forward(self, X, valid_lens):
        X = self.pos_encoding(self.embedding(X) * math.sqrt(self.num_hiddens))
        self.attention_weights = [None] * len(self.blks)
        for i, blk in enumerate(self.blks):
            X = blk(X, valid_lens)
            self.attention_weights[i] = blk.attention.attention.attention_weights
        return self.head(X)


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    vocab_size, batch_size, num_steps = 12, 3, 5
    corpus = rng.integers(0, vocab_size, batch_size * num_steps * steps + 1)
    batches = []
    for i in range(steps):
        start = i * batch_size * num_steps
        X = corpus[start:start + batch_size * num_steps].reshape(batch_size, num_steps)
        Y = corpus[start + 1:start + 1 + batch_size * num_steps].reshape(batch_size, num_steps)
        batches.append((torch.tensor(X), torch.tensor(Y)))
    losses = []
    loss = nn.CrossEntropyLoss()

    scratch = RNNModelScratch(vocab_size, 16, rng)
    state_s = scratch.begin_state(batch_size)
    for X, Y in batches:
        y = Y.T.reshape(-1)
        y_hat, state_s = scratch(X, state_s)
        state_s = tuple(s.detach() for s in state_s)
        l = loss(y_hat, y.long()).mean()
        l.backward()
        grad_clipping(scratch, 1)
        with torch.no_grad():
            for param in scratch.params:
                param -= 1.0 * param.grad
                param.grad.zero_()
        losses.append(math.exp(l.item()))

    net = RNNModel(nn.RNN(vocab_size, 16), vocab_size)
    queries = torch.tensor(rng.standard_normal((2, 1, 20)).astype(np.float32))
    keys = torch.tensor(rng.standard_normal((2, 10, 2)).astype(np.float32))
    values = torch.arange(40, dtype=torch.float32).reshape(1, 10, 4).repeat(2, 1, 1)
    additive = AdditiveAttention(num_hiddens=8, dropout=0.1)
    additive.eval()
    additive(queries, keys, values, torch.tensor([2, 6]))
    encoder = TransformerEncoder(vocab_size, 8, 16, 2, 2, 0.0)
    encoder(batches[0][0], torch.tensor([3, 2, 5]))
    modules = {"net": net, "additive": additive, "encoder": encoder}
    initial = {}
    for name, module in modules.items():
        if state is not None:
            module.load_state_dict({k.split('.', 1)[1]: torch.tensor(v)
                                    for k, v in state.items() if k.startswith(name + '.')})
        initial.update({f"{name}.{k}": v.detach().numpy().copy()
                        for k, v in module.state_dict().items()})

    optimizer = torch.optim.SGD(net.parameters(), lr=1.0)
    state_c = net.begin_state(batch_size)
    for X, Y in batches:
        y_hat, state_c = net(X, state_c.detach())
        l = loss(y_hat, Y.T.reshape(-1).long())
        optimizer.zero_grad()
        l.backward()
        grad_clipping(net, 1)
        optimizer.step()
        losses.append(math.exp(l.item()))

    print(masked_softmax(torch.tensor(rng.random((2, 2, 4)).astype(np.float32)),
                         torch.tensor([[1, 3], [2, 4]])))
    losses.append(float(additive(queries, keys, values, torch.tensor([2, 6])).sum()))
    optimizer = torch.optim.Adam(encoder.parameters(), lr=0.01)
    for X, Y in batches:
        out = encoder(X, torch.tensor([3, 2, 5]))
        l = loss(out.reshape(-1, vocab_size), Y.reshape(-1))
        optimizer.zero_grad()
        l.backward()
        optimizer.step()
        losses.append(l.item())
    losses.append(float(encoder.attention_weights[0].sum()))
    return {"losses": losses, "initial": initial}
