"""Products, matrix functions and numerical summaries from PyTorch's surface: dist, inner, addr,
addbmm, matrix_power, matrix_exp, multi_dot, vecdot, renorm, trapezoid and
cumulative_trapezoid, histogram, corrcoef, nanquantile, pinv and matrix_rank, and the legacy
top-level spellings of the factorizations (torch.svd returns V, not Vh; torch.qr takes `some`;
torch.cholesky takes `upper`).

All are compositions of Tensor ops (matmul, svd, sort, ...), differentiable where those are.
"""
import math
import operator

from .. import dtypes
from ..creation import eye, linspace, ones, zeros
from ..errors import DTypeError, DTypeNotImplementedError, InvalidArgumentError, ShapeError
from ..tensor import Tensor
from .contractions import outer
from .decompositions import cholesky as _cholesky, inv, qr as _qr, svd as _svd
from .elementwise import where
from .everyday import cov, quantile
from .norms import vector_norm
from .shape import stack


def _tensor(x, name, what="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument '{what}' must be Tensor, not {type(x).__name__}")
    return x


def _square(A, name):
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise ShapeError(f"linalg.{name}: A must be batches of square matrices, but they are "
                         f"{A.shape[-2] if A.ndim >= 2 else ''} by {A.shape[-1] if A.ndim else ''}"
                         f" matrices")


def _floating(A, name):
    if not A.dtype.is_floating_point:
        raise DTypeError(f"linalg.{name}: Expected a floating point tensor as input. Got "
                         f"{A.dtype}")


def dist(input, other, p=2):
    """The p-norm of input - other (broadcast); floating point only."""
    difference = _tensor(input, "dist") - _tensor(other, "dist", "other")
    if p == 0:  # a count: PyTorch still gives it a graph, with zero gradients
        return _constant_of(vector_norm(difference, 0), difference.sum())
    return vector_norm(difference, p)


def _constant_of(value, source):
    """`value`, in the graph of `source` (same shape) with a zero gradient, as PyTorch's ops
    whose result does not depend on the input's values."""
    selected = ones(value.shape, dtype=dtypes.bool_, device=value.device)
    return where(selected, value, source)


def inner(input, other):
    """The sum over the last dims of input and other; with a 0-d operand, their product."""
    a, b = _tensor(input, "inner"), _tensor(other, "inner", "other")
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.shape[-1] != b.shape[-1]:
        raise ShapeError(f"inner() the last dimension must match on both input tensors but got "
                         f"shapes {list(a.shape)} and {list(b.shape)}")
    if a.dtype is not b.dtype:
        raise DTypeError(f"inner(): both inputs should have same dtype, got {a.dtype} and "
                         f"{b.dtype}")
    lead_a, lead_b = tuple(a.shape[:-1]), tuple(b.shape[:-1])
    product = a.reshape(-1, a.shape[-1]) @ b.reshape(-1, b.shape[-1]).transpose(0, 1)
    return product.reshape(lead_a + lead_b)


def _check_beta(beta, dtype, name):
    if not dtype.is_floating_point and isinstance(beta, float):
        raise DTypeError("For integral input tensors, argument beta must not be a floating "
                         "point number.")


