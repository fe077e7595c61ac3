"""Attention: scaled_dot_product_attention and the multi-head attention forward pass that
nn.MultiheadAttention runs, as PyTorch defines them.

Both are compositions of matmul, softmax, dropout and masking with `where`, so they run on every
device and are differentiable to any order (the dropout mask is fixed once drawn).
"""
import math

import numpy as np

from .. import dtypes
from ..creation import tensor, zeros
from ..errors import DTypeError, InvalidArgumentError, ShapeError
from ..tensor import Tensor
from .activation import softmax
from .dropout import dropout
from .elementwise import where
from .linear import linear
from .shape import cat


def _float_mask(mask, dtype, allowed_when_true, op):
    """A mask as an additive float bias: bool masks become 0 / -inf (True meaning allowed for
    scaled_dot_product_attention, masked out for MultiheadAttention), float masks are added as
    they are."""
    if mask is None:
        return None
    if not isinstance(mask, Tensor):
        raise TypeError(f"{op}: masks must be Tensors, got {type(mask).__name__}")
    if mask.dtype is dtypes.bool_:
        blocked = mask.logical_not() if allowed_when_true else mask
        return where(blocked, -math.inf, 0.0).to(dtype=dtype)
    if not mask.dtype.is_floating_point:
        raise DTypeError(f"{op}: masks must be bool or floating point, got {mask.dtype}")
    return mask.to(dtype=dtype)


def _causal_bias(rows, cols, dtype, device):
    """0 on and below the diagonal, -inf above: position i attends to positions <= i."""
    allowed = np.tril(np.ones((rows, cols), dtype=bool))
    return tensor(np.where(allowed, 0.0, -np.inf), dtype=dtype, device=device)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """softmax(query @ key^T * scale + mask) @ value over the last two dims.

    query (..., L, E), key (..., S, E), value (..., S, Ev) -> (..., L, Ev); leading dims
    broadcast. scale defaults to 1 / sqrt(E). attn_mask broadcasts to (..., L, S): a bool mask
    says where attention is allowed (True), a float mask is added to the scores. is_causal masks
    every position above the diagonal. dropout_p drops attention weights (always, as PyTorch's
    functional form: pass 0.0 in evaluation). enable_gqa lets key and value have fewer heads
    (dim -3) than query, each shared by a group of query heads.
    """
    for t, name in ((query, "query"), (key, "key"), (value, "value")):
        if not isinstance(t, Tensor) or not t.dtype.is_floating_point or t.ndim < 2:
            raise DTypeError(f"scaled_dot_product_attention: {name} must be a floating point "
                             f"Tensor with at least 2 dims, got "
                             f"{getattr(t, 'shape', type(t).__name__)}")
    if is_causal and attn_mask is not None:
        raise InvalidArgumentError("scaled_dot_product_attention: pass either attn_mask or "
                                   "is_causal=True, not both")
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        groups, rem = divmod(query.shape[-3], key.shape[-3])
        if rem:
            raise ShapeError(f"scaled_dot_product_attention: query's {query.shape[-3]} heads "
                             f"are not a multiple of key's {key.shape[-3]}")
        key, value = (_repeat_heads(t, groups) for t in (key, value))
    rows, cols = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    scores = (query @ key.transpose(-2, -1)) * scale
    bias = _causal_bias(rows, cols, scores.dtype, query.device) if is_causal else \
        _float_mask(attn_mask, scores.dtype, True, "scaled_dot_product_attention")
    if bias is not None:
        scores = scores + bias
    weights = softmax(scores, -1)
    if dropout_p > 0:
        weights = dropout(weights, dropout_p, training=True)
    return weights @ value


def _repeat_heads(t, groups):
    """(..., H, S, E) -> (..., H * groups, S, E), each head repeated `groups` times in a row."""
    shape = tuple(t.shape)
    expanded = t.unsqueeze(-3).expand(shape[:-2] + (groups,) + shape[-2:])
    return expanded.reshape(shape[:-3] + (shape[-3] * groups,) + shape[-2:])


