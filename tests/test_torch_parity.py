"""The core ops against PyTorch: the same function runs on minigrad and torch tensors holding the
same float64 values; outputs (values, shapes, dtypes) and input gradients must agree."""
import numpy as np
import pytest
from hypothesis import assume, given, note
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from minigrad.functions import pad as minigrad_pad
from minigrad.testing import assert_close, broadcastable_shape_pairs, shapes, tensors

torch = pytest.importorskip("torch")

SHAPES = shapes(max_dims=3, max_side=4)
NONEMPTY = shapes(min_dims=1, max_dims=3, max_side=4)


def _pad(lib, x, amounts, value=0.0):
    if lib is torch:
        return torch.nn.functional.pad(x, amounts, value=value)
    return minigrad_pad(x, amounts, value=value)


def _outputs(result):
    return tuple(result) if isinstance(result, (tuple, list)) else (result,)


def _torch_dtype_name(t):
    return str(t.dtype).replace("torch.", "")


def compare_with_torch(fn, inputs):
    """Run `fn(lib, *tensors)` with lib = minigrad and lib = torch on copies of `inputs` (float64
    minigrad tensors, possibly non-contiguous) and compare outputs and input gradients."""
    ours = [t.detach().requires_grad_(t.requires_grad) for t in inputs]
    theirs = [torch.tensor(t.numpy(), requires_grad=t.requires_grad) for t in inputs]
    ours_out, theirs_out = _outputs(fn(minigrad, *ours)), _outputs(fn(torch, *theirs))
    assert len(ours_out) == len(theirs_out)
    for o, t in zip(ours_out, theirs_out):
        assert str(o.dtype).replace("minigrad.", "") == _torch_dtype_name(t)
        assert_close(o, t, rtol=1e-10, atol=1e-12)
    differentiable = [(o, t) for o, t in zip(ours_out, theirs_out) if t.requires_grad]
    assert [o.requires_grad for o, _ in differentiable] == [True] * len(differentiable)
    wrt = [i for i, t in enumerate(theirs) if t.requires_grad]
    if not differentiable or not wrt:
        return
    rng = np.random.default_rng(0)
    seeds = [rng.standard_normal(tuple(t.shape)) for _, t in differentiable]
    ours_grads = minigrad.grad([o for o, _ in differentiable], [ours[i] for i in wrt],
                               [minigrad.tensor(s, dtype=minigrad.float64) for s in seeds],
                               allow_unused=True)
    theirs_grads = torch.autograd.grad([t for _, t in differentiable], [theirs[i] for i in wrt],
                                       [torch.tensor(s) for s in seeds], allow_unused=True)
    for i, o, t in zip(wrt, ours_grads, theirs_grads):
        o = np.zeros(tuple(inputs[i].shape)) if o is None else o
        t = np.zeros(tuple(inputs[i].shape)) if t is None else t
        assert_close(o, t, rtol=1e-10, atol=1e-12, msg=f"gradient of input {i}")


# ---- cases: each strategy gives (fn, inputs) ---------------------------------------------------

@st.composite
def unary(draw, op, **value_range):
    return op, [draw(tensors(SHAPES, **value_range))]


@st.composite
def binary(draw, op, a_range=None, b_range=None, no_ties=False):
    sa, sb = draw(broadcastable_shape_pairs(max_dims=3, max_side=4))
    if no_ties:  # maximum/minimum: one pool of distinct values for both operands
        values = draw(hnp.arrays(np.float64, int(np.prod(sa)) + int(np.prod(sb)),
                                 elements=st.sampled_from(np.arange(-2, 2, 0.03)), unique=True))
        return op, [minigrad.tensor(values[:int(np.prod(sa))].reshape(sa), requires_grad=True),
                    minigrad.tensor(values[int(np.prod(sa)):].reshape(sb), requires_grad=True)]
    return op, [draw(tensors(sa, **(a_range or {}))), draw(tensors(sb, **(b_range or {})))]


@st.composite
def with_scalar(draw, op, scalars, **value_range):
    s = draw(scalars)
    note(f"scalar: {s!r}")
    return (lambda lib, x: op(x, s)), [draw(tensors(SHAPES, **value_range))]


