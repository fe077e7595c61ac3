"""Factories of PyTorch's top level beyond the basic ones: asarray, scalar_tensor, the
deprecated inclusive `range`, the signal windows (hann, hamming, blackman, bartlett, kaiser)
and the binomial and Poisson samplers.

Windows are computed in float64 on the host and then converted (they are constants of a few
thousand values at most); samples are drawn on the host from the default (or the given)
generator, so `manual_seed` makes them reproducible, and then moved to the input's device.
"""
import math
import operator
import warnings

import numpy as np

from . import dtypes
from .creation import as_tensor, tensor
from .errors import DTypeError, InvalidArgumentError
from .random import as_numpy_generator
from .tensor import Tensor


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """obj as a tensor, sharing memory with a tensor or numpy array where dtype and device
    allow (copy=True always copies; copy=False refuses to)."""
    result = as_tensor(obj, dtype=dtype, device=device)
    if copy is False and not _shares_memory(result, obj):
        raise ValueError("asarray(): can't satisfy copy=False: the dtype or device conversion "
                         "needs a copy")
    if copy:
        result = result.detach().clone()
    if requires_grad:
        result.requires_grad_(True)
    return result


def _shares_memory(result, obj):
    """Whether `result` uses obj's memory (a Python sequence or number never can)."""
    if isinstance(obj, Tensor):
        return result is obj
    if isinstance(obj, np.ndarray) and result.device.type == "cpu":
        return np.shares_memory(result.numpy(), obj)
    return False


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    """A 0-d tensor holding s, in the default float dtype unless dtype says otherwise."""
    if isinstance(s, Tensor):
        s = s.item()
    return tensor(s, dtype=dtypes.default_float if dtype is None else dtype,
                  device="cpu" if device is None else device, requires_grad=requires_grad)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Deprecated in PyTorch (use arange): the values start, start + step, ... up to and
    including end, in the default float dtype unless dtype says otherwise."""
    warnings.warn("minigrad.range is deprecated and will be removed in a future release "
                  "because its behavior is inconsistent with Python's range builtin. Instead, "
                  "use minigrad.arange, which produces values in [start, end).",
                  UserWarning, stacklevel=2)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise InvalidArgumentError("range: step must be nonzero")
    if (end - start) / step < 0:
        raise InvalidArgumentError(f"range: upper bound and larger bound inconsistent with step "
                                   f"sign (start {start}, end {end}, step {step})")
    count = math.floor((end - start) / step) + 1
    values = start + np.arange(count, dtype=np.float64) * step
    return tensor(values, dtype=dtypes.default_float if dtype is None else dtype,
                  device="cpu" if device is None else device, requires_grad=requires_grad)


def _window(name, window_length, periodic, dtype, device, requires_grad, formula):
    """A window of window_length values: formula(n, N) over n = 0..N-1, N = window_length (+1
    when periodic, the extra value then dropped)."""
    length = operator.index(window_length)
    if length < 0:
        raise InvalidArgumentError(f"{name} requires non-negative window_length, got "
                                   f"window_length={length}")
    dtype = dtypes.default_float if dtype is None else dtype
    if not dtype.is_floating_point:
        raise DTypeError(f"{name} expects floating point dtypes, got: {dtype}")
    if length <= 1:
        values = np.ones(length)
    else:
        points = length + 1 if periodic else length
        values = formula(np.arange(points, dtype=np.float64), points)[:length]
    return tensor(values, dtype=dtype, device="cpu" if device is None else device,
                  requires_grad=requires_grad)


def hann_window(window_length, periodic=True, *, dtype=None, device=None, requires_grad=False):
    """0.5 - 0.5 cos(2 pi n / (N - 1))."""
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, N: 0.5 - 0.5 * np.cos(2 * np.pi * n / (N - 1)))


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None,
                   device=None, requires_grad=False):
    """alpha - beta cos(2 pi n / (N - 1))."""
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, N: alpha - beta * np.cos(2 * np.pi * n / (N - 1)))


def blackman_window(window_length, periodic=True, *, dtype=None, device=None,
                    requires_grad=False):
    """0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))."""
    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, N: 0.42 - 0.5 * np.cos(2 * np.pi * n / (N - 1))
                   + 0.08 * np.cos(4 * np.pi * n / (N - 1)))


def bartlett_window(window_length, periodic=True, *, dtype=None, device=None,
                    requires_grad=False):
    """The triangle 1 - |2n / (N - 1) - 1|."""
    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, N: 1 - np.abs(2 * n / (N - 1) - 1))


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, device=None,
                  requires_grad=False):
    """I0(beta sqrt(1 - (2n / (N - 1) - 1)^2)) / I0(beta)."""
    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, N: np.i0(beta * np.sqrt(np.clip(
                       1 - (2 * n / (N - 1) - 1) ** 2, 0, None))) / np.i0(beta))


def _float_tensor(x, name, what):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument '{what}' must be Tensor, not {type(x).__name__}")
    if not x.dtype.is_floating_point:
        raise DTypeError(f"{name}: expected a floating point tensor for {what}, got {x.dtype}")
    return x


def binomial(count, prob, generator=None):
    """Samples of Binomial(count, prob), elementwise (floating point tensors, same shape)."""
    count, prob = _float_tensor(count, "binomial", "count"), _float_tensor(prob, "binomial",
                                                                          "prob")
    n, p = count.detach().cpu().numpy(), prob.detach().cpu().numpy()
    if n.shape != p.shape:
        raise InvalidArgumentError(f"binomial: count and prob must have the same shape, got "
                                   f"{n.shape} and {p.shape}")
    if np.any(n < 0) or np.any((p < 0) | (p > 1)) or np.isnan(p).any():
        raise InvalidArgumentError("binomial: expected count >= 0 and 0 <= prob <= 1")
    draws = as_numpy_generator(generator, "binomial").binomial(n.astype(np.int64), p)
    return tensor(draws, dtype=count.dtype, device=count.device)


def poisson(input, generator=None):
    """Samples of Poisson(rate), one per element of the rate tensor `input`."""
    rate = _float_tensor(input, "poisson", "input").detach().cpu().numpy()
    if np.any(rate < 0) or np.isnan(rate).any():
        raise InvalidArgumentError("poisson: expected non-negative rates")
    draws = as_numpy_generator(generator, "poisson").poisson(rate)
    return tensor(draws, dtype=input.dtype, device=input.device)
