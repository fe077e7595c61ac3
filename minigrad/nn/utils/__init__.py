"""`torch.nn.utils`: gradient clipping (`clip_grad_norm_`, `clip_grad_value_`), parameters as
one vector (`parameters_to_vector`, `vector_to_parameters`) and `rnn` (packed and padded
sequences for the recurrent layers)."""
from . import rnn
from .clip_grad import clip_grad_norm_, clip_grad_value_
from .convert_parameters import parameters_to_vector, vector_to_parameters

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "rnn",
           "vector_to_parameters"]
