"""Products beyond matmul: mm, bmm, mv, dot, vdot, outer, addmm, addmv, baddbmm, tensordot,
kron, cross and einsum, all composites of matmul, broadcasting, permutes and reshapes (so they
run on every device and have gradients of every order)."""
import string

from ..tensor import Tensor, _normalize_dim
from .products import check_same_dtype, matmul
from .rearrange import diagonal
from .shape import cat, permute, reshape
from ..errors import InvalidArgumentError, ShapeError


def _check(t, ndim, name, what="input"):
    if not isinstance(t, Tensor):
        raise TypeError(f"{name}: {what} must be a Tensor, got {type(t).__name__}")
    if t.ndim != ndim:
        raise ShapeError(f"{name}: {what} must have {ndim} dims, got shape {tuple(t.shape)}")


def mm(input, mat2):
    """(n, k) @ (k, m) -> (n, m)."""
    _check(input, 2, "mm")
    _check(mat2, 2, "mm", "mat2")
    check_same_dtype(input, mat2, "mm")
    return matmul(input, mat2)


def bmm(input, mat2):
    """(b, n, k) @ (b, k, m) -> (b, n, m), one batch size for both."""
    _check(input, 3, "bmm")
    _check(mat2, 3, "bmm", "mat2")
    check_same_dtype(input, mat2, "bmm")
    if input.shape[0] != mat2.shape[0]:
        raise ShapeError(f"bmm: batch sizes differ: {tuple(input.shape)} and "
                         f"{tuple(mat2.shape)}")
    return matmul(input, mat2)


def mv(input, vec):
    """(n, k) @ (k,) -> (n,)."""
    _check(input, 2, "mv")
    _check(vec, 1, "mv", "vec")
    check_same_dtype(input, vec, "mv")
    return matmul(input, vec)


def dot(input, other):
    """The inner product of two 1-d tensors of one size."""
    _check(input, 1, "dot")
    _check(other, 1, "dot", "other")
    check_same_dtype(input, other, "dot")
    if input.shape[0] != other.shape[0]:
        raise ShapeError(f"dot: sizes {input.shape[0]} and {other.shape[0]} differ")
    return matmul(input, other)


vdot = dot  # the same for real tensors


def outer(input, vec2):
    """The (n, m) outer product of a length-n and a length-m vector."""
    _check(input, 1, "outer")
    _check(vec2, 1, "outer", "vec2")
    return input.unsqueeze(1) * vec2.unsqueeze(0)


ger = outer


def _scaled_sum(input, product, beta, alpha):
    """beta * input + alpha * product; beta == 0 ignores input (NaN there too), as torch."""
    scaled = product if alpha == 1 else product * alpha
    if beta == 0:
        return scaled.expand(tuple(_broadcast(input, scaled)))
    return (input if beta == 1 else input * beta) + scaled


