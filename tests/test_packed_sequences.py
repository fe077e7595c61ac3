"""nn.utils.rnn (pack_padded_sequence, pad_packed_sequence, pad_sequence, pack_sequence,
unpad/unpack) and the recurrent layers on PackedSequence input, against PyTorch: the packed
data and batch sizes, the padded outputs, the final states after each sequence's own last
step, and the gradients."""
import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn.utils import rnn as R

torch = pytest.importorskip("torch")
TR = torch.nn.utils.rnn


def _np(t):
    return t.detach().cpu().numpy()


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths", [[5, 3, 2], [2, 5, 1, 3]])
def test_pack_and_pad_match_torch(device, batch_first, lengths):
    rng = np.random.default_rng(0)
    shape = (len(lengths), 5, 2) if batch_first else (5, len(lengths), 2)
    x = rng.standard_normal(shape).astype(np.float32)
    enforce = lengths == sorted(lengths, reverse=True)
    ours = R.pack_padded_sequence(minigrad.tensor(x, device=device), lengths,
                                  batch_first=batch_first, enforce_sorted=enforce)
    theirs = TR.pack_padded_sequence(torch.tensor(x), torch.tensor(lengths),
                                     batch_first=batch_first, enforce_sorted=enforce)
    np.testing.assert_array_equal(_np(ours.data), _np(theirs.data))
    np.testing.assert_array_equal(_np(ours.batch_sizes), _np(theirs.batch_sizes))
    padded, out_lengths = R.pad_packed_sequence(ours, batch_first=batch_first,
                                                padding_value=-1.0, total_length=6)
    their_padded, their_lengths = TR.pad_packed_sequence(theirs, batch_first=batch_first,
                                                         padding_value=-1.0, total_length=6)
    np.testing.assert_array_equal(_np(padded), _np(their_padded))
    np.testing.assert_array_equal(_np(out_lengths), _np(their_lengths))


def test_pad_sequence_pack_sequence_and_unpack_match_torch(device):
    rng = np.random.default_rng(1)
    seqs = [rng.standard_normal((n, 3)).astype(np.float32) for n in (4, 2, 3)]
    ours = [minigrad.tensor(s, device=device) for s in seqs]
    theirs = [torch.tensor(s) for s in seqs]
    for kwargs in [{}, {"batch_first": True, "padding_value": 7.0},
                   {"padding_side": "left"}]:
        np.testing.assert_array_equal(_np(R.pad_sequence(ours, **kwargs)),
                                      _np(TR.pad_sequence(theirs, **kwargs)))
    packed = R.pack_sequence(ours, enforce_sorted=False)
    their_packed = TR.pack_sequence(theirs, enforce_sorted=False)
    np.testing.assert_array_equal(_np(packed.data), _np(their_packed.data))
    for a, b in zip(R.unpack_sequence(packed), seqs):
        np.testing.assert_array_equal(_np(a), b)
    with pytest.raises(RuntimeError, match="sorted in decreasing order"):
        R.pack_sequence(ours)


@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN"])
def test_recurrent_layers_on_packed_input_match_torch(device, mode):
    rng = np.random.default_rng(2)
    kwargs = dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True,
                  batch_first=True)
    torch.manual_seed(0)
    theirs = getattr(torch.nn, mode)(**kwargs).double()
    ours = getattr(nn, mode)(**kwargs).double()
    ours.load_state_dict({k: minigrad.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})
    ours = ours.to(device)
    lengths = [3, 5, 1]
    x = rng.standard_normal((3, 5, 3))
    our_x = minigrad.tensor(x, device=device, requires_grad=True)
    their_x = torch.tensor(x, requires_grad=True)
    our_out, our_h = ours(R.pack_padded_sequence(our_x, lengths, batch_first=True,
                                                 enforce_sorted=False))
    their_out, their_h = theirs(TR.pack_padded_sequence(their_x, torch.tensor(lengths),
                                                        batch_first=True,
                                                        enforce_sorted=False))
    assert isinstance(our_out, R.PackedSequence)
    np.testing.assert_array_equal(_np(our_out.batch_sizes), _np(their_out.batch_sizes))
    our_pad, _ = R.pad_packed_sequence(our_out, batch_first=True)
    their_pad, _ = TR.pad_packed_sequence(their_out, batch_first=True)
    np.testing.assert_allclose(_np(our_pad), _np(their_pad), rtol=1e-10, atol=1e-12)
    our_states = our_h if mode == "LSTM" else (our_h,)
    their_states = their_h if mode == "LSTM" else (their_h,)
    for a, b in zip(our_states, their_states):
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-10, atol=1e-12)
    weights = rng.standard_normal(their_pad.shape)
    (our_pad * minigrad.tensor(weights, device=device)).sum().backward()
    (their_pad * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(_np(our_x.grad), _np(their_x.grad), rtol=1e-9, atol=1e-12)
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(_np(p.grad), _np(q.grad), rtol=1e-9, atol=1e-12,
                                   err_msg=name)
