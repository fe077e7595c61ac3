"""`MultiheadAttention`, with PyTorch's parameters (in_proj_weight, in_proj_bias or
q/k/v_proj_weight, bias_k, bias_v, out_proj) so that state_dicts carry over."""
from ...errors import CheckFailedError
from ...functions.attention import multi_head_attention_forward
from .. import init
from ..module import Module
from ..parameter import Parameter
from ._util import check_tensor, empty_tensor
from .linear import Linear


class NonDynamicallyQuantizableLinear(Linear):
    """The output projection of MultiheadAttention: a Linear under PyTorch's name for it."""


class MultiheadAttention(Module):
    """`MultiheadAttention(embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
    add_zero_attn=False, kdim=None, vdim=None, batch_first=False)`.

    forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    average_attn_weights=True, is_causal=False) -> (output, weights or None). Inputs are
    (L, N, E) (batch_first: (N, L, E)) or unbatched (L, E). is_causal is a hint that attn_mask
    is the causal mask, as in PyTorch; the mask itself must be given.
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None,
                 dtype=None):
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0 or embed_dim % num_heads:
            raise CheckFailedError(f"MultiheadAttention: embed_dim ({embed_dim}) must be "
                                   f"divisible by num_heads ({num_heads}), both positive")
        self.embed_dim = embed_dim
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(empty_tensor((3 * embed_dim, embed_dim), device,
                                                         dtype))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        else:
            self.q_proj_weight = Parameter(empty_tensor((embed_dim, embed_dim), device, dtype))
            self.k_proj_weight = Parameter(empty_tensor((embed_dim, self.kdim), device, dtype))
            self.v_proj_weight = Parameter(empty_tensor((embed_dim, self.vdim), device, dtype))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(empty_tensor((3 * embed_dim,), device, dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        if add_bias_kv:
            self.bias_k = Parameter(empty_tensor((1, 1, embed_dim), device, dtype))
            self.bias_v = Parameter(empty_tensor((1, 1, embed_dim), device, dtype))
        else:
            self.bias_k = self.bias_v = None
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias,
                                                        device=device, dtype=dtype)
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):
        for t in (query, key, value):
            check_tensor(t, self)
        if is_causal and attn_mask is None:
            raise ValueError("MultiheadAttention: is_causal=True is a hint that attn_mask is "
                             "the causal mask; pass the mask as attn_mask too")
        if query.ndim not in (2, 3) or query.shape[-1] != self.embed_dim:
            raise CheckFailedError(f"MultiheadAttention expected query of shape (L, N, "
                                   f"{self.embed_dim}) or (L, {self.embed_dim}), got "
                                   f"{tuple(query.shape)}")
        packed = self.q_proj_weight is None  # one in_proj_weight: key and value alike
        if (key.shape != value.shape) if packed else (key.shape[:-1] != value.shape[:-1]):
            raise CheckFailedError(f"MultiheadAttention: key of shape {tuple(key.shape)} does "
                                   f"not match value of shape {tuple(value.shape)}")
        batched = query.ndim == 3
        if self.batch_first and batched:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        out, weights = multi_head_attention_forward(
            query, key, value, self.num_heads, self.in_proj_weight, self.in_proj_bias,
            self.bias_k, self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight,
            self.out_proj.bias, training=self.training, key_padding_mask=key_padding_mask,
            need_weights=need_weights, attn_mask=attn_mask, q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights)
        if self.batch_first and batched:
            out = out.transpose(0, 1)
        return out, weights


__all__ = ["MultiheadAttention"]