def _scaled_sum(input, product, beta, alpha):
    """beta * input + alpha * product, where beta == 0 ignores input (NaN included)."""
    scaled = product if alpha == 1 else product * alpha
    if beta == 0:
        return scaled + zeros(1, dtype=input.dtype, device=input.device).expand(input.shape)
    return (input if beta == 1 else input * beta) + scaled


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    """beta * input + alpha * outer(vec1, vec2)."""
    x = _tensor(input, "addr")
    _check_beta(beta, x.dtype, "addr")
    if vec1.ndim != 1 or vec2.ndim != 1:
        raise ShapeError(f"addr: expected 1-D vectors, got {vec1.ndim}-D and {vec2.ndim}-D")
    return _scaled_sum(x, outer(vec1, vec2), beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta * input + alpha * the sum over the batch of batch1[i] @ batch2[i]."""
    x = _tensor(input, "addbmm")
    if batch1.ndim != 3 or batch2.ndim != 3:
        raise ShapeError(f"addbmm: batch1 and batch2 must be 3-D tensors, got {batch1.ndim}-D "
                         f"and {batch2.ndim}-D")
    _check_beta(beta, x.dtype, "addbmm")
    return _scaled_sum(x, (batch1 @ batch2).sum(0), beta, alpha)


def matrix_power(A, n):
    """A @ A @ ... (n times) for batches of square matrices; n = 0 gives the identity, n < 0
    powers of the inverse (floating point only)."""
    A = _tensor(A, "matrix_power", "A")
    n = operator.index(n)
    _square(A, "matrix_power")
    if n == 0:
        identity = eye(A.shape[-1], dtype=A.dtype, device=A.device).expand(A.shape)
        return _constant_of(identity, A)
    if n < 0:
        _floating(A, "matrix_power")
        A, n = inv(A), -n
    result, base = None, A
    while n:  # binary powering: log2(n) products
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result


def matrix_exp(A):
    """The matrix exponential of batches of square floating point matrices (scaling and
    squaring with a degree-18 Taylor series)."""
    A = _tensor(A, "matrix_exp", "A")
    _square(A, "matrix_exp")
    _floating(A, "matrix_exp")
    if A.numel() == 0:
        return A.clone()
    size = float(A.detach().abs().sum(-1).amax()) if A.numel() else 0.0
    squarings = max(0, math.ceil(math.log2(size)) + 1) if size > 0.5 else 0
    scaled = A / (2.0 ** squarings) if squarings else A
    identity = eye(A.shape[-1], dtype=A.dtype, device=A.device).expand(A.shape)
    term, total = identity, identity
    for k in range(1, 19):
        term = term @ scaled / k
        total = total + term
    for _ in range(squarings):
        total = total @ total
    return total


def multi_dot(tensors):
    """The chained product of matrices (the first may be 1-d, and the last), left to right."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise ValueError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    first_1d, last_1d = tensors[0].ndim == 1, tensors[-1].ndim == 1
    for i, t in enumerate(tensors):
        wanted = 1 if (i == 0 and first_1d) or (i == len(tensors) - 1 and last_1d) else 2
        if t.ndim not in (wanted, 2):
            raise ShapeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    result = tensors[0].unsqueeze(0) if first_1d else tensors[0]
    for t in tensors[1:-1]:
        result = result @ t
    last = tensors[-1].unsqueeze(1) if last_1d else tensors[-1]
    result = result @ last
    if last_1d:
        result = result.squeeze(-1)
    if first_1d:
        result = result.squeeze(0)
    return result


def vecdot(x, y, *, dim=-1):
    """The dot product of x and y (broadcast) along dim."""
    return (_tensor(x, "vecdot", "x") * _tensor(y, "vecdot", "y")).sum(dim)


def renorm(input, p, dim, maxnorm):
    """input with each slice along dim (the sub-tensors input.select(dim, i)) whose p-norm
    exceeds maxnorm scaled down to norm maxnorm."""
    x = _tensor(input, "renorm")
    if not x.dtype.is_floating_point:
        raise DTypeError(f"renorm: expected a floating point tensor, got {x.dtype}")
    if p <= 0:
        raise InvalidArgumentError(f"renorm: non-positive-norm not supported, got p = {p}")
    if maxnorm < 0:
        raise InvalidArgumentError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    dim = dim + x.ndim if dim < 0 else dim
    others = tuple(d for d in range(x.ndim) if d != dim)
    norms = vector_norm(x, p, others, keepdim=True) if others else x.abs()
    # PyTorch's factor: maxnorm / (norm + 1e-7) where the norm exceeds maxnorm, else 1
    factor = where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)
    return x * factor