@st.composite
def reduction(draw, method, **value_range):
    x = draw(tensors(SHAPES, **value_range))
    ndim = max(x.ndim, 1)
    dim = draw(st.none() | st.integers(-ndim, ndim - 1) | st.lists(
        st.integers(0, ndim - 1), min_size=1, unique=True).map(tuple)) if x.ndim else None
    keepdim = draw(st.booleans())
    note(f"dim={dim!r} keepdim={keepdim}")
    if method in ("var", "std"):  # at least 2 elements per result (else NaN, and warnings)
        axes = range(x.ndim) if dim is None else np.atleast_1d(dim)
        assume(np.prod([x.shape[a] for a in axes]) > 1)
    return (lambda lib, t: getattr(t, method)(dim, keepdim=keepdim)), [x]


@st.composite
def along_dim(draw, method):
    x = draw(tensors(NONEMPTY, distinct=True))
    dim, keepdim = draw(st.integers(-x.ndim, x.ndim - 1)), draw(st.booleans())
    note(f"dim={dim} keepdim={keepdim}")
    return (lambda lib, t: getattr(t, method)(dim, keepdim)), [x]


@st.composite
def shaped(draw, make):
    """`make(draw, x)` -> fn of (lib, t) built with parameters drawn for tensor x."""
    x = draw(tensors(NONEMPTY))
    return make(draw, x), [x]


def _dims(draw, x, count=1):
    return [draw(st.integers(-x.ndim, x.ndim - 1)) for _ in range(count)]


def _narrow(draw, x):
    (dim,) = _dims(draw, x)
    n = x.shape[dim]
    start = draw(st.integers(0, n - 1))
    length = draw(st.integers(0, n - start))
    return lambda lib, t: t.narrow(dim, start, length)


def _split(draw, x):
    (dim,) = _dims(draw, x)
    size = draw(st.integers(1, x.shape[dim]))
    return lambda lib, t: t.split(size, dim)


def _chunk(draw, x):
    (dim,) = _dims(draw, x)
    chunks = draw(st.integers(1, x.shape[dim] + 1))
    return lambda lib, t: t.chunk(chunks, dim)


def _pad_case(draw, x):
    amounts = []
    for n in reversed(tuple(x.shape)[-draw(st.integers(1, x.ndim)):]):
        before = draw(st.integers(-(n - 1), 2))
        amounts += [before, draw(st.integers(-(n - 1 + min(before, 0)), 2))]
    return lambda lib, t: _pad(lib, t, tuple(amounts), value=0.5)


def _expand(draw, x):
    sizes = [draw(st.integers(1, 3)) if n == 1 else -1 for n in x.shape]
    return lambda lib, t: t.expand(2, *sizes)


def _permute(draw, x):
    dims = draw(st.permutations(range(x.ndim)))
    return lambda lib, t: t.permute(*dims)


def _transpose(draw, x):
    d0, d1 = _dims(draw, x, 2)
    return lambda lib, t: t.transpose(d0, d1)


def _flatten(draw, x):
    start = draw(st.integers(0, x.ndim - 1))
    end = draw(st.integers(start, x.ndim - 1))
    return lambda lib, t: t.flatten(start, end)


def _squeeze(draw, x):
    (dim,) = _dims(draw, x)
    return lambda lib, t: (t.squeeze(), t.squeeze(dim), t.unsqueeze(dim).squeeze(dim))


def _reshape(draw, x):
    return lambda lib, t: t.reshape(-1, 1).mT.reshape(x.shape[::-1])


@st.composite
def joined(draw, op):
    shape = draw(NONEMPTY)
    parts = [draw(tensors(shape)) for _ in range(draw(st.integers(1, 3)))]
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    return (lambda lib, *ts: getattr(lib, op)(ts, dim)), parts


def _positive_steps(index):
    """PyTorch has no negative slice steps (minigrad follows numpy there): flip their sign."""
    items = index if isinstance(index, tuple) else (index,)
    return tuple(slice(None, None, -i.step) if isinstance(i, slice) and (i.step or 1) < 0 else i
                 for i in items)


def basic_indices(shape, allow_newaxis=False):
    return hnp.basic_indices(shape, allow_newaxis=allow_newaxis).map(_positive_steps)


@st.composite
def indexing(draw, kind):
    x = draw(tensors(NONEMPTY))
    if kind == "basic":
        index = draw(basic_indices(tuple(x.shape), allow_newaxis=True))
    elif kind == "array":
        index = draw(hnp.arrays(np.int64, draw(st.sampled_from([(3,), (2, 2)])),
                                elements=st.integers(-x.shape[0], x.shape[0] - 1)))
    else:
        index = draw(hnp.arrays(np.bool_, tuple(x.shape)[:draw(st.integers(1, x.ndim))]))
    note(f"index: {index!r}")

    def fn(lib, t):
        idx = lib.tensor(index) if isinstance(index, np.ndarray) else index
        return t[idx]
    return fn, [x]


