"""Recurrent cells (Elman RNN with tanh or relu, LSTM, GRU) and the multi-layer, optionally
bidirectional recurrence over a sequence that nn.RNN, nn.LSTM and nn.GRU run.

Everything is composed of linear, sigmoid, tanh and elementwise ops, so it runs on every device
and is differentiable to any order. The input-to-hidden products of a whole sequence are one
matrix product per layer and direction; only the hidden-to-hidden product is per time step.
"""
from .activation import tanh
from .dropout import dropout
from .elementwise import relu, sigmoid, where
from .linear import linear
from .shape import cat, stack


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh); input (N, I), hx (N, H)."""
    return tanh(linear(input, w_ih, b_ih) + linear(hx, w_hh, b_hh))


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh); input (N, I), hx (N, H)."""
    return relu(linear(input, w_ih, b_ih) + linear(hx, w_hh, b_hh))


def _lstm_step(projected, h, c, w_hh, b_hh, w_hr=None):
    """One LSTM step from the input's projection x W_ih^T + b_ih (N, 4H): returns (h', c').
    w_hr: None, or the (P, H) projection of LSTM(proj_size=P), which makes h' (N, P)."""
    gates = projected + linear(h, w_hh, b_hh)
    i, f, g, o = gates.chunk(4, 1)
    c = sigmoid(f) * c + sigmoid(i) * tanh(g)
    h = sigmoid(o) * tanh(c)
    return (h if w_hr is None else linear(h, w_hr)), c


def _gru_step(projected, h, w_hh, b_hh):
    """One GRU step from the input's projection x W_ih^T + b_ih (N, 3H): returns h'."""
    i_r, i_z, i_n = projected.chunk(3, 1)
    h_r, h_z, h_n = linear(h, w_hh, b_hh).chunk(3, 1)
    reset = sigmoid(i_r + h_r)
    update = sigmoid(i_z + h_z)
    candidate = tanh(i_n + reset * h_n)
    return (1 - update) * candidate + update * h


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """LSTM cell: input (N, I), hx = (h, c) each (N, H); gates i, f, g, o in that order in the
    rows of W_ih (4H, I) and W_hh (4H, H). Returns (h', c')."""
    h, c = hx
    return _lstm_step(linear(input, w_ih, b_ih), h, c, w_hh, b_hh)


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """GRU cell: input (N, I), hx (N, H); gates r, z, n in the rows of W_ih (3H, I) and W_hh
    (3H, H). h' = (1 - z) * n + z * h with n = tanh(x_n + r * (h W_hn^T + b_hn))."""
    return _gru_step(linear(input, w_ih, b_ih), hx, w_hh, b_hh)


def _run_direction(mode, projected, h, c, w_hh, b_hh, reverse, alive=None, w_hr=None):
    """The recurrence of one layer and direction over projected input (L, N, G): returns the
    outputs (L, N, H) and the final (h, c) (c None except for LSTM).

    alive: None, or a (L, N, 1) mask of the steps inside each sequence (the packed sequences
    of `nn.utils.rnn`): outside them the state is carried unchanged and the output is zero,
    so each sequence ends (or, reversed, starts) at its own length, as PyTorch's packed
    recurrence does. w_hr: LSTM's projection (P, H) or None."""
    steps = range(projected.shape[0] - 1, -1, -1) if reverse else range(projected.shape[0])
    outputs = []
    for t in steps:
        x = projected[t]
        h_prev, c_prev = h, c
        if mode == "LSTM":
            h, c = _lstm_step(x, h, c, w_hh, b_hh, w_hr)
        elif mode == "GRU":
            h = _gru_step(x, h, w_hh, b_hh)
        else:
            pre = x + linear(h, w_hh, b_hh)
            h = tanh(pre) if mode == "RNN_TANH" else relu(pre)
        if alive is not None:
            keep = alive[t]
            outputs.append(h * keep)
            h = where(keep > 0, h, h_prev)
            if c is not None:
                c = where(keep > 0, c, c_prev)
        else:
            outputs.append(h)
    if reverse:
        outputs.reverse()
    return stack(outputs), h, c


def recurrent_forward(mode, input, h0, c0, weights, num_layers, bidirectional, dropout_p,
                      training, alive=None):
    """The stacked recurrence of nn.RNN / LSTM / GRU on sequence-first input (L, N, I).

    mode: "RNN_TANH", "RNN_RELU", "LSTM" or "GRU". h0, c0: (D * num_layers, N, H) (c0 only
    for LSTM). weights: per layer and direction, in PyTorch's order, (w_ih, w_hh, b_ih, b_hh)
    with None biases when there are none. Dropout with probability dropout_p applies to each
    layer's output but the last, in training. alive: None, or the (L, N, 1) mask of valid
    steps of sequences of different lengths (see _run_direction). Returns (output (L, N, D * H),
    h_n, c_n).
    """
    directions = 2 if bidirectional else 1
    layer_input = input
    h_n, c_n = [], []
    for layer in range(num_layers):
        outs = []
        for d in range(directions):
            k = layer * directions + d
            w_ih, w_hh, b_ih, b_hh = weights[k][:4]
            w_hr = weights[k][4] if len(weights[k]) > 4 else None
            projected = linear(layer_input, w_ih, b_ih)  # the whole sequence at once
            out, h, c = _run_direction(mode, projected, h0[k], None if c0 is None else c0[k],
                                       w_hh, b_hh, reverse=d == 1, alive=alive, w_hr=w_hr)
            outs.append(out)
            h_n.append(h)
            c_n.append(c)
        layer_input = outs[0] if directions == 1 else cat(outs, 2)
        if dropout_p > 0 and training and layer < num_layers - 1:
            layer_input = dropout(layer_input, dropout_p, training=True)
    return layer_input, stack(h_n), (stack(c_n) if c0 is not None else None)


__all__ = ["gru_cell", "lstm_cell", "recurrent_forward", "rnn_relu_cell", "rnn_tanh_cell"]
