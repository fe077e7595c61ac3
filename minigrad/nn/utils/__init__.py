"""`torch.nn.utils`: gradient clipping (`clip_grad_norm_`, `clip_grad_value_`) and `rnn`
(packed and padded sequences for the recurrent layers)."""
from . import rnn
from .clip_grad import clip_grad_norm_, clip_grad_value_

__all__ = ["clip_grad_norm_", "clip_grad_value_", "rnn"]