@st.composite
def assignment(draw):
    x = draw(tensors(NONEMPTY))
    index = draw(basic_indices(tuple(x.shape)))
    v = draw(tensors(np.empty(tuple(x.shape))[index].shape))
    note(f"index: {index!r}")

    def fn(lib, base, value):
        out = base * 1.0
        out[index] = value.exp()
        return out
    return fn, [x, v]


@st.composite
def matmul_case(draw):
    k = draw(st.integers(1, 3))
    batch_a, batch_b = draw(broadcastable_shape_pairs(max_dims=2, max_side=3))
    sa = draw(st.sampled_from([(k,), (2, k), batch_a + (3, k)]))
    sb = draw(st.sampled_from([(k,), (k, 2), batch_b + (k, 1)]))
    return (lambda lib, a, b: a @ b), [draw(tensors(sa)), draw(tensors(sb))]


@st.composite
def clamp_tensor(draw):
    # x has the full broadcast shape: PyTorch's clamp backward fails when the bounds are bigger
    sx, slo, shi = draw(broadcastable_shape_pairs(num_shapes=3, max_dims=3, max_side=4))
    x = draw(tensors(np.broadcast_shapes(sx, slo, shi)))
    lo, hi = draw(tensors(slo, min_value=-2, max_value=-0.1)), \
        draw(tensors(shi, min_value=0.1, max_value=2))
    assume(np.abs(x.numpy() - lo.numpy()).min() > 1e-3 and
           np.abs(x.numpy() - hi.numpy()).min() > 1e-3)  # no ties with the bounds
    return (lambda lib, a, b, c: (a.clamp(b, c), lib.clamp(a, min=b))), [
        x, lo.detach().requires_grad_(), hi]


@st.composite
def where_case(draw):
    sc, sa, sb = draw(broadcastable_shape_pairs(num_shapes=3, max_dims=3, max_side=4))
    cond = draw(hnp.arrays(np.bool_, sc))
    return (lambda lib, a, b: (lib.where(lib.tensor(cond), a, b),
                               lib.where(lib.tensor(cond), a, 0.5))), \
        [draw(tensors(sa)), draw(tensors(sb))]


@st.composite
def comparisons(draw):
    sa, sb = draw(broadcastable_shape_pairs(max_dims=3, max_side=4))
    a = draw(hnp.arrays(np.float64, sa, elements=st.integers(-2, 2).map(float)))
    b = draw(hnp.arrays(np.float64, sb, elements=st.integers(-2, 2).map(float)))
    return (lambda lib, x, y: (x == y, x != y, x < y, x <= y, x > y, x >= y, x > 0.5, 1 <= x)), [
        minigrad.tensor(a, requires_grad=True), minigrad.tensor(b)]


def _scalars(lo=-3.0, hi=3.0):
    return st.floats(lo, hi) | st.integers(int(lo), int(hi))


POS = dict(min_value=0.3, max_value=2)
NONZERO = dict(away_from=0, margin=0.3)