def _trapezoid_pieces(y, x, dx, dim):
    """The areas of the trapezoids between consecutive samples along dim."""
    y = _tensor(y, "trapezoid", "y")
    dim = dim + y.ndim if dim < 0 else dim
    length = y.shape[dim]
    if length == 0:
        return None, dim
    upper = y.narrow(dim, 1, length - 1)
    lower = y.narrow(dim, 0, length - 1)
    heights = (upper + lower) / 2
    if x is None:
        return heights * dx, dim
    x = _tensor(x, "trapezoid", "x")
    if x.ndim == 1:
        if x.shape[0] != length:
            raise ShapeError(f"trapezoid: There must be one `x` value for each sample point, "
                             f"got {x.shape[0]} and {length}")
        widths = (x[1:] - x[:-1]).reshape((-1,) + (1,) * (y.ndim - dim - 1))
    else:
        widths = x.narrow(dim, 1, length - 1) - x.narrow(dim, 0, length - 1)
    return heights * widths, dim


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoidal-rule integral of y along dim, at points x (or spaced dx, default 1)."""
    if x is not None and dx is not None:
        raise TypeError("trapezoid(): pass either x or dx, not both")
    if x is not None and not isinstance(x, Tensor):
        x, dx = None, x  # trapezoid(y, 0.5): a number in x's place is the spacing
    pieces, dim = _trapezoid_pieces(y, x, 1 if dx is None else dx, dim)
    if pieces is None:
        return y.sum(dim) * 0 if y.dtype.is_floating_point else y.sum(dim)
    return pieces.sum(dim)


def trapz(y, x=None, *, dx=None, dim=-1):
    """torch.trapz: trapezoid under its older name."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoidal integral of y along dim (one element shorter than y there)."""
    if x is not None and not isinstance(x, Tensor):
        x, dx = None, x
    pieces, dim = _trapezoid_pieces(y, x, 1 if dx is None else dx, dim)
    if pieces is None:
        return y.clone()
    return pieces.cumsum(dim)


def histogram(input, bins=100, *, range=None, weight=None, density=False):
    """(hist, bin_edges): counts (or summed weights, or a density) of input's values in
    `bins` equal bins over `range` (default: min to max) or between the given edges; the last
    bin includes its right edge. Floating point input only."""
    x = _tensor(input, "histogram")
    if not x.dtype.is_floating_point:
        raise DTypeNotImplementedError(f"histogram: not implemented for {x.dtype} input "
                                       f"(floating point only, as in PyTorch)")
    values = x.detach().reshape(-1)
    if isinstance(bins, Tensor):
        edges = bins.detach().to(dtype=x.dtype, device=x.device)
        if edges.ndim != 1 or edges.shape[0] < 1:
            raise ShapeError("histogram(): bins tensor should have one dimension and at least "
                             "1 element")
        count = edges.shape[0] - 1
    else:
        count = operator.index(bins)
        if count <= 0:
            raise InvalidArgumentError(f"histogram(): bins must be > 0, but got {count}")
        if range is not None:
            low, high = float(range[0]), float(range[1])
        elif values.numel():
            low, high = float(values.min()), float(values.max())
        else:
            low, high = 0.0, 0.0
        if low > high:
            raise InvalidArgumentError(f"histogram(): max must be larger than min, got {low} "
                                       f"and {high}")
        if low == high:
            low, high = low - 0.5, high + 0.5  # numpy's and PyTorch's widening of one value
        edges = linspace(low, high, count + 1, dtype=x.dtype, device=x.device)
    weights = None if weight is None else weight.detach().reshape(-1).to(dtype=x.dtype)
    hist = _bin_counts(values, edges, count, weights)
    if density:
        widths = edges[1:] - edges[:-1]
        hist = hist / (hist.sum() * widths)
    return hist, edges


def _bin_counts(values, edges, count, weights):
    """Counts (or summed weights) per bin; values outside [edges[0], edges[-1]] are dropped."""
    inside = (values >= edges[0]) & (values <= edges[-1])
    index = (values.unsqueeze(1) >= edges[1:].unsqueeze(0)).sum(1).clamp(max=count - 1)
    contribution = inside.to(dtype=edges.dtype)
    if weights is not None:
        contribution = contribution * weights
    hist = zeros(count, dtype=edges.dtype, device=values.device)
    return hist.index_add(0, index, contribution)


