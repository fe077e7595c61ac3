"""`parameters_to_vector` and `vector_to_parameters`: all parameters as one flat vector and
back, as PyTorch's `torch.nn.utils` (used by evolution strategies, natural-gradient and
meta-learning code)."""
from ...autograd.grad_mode import no_grad
from ...errors import ShapeError
from ...functions import cat
from ...tensor import Tensor


def _check_device(param, device):
    if device is not None and param.device != device:
        raise TypeError(f"Found two parameters on different devices, this is currently not "
                        f"supported ({device} and {param.device})")
    return param.device


def parameters_to_vector(parameters):
    """The parameters flattened and concatenated into one 1-d tensor (differentiable)."""
    device, flat = None, []
    for param in parameters:
        device = _check_device(param, device)
        flat.append(param.reshape(-1))
    return cat(flat)


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of the 1-d `vec` into the parameters' values, in order."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    device, pointer = None, 0
    params = list(parameters)
    total = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.numel() != total:
        raise ShapeError(f"vector_to_parameters: expected a 1-d vector of {total} values, got "
                         f"shape {tuple(vec.shape)}")
    with no_grad():
        for param in params:
            device = _check_device(param, device)
            n = param.numel()
            param.copy_(vec[pointer:pointer + n].view_as(param))
            pointer += n