CASES = {
    "add": binary(lambda lib, a, b: a + b),
    "sub": binary(lambda lib, a, b: a - b),
    "mul": binary(lambda lib, a, b: a * b),
    "div": binary(lambda lib, a, b: a / b, b_range=NONZERO),
    "pow": binary(lambda lib, a, b: a ** b, a_range=POS),
    "maximum": binary(lambda lib, a, b: lib.maximum(a, b), no_ties=True),
    "minimum": binary(lambda lib, a, b: lib.minimum(a, b), no_ties=True),
    "scalar_right": with_scalar(lambda x, s: (x + s, x - s, x * s), _scalars()),
    "scalar_left": with_scalar(lambda x, s: (s + x, s - x, s * x, s / x), _scalars(),
                               **NONZERO),
    "div_scalar": with_scalar(lambda x, s: x / s, st.floats(0.5, 3)),
    "pow_scalar": with_scalar(lambda x, s: x ** s, _scalars(-2, 3), **POS),
    "rpow": with_scalar(lambda x, s: s ** x, st.floats(0.2, 3) | st.just(2)),
    "neg": unary(lambda lib, x: -x),
    "exp": unary(lambda lib, x: lib.exp(x)),
    "log": unary(lambda lib, x: x.log(), **POS),
    "sqrt": unary(lambda lib, x: lib.sqrt(x), **POS),
    "abs": unary(lambda lib, x: x.abs(), away_from=0),
    "tanh": unary(lambda lib, x: lib.tanh(x)),
    "sigmoid": unary(lambda lib, x: lib.sigmoid(x), min_value=-8, max_value=8),
    "relu": unary(lambda lib, x: lib.relu(x), away_from=0),
    "sign": unary(lambda lib, x: lib.sign(x) * x, away_from=0),
    "clamp": unary(lambda lib, x: (x.clamp(-0.5, 1.0), x.clamp(min=0.2), x.clip(max=-0.1)),
                   away_from=(-0.5, 1.0, 0.2, -0.1)),
    "clamp_tensor": clamp_tensor(),
    "where": where_case(),
    "comparisons": comparisons(),
    "sum": reduction("sum"),
    "mean": reduction("mean"),
    "var": reduction("var", distinct=True, margin=0.05),
    "std": reduction("std", distinct=True, margin=0.05),
    "amax": reduction("amax", distinct=True),
    "amin": reduction("amin", distinct=True),
    "max_dim": along_dim("max"),
    "min_dim": along_dim("min"),
    "argmax": along_dim("argmax"),
    "argmin": along_dim("argmin"),
    "max_all": unary(lambda lib, x: (x.max(), lib.min(x), x.argmax(), x.argmin()),
                     distinct=True),
    "reshape": shaped(_reshape),
    "flatten": shaped(_flatten),
    "transpose": shaped(_transpose),
    "permute": shaped(_permute),
    # PyTorch deprecates .T for other than 2 dims
    "T_mT": shaped(lambda draw, x: lambda lib, t: (t.T, t.mT) if t.ndim == 2
                   else t.unsqueeze(0).mT),
    "squeeze": shaped(_squeeze),
    "expand": shaped(_expand),
    "narrow": shaped(_narrow),
    "split": shaped(_split),
    "chunk": shaped(_chunk),
    "pad": shaped(_pad_case),
    "cat": joined("cat"),
    "stack": joined("stack"),
    "index_basic": indexing("basic"),
    "index_array": indexing("array"),
    "index_mask": indexing("mask"),
    "setitem": assignment(),
    "matmul": matmul_case(),
}


@pytest.mark.parametrize("name", CASES)
@given(data=st.data())
def test_matches_pytorch(name, data):
    fn, inputs = data.draw(CASES[name])
    compare_with_torch(fn, inputs)


@pytest.mark.filterwarnings("ignore:var.*degrees of freedom:UserWarning")
def test_var_of_one_element_is_nan_in_both():
    with np.errstate(divide="ignore", invalid="ignore"):
        ours = minigrad.tensor([[1.0, 2.0]], dtype=minigrad.float64).var(dim=0)
    theirs = torch.tensor([[1.0, 2.0]], dtype=torch.float64).var(dim=0)
    assert_close(ours, theirs)


def _pair(values, dtype, lib):
    return lib.tensor(values, dtype=getattr(lib, dtype))


PROMOTION_CASES = [
    ("int64", [1, 2], "float32", [1.5, 2.5]),
    ("int64", [1, 2], "float64", 1.5),
    ("float32", [1.0], "float64", [2.0]),
    ("float32", [1.0], "float64", 2.0),
    ("float64", 1.0, "float32", [2.0]),
    ("bool", [True], "int64", [3]),
    ("bool", [True, False], "float32", 2.0),
    ("int64", 3, "float32", 1.5),
    ("int64", [4, 6], "int64", [2, 4]),
]


@pytest.mark.parametrize("dtype_a, a, dtype_b, b", PROMOTION_CASES)
@pytest.mark.parametrize("op", ["add", "mul", "truediv", "maximum", "lt"])
def test_dtype_promotion_matches_pytorch(op, dtype_a, a, dtype_b, b):
    import operator

    def run(lib):
        x, y = _pair(a, dtype_a, lib), _pair(b, dtype_b, lib)
        if op == "maximum":
            return lib.maximum(x, y)
        return getattr(operator, op)(x, y)
    ours, theirs = run(minigrad), run(torch)
    assert str(ours.dtype).replace("minigrad.", "") == _torch_dtype_name(theirs)
    assert_close(ours, theirs)


@pytest.mark.parametrize("scalar", [2, 2.5, True])
@pytest.mark.parametrize("dtype", ["bool", "int64", "float32", "float64"])
def test_scalar_promotion_matches_pytorch(dtype, scalar):
    ours = minigrad.tensor([1, 0], dtype=getattr(minigrad, dtype)) * scalar
    theirs = torch.tensor([1, 0], dtype=getattr(torch, dtype)) * scalar
    assert str(ours.dtype).replace("minigrad.", "") == _torch_dtype_name(theirs)
    assert_close(ours, theirs)