def corrcoef(input):
    """The Pearson correlation matrix of the variables in input's rows (clipped to [-1, 1])."""
    x = _tensor(input, "corrcoef")
    c = cov(x if x.dtype.is_floating_point else x.to(dtype=dtypes.default_float))
    if c.ndim == 0:
        return c / c
    d = c.diagonal()
    stddev = d.sqrt()
    c = c / stddev.unsqueeze(1) / stddev.unsqueeze(0)
    return c.clamp(-1, 1)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """quantile that ignores NaN: each slice's quantiles of its non-NaN values (NaN if a slice
    holds only NaN)."""
    x = _tensor(input, "nanquantile")
    if not bool(x.isnan().any()):
        return quantile(x, q, dim, keepdim, interpolation=interpolation)
    flat = x.reshape(-1) if dim is None else x
    d = 0 if dim is None else (dim + x.ndim if dim < 0 else dim)
    moved = flat.movedim(d, -1)
    rows = moved.reshape(-1, moved.shape[-1])
    results = []
    for row in rows.unbind(0):
        kept = row[~row.isnan()]
        if kept.numel():
            results.append(quantile(kept, q, 0, False, interpolation=interpolation))
        else:
            results.append(quantile(row, q, 0, False, interpolation=interpolation))
    stacked = stack(results, -1)  # q's dims (if any) first, then the slices
    lead = tuple(stacked.shape[:-1])
    shape = tuple(moved.shape[:-1])
    result = stacked.reshape(lead + shape)
    if keepdim:
        if dim is None:
            result = result.reshape(lead + (1,) * x.ndim)
        else:
            result = result.unsqueeze(len(lead) + d)
    return result


def pinv(A, *, atol=None, rtol=None, hermitian=False):
    """The Moore-Penrose pseudo-inverse by the SVD: singular values at or below
    max(atol, rtol * largest) are treated as zero (default rtol: eps * max(m, n))."""
    A = _tensor(A, "pinv", "A")
    _floating(A, "pinv")
    U, S, Vh = _svd(A, full_matrices=False)
    tolerance = _tolerance(A, S, atol, rtol)
    kept = S > tolerance
    inverse = where(kept, 1.0 / where(kept, S, 1.0), 0.0)
    return (Vh.transpose(-2, -1) * inverse.unsqueeze(-2)) @ U.transpose(-2, -1)


def _tolerance(A, S, atol, rtol):
    if rtol is None:
        rtol = 0.0 if atol is not None and atol > 0 else \
            dtypes.finfo(A.dtype).eps * max(A.shape[-2], A.shape[-1])
    largest = S.amax(-1, keepdim=True) if S.shape[-1] else zeros(1, dtype=S.dtype,
                                                                 device=S.device)
    tolerance = largest * rtol
    if atol is not None:
        tolerance = tolerance.clamp(min=atol)
    return tolerance


def pinverse(input, rcond=1e-15):
    """torch.pinverse: pinv with rcond as the relative tolerance."""
    return pinv(input, rtol=rcond)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False):
    """The number of singular values above max(atol, rtol * largest), as int64."""
    A = _tensor(A, "matrix_rank", "A")
    _floating(A, "matrix_rank")
    S = _svd(A, full_matrices=False)[1].detach()
    return (S > _tolerance(A, S, atol, rtol)).sum(-1)


def svd(input, some=True, compute_uv=True):
    """torch.svd: (U, S, V) with input = U diag(S) V^T (V, not its transpose); some=False gives
    square U and V; compute_uv=False gives zero-filled U and V."""
    A = _tensor(input, "svd")
    if not compute_uv:
        S = _svd(A, full_matrices=False)[1]
        m, n = A.shape[-2], A.shape[-1]
        lead = tuple(A.shape[:-2])
        return (zeros(lead + (m, m), dtype=A.dtype, device=A.device), S,
                zeros(lead + (n, n), dtype=A.dtype, device=A.device))
    U, S, Vh = _svd(A, full_matrices=not some)
    return U, S, Vh.transpose(-2, -1)


def qr(input, some=True):
    """torch.qr: the reduced (some=True) or complete QR factorization."""
    return _qr(_tensor(input, "qr"), "reduced" if some else "complete")


def cholesky(input, upper=False):
    """torch.cholesky: the lower (or upper) Cholesky factor."""
    return _cholesky(_tensor(input, "cholesky"), upper=upper)

