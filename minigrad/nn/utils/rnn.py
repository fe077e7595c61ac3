"""`torch.nn.utils.rnn`: sequences of different lengths for the recurrent layers.

`pack_padded_sequence` / `pack_sequence` make a `PackedSequence` (the steps of every sequence
still running, time step by time step, longest sequences first), which nn.RNN / LSTM / GRU
take in place of a padded batch and return for their output; `pad_packed_sequence` turns one
back into a padded tensor and the lengths; `pad_sequence` pads a list of tensors. All are
built from differentiable Tensor ops.
"""
from collections import namedtuple

import numpy as np

from ... import dtypes
from ...creation import tensor
from ...functions import cat, stack
from ...tensor import Tensor


class PackedSequence(namedtuple("PackedSequence",
                                ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """data (sum of lengths, *): the steps of the sequences, time step by time step, each
    step's sequences longest first; batch_sizes (max length,) int64 on the cpu: how many
    sequences are still running at each step; sorted_indices / unsorted_indices: the order
    the batch was sorted into by decreasing length and its inverse (None when it came sorted).
    """

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = _invert(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        device = data.device
        index = [None if i is None else i.to(device) for i in (self.sorted_indices,
                                                               self.unsorted_indices)]
        return type(self)(data, self.batch_sizes, *index)

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        return self.to("cuda" if device is None else device)

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return False


def _invert(permutation):
    inverse = np.empty(len(permutation), np.int64)
    inverse[permutation.cpu().numpy()] = np.arange(len(permutation))
    return tensor(inverse, device=permutation.device)


def _lengths_array(lengths):
    if isinstance(lengths, Tensor):
        if lengths.ndim != 1 or lengths.dtype.is_floating_point:
            raise ValueError(f"lengths must be a 1-d integer tensor or list, got "
                             f"{lengths.dtype} of shape {tuple(lengths.shape)}")
        return lengths.cpu().numpy().astype(np.int64)
    return np.asarray(list(lengths), dtype=np.int64)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (L, N, *) (batch_first: (N, L, *)) of sequences with the given
    lengths (a list or a 1-d cpu int64 tensor). enforce_sorted: the lengths must come in
    decreasing order; otherwise the batch is sorted here and the order kept for unpacking."""
    lengths = _lengths_array(lengths)
    if batch_first:
        input = input.transpose(0, 1)
    if lengths.shape[0] != input.shape[1]:
        raise ValueError(f"pack_padded_sequence: {lengths.shape[0]} lengths for a batch of "
                         f"{input.shape[1]} sequences")
    if lengths.size and (lengths.min() <= 0 or lengths.max() > input.shape[0]):
        raise RuntimeError(f"pack_padded_sequence: lengths must be in 1..{input.shape[0]} "
                           f"(the padded length), got {lengths.tolist()}")
    if enforce_sorted:
        if np.any(np.diff(lengths) > 0):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                               "`enforce_sorted` is True. You can pass `enforce_sorted=False` "
                               "to pack_padded_sequence and/or pack_sequence to sidestep this "
                               "requirement if you do not need ONNX exportability.")
        sorted_indices = None
        order = np.arange(lengths.shape[0])
    else:
        order = np.argsort(-lengths, kind="stable")
        sorted_indices = tensor(order, device=input.device)
        lengths = lengths[order]
    batch_sizes = np.array([(lengths > t).sum() for t in range(int(lengths.max()))], np.int64)
    ordered = input if sorted_indices is None else input.index_select(1, sorted_indices)
    data = cat([ordered[t, :int(n)] for t, n in enumerate(batch_sizes)], 0)
    return PackedSequence(data, tensor(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """The padded batch (L, N, *) (batch_first: (N, L, *)) of a PackedSequence, in the order
    its sequences were given, and their lengths (an int64 cpu tensor)."""
    data, batch_sizes = sequence.data, sequence.batch_sizes.cpu().numpy()
    steps = len(batch_sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError(f"Expected total_length to be at least the length of the longest "
                             f"sequence ({steps}), but got total_length={total_length}")
        steps = total_length
    n = int(batch_sizes[0]) if len(batch_sizes) else 0
    trailing = tuple(data.shape[1:])
    rows, offset = [], 0
    for t in range(steps):
        size = int(batch_sizes[t]) if t < len(batch_sizes) else 0
        step = data[offset:offset + size]
        offset += size
        if size < n:
            fill = data.new_full((n - size,) + trailing, padding_value)
            step = cat([step, fill], 0)
        rows.append(step)
    padded = stack(rows, 0)
    lengths = np.array([(batch_sizes > i).sum() for i in range(n)], np.int64)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices.cpu().numpy()]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, tensor(lengths)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack tensors (L_i, *) of different lengths into (max L, N, *) (batch_first:
    (N, max L, *)), filling with padding_value on the right (or the left)."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got "
                         f"{padding_side}.")
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        missing = longest - s.shape[0]
        if missing:
            fill = s.new_full((missing,) + tuple(s.shape[1:]), padding_value)
            s = cat([s, fill] if padding_side == "right" else [fill, s], 0)
        padded.append(s)
    return stack(padded, 0 if batch_first else 1)


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of tensors (L_i, *) (pad_sequence, then pack_padded_sequence)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths,
                                enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of sequences (L_i, *) in a padded batch."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [padded_sequences[i, :int(n)] for i, n in enumerate(_lengths_array(lengths))]


def unpack_sequence(packed_sequences):
    """The list of sequences (L_i, *) in a PackedSequence, in their given order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


def step_mask(batch_sizes, unsorted_indices, dtype, device):
    """(L, N, 1): 1 where step t of sequence n (in the given order) exists, else 0."""
    batch_sizes = batch_sizes.cpu().numpy()
    n = int(batch_sizes[0])
    mask = (np.arange(n)[None, :] < batch_sizes[:, None]).astype(dtypes.as_dtype(dtype).numpy)
    if unsorted_indices is not None:
        mask = mask[:, unsorted_indices.cpu().numpy()]
    return tensor(mask[:, :, None], dtype=dtype, device=device)


__all__ = ["PackedSequence", "pack_padded_sequence", "pack_sequence", "pad_packed_sequence",
           "pad_sequence", "unpack_sequence", "unpad_sequence"]