def _broadcast(input, product):
    shape = [1] * max(input.ndim, product.ndim)
    for i, n in enumerate(reversed(tuple(product.shape))):
        shape[-1 - i] = n
    for i, n in enumerate(reversed(tuple(input.shape))):
        if shape[-1 - i] == 1:
            shape[-1 - i] = n
    return shape


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """beta * input + alpha * (mat1 @ mat2), input broadcast to (n, m)."""
    return _scaled_sum(input, mm(mat1, mat2), beta, alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1):
    """beta * input + alpha * (mat @ vec)."""
    return _scaled_sum(input, mv(mat, vec), beta, alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta * input + alpha * (batch1 @ batch2), batched."""
    return _scaled_sum(input, bmm(batch1, batch2), beta, alpha)


def tensordot(a, b, dims=2):
    """Contract the last `dims` dims of a with the first `dims` of b, or the dims listed in
    dims = (dims_a, dims_b)."""
    if isinstance(dims, int):
        if dims < 0 or dims > min(a.ndim, b.ndim):
            raise ShapeError(f"tensordot: dims={dims} does not fit shapes {tuple(a.shape)} "
                             f"and {tuple(b.shape)}")
        dims_a, dims_b = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        dims_a, dims_b = ([d] if isinstance(d, int) else list(d) for d in dims)
    dims_a = [_normalize_dim(d, a.ndim) for d in dims_a]
    dims_b = [_normalize_dim(d, b.ndim) for d in dims_b]
    if len(dims_a) != len(dims_b):
        raise ShapeError(f"tensordot: {len(dims_a)} dims of a against {len(dims_b)} of b")
    for da, db in zip(dims_a, dims_b):
        if a.shape[da] != b.shape[db]:
            raise ShapeError(f"tensordot: dim {da} of a (size {a.shape[da]}) does not match "
                             f"dim {db} of b (size {b.shape[db]})")
    free_a = [d for d in range(a.ndim) if d not in dims_a]
    free_b = [d for d in range(b.ndim) if d not in dims_b]
    k = 1
    for d in dims_a:
        k *= a.shape[d]
    left = reshape(permute(a, tuple(free_a + dims_a)), (-1, k))
    right = reshape(permute(b, tuple(dims_b + free_b)), (k, -1))
    shape = tuple(a.shape[d] for d in free_a) + tuple(b.shape[d] for d in free_b)
    return reshape(matmul(left, right), shape)


def kron(input, other):
    """The Kronecker product: blocks input[i] * other, for any number of dims."""
    ndim = max(input.ndim, other.ndim)
    a = reshape(input, (1,) * (ndim - input.ndim) + tuple(input.shape))
    b = reshape(other, (1,) * (ndim - other.ndim) + tuple(other.shape))
    spread_a = reshape(a, tuple(v for n in a.shape for v in (n, 1)))
    spread_b = reshape(b, tuple(v for n in b.shape for v in (1, n)))
    return reshape(spread_a * spread_b, tuple(m * n for m, n in zip(a.shape, b.shape)))


def cross(input, other, dim=None):
    """The cross product of 3-vectors along dim (None: the first dim of size 3, as torch.cross;
    linalg.cross uses -1). The inputs broadcast."""
    if dim is None:
        sizes = [i for i, n in enumerate(input.shape) if n == 3]
        if not sizes:
            raise ShapeError(f"cross: no dim of size 3 in shape {tuple(input.shape)}")
        dim = sizes[0]
    ndim = max(input.ndim, other.ndim)
    dim = _normalize_dim(dim, ndim)
    a = reshape(input, (1,) * (ndim - input.ndim) + tuple(input.shape))
    b = reshape(other, (1,) * (ndim - other.ndim) + tuple(other.shape))
    if a.shape[dim] != 3 or b.shape[dim] != 3:
        raise ShapeError(f"cross: dim {dim} must have size 3 in both inputs, got shapes "
                         f"{tuple(input.shape)} and {tuple(other.shape)}")
    a1, a2, a3 = (a.narrow(dim, i, 1) for i in range(3))
    b1, b2, b3 = (b.narrow(dim, i, 1) for i in range(3))
    return cat([a2 * b3 - a3 * b2, a3 * b1 - a1 * b3, a1 * b2 - a2 * b1], dim)


# ---- einsum -----------------------------------------------------------------------------------

def _parse(equation, operands):
    """Subscripts per operand and for the output, with '...' replaced by fresh letters."""
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(operands):
        raise InvalidArgumentError(f"einsum: the equation names {len(inputs)} operands, "
                                   f"{len(operands)} were given")
    used = set(equation) - set(".,->")
    spare = [c for c in string.ascii_letters if c not in used]
    ellipsis_dims = max((t.ndim - (len(s) - 3) for s, t in zip(inputs, operands)
                         if "..." in s), default=0)
    fresh = "".join(spare[:ellipsis_dims])
    subscripts = []
    for s, t in zip(inputs, operands):
        if "..." in s:
            n = t.ndim - (len(s) - 3)
            s = s.replace("...", fresh[ellipsis_dims - n:])
        if len(s) != t.ndim or not all(c in string.ascii_letters for c in s):
            raise InvalidArgumentError(f"einsum: subscripts {s!r} do not fit an operand with "
                                       f"{t.ndim} dims")
        subscripts.append(s)
    if arrow:
        out = rhs.replace("...", fresh)
    else:  # implicit output: the ellipsis dims, then the letters used once, sorted
        counts = {}
        for s in subscripts:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        out = fresh + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in fresh))
    if len(set(out)) != len(out) or any(c not in "".join(subscripts) for c in out):
        raise InvalidArgumentError(f"einsum: output subscripts {out!r} are invalid")
    return subscripts, out


def _take_diagonals(t, s):
    """Collapse repeated letters of one operand onto their diagonal."""
    while len(set(s)) != len(s):
        c = next(c for c in s if s.count(c) > 1)
        i, j = s.index(c), s.index(c, s.index(c) + 1)
        t = diagonal(t, 0, i, j)
        s = "".join(x for k, x in enumerate(s) if k not in (i, j)) + c
    return t, s


def _sum_out(t, s, keep):
    """Sum over the letters of s not in `keep`."""
    dims = tuple(i for i, c in enumerate(s) if c not in keep)
    if dims:
        t = t.sum(dim=dims)
        s = "".join(c for c in s if c in keep)
    return t, s


def _contract(a, sa, b, sb, keep):
    """a (letters sa) times b (letters sb), summed over the shared letters not in keep, via one
    batched matmul: (batch, a-only, shared) @ (batch, shared, b-only)."""
    batch = [c for c in sa if c in sb and c in keep]
    shared = [c for c in sa if c in sb and c not in keep]
    only_a = [c for c in sa if c not in sb]
    only_b = [c for c in sb if c not in sa]
    size = {**dict(zip(sa, a.shape)), **dict(zip(sb, b.shape))}

    def arrange(t, s, order):
        return permute(t, tuple(s.index(c) for c in order))

    def count(letters):
        n = 1
        for c in letters:
            n *= size[c]
        return n
    left = reshape(arrange(a, sa, batch + only_a + shared),
                   (count(batch), count(only_a), count(shared)))
    right = reshape(arrange(b, sb, batch + shared + only_b),
                    (count(batch), count(shared), count(only_b)))
    out = reshape(matmul(left, right), tuple(size[c] for c in batch + only_a + only_b))
    return out, "".join(batch + only_a + only_b)


def einsum(equation, *operands):
    """Einstein summation, as torch.einsum: 'ij,jk->ik', implicit output, '...' for
    broadcast dims, repeated letters within an operand for diagonals. Operands are contracted
    left to right, each pair by one batched matmul."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise InvalidArgumentError("einsum: expected at least one operand")
    subscripts, out = _parse(equation, operands)
    terms = []
    for k, (t, s) in enumerate(zip(operands, subscripts)):
        t, s = _take_diagonals(t, s)
        later = set(out).union(*subscripts[:k], *subscripts[k + 1:])
        t, s = _sum_out(t, s, later)
        terms.append((t, s))
    t, s = terms[0]
    for k, (u, su) in enumerate(terms[1:], start=1):
        keep = set(out).union(*(x for _, x in terms[k + 1:]))
        sizes = {**dict(zip(s, t.shape)), **dict(zip(su, u.shape))}
        # letters broadcast (size 1 on one side) are expanded so that the matmul sees them
        t = t.expand(tuple(sizes[c] for c in s))
        u = u.expand(tuple(sizes[c] for c in su))
        t, s = _contract(t, s, u, su, keep)
    t, s = _sum_out(t, s, set(out))
    return permute(t, tuple(s.index(c) for c in out)) if s != out else t
