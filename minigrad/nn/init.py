"""Weight initialisation, PyTorch's `torch.nn.init`: each function fills a tensor in place
(without recording autograd history) and returns it.

Samples come from minigrad's global generator (`minigrad.manual_seed`), or from `generator`
(a `numpy.random.Generator`) when one is given.
"""
import math
import warnings

import numpy as np

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor

_LINEAR_GAIN_ONE = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                    "conv_transpose2d", "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity, param=None):
    """The recommended scale of the weights before `nonlinearity`: 1 for linear layers and
    sigmoid, 5/3 for tanh, sqrt(2) for relu, sqrt(2 / (1 + slope^2)) for leaky_relu (`param`
    is the negative slope, default 0.01) and 3/4 for selu."""
    if nonlinearity in _LINEAR_GAIN_ONE:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    """(fan_in, fan_out) of a weight: dim 1 and dim 0 (input and output feature maps), each
    times the receptive field size (the product of the dims after the first two)."""
    if tensor.ndim < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         f"dimensions (got shape {tuple(tensor.shape)})")
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _check_tensor(tensor, name):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(tensor).__name__}")


def _fill_random(tensor, draw, first, second, generator):
    """Fill `tensor` in place, outside autograd, with `draw(shape, dtype, rng, first, second)`:
    the backend's `init_uniform` (low, high) or `init_normal` (mean, std) kernel, which draws
    in the tensor's dtype and scales in place (no float64 buffer, no temporaries)."""
    if not tensor.dtype.is_floating_point:
        raise TypeError(f"random initialisation needs a floating point tensor, got dtype "
                        f"{tensor.dtype}")
    if generator is not None and not isinstance(generator, np.random.Generator):
        raise TypeError(f"generator must be a numpy.random.Generator or None, got "
                        f"{type(generator).__name__}")
    # generator None: the device's default generator (minigrad's global one on the cpu)
    shape, data = tuple(tensor.shape), tensor._data
    if not tensor.dtype.is_reduced and tensor._backend.is_contiguous(data):
        # straight into the tensor's memory (a write, so its version moves on): a large model's
        # parameters are then touched once, with no buffer of their size and no copy
        draw(shape, tensor.dtype.numpy, generator, float(first), float(second), out=data)
        tensor._version.value += 1
        return tensor
    sample = tensor._new(draw(shape, tensor.dtype.numpy, generator, float(first),
                              float(second)))
    with no_grad():
        tensor.copy_(sample)
    return tensor


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill `tensor` with samples from U(a, b)."""
    _check_tensor(tensor, "uniform_")
    return _fill_random(tensor, tensor._backend.init_uniform, a, b, generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill `tensor` with samples from N(mean, std^2)."""
    _check_tensor(tensor, "normal_")
    return _fill_random(tensor, tensor._backend.init_normal, mean, std, generator)


def constant_(tensor, val):
    """Fill `tensor` with the value `val`."""
    _check_tensor(tensor, "constant_")
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor):
    return constant_(tensor, 1.0)


def zeros_(tensor):
    return constant_(tensor, 0.0)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot initialisation: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    _check_tensor(tensor, "xavier_uniform_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(3.0) * gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot initialisation: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    _check_tensor(tensor, "xavier_normal_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def _kaiming_std(tensor, a, mode, nonlinearity):
    """gain / sqrt(fan), or None (with PyTorch's warning) for a tensor with no elements."""
    if 0 in tuple(tensor.shape):
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He initialisation: U(-b, b) with b = gain * sqrt(3 / fan), where fan is fan_in or
    fan_out (`mode`) and gain = calculate_gain(nonlinearity, a); `a` is the negative slope of
    a following leaky_relu. Linear and Conv layers use a = sqrt(5)."""
    _check_tensor(tensor, "kaiming_uniform_")
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He initialisation: N(0, std^2) with std = gain / sqrt(fan) (see kaiming_uniform_)."""
    _check_tensor(tensor, "kaiming_normal_")
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor, gain=1, generator=None):
    """Fill `tensor` (at least 2-d; dims after the first are flattened) with a (semi-)
    orthogonal matrix times `gain`: the Q of the QR decomposition of a standard normal matrix,
    its columns' signs fixed by R's diagonal so that Q is Haar-distributed (PyTorch's
    recipe)."""
    _check_tensor(tensor, "orthogonal_")
    if tensor.ndim < 2:
        raise ValueError(f"Only tensors with 2 or more dimensions are supported, got shape "
                         f"{tuple(tensor.shape)}")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = Tensor._from_data(np.empty((rows, cols), tensor.dtype.numpy))
    flat = normal_(flat, 0.0, 1.0, generator)
    flat = flat.numpy().astype(np.float64)
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    values = Tensor._from_data((gain * q).reshape(tuple(tensor.shape)).astype(tensor.dtype.numpy))
    with no_grad():
        return tensor.copy_(values.to(tensor.device))


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fill `tensor` with samples of N(mean, std^2) truncated to [a, b], drawn by inverting
    the normal CDF on a uniform sample between the CDF's values at a and b."""
    _check_tensor(tensor, "trunc_normal_")
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The "
                      "distribution of values may be incorrect.", stacklevel=2)

    def cdf(x):
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    low, high = cdf((a - mean) / std), cdf((b - mean) / std)
    with no_grad():
        uniform_(tensor, 2 * low - 1, 2 * high - 1, generator)
        tensor.erfinv_()
        tensor.mul_(std * math.sqrt(2.0))
        tensor.add_(mean)
        tensor.clamp_(min=a, max=b)
    return tensor


def eye_(tensor):
    """Fill the 2-d `tensor` with the identity matrix (ones on the main diagonal)."""
    _check_tensor(tensor, "eye_")
    if tensor.ndim != 2:
        raise ValueError(f"Only tensors with 2 dimensions are supported, got shape "
                         f"{tuple(tensor.shape)}")
    values = Tensor._from_data(np.eye(*tensor.shape, dtype=tensor.dtype.numpy))
    with no_grad():
        return tensor.copy_(values.to(tensor.device))


def dirac_(tensor, groups=1):
    """Fill the 3-, 4- or 5-d convolution weight `tensor` with the Dirac delta, so that the
    convolution passes its input through: in each of `groups`, output channel i takes input
    channel i at the kernel's centre."""
    _check_tensor(tensor, "dirac_")
    if tensor.ndim not in (3, 4, 5):
        raise ValueError(f"Only tensors with 3, 4, or 5 dimensions are supported, got shape "
                         f"{tuple(tensor.shape)}")
    out_channels = tensor.shape[0]
    if out_channels % groups != 0:
        raise ValueError(f"dim 0 ({out_channels}) must be divisible by groups ({groups})")
    per_group = out_channels // groups
    values = np.zeros(tuple(tensor.shape), tensor.dtype.numpy)
    centre = tuple(k // 2 for k in tensor.shape[2:])
    for g in range(groups):
        for d in range(min(per_group, tensor.shape[1])):
            values[(g * per_group + d, d) + centre] = 1
    with no_grad():
        return tensor.copy_(Tensor._from_data(values).to(tensor.device))
