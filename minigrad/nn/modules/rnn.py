"""Recurrent layers: `RNNCell`, `LSTMCell`, `GRUCell` (one step) and `RNN`, `LSTM`, `GRU`
(multi-layer, optionally bidirectional, over a whole sequence).

Parameters carry PyTorch's names (weight_ih, weight_hh, bias_ih, bias_hh for cells;
weight_ih_l{k}[_reverse], ... for the sequence layers), shapes and gate order, and are all
initialised from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), so state_dicts carry over.
"""
import math

from ...creation import zeros
from ...functions import rnn as R
from .. import init
from ..module import Module
from ..parameter import Parameter
from ..utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence, step_mask
from ._util import check_tensor, empty_tensor
from ...errors import InvalidArgumentError, ShapeError

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class RNNCellBase(Module):
    """`RNNCellBase(input_size, hidden_size, bias, num_chunks)`, shared by the cells:
    parameters (num_chunks gates stacked in the rows), initialisation, input checks, repr."""

    _gates = 1

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        rows = num_chunks * hidden_size  # the gates' rows, stacked
        self.weight_ih = Parameter(empty_tensor((rows, input_size), device, dtype))
        self.weight_hh = Parameter(empty_tensor((rows, hidden_size), device, dtype))
        if bias:
            self.bias_ih = Parameter(empty_tensor((rows,), device, dtype))
            self.bias_hh = Parameter(empty_tensor((rows,), device, dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def _prepare(self, input, hx):
        """(batched input (N, I), batched state or None, whether the input was unbatched)."""
        check_tensor(input, self)
        if input.ndim not in (1, 2) or input.shape[-1] != self.input_size:
            raise ShapeError(f"{type(self).__name__}: expected input of shape (N, "
                             f"{self.input_size}) or ({self.input_size},), got "
                             f"{tuple(input.shape)}")
        unbatched = input.ndim == 1
        if hx is not None:
            self._check_states(hx if isinstance(hx, tuple) else (hx,), input)
        if unbatched:
            input = input.unsqueeze(0)
            if hx is not None:
                hx = tuple(h.unsqueeze(0) for h in hx) if isinstance(hx, tuple) else \
                    hx.unsqueeze(0)
        return input, hx, unbatched

    def _check_states(self, states, input):
        """Each state is (N, hidden_size) for input (N, input_size), (hidden_size,) for an
        unbatched input, as torch requires."""
        expected = tuple(input.shape[:-1]) + (self.hidden_size,)
        for i, h in enumerate(states):
            check_tensor(h, self)
            if tuple(h.shape) != expected:
                raise ShapeError(f"{type(self).__name__}: expected hidden state {i} of shape "
                                 f"{expected} for input of shape {tuple(input.shape)}, got "
                                 f"{tuple(h.shape)}")

    def _zeros(self, input):
        return zeros((input.shape[0], self.hidden_size), dtype=input.dtype, device=input.device)

    def _params(self):
        return self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nonlinearity = getattr(self, "nonlinearity", "tanh")
        if nonlinearity != "tanh":
            s += f", nonlinearity={nonlinearity}"
        return s


class RNNCell(RNNCellBase):
    """`RNNCell(input_size, hidden_size, bias=True, nonlinearity='tanh')`:
    h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act tanh or relu. forward(input, hx=None)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise InvalidArgumentError(f"RNNCell: unknown nonlinearity {nonlinearity!r}; "
                                       "expected 'tanh' or 'relu'")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, self._gates, device, dtype)

    def forward(self, input, hx=None):
        input, hx, unbatched = self._prepare(input, hx)
        hx = self._zeros(input) if hx is None else hx
        cell = R.rnn_tanh_cell if self.nonlinearity == "tanh" else R.rnn_relu_cell
        h = cell(input, hx, *self._params())
        return h.squeeze(0) if unbatched else h


class LSTMCell(RNNCellBase):
    """`LSTMCell(input_size, hidden_size, bias=True)`: forward(input, hx=None) with hx = (h, c)
    returns (h', c'); gates i, f, g, o."""

    _gates = 4

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, self._gates, device, dtype)

    def forward(self, input, hx=None):
        input, hx, unbatched = self._prepare(input, hx)
        if hx is None:
            hx = (self._zeros(input), self._zeros(input))
        h, c = R.lstm_cell(input, hx, *self._params())
        return (h.squeeze(0), c.squeeze(0)) if unbatched else (h, c)


class GRUCell(RNNCellBase):
    """`GRUCell(input_size, hidden_size, bias=True)`: forward(input, hx=None) returns h'; gates
    r, z, n."""

    _gates = 3

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, self._gates, device, dtype)

    def forward(self, input, hx=None):
        input, hx, unbatched = self._prepare(input, hx)
        hx = self._zeros(input) if hx is None else hx
        h = R.gru_cell(input, hx, *self._params())
        return h.squeeze(0) if unbatched else h


class RNNBase(Module):
    """`RNNBase(mode, input_size, hidden_size, ...)`, shared by RNN, LSTM and GRU: parameters
    per layer and direction, the forward pass over (L, N, I) input (batch_first: (N, L, I);
    unbatched: (L, I)), repr."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        if not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError(f"{name}: dropout should be a number in range [0, 1] representing "
                             f"the probability of an element being zeroed, got {dropout}")
        if num_layers < 1 or hidden_size < 1:
            raise ValueError(f"{name}: num_layers and hidden_size must be positive, got "
                             f"{num_layers} and {hidden_size}")
        if proj_size < 0:
            raise ValueError(f"{name}: proj_size should be a positive integer or zero to "
                             f"disable projections, got {proj_size}")
        if proj_size >= hidden_size:
            raise ValueError(f"{name}: proj_size has to be smaller than hidden_size, got "
                             f"proj_size={proj_size} and hidden_size={hidden_size}")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        directions = 2 if bidirectional else 1
        rows = _GATES[mode] * hidden_size
        state_size = proj_size or hidden_size  # the size of h (LSTM projects it to proj_size)
        self._weight_names = []
        for layer in range(num_layers):
            layer_in = input_size if layer == 0 else state_size * directions
            for d in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if d == 1 else "")
                shapes = [("weight_ih", (rows, layer_in)), ("weight_hh", (rows, state_size))]
                if bias:
                    shapes += [("bias_ih", (rows,)), ("bias_hh", (rows,))]
                if proj_size:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                for kind, shape in shapes:
                    setattr(self, kind + suffix, Parameter(empty_tensor(shape, device, dtype)))
                kinds = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
                kinds += ("weight_hr",) if proj_size else ()
                self._weight_names.append(tuple(kind + suffix for kind in kinds))
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def flatten_parameters(self):
        """PyTorch compacts the weights into one buffer for cuDNN here; minigrad's recurrence
        reads the parameters where they are, so there is nothing to compact. Kept so that code
        written for PyTorch (which calls it after .to(device)) runs unchanged."""
        return None

    def _weights(self):
        return [tuple(getattr(self, n, None) for n in names) for names in self._weight_names]

    def _zero_states(self, batch, like):
        """[h_0] (or [h_0, c_0] for LSTM) of zeros: h_0 (D * num_layers, batch, proj_size or
        hidden_size), c_0 (D * num_layers, batch, hidden_size)."""
        layers = (2 if self.bidirectional else 1) * self.num_layers
        sizes = [self.proj_size or self.hidden_size]
        if self.mode == "LSTM":
            sizes.append(self.hidden_size)
        return [zeros((layers, batch, size), dtype=like.dtype, device=like.device)
                for size in sizes]

    def _check_state(self, h, batch, name):
        size = self.proj_size if name == "h_0" and self.proj_size else self.hidden_size
        expected = ((2 if self.bidirectional else 1) * self.num_layers, batch, size)
        if tuple(h.shape) != expected:
            raise ShapeError(f"{type(self).__name__}: expected {name} of shape {expected}, got "
                             f"{tuple(h.shape)}")

    def forward(self, input, hx=None):
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        check_tensor(input, self)
        name = type(self).__name__
        if input.ndim not in (2, 3) or input.shape[-1] != self.input_size:
            raise ShapeError(f"{name}: expected input of shape (L, N, {self.input_size}) (or "
                             f"batch_first (N, L, {self.input_size}), or unbatched (L, "
                             f"{self.input_size})), got {tuple(input.shape)}")
        unbatched = input.ndim == 2
        if unbatched:
            input = input.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        is_lstm = self.mode == "LSTM"
        if hx is not None:
            states = list(hx) if is_lstm else [hx]
            if unbatched:
                states = [s.unsqueeze(1) for s in states]
        else:
            states = self._zero_states(input.shape[1], input)
        for s, what in zip(states, ("h_0", "c_0")):
            self._check_state(s, input.shape[1], what)
        out, h_n, c_n = R.recurrent_forward(self.mode, input, states[0],
                                            states[1] if is_lstm else None, self._weights(),
                                            self.num_layers, self.bidirectional, self.dropout,
                                            self.training)
        if unbatched:
            out, h_n = out.squeeze(1), h_n.squeeze(1)
            c_n = c_n.squeeze(1) if is_lstm else None
        elif self.batch_first:
            out = out.transpose(0, 1)
        return (out, (h_n, c_n)) if is_lstm else (out, h_n)

    def _forward_packed(self, packed, hx):
        """A PackedSequence in, a PackedSequence out (with the same batch_sizes and order), and
        the state after each sequence's own last step, in the order the batch was given."""
        padded, lengths = pad_packed_sequence(packed)
        alive = step_mask(packed.batch_sizes, packed.unsorted_indices, padded.dtype,
                          padded.device)
        name = type(self).__name__
        if padded.shape[-1] != self.input_size:
            raise ShapeError(f"{name}: expected packed input of size {self.input_size}, got "
                             f"{padded.shape[-1]}")
        is_lstm = self.mode == "LSTM"
        if hx is not None:
            states = list(hx) if is_lstm else [hx]
        else:
            states = self._zero_states(padded.shape[1], padded)
        for s, what in zip(states, ("h_0", "c_0")):
            self._check_state(s, padded.shape[1], what)
        out, h_n, c_n = R.recurrent_forward(self.mode, padded, states[0],
                                            states[1] if is_lstm else None, self._weights(),
                                            self.num_layers, self.bidirectional, self.dropout,
                                            self.training, alive=alive)
        repacked = pack_padded_sequence(out, lengths, enforce_sorted=False)
        output = PackedSequence(repacked.data, packed.batch_sizes, packed.sorted_indices,
                                packed.unsorted_indices)
        return (output, (h_n, c_n)) if is_lstm else (output, h_n)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class RNN(RNNBase):
    """`RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
    batch_first=False, dropout=0.0, bidirectional=False)`: forward(input, h_0=None) returns
    (output, h_n)."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: unknown nonlinearity {nonlinearity!r}; expected 'tanh' or "
                             "'relu'")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)


class LSTM(RNNBase):
    """`LSTM(input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
    bidirectional=False, proj_size=0)`: forward(input, (h_0, c_0)=None) returns (output,
    (h_n, c_n)). proj_size=P > 0 projects h by weight_hr_l{k} (P, hidden_size) at each step, so
    h_0, h_n and each direction's output have P features."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)


class GRU(RNNBase):
    """`GRU(input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
    bidirectional=False)`: forward(input, h_0=None) returns (output, h_n)."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, device=device, dtype=dtype)
