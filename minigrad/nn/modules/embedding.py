"""`Embedding`: a lookup table of num_embeddings vectors of size embedding_dim, indexed by
integer tensors, with PyTorch's padding_idx, max_norm and from_pretrained; `EmbeddingBag`:
sums, means or maxima of bags of its rows."""
from ...autograd.grad_mode import no_grad
from ...errors import CheckFailedError
from ...functions.embedding import embedding
from ...functions.embedding_bag import embedding_bag
from ...tensor import Tensor
from .. import init
from ..module import Module
from ..parameter import Parameter
from ._util import empty_tensor


def _checked_padding_idx(layer, num_embeddings, padding_idx):
    """padding_idx in [0, num_embeddings) (a negative one counts from the end), or None."""
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise CheckFailedError(f"{layer}: padding_idx must be within num_embeddings "
                         f"({num_embeddings}), got {padding_idx}")
    return padding_idx % num_embeddings


def _table(layer, num_embeddings, embedding_dim, weight, trainable, device, dtype):
    """The layer's weight Parameter: `weight` itself (shared, checked for shape), or a new
    (num_embeddings, embedding_dim) table that the caller initialises."""
    if weight is None:
        return Parameter(empty_tensor((num_embeddings, embedding_dim), device, dtype),
                         requires_grad=trainable)
    if tuple(weight.shape) != (num_embeddings, embedding_dim):
        raise ValueError(f"{layer}: _weight must have shape ({num_embeddings}, "
                         f"{embedding_dim}), got {tuple(weight.shape)}")
    return Parameter(weight, requires_grad=trainable)


def _reset_table(weight, padding_idx):
    """N(0, 1) entries, the padding_idx row zeroed."""
    init.normal_(weight)
    if padding_idx is not None:
        with no_grad():
            weight[padding_idx] = 0.0


class Embedding(Module):
    """`Embedding(num_embeddings, embedding_dim, padding_idx=None, max_norm=None,
    norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False)`.

    weight: (num_embeddings, embedding_dim), initialised from N(0, 1) with the padding_idx row
    zeroed. Input: integer indices of any shape; output: input.shape + (embedding_dim,).
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None,
                 norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None,
                 _freeze=False, device=None, dtype=None):
        super().__init__()
        padding_idx = _checked_padding_idx("Embedding", num_embeddings, padding_idx)
        if sparse:
            raise ValueError("Embedding: sparse gradients are not supported; use sparse=False")
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        self.weight = _table("Embedding", num_embeddings, embedding_dim, _weight, not _freeze,
                             device, dtype)
        if _weight is None:
            self.reset_parameters()

    def reset_parameters(self):
        _reset_table(self.weight, self.padding_idx)

    def forward(self, input):
        return embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                         self.scale_grad_by_freq, self.sparse)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None,
                        norm_type=2.0, scale_grad_by_freq=False, sparse=False):
        """An Embedding whose weight is `embeddings` (2-D, shared, not copied), trained unless
        `freeze`."""
        if not isinstance(embeddings, Tensor) or embeddings.ndim != 2:
            raise ValueError("Embedding.from_pretrained: embeddings must be a 2-D Tensor, got "
                             f"{getattr(embeddings, 'shape', type(embeddings).__name__)}")
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
                   _weight=embeddings, _freeze=freeze)


class EmbeddingBag(Module):
    """`EmbeddingBag(num_embeddings, embedding_dim, max_norm=None, norm_type=2.0,
    scale_grad_by_freq=False, mode='mean', sparse=False, _weight=None,
    include_last_offset=False, padding_idx=None)`: the sums, means or maxima of bags of
    embeddings (see `F.embedding_bag`), without the per-index embeddings in between.

    weight: (num_embeddings, embedding_dim) from N(0, 1), the padding_idx row zeroed.
    forward(input, offsets=None, per_sample_weights=None) -> (bags, embedding_dim).
    """

    def __init__(self, num_embeddings, embedding_dim, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, mode="mean", sparse=False, _weight=None,
                 include_last_offset=False, padding_idx=None, device=None, dtype=None):
        super().__init__()
        padding_idx = _checked_padding_idx("EmbeddingBag", num_embeddings, padding_idx)
        if mode not in ("sum", "mean", "max"):
            raise ValueError(f"EmbeddingBag: mode must be 'sum', 'mean' or 'max', got {mode!r}")
        if sparse:
            raise ValueError("EmbeddingBag: sparse gradients are not supported; use "
                             "sparse=False")
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.mode = mode
        self.sparse = sparse
        self.include_last_offset = include_last_offset
        self.padding_idx = padding_idx
        self.weight = _table("EmbeddingBag", num_embeddings, embedding_dim, _weight, True,
                             device, dtype)
        if _weight is None:
            self.reset_parameters()

    def reset_parameters(self):
        _reset_table(self.weight, self.padding_idx)

    def forward(self, input, offsets=None, per_sample_weights=None):
        return embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type,
                             self.scale_grad_by_freq, self.mode, self.sparse,
                             per_sample_weights, self.include_last_offset, self.padding_idx)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        s += f", mode={self.mode!r}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, mode="mean", sparse=False,
                        include_last_offset=False, padding_idx=None):
        """An EmbeddingBag whose weight is `embeddings` (2-D, shared), trained unless
        `freeze`."""
        if not isinstance(embeddings, Tensor) or embeddings.ndim != 2:
            raise ValueError("EmbeddingBag.from_pretrained: embeddings must be a 2-D Tensor, "
                             f"got {getattr(embeddings, 'shape', type(embeddings).__name__)}")
        rows, cols = embeddings.shape
        bag = cls(rows, cols, max_norm, norm_type, scale_grad_by_freq, mode, sparse,
                  _weight=embeddings, include_last_offset=include_last_offset,
                  padding_idx=padding_idx)
        bag.weight.requires_grad = not freeze
        return bag