def multi_head_attention_forward(query, key, value, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight,
                                 out_proj_bias, training=True, key_padding_mask=None,
                                 need_weights=True, attn_mask=None,
                                 q_proj_weight=None, k_proj_weight=None, v_proj_weight=None,
                                 average_attn_weights=True):
    """Multi-head attention on sequence-first input: query (L, N, E), key (S, N, Ek), value
    (S, N, Ev), or unbatched (L, E), (S, Ek), (S, Ev).

    Returns (output (L, N, E), weights) with weights (N, L, S) averaged over heads, (N, H, L,
    S) per head, or None when need_weights is False. Masks: key_padding_mask (N, S) and
    attn_mask (L, S) or (N * H, L, S), bool (True: masked out) or float (added).
    """
    unbatched = query.ndim == 2
    if unbatched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    length, batch, embed = query.shape
    if key.ndim != 3 or value.ndim != 3 or key.shape[1] != batch or value.shape[1] != batch \
            or key.shape[0] != value.shape[0]:
        raise ShapeError(f"multi-head attention: key {tuple(key.shape)} and value "
                         f"{tuple(value.shape)} must be (S, N, E*) with the batch N of query "
                         f"{tuple(query.shape)} and one source length S")
    head_dim = embed // num_heads
    if in_proj_weight is not None:
        w_q, w_k, w_v = in_proj_weight.chunk(3)
    else:
        w_q, w_k, w_v = q_proj_weight, k_proj_weight, v_proj_weight
    b_q = b_k = b_v = None
    if in_proj_bias is not None:
        b_q, b_k, b_v = in_proj_bias.chunk(3)
    q, k, v = linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)
    dtype = q.dtype
    attn_mask = _float_mask(attn_mask, dtype, False, "MultiheadAttention")
    key_padding_mask = _float_mask(key_padding_mask, dtype, False, "MultiheadAttention")
    if attn_mask is not None and attn_mask.ndim == 2:
        attn_mask = attn_mask.unsqueeze(0)
    if bias_k is not None:
        k = cat([k, bias_k.expand((1, batch, embed))])
        v = cat([v, bias_v.expand((1, batch, embed))])
        attn_mask = _pad_last(attn_mask)
        key_padding_mask = _pad_last(key_padding_mask)
    # (L, N, E) -> (N * H, L, head_dim)
    q = q.reshape((length, batch * num_heads, head_dim)).transpose(0, 1)
    k = k.reshape((k.shape[0], batch * num_heads, head_dim)).transpose(0, 1)
    v = v.reshape((v.shape[0], batch * num_heads, head_dim)).transpose(0, 1)
    if add_zero_attn:
        k = cat([k, zeros((batch * num_heads, 1, head_dim), dtype=dtype, device=k.device)], 1)
        v = cat([v, zeros((batch * num_heads, 1, head_dim), dtype=dtype, device=v.device)], 1)
        attn_mask = _pad_last(attn_mask)
        key_padding_mask = _pad_last(key_padding_mask)
    source = k.shape[1]
    if key_padding_mask is not None:
        padding = key_padding_mask.reshape((batch, 1, 1, source)).expand(
            (batch, num_heads, 1, source)).reshape((batch * num_heads, 1, source))
        attn_mask = padding if attn_mask is None else attn_mask + padding
    scores = (q * (1.0 / math.sqrt(head_dim))) @ k.transpose(1, 2)
    if attn_mask is not None:
        scores = scores + attn_mask
    weights = softmax(scores, -1)
    if dropout_p > 0 and training:
        weights = dropout(weights, dropout_p, training=True)
    out = weights @ v  # (N * H, L, head_dim)
    out = out.transpose(0, 1).reshape((length * batch, embed))
    out = linear(out, out_proj_weight, out_proj_bias).reshape((length, batch, embed))
    if unbatched:
        out = out.squeeze(1)
    if not need_weights:
        return out, None
    weights = weights.reshape((batch, num_heads, length, source))
    if average_attn_weights:
        weights = weights.mean(dim=1)
    return out, weights.squeeze(0) if unbatched else weights


def _pad_last(mask):
    """A mask with one more column of zeros (the appended key is not masked)."""
    if mask is None:
        return None
    return cat([mask, zeros(tuple(mask.shape[:-1]) + (1,), dtype=mask.dtype,
                            device=mask.device)], -1)


__all__ = ["multi_head_attention_forward", "scaled_dot_product_attention"]
