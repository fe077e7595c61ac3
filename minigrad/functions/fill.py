"""Values written into an existing tensor: index_fill, the in-place random fills of
`torch.Tensor` (uniform_, normal_, random_, bernoulli_, exponential_, cauchy_, log_normal_,
geometric_) and the Python-callable maps apply_ and map_.

The random fills draw U[0, 1) or N(0, 1) samples on the tensor's device (from `generator`, or
the device's default one) and transform them with Tensor ops, then copy them in through
`Tensor.copy_`, so autograd's in-place rules (a leaf that requires grad refuses) hold as for
every in-place op. apply_ and map_ call a Python function per element on the host.
"""
import math

import numpy as np

from .. import dtypes
from ..creation import arange, rand, randint, randn, tensor
from ..errors import DTypeError, InvalidArgumentError
from ..tensor import Tensor, _normalize_dim
from .elementwise import where
from .rearrange import check_bounds


def index_fill(input, dim, index, value):
    """A copy of input with the slices at `index` (1-d or 0-d integer) along `dim` set to
    `value` (a number or a 0-d tensor, which receives the gradient of the filled slots)."""
    if not isinstance(index, Tensor) or index.dtype.is_floating_point or \
            index.dtype.name == "bool":
        raise DTypeError(f"index_fill: index must be an integer tensor, got "
                         f"{getattr(index, 'dtype', type(index).__name__)}")
    if index.ndim > 1:
        raise InvalidArgumentError(f"index_fill: index must be 0-d or 1-d, got shape "
                                   f"{tuple(index.shape)}")
    if isinstance(value, Tensor) and value.ndim != 0:
        raise InvalidArgumentError(f"index_fill: value must be a number or a 0-d tensor, got "
                                   f"shape {tuple(value.shape)}")
    ndim = max(input.ndim, 1)
    dim = _normalize_dim(dim, ndim)
    size = input.shape[dim] if input.ndim else 1
    check_bounds(index, size, "index_fill", allow_negative=True)
    wrapped = (index.reshape(-1) % max(size, 1)).to(device=input.device)
    positions = arange(size, device=input.device).reshape(-1, 1)
    hit = (positions == wrapped.reshape(1, -1)).any(dim=1)  # (size,)
    if input.ndim:
        hit = hit.reshape((size,) + (1,) * (input.ndim - dim - 1))
    else:
        hit = hit.reshape(())
    if isinstance(value, Tensor):
        value = value.to(dtype=input.dtype, device=input.device)
    return where(hit, value, input).to(dtype=input.dtype)


def _check_float(t, name):
    if not t.dtype.is_floating_point:
        raise DTypeError(f"{name}: expected a floating point tensor, got {t.dtype}")


def _uniform_like(t, generator):
    return rand(*t.shape, generator=generator, dtype=t.dtype, device=t.device)


def uniform_(t, low=0.0, high=1.0, *, generator=None):
    """Fill with samples of U[low, high)."""
    _check_float(t, "uniform_")
    if low > high:
        raise InvalidArgumentError(f"uniform_: expects to return a [from, to) range, but found "
                                   f"from={low} > to={high}")
    return t.copy_(_uniform_like(t, generator) * (high - low) + low)


def normal_(t, mean=0.0, std=1.0, *, generator=None):
    """Fill with samples of N(mean, std^2)."""
    _check_float(t, "normal_")
    if std < 0:
        raise InvalidArgumentError(f"normal_: expects std >= 0.0, but found std {std}")
    return t.copy_(randn(*t.shape, generator=generator, dtype=t.dtype, device=t.device) * std
                   + mean)


def log_normal_(t, mean=1.0, std=2.0, *, generator=None):
    """Fill with exp(N(mean, std^2)) samples."""
    _check_float(t, "log_normal_")
    if std <= 0:
        raise InvalidArgumentError(f"log_normal_: expects std > 0.0, but found std={std}")
    return t.copy_((randn(*t.shape, generator=generator, dtype=t.dtype, device=t.device) * std
                    + mean).exp())


def exponential_(t, lambd=1.0, *, generator=None):
    """Fill with samples of the exponential distribution of rate lambd."""
    _check_float(t, "exponential_")
    if lambd <= 0:
        raise InvalidArgumentError(f"exponential_: expects lambda > 0.0, but found "
                                   f"lambda={lambd}")
    return t.copy_(-(1 - _uniform_like(t, generator)).log() / lambd)


def cauchy_(t, median=0.0, sigma=1.0, *, generator=None):
    """Fill with samples of the Cauchy distribution median + sigma * tan(pi (u - 1/2))."""
    _check_float(t, "cauchy_")
    if sigma <= 0:
        raise InvalidArgumentError(f"cauchy_: expects sigma > 0.0, but found sigma={sigma}")
    return t.copy_(median + sigma * (math.pi * (_uniform_like(t, generator) - 0.5)).tan())


def geometric_(t, p, *, generator=None):
    """Fill with the number of Bernoulli(p) trials up to the first success (1, 2, ...)."""
    if not 0 < p < 1:
        raise InvalidArgumentError(f"geometric_: expects p in (0, 1), but found p={p}")
    u = rand(*t.shape, generator=generator, dtype=dtypes.float64, device=t.device)
    return t.copy_(((1 - u).log() / math.log1p(-p)).ceil().clamp(min=1))


def bernoulli_(t, p=0.5, *, generator=None):
    """Fill with 1 with probability p (a number, or a tensor broadcast to t), else 0."""
    if isinstance(p, Tensor):
        p = p.to(device=t.device, dtype=dtypes.float64)
        bad = bool(((p < 0) | (p > 1)).any()) if p.numel() else False
    else:
        bad = not 0 <= p <= 1
    if bad:
        raise InvalidArgumentError("bernoulli_: expects p in [0, 1]")
    u = rand(*t.shape, generator=generator, dtype=dtypes.float64, device=t.device)
    return t.copy_((u < p).to(dtype=t.dtype))


def bernoulli(input, p=None, *, generator=None):
    """A new tensor of input's shape and dtype holding 1 with probability `input` (elementwise
    probabilities in [0, 1]) or, when given, the number `p`, and 0 otherwise; not
    differentiable, as in PyTorch."""
    _check_float(input, "bernoulli")
    out = input.detach().clone()
    return bernoulli_(out, input.detach() if p is None else p, generator=generator)


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad=False):
    """Samples of N(mean, std^2): with a tensor mean and/or std, one per element of their
    broadcast shape (in their dtype and device; the result is not differentiable); with
    numbers for both, a new tensor of shape `size`."""
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        if size is not None:
            raise TypeError("normal: size is only taken with a number mean and std")
        like = mean if isinstance(mean, Tensor) else std
        _check_float(like, "normal")
        if isinstance(std, Tensor):
            negative = bool((std < 0).any()) if std.numel() else False
        else:
            negative = std < 0
        if negative:
            raise InvalidArgumentError("normal: expects all elements of std >= 0.0")
        shape = np.broadcast_shapes(tuple(getattr(mean, "shape", ())),
                                    tuple(getattr(std, "shape", ())))
        sample = randn(*shape, generator=generator, dtype=like.dtype, device=like.device)
        mean = mean.detach() if isinstance(mean, Tensor) else mean
        std = std.detach() if isinstance(std, Tensor) else std
        return sample * std + mean
    if size is None:
        raise TypeError("normal: with a number mean and std, give the size of the result")
    if std < 0:
        raise InvalidArgumentError(f"normal: expects std >= 0.0, but found std {std}")
    size = (size,) if isinstance(size, (int, np.integer)) else tuple(size)
    out = randn(*size, generator=generator, dtype=dtype, device="cpu" if device is None
                else device) * std + mean
    return out.requires_grad_(requires_grad)


def _random_upper(dtype):
    """random_'s default exclusive upper bound: 2^mantissa digits for floats, max + 1 for
    integers, 2 for bool."""
    if dtype.name == "bool":
        return 2
    if dtype.is_floating_point:
        return 2 ** np.finfo(dtype.numpy).nmant + 1
    return int(np.iinfo(dtype.numpy).max) + 1


def random_(t, low=0, high=None, *, generator=None):
    """Fill with integers drawn uniformly from [low, high) (random_(high) is [0, high); no
    bound: [0, 2^mantissa] for floats, [0, max] for integers)."""
    if high is None and low != 0:
        low, high = 0, low
    if high is None:
        high = _random_upper(t.dtype)
    if low >= high:
        raise InvalidArgumentError(f"random_: expects 'from' to be less than 'to', but got "
                                   f"from={low} >= to={high}")
    values = randint(int(low), int(high), tuple(t.shape), generator=generator)
    return t.copy_(values.to(device=t.device))


def _host_values(t, name):
    if t.requires_grad:
        raise InvalidArgumentError(f"{name}: cannot be used on a tensor that requires grad")
    return t.detach().cpu().numpy()


def apply_(t, callable):
    """Replace each element x by callable(x) (a Python function, called on the host)."""
    values = _host_values(t, "apply_")
    out = np.array([callable(v.item()) for v in values.reshape(-1)], dtype=values.dtype)
    with_shape = tensor(out.reshape(values.shape), dtype=t.dtype, device=t.device)
    return t.copy_(with_shape)


def map_(t, other, callable):
    """Replace each element x by callable(x, y), with y the matching element of `other`
    (broadcast to t's shape); a Python function, called on the host."""
    if not isinstance(other, Tensor):
        raise TypeError(f"map_: other must be a Tensor, got {type(other).__name__}")
    values = _host_values(t, "map_")
    others = np.broadcast_to(other.detach().cpu().numpy(), values.shape)
    out = np.array([callable(a.item(), b.item())
                    for a, b in zip(values.reshape(-1), others.reshape(-1))], dtype=values.dtype)
    return t.copy_(tensor(out.reshape(values.shape), dtype=t.dtype, device=t.device))


__all__ = ["apply_", "bernoulli", "bernoulli_", "cauchy_", "exponential_", "geometric_",
           "index_fill", "log_normal_", "map_", "normal", "normal_", "random_", "uniform_"]


def fill_diagonal_(input, fill_value, wrap=False):
    """Write `fill_value` on the main diagonal of `input` (2-d, or n-d with all sizes equal:
    the entries [i, i, ..., i]) in place. For a 2-d matrix taller than wide, `wrap=True`
    starts the diagonal again every columns + 1 rows, as numpy's and PyTorch's do."""
    if input.ndim < 2:
        raise InvalidArgumentError("dimensions must larger than 1")
    shape = tuple(input.shape)
    if input.ndim > 2 and len(set(shape)) != 1:
        raise InvalidArgumentError("all dimensions of input must be of equal length")
    mask = np.zeros(shape, dtype=bool)
    if input.ndim == 2 and wrap:
        mask.reshape(-1)[::shape[1] + 1] = True
    else:
        index = np.arange(min(shape))
        mask[(index,) * input.ndim] = True
    return input.masked_fill_(tensor(mask, device=input.device), fill_value)
