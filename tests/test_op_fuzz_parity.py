"""Parity with PyTorch on drawn cases: each op of the table below runs with `torch` and with
`minigrad` on the same hypothesis-drawn inputs (shapes with 0-size dims and 0-d tensors,
dtypes, broadcasting pairs, values with ties, NaN and inf, and non-contiguous layouts: a
permuted, a step-sliced or an expanded view of a leaf). The results must agree in shape,
dtype and value (NaN where torch has NaN); for floating point inputs the gradients of a random
weighted sum of the outputs must agree too. Where torch raises, minigrad must raise, with an
instance of torch's class.

tests/test_op_parity.py checks fixed everyday calls; this file draws the cases those miss. It
takes no `device` fixture: the cpu suffices (each op's own file checks it on cuda), and the
cuda pass leaves out tests that are not device-parametrized.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad

torch = pytest.importorskip("torch")

FLOATS = ["float32", "float64"]
INTS = ["int64", "int32", "uint8"]
NUMERIC = FLOATS + INTS
ALL = NUMERIC + ["bool"]

# ---- drawing inputs ----------------------------------------------------------------------------


def _values(rng, shape, dtype, kind):
    """A numpy array of `shape` and `dtype`. kind: "smooth" (distinct floats), "ties" (few
    distinct values, zeros included) or "special" (ties with NaN and +-inf mixed in)."""
    if dtype == "bool":
        return rng.integers(0, 2, shape).astype(bool)
    if dtype == "uint8":
        return rng.integers(0, 12, shape).astype(np.uint8)
    if dtype in INTS:
        return rng.integers(-6, 7, shape).astype(dtype)
    if kind == "smooth":
        values = rng.uniform(-3, 3, shape)
    else:
        values = rng.integers(-4, 5, shape) / 2.0
        if kind == "special":
            pick = rng.uniform(size=shape)
            values = np.where(pick < 0.15, np.nan, values)
            values = np.where((pick >= 0.15) & (pick < 0.22), np.inf, values)
            values = np.where((pick >= 0.22) & (pick < 0.27), -np.inf, values)
    return np.asarray(values, dtype=dtype)


class Input:
    """One drawn input: the leaf's values and how the op's argument is viewed from it."""

    def __init__(self, values, layout, shape):
        self.values, self.layout, self.shape = values, layout, shape

    def build(self, m, grad):
        dtype = getattr(m, str(self.values.dtype)) if self.values.dtype != bool else m.bool
        leaf = m.tensor(self.values, dtype=dtype, requires_grad=grad)
        nd = len(self.shape)
        if self.layout == "permuted":
            view = leaf.permute(*reversed(range(nd)))
        elif self.layout == "stepped":
            view = leaf[..., ::2]
        elif self.layout == "expanded":
            view = leaf.expand(*self.shape)
        else:
            view = leaf
        return leaf, view


@st.composite
def inputs(draw, shape, dtype, kind):
    """An Input of `shape` and `dtype`, in a drawn layout."""
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    shape = tuple(shape)
    layouts = ["contiguous"]
    if len(shape) >= 2:
        layouts.append("permuted")
    if len(shape) >= 1:
        layouts.append("stepped")
        if shape[0] != 1:
            layouts.append("expanded")
    layout = draw(st.sampled_from(layouts))
    if layout == "permuted":
        values = _values(rng, shape[::-1], dtype, kind)
    elif layout == "stepped":
        values = _values(rng, shape[:-1] + (2 * shape[-1],), dtype, kind)
    elif layout == "expanded":
        values = _values(rng, (1,) + shape[1:], dtype, kind)
    else:
        values = _values(rng, shape, dtype, kind)
    return Input(values, layout, shape)


def shapes(min_dims=0, max_dims=3, min_side=0, max_side=4):
    return st.lists(st.integers(min_side, max_side), min_size=min_dims,
                    max_size=max_dims).map(tuple)


@st.composite
def broadcast_shapes(draw, n=2, min_dims=0, max_dims=3, max_side=4):
    """n shapes that broadcast together: each drops leading dims and sets some sides to 1."""
    full = draw(shapes(min_dims, max_dims, 0, max_side))
    out = []
    for _ in range(n):
        keep = draw(st.integers(0, len(full)))
        shape = list(full[len(full) - keep:])
        for i in range(len(shape)):
            if draw(st.booleans()) and draw(st.booleans()):
                shape[i] = 1
        out.append(tuple(shape))
    return out


# ---- comparing ---------------------------------------------------------------------------------

def _name(dtype):
    return str(dtype).split(".")[-1]


def _tol(dtype):
    return (1e-4, 1e-5) if _name(dtype) in ("float32", "float16") else (1e-7, 1e-9)


def _compare(ours, theirs, what, rtol=None, atol=None):
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, minigrad.Tensor), f"{what}: {type(ours)} is not a Tensor"
        assert tuple(ours.shape) == tuple(theirs.shape), \
            f"{what}: shape {tuple(ours.shape)} vs torch {tuple(theirs.shape)}"
        assert _name(ours.dtype) == _name(theirs.dtype), \
            f"{what}: dtype {_name(ours.dtype)} vs torch {_name(theirs.dtype)}"
        # force: torch gives some gradients as a ZeroTensor (sgn's)
        got, expected = ours.detach().cpu().numpy(), theirs.detach().numpy(force=True)
        if np.issubdtype(expected.dtype, np.floating):
            r, a = _tol(theirs.dtype)
            np.testing.assert_allclose(got, expected, rtol=rtol or r, atol=atol or a,
                                       equal_nan=True, err_msg=what)
        else:
            np.testing.assert_array_equal(got, expected, err_msg=what)
    elif isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs), \
            f"{what}: {type(ours).__name__} of {len(ours)} vs torch {len(theirs)}"
        for i, (o, t) in enumerate(zip(ours, theirs)):
            _compare(o, t, f"{what}[{i}]", rtol, atol)
    else:
        assert type(ours) is type(theirs), f"{what}: {type(ours)} vs torch {type(theirs)}"
        np.testing.assert_allclose(ours, theirs, equal_nan=True, err_msg=what)


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flat(o)]
    return [out]


def _outcome(fn, m, args):
    try:
        return fn(m, *args), None
    except Exception as err:  # compared with torch's outcome below
        return None, err


def check(fn, drawn, *, grad=True, rtol=None, atol=None, loose=None, seed=0):
    """Run fn(m, *views) with m = torch and m = minigrad on the same drawn inputs and compare.

    drawn: Inputs, or plain Python values passed through unchanged. loose: for ops whose
    indices torch leaves unspecified among ties (sort, topk, kthvalue, median, mode), a function
    (m, out, views) -> the values the indices pick, compared instead of the indices.
    """
    def build(m, want_grad):
        leaves, views = [], []
        for d in drawn:
            if isinstance(d, Input):
                g = want_grad and d.values.dtype.kind == "f"
                leaf, view = d.build(m, g)
                leaves.append(leaf if g else None)
                views.append(view)
            else:
                views.append(d)
        return leaves, views

    t_leaves, t_views = build(torch, grad)
    m_leaves, m_views = build(minigrad, grad)
    expected, t_err = _outcome(fn, torch, t_views)
    got, m_err = _outcome(fn, minigrad, m_views)
    if t_err is not None:
        assert m_err is not None, f"torch raises {t_err!r}, minigrad returns {got!r}"
        assert isinstance(m_err, type(t_err)), \
            f"minigrad raises {m_err!r}, torch {type(t_err).__name__}: {t_err}"
        return
    if m_err is not None:
        raise AssertionError(f"minigrad raises {m_err!r} where torch does not") from m_err
    if loose is not None:
        _compare(loose(minigrad, got, m_views), loose(torch, expected, t_views), "picked", rtol,
                 atol)
        expected, got = expected[0], got[0]
    _compare(got, expected, "forward", rtol, atol)
    if not grad or not any(leaf is not None for leaf in t_leaves):
        return
    t_outs = [o for o in _flat(expected)
              if isinstance(o, torch.Tensor) and o.requires_grad and o.numel() > 0]
    m_outs = [o for o, e in zip(_flat(got), _flat(expected))
              if isinstance(e, torch.Tensor) and e.requires_grad and e.numel() > 0]
    if not t_outs:
        return
    rng = np.random.default_rng(seed)
    weights = [rng.uniform(0.5, 1.5, tuple(o.shape)) for o in t_outs]
    t_total = sum((o * torch.tensor(w, dtype=o.dtype)).sum() for o, w in zip(t_outs, weights))
    m_total = sum((o * minigrad.tensor(w, dtype=getattr(minigrad, _name(o.dtype)))).sum()
                  for o, w in zip(m_outs, weights))
    t_used = [leaf for leaf in t_leaves if leaf is not None]
    m_used = [leaf for leaf in m_leaves if leaf is not None]
    try:
        t_grads = torch.autograd.grad(t_total, t_used, allow_unused=True)
    except RuntimeError:  # torch has no derivative here (floor_divide, heaviside) or fails
        return

    m_grads = minigrad.autograd.grad(m_total, m_used, allow_unused=True)
    for i, (g, e) in enumerate(zip(m_grads, t_grads)):
        if e is None:
            assert g is None or not np.any(g.numpy()), f"input {i}: torch has no gradient"
            continue
        if g is None:  # unused (an empty index): torch gives zeros, minigrad None
            assert not np.any(e.numpy(force=True)), f"input {i}: no gradient"
            continue
        r, a = _tol(e.dtype)
        _compare(g, e, f"gradient of input {i}", (rtol or r) * 10, (atol or a) * 10)


def _fuzz(test):
    return settings(deadline=None)(test)


kinds = st.sampled_from(["smooth", "ties", "special"])

# ---- elementwise -------------------------------------------------------------------------------

UNARY = ["abs", "neg", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt",
         "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh",
         "atanh", "sigmoid", "floor", "ceil", "round", "trunc", "frac", "sign", "sgn",
         "reciprocal", "square", "erf", "erfc", "isnan", "isinf", "isfinite", "isposinf",
         "isneginf", "logical_not", "bitwise_not", "relu", "nan_to_num", "signbit", "positive",
         "deg2rad", "rad2deg", "logit", "i0"]
# ops minigrad does not have (deg2rad, i0, ...) are left to the issue that adds them
UNARY = [u for u in UNARY if hasattr(minigrad, u)]


@pytest.mark.parametrize("op", UNARY)
@_fuzz
@given(data=st.data(), shape=shapes(), dtype=st.sampled_from(ALL), kind=kinds)
def test_unary(op, data, shape, dtype, kind):
    x = data.draw(inputs(shape, dtype, kind))
    # logit's gradient is left out: outside [0, 1], where logit is NaN, minigrad's gradient is
    # the finite derivative of log(p / (1 - p)) and torch's is NaN (a known difference)
    check(lambda m, x: getattr(m, op)(x), [x], grad=op != "logit")


BINARY = ["add", "sub", "mul", "div", "true_divide", "floor_divide", "remainder", "fmod", "pow",
          "atan2", "maximum", "minimum", "fmax", "fmin", "eq", "ne", "lt", "le", "gt", "ge",
          "logical_and", "logical_or", "logical_xor", "bitwise_and", "bitwise_or",
          "bitwise_xor", "copysign", "hypot", "logaddexp", "xlogy", "nextafter", "heaviside"]
BINARY = [b for b in BINARY if hasattr(minigrad, b)]


@pytest.mark.parametrize("op", BINARY)
@_fuzz
@given(data=st.data(), pair=broadcast_shapes(), dtypes=st.tuples(*[st.sampled_from(ALL)] * 2),
       kind=kinds)
def test_binary(op, data, pair, dtypes, kind):
    if op == "pow" and "bool" in dtypes:
        return  # torch's pow of bools is inconsistent (x ** True is bool, True ** x raises)
    x = data.draw(inputs(pair[0], dtypes[0], kind))
    y = data.draw(inputs(pair[1], dtypes[1], kind))
    # torch's atan2 backward negates a uint8 operand in uint8 (-3 is 253): gradient left out
    grad = not (op == "atan2" and "uint8" in dtypes)
    check(lambda m, x, y: getattr(m, op)(x, y), [x, y], grad=grad)


OPERATORS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
             "/": lambda a, b: a / b, "//": lambda a, b: a // b, "%": lambda a, b: a % b,
             "**": lambda a, b: a ** b, "&": lambda a, b: a & b, "|": lambda a, b: a | b,
             "^": lambda a, b: a ^ b, "<": lambda a, b: a < b, "==": lambda a, b: a == b,
             ">=": lambda a, b: a >= b}
SCALARS = st.sampled_from([0, 1, 2, -3, 0.5, -1.5, 0.0, True, False, float("nan")])


@pytest.mark.parametrize("op", list(OPERATORS))
@_fuzz
@given(data=st.data(), shape=shapes(), dtype=st.sampled_from(ALL), kind=kinds,
       scalar=SCALARS, swap=st.booleans())
def test_operator_with_scalar(op, data, shape, dtype, kind, scalar, swap):
    if op == "**" and dtype == "bool":
        return  # torch's pow of bools is inconsistent (x ** True is bool, True ** x raises)
    x = data.draw(inputs(shape, dtype, kind))
    fn = OPERATORS[op]
    if swap:
        check(lambda m, x: fn(scalar, x), [x])
    else:
        check(lambda m, x: fn(x, scalar), [x])


@pytest.mark.parametrize("mode", ["floor", "trunc", None])
@_fuzz
@given(data=st.data(), pair=broadcast_shapes(), dtypes=st.tuples(*[st.sampled_from(NUMERIC)] * 2),
       kind=kinds)
def test_div_rounding_mode(mode, data, pair, dtypes, kind):
    x = data.draw(inputs(pair[0], dtypes[0], kind))
    y = data.draw(inputs(pair[1], dtypes[1], kind))
    check(lambda m, x, y: m.div(x, y, rounding_mode=mode), [x, y])


@pytest.mark.parametrize("op", ["bitwise_left_shift", "bitwise_right_shift"])
@_fuzz
@given(data=st.data(), pair=broadcast_shapes(), dtypes=st.tuples(*[st.sampled_from(INTS)] * 2))
def test_shifts(op, data, pair, dtypes):
    x = data.draw(inputs(pair[0], dtypes[0], "ties"))
    y = data.draw(inputs(pair[1], dtypes[1], "ties"))
    # A shift by a negative amount is undefined behaviour in C++, and torch gives what the
    # hardware gives: shift by |amount| only.
    check(lambda m, x, y: getattr(m, op)(x, y.abs()), [x, y])


TERNARY = {
    "clamp": lambda m, x, lo, hi: m.clamp(x, lo, hi),
    "clamp_min_tensor": lambda m, x, lo, hi: m.clamp(x, min=lo),
    "clamp_max_tensor": lambda m, x, lo, hi: x.clamp(max=hi),
    "where": lambda m, x, lo, hi: m.where(x > 0, lo, hi),
    # an integer weight leaves lerp's backward in torch computing 1 - weight in uint8 (wrapped)
    "lerp": lambda m, x, lo, hi: m.lerp(x, lo, hi if hi.is_floating_point() else hi.float()),
    # an integer `value`: torch truncates a float value to integer inputs' dtype (0.5 -> 0)
    "addcmul": lambda m, x, lo, hi: m.addcmul(x, lo, hi, value=2),
    "addcdiv": lambda m, x, lo, hi: m.addcdiv(x, lo, hi, value=2),
}


@pytest.mark.parametrize("op", list(TERNARY))
@_fuzz
@given(data=st.data(), shapes3=broadcast_shapes(3),
       dtypes=st.tuples(*[st.sampled_from(NUMERIC)] * 3), kind=kinds)
def test_ternary(op, data, shapes3, dtypes, kind):
    if op == "lerp":
        # Integer input and end are left out: torch takes them only next to a 0-d float
        # weight tensor (which promotes them) and raises otherwise; minigrad always refuses.
        dtypes = tuple(d if d in FLOATS else "float32" for d in dtypes[:2]) + dtypes[2:]
    args = [data.draw(inputs(s, d, kind)) for s, d in zip(shapes3, dtypes)]
    # Known differences, not fixed yet: lerp's gradient with inf/NaN inputs (NaN where torch
    # has inf), and addcmul/addcdiv's result dtype where a 0-d float64 meets a float32 and a
    # dimensioned integer tensor (torch: float64, minigrad: float32)
    grad = not (op == "lerp" and kind == "special")
    check(TERNARY[op], args, grad=grad, rtol=1e-6 if op == "addcdiv" else None)


@_fuzz
@given(data=st.data(), shape=shapes(), dtype=st.sampled_from(NUMERIC), kind=kinds,
       lo=st.sampled_from([None, -1, 0.5, -2.5]), hi=st.sampled_from([None, 1, 0.5, 2]))
def test_clamp_scalars(data, shape, dtype, kind, lo, hi):
    x = data.draw(inputs(shape, dtype, kind))
    check(lambda m, x: m.clamp(x, lo, hi), [x])


@_fuzz
@given(data=st.data(), shape=shapes(), dtype=st.sampled_from(NUMERIC), kind=kinds,
       nan=st.sampled_from([None, 0.0, 7.5]), posinf=st.sampled_from([None, 100.0]))
def test_nan_to_num_args(data, shape, dtype, kind, nan, posinf):
    x = data.draw(inputs(shape, dtype, kind))
    check(lambda m, x: m.nan_to_num(x, nan=nan, posinf=posinf), [x])


@_fuzz
@given(data=st.data(), shape=shapes(), dtype=st.sampled_from(FLOATS), kind=kinds,
       decimals=st.integers(-1, 2))
def test_round_decimals(data, shape, dtype, kind, decimals):
    x = data.draw(inputs(shape, dtype, kind))
    check(lambda m, x: m.round(x, decimals=decimals), [x])


@pytest.mark.parametrize("target", ["float32", "float64", "int64", "int32", "uint8", "bool"])
@_fuzz
@given(data=st.data(), shape=shapes(), dtype=st.sampled_from(ALL), kind=st.just("ties"))
def test_to_dtype(target, data, shape, dtype, kind):
    x = data.draw(inputs(shape, dtype, kind))
    check(lambda m, x: x.to(getattr(m, target)), [x])


# ---- reductions and scans ----------------------------------------------------------------------

@st.composite
def dim_args(draw, ndim, allow_tuple=True, allow_none=True):
    """A dim for a reduction over `ndim` dims: None, an int (negative too) or a tuple."""
    options = []
    if allow_none:
        options.append(st.none())
    if ndim > 0:
        options.append(st.integers(-ndim, ndim - 1))
        if allow_tuple:
            options.append(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim,
                                    unique=True).map(tuple))
    else:
        options.append(st.sampled_from([0, -1]))
    return draw(st.one_of(*options))


REDUCTIONS = {
    "sum": lambda m, x, dim, keep: x.sum(dim=dim, keepdim=keep),
    "sum_dtype": lambda m, x, dim, keep: m.sum(x, dim=dim, keepdim=keep, dtype=m.float64),
    "mean": lambda m, x, dim, keep: x.mean(dim=dim, keepdim=keep),
    "nansum": lambda m, x, dim, keep: m.nansum(x, dim=dim, keepdim=keep),
    "nanmean": lambda m, x, dim, keep: m.nanmean(x, dim=dim, keepdim=keep),
    "prod": lambda m, x, dim, keep: (x.prod() if dim is None or isinstance(dim, tuple)
                                     else x.prod(dim, keepdim=keep)),
    "amax": lambda m, x, dim, keep: m.amax(x, dim=() if dim is None else dim, keepdim=keep),
    "amin": lambda m, x, dim, keep: m.amin(x, dim=() if dim is None else dim, keepdim=keep),
    "max_dim": lambda m, x, dim, keep: (x.max() if not isinstance(dim, int)
                                        else tuple(x.max(dim, keepdim=keep))),
    "min_dim": lambda m, x, dim, keep: (x.min() if not isinstance(dim, int)
                                        else tuple(x.min(dim, keepdim=keep))),
    "argmax": lambda m, x, dim, keep: x.argmax(dim=dim if isinstance(dim, int) else None,
                                               keepdim=keep),
    "argmin": lambda m, x, dim, keep: m.argmin(x, dim=dim if isinstance(dim, int) else None,
                                               keepdim=keep),
    "var": lambda m, x, dim, keep: x.var(dim=dim, keepdim=keep),
    "std_correction0": lambda m, x, dim, keep: m.std(x, dim=dim, keepdim=keep, correction=0),
    "var_mean": lambda m, x, dim, keep: tuple(m.var_mean(x, dim=dim, keepdim=keep)),
    # dim=() is not "all dims" for torch's logsumexp (it fails on (1,)): all dims listed
    "logsumexp": lambda m, x, dim, keep: m.logsumexp(
        x, dim=tuple(range(x.ndim)) if dim is None else dim, keepdim=keep),
    "norm": lambda m, x, dim, keep: m.linalg.vector_norm(x, dim=dim, keepdim=keep),
    "norm_1": lambda m, x, dim, keep: m.linalg.vector_norm(x, ord=1, dim=dim, keepdim=keep),
    "norm_inf": lambda m, x, dim, keep: m.linalg.vector_norm(x, ord=float("inf"), dim=dim,
                                                             keepdim=keep),
    "count_nonzero": lambda m, x, dim, keep: m.count_nonzero(x, dim=dim),
    "all": lambda m, x, dim, keep: (x.all() if not isinstance(dim, int)
                                    else x.all(dim, keepdim=keep)),
    "any": lambda m, x, dim, keep: (x.any() if not isinstance(dim, int)
                                    else x.any(dim, keepdim=keep)),
}


@pytest.mark.parametrize("op", list(REDUCTIONS))
@_fuzz
@given(data=st.data(), shape=shapes(), dtype=st.sampled_from(ALL), kind=kinds,
       keep=st.booleans())
def test_reduction(op, data, shape, dtype, kind, keep):
    if op == "var_mean" and kind == "special":
        kind = "ties"  # torch's var_mean's mean of [inf, x] is NaN (its torch.mean is inf)
    x = data.draw(inputs(shape, dtype, kind))
    dim = data.draw(dim_args(len(shape)))
    # Gradients left out with inf/NaN in the input, where the two sides' formulas give
    # different NaN/inf patterns and neither is more right: torch's prod backward divides the
    # product by the input (inf / inf is NaN for a single inf, where d/dx x is 1), its inf-norm
    # backward gives 0 next to a NaN maximum, its logsumexp backward exp(x - out) is NaN at
    # x = out = inf, its var of one inf gives an inf gradient (minigrad: NaN), and its
    # nanmean of one NaN a NaN one (minigrad: 0)
    grad = not (op in ("prod", "norm_inf", "logsumexp", "var", "var_mean", "nanmean")
                and kind == "special")
    check(lambda m, x: REDUCTIONS[op](m, x, dim, keep), [x], grad=grad)


SCANS = {
    "cumsum": lambda m, x, d: m.cumsum(x, d),
    "cumsum_dtype": lambda m, x, d: x.cumsum(d, dtype=m.float64),
    "cumprod": lambda m, x, d: m.cumprod(x, d),
    "cummax": lambda m, x, d: tuple(m.cummax(x, d)),
    "cummin": lambda m, x, d: tuple(x.cummin(d)),
    "logcumsumexp": lambda m, x, d: m.logcumsumexp(x, d),
}


@pytest.mark.parametrize("op", list(SCANS))
@_fuzz
@given(data=st.data(), shape=shapes(), dtype=st.sampled_from(ALL), kind=kinds)
def test_scan(op, data, shape, dtype, kind):
    x = data.draw(inputs(shape, dtype, kind))
    dim = data.draw(dim_args(len(shape), allow_tuple=False, allow_none=False))
    # cumprod's and logcumsumexp's gradients with inf/NaN in the input are left out: the two
    # sides' formulas give different NaN patterns (for a 0-d inf, minigrad's cumprod gives
    # inf * 0 = NaN where torch returns the gradient unchanged, and the reverse for
    # logcumsumexp)
    grad = not (op in ("cumprod", "logcumsumexp") and kind == "special")
    check(lambda m, x: SCANS[op](m, x, dim), [x], grad=grad)


def _picked(m, out, views):
    """The input's values at the indices a sort-like op returned (torch leaves which index of
    tied values unspecified)."""
    values, indices = out
    x, dim = views[0], views[1]
    if x.ndim == 0:
        return x.expand(tuple(indices.shape)) if indices.ndim else x
    if indices.ndim < x.ndim:
        indices = indices.unsqueeze(dim)
    return x.gather(dim, indices)


SORTING = {
    "sort": lambda m, x, d, k, flag: tuple(m.sort(x, dim=d, descending=flag)),
    "sort_stable": lambda m, x, d, k, flag: tuple(x.sort(dim=d, descending=flag, stable=True)),
    "argsort_stable": lambda m, x, d, k, flag: m.argsort(x, dim=d, descending=flag,
                                                         stable=True),
    "topk": lambda m, x, d, k, flag: tuple(m.topk(x, k, dim=d, largest=flag)),
    "kthvalue": lambda m, x, d, k, flag: tuple(m.kthvalue(x, k, dim=d, keepdim=flag)),
    "median_dim": lambda m, x, d, k, flag: tuple(m.median(x, dim=d, keepdim=flag)),
    "median": lambda m, x, d, k, flag: x.median(),
    "nanmedian_dim": lambda m, x, d, k, flag: tuple(m.nanmedian(x, dim=d, keepdim=flag)),
    "mode": lambda m, x, d, k, flag: tuple(m.mode(x, dim=d, keepdim=flag)),
}
UNSPECIFIED_INDICES = {"sort", "topk", "kthvalue", "median_dim", "nanmedian_dim", "mode"}


@pytest.mark.parametrize("op", list(SORTING))
@_fuzz
@given(data=st.data(), shape=shapes(), dtype=st.sampled_from(NUMERIC + ["bool"]), kind=kinds,
       flag=st.booleans(), k=st.integers(1, 3))
def test_sorting(op, data, shape, dtype, kind, flag, k):
    if op == "mode" and kind == "special":
        kind = "ties"  # which value torch's mode gives next to NaNs is not specified
    x = data.draw(inputs(shape, dtype, kind))
    if op in ("median_dim", "nanmedian_dim") and x.layout == "expanded":
        # torch's median along a dim of stride 0 (an expanded 1-D tensor) returns garbage
        # (4.6e-41 for [0.82, 0.82]): the expanded values are given as a copy instead
        x = Input(np.ascontiguousarray(np.broadcast_to(x.values, shape)), "contiguous", shape)
    if op == "median" and dtype != "float32" and dtype != "float64" and 0 in shape:
        return  # torch's median of an empty integer tensor is uninitialized memory
    dim = data.draw(dim_args(len(shape), allow_tuple=False, allow_none=False))
    loose = _picked if op in UNSPECIFIED_INDICES else None
    values = x.values
    # With ties the index picked decides where the gradient goes: compare gradients only when
    # the values are distinct.
    distinct = values.size == np.unique(values).size and not np.isnan(values).any() \
        if values.dtype.kind == "f" else False
    if op == "mode":
        distinct = False  # mode's value is a tie by definition unless every value is distinct
    check(lambda m, x, d: SORTING[op](m, x, d, k, flag), [x, dim], loose=loose,
          grad=distinct or op not in UNSPECIFIED_INDICES)


# ---- shape ops ---------------------------------------------------------------------------------

def _perm(x, seed):
    return tuple(np.random.default_rng(seed).permutation(x.ndim).tolist())


SHAPE_OPS = {
    "permute": lambda m, x, a, b: x.permute(_perm(x, a)),
    "transpose": lambda m, x, a, b: x.transpose(a, b),
    "swapaxes": lambda m, x, a, b: m.swapaxes(x, a, b),
    "movedim": lambda m, x, a, b: m.movedim(x, a, b),
    "flip": lambda m, x, a, b: m.flip(x, (a,)),
    "roll": lambda m, x, a, b: m.roll(x, b - 1, a),
    "roll_flat": lambda m, x, a, b: x.roll(b + 2),
    "repeat": lambda m, x, a, b: x.repeat(*([2, 1, 3][:x.ndim] + [1] * (x.ndim - 3)), b % 2 + 1),
    "tile": lambda m, x, a, b: m.tile(x, (b % 3,)),
    "narrow": lambda m, x, a, b: x.narrow(a, b % 2, 1),
    "unfold": lambda m, x, a, b: x.unfold(a, b % 3 + 1, b % 2 + 1),
    "squeeze_dim": lambda m, x, a, b: x.squeeze(a),
    "squeeze": lambda m, x, a, b: m.squeeze(x),
    "unsqueeze": lambda m, x, a, b: x.unsqueeze(a),
    "flatten": lambda m, x, a, b: m.flatten(x, min(a, b) if x.ndim else 0, -1),
    "unflatten": lambda m, x, a, b: x.unflatten(a, (1, -1)),
    "split": lambda m, x, a, b: tuple(x.split(b % 2 + 1, a)),
    "split_sizes": lambda m, x, a, b: tuple(m.split(x, [1, x.shape[a] - 1] if x.ndim else 1, a)),
    "chunk": lambda m, x, a, b: tuple(x.chunk(b % 3 + 1, a)),
    "cat_self": lambda m, x, a, b: m.cat([x, x * 2], a),
    "stack_self": lambda m, x, a, b: m.stack([x, x], a),
    "expand": lambda m, x, a, b: x.unsqueeze(0).expand(2, *([-1] * x.ndim)),
    "reshape": lambda m, x, a, b: x.reshape(-1, *([1] * (b % 2))),
    "tril": lambda m, x, a, b: m.tril(x, b - 1),
    "triu": lambda m, x, a, b: x.triu(1 - b),
    "diagonal": lambda m, x, a, b: m.diagonal(x, b - 1, 0, -1),
    "rot90": lambda m, x, a, b: m.rot90(x, b - 1, (0, -1)),
}


@pytest.mark.parametrize("op", list(SHAPE_OPS))
@_fuzz
@given(data=st.data(), shape=shapes(), dtype=st.sampled_from(["float32", "int64", "bool"]),
       b=st.integers(0, 2))
def test_shape_op(op, data, shape, dtype, b):
    x = data.draw(inputs(shape, dtype, "smooth"))
    nd = max(len(shape), 1)
    a = data.draw(st.integers(-nd - (op == "unsqueeze"), nd - 1 + (op == "unsqueeze")))
    c = data.draw(st.integers(-nd, nd - 1)) if op in ("transpose", "swapaxes", "movedim") else b
    check(lambda m, x: SHAPE_OPS[op](m, x, a, c), [x])


@_fuzz
@given(data=st.data(), pair=broadcast_shapes(), dtypes=st.tuples(*[st.sampled_from(ALL)] * 2),
       dim=st.integers(-3, 2))
def test_cat_and_stack_pairs(data, pair, dtypes, dim):
    if (0,) in pair:
        return  # torch's cat skips a 1-D empty tensor whatever the other shapes (legacy rule)
    x = data.draw(inputs(pair[0], dtypes[0], "smooth"))
    y = data.draw(inputs(pair[1], dtypes[1], "smooth"))
    check(lambda m, x, y: m.cat([x, y], dim), [x, y])
    check(lambda m, x, y: m.stack([x, y.expand_as(x) if y.ndim <= x.ndim else y], dim), [x, y])


# ---- indexing ----------------------------------------------------------------------------------

@st.composite
def index_items(draw, shape):
    """An index for a tensor of `shape`: ints, slices, None, Ellipsis, int tensors, bool masks."""
    items, dim, used_ellipsis = [], 0, False
    for _ in range(draw(st.integers(0, len(shape) + 1))):
        kind = draw(st.sampled_from(["int", "slice", "none", "ellipsis", "ints", "mask"]))
        size = shape[dim] if dim < len(shape) else 0
        if kind == "none":
            items.append(("none",))
            continue
        if kind == "ellipsis":
            if not used_ellipsis:
                # the items after it index the last dims: kept to those that take no dim
                used_ellipsis = True
                items.append(("ellipsis",))
            continue
        if used_ellipsis:
            continue
        if dim >= len(shape):
            break
        if kind == "int" and size:
            items.append(("int", draw(st.integers(-size, size - 1))))
        elif kind == "slice":
            start = draw(st.none() | st.integers(-size - 1, size + 1))
            stop = draw(st.none() | st.integers(-size - 1, size + 1))
            step = draw(st.none() | st.integers(1, 3))
            items.append(("slice", start, stop, step))
        elif kind == "ints" and size:
            n = draw(st.integers(0, 3))
            items.append(("ints", draw(st.lists(st.integers(-size, size - 1), min_size=n,
                                                max_size=n))))
        elif kind == "mask":
            items.append(("mask", draw(st.lists(st.booleans(), min_size=size, max_size=size))))
        else:
            items.append(("slice", None, None, None))
        dim += 1
    return items


def _index(m, items):
    out = []
    for item in items:
        if item[0] == "int":
            out.append(item[1])
        elif item[0] == "slice":
            out.append(slice(*item[1:]))
        elif item[0] == "none":
            out.append(None)
        elif item[0] == "ellipsis":
            out.append(Ellipsis)
        elif item[0] == "ints":
            out.append(m.tensor(item[1], dtype=m.int64))
        else:
            out.append(m.tensor(item[1], dtype=m.bool))
    return tuple(out)


@_fuzz
@given(data=st.data(), shape=shapes(max_dims=3), dtype=st.sampled_from(["float32", "int64"]))
def test_getitem(data, shape, dtype):
    x = data.draw(inputs(shape, dtype, "smooth"))
    items = data.draw(index_items(shape))
    check(lambda m, x: x[_index(m, items)], [x])


@_fuzz
@given(data=st.data(), shape=shapes(min_dims=1, max_dims=3),
       dtype=st.sampled_from(["float32", "float64", "int64"]), scalar=st.booleans())
def test_setitem(data, shape, dtype, scalar):
    x = data.draw(inputs(shape, dtype, "smooth"))
    items = data.draw(index_items(shape))
    # duplicate indices in an advanced-index assignment leave which write wins unspecified
    items = [i if i[0] != "ints" else ("ints", sorted(set(i[1]), key=lambda v: v % 1000))
             for i in items]
    ints = [i for i in items if i[0] == "ints"]
    if ints and len({v % max(shape[0], 1) for v in ints[0][1]}) != len(ints[0][1]):
        return
    value = data.draw(inputs(data.draw(shapes(max_dims=2, max_side=2)), "float32", "smooth"))

    def assign(m, x, v):
        out = x.clone() if x.is_floating_point() else x * 1
        # torch's advanced-index assignment requires the value's dtype to be the tensor's
        # (minigrad casts, as torch's basic-index assignment does): cast here
        out[_index(m, items)] = 2.5 if scalar else v.to(x.dtype)
        return out
    check(assign, [x, value])


# ---- gather, scatter, index_*, masked_* ------------------------------------------------------

@_fuzz
@given(data=st.data(), shape=shapes(min_dims=1, max_dims=3, min_side=1),
       dtype=st.sampled_from(["float32", "float64", "int64"]),
       op=st.sampled_from(["gather", "scatter", "scatter_add", "scatter_reduce_sum",
                           "scatter_reduce_amax", "scatter_reduce_mean", "index_select",
                           "index_add", "index_fill", "take"]))
def test_gather_scatter(data, shape, dtype, op):
    x = data.draw(inputs(shape, dtype, "smooth"))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    size = shape[dim]
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 16)))
    index_shape = tuple(rng.integers(0, s + 1) for s in shape)
    index = rng.integers(0, size, index_shape)
    src = data.draw(inputs(index_shape, dtype, "smooth"))
    # scatter with repeated indices leaves which write wins unspecified
    vec = rng.permutation(size)[:rng.integers(0, size + 1)]
    vec_src_shape = tuple(len(vec) if d == dim % len(shape) else s for d, s in enumerate(shape))
    vec_src = data.draw(inputs(vec_src_shape, dtype, "smooth"))
    unique_rows = np.stack([rng.permutation(size)[:index_shape[dim]] for _ in range(
        int(np.prod(index_shape)) // max(index_shape[dim], 1))], 0) if index.size else index
    scatter_index = np.moveaxis(unique_rows.reshape(
        tuple(s for d, s in enumerate(index_shape) if d != dim % len(shape))
        + (index_shape[dim],)), -1, dim % len(shape)) if index.size else index

    def run(m, x, src, vec_src):
        idx = m.tensor(index, dtype=m.int64)
        ivec = m.tensor(vec, dtype=m.int64)
        if op == "gather":
            return m.gather(x, dim, idx)
        if op == "scatter":
            return x.scatter(dim, m.tensor(scatter_index, dtype=m.int64), src)
        if op == "scatter_add":
            return m.scatter_add(x, dim, idx, src)
        if op.startswith("scatter_reduce"):
            return x.scatter_reduce(dim, idx, src, op.split("_")[-1], include_self=dim % 2 == 0)
        if op == "index_select":
            return m.index_select(x, dim, ivec)
        if op == "index_add":
            return x.index_add(dim, ivec, vec_src, alpha=2)
        if op == "index_fill":
            return x.index_fill(dim, ivec, -1.5 if x.is_floating_point() else 7)
        return m.take(x, idx)
    # scatter_reduce amax's gradient among ties is split differently; compare it without ties
    check(run, [x, src, vec_src], grad=op != "scatter_reduce_amax")


@_fuzz
@given(data=st.data(), shapes3=broadcast_shapes(3),
       dtypes=st.tuples(st.sampled_from(NUMERIC), st.sampled_from(NUMERIC)), kind=kinds,
       op=st.sampled_from(["where", "where_scalar", "masked_fill", "masked_fill_tensor",
                           "masked_select"]))
def test_where_and_masked(data, shapes3, dtypes, kind, op):
    cond = data.draw(inputs(shapes3[0], "bool", kind))
    x = data.draw(inputs(shapes3[1], dtypes[0], kind))
    y = data.draw(inputs(shapes3[2], dtypes[1], kind))

    def run(m, c, x, y):
        if op == "where":
            return m.where(c, x, y)
        if op == "where_scalar":
            return m.where(c, x, 2.5)
        if op == "masked_fill":
            return x.masked_fill(c, -7)
        if op == "masked_fill_tensor":
            return x.masked_fill(c, y.detach().sum())  # torch: not differentiable in value
        return m.masked_select(x, c)
    check(run, [cond, x, y])


# ---- matmul family -----------------------------------------------------------------------------

@st.composite
def matmul_shapes(draw):
    n, k, p = draw(st.integers(0, 3)), draw(st.integers(0, 3)), draw(st.integers(0, 3))
    batch = draw(broadcast_shapes(2, max_dims=2, max_side=3))
    a_1d, b_1d = draw(st.booleans()), draw(st.booleans())
    a = (k,) if a_1d else batch[0] + (n, k)
    b = (k,) if b_1d else batch[1] + (k, p)
    return a, b


MATMULS = {
    "matmul": lambda m, a, b: m.matmul(a, b),
    "operator": lambda m, a, b: a @ b,
    "mm": lambda m, a, b: m.mm(a, b),
    "bmm": lambda m, a, b: m.bmm(a, b),
    "mv": lambda m, a, b: m.mv(a, b),
    "dot": lambda m, a, b: m.dot(a, b),
    "outer": lambda m, a, b: m.outer(a, b),
}


@pytest.mark.parametrize("op", list(MATMULS))
@_fuzz
@given(data=st.data(), ab=matmul_shapes(),
       dtypes=st.sampled_from([("float32", "float32"), ("float64", "float64"),
                               ("int64", "int64"), ("float32", "float64")]))
def test_matmul_family(op, data, ab, dtypes):
    if dtypes[0] != dtypes[1] and (0 in ab[0] or 0 in ab[1]):
        return  # torch refuses mixed dtypes in matmul except, unchecked, when a side is empty
    a = data.draw(inputs(ab[0], dtypes[0], "smooth"))
    b = data.draw(inputs(ab[1], dtypes[1], "smooth"))
    check(lambda m, a, b: MATMULS[op](m, a, b), [a, b], rtol=1e-4, atol=1e-5)


# ---- softmax and friends, losses ---------------------------------------------------------------

NORMALIZING = {
    "softmax": lambda m, x, d: m.softmax(x, d),
    "log_softmax": lambda m, x, d: m.nn.functional.log_softmax(x, dim=d),
    "softmax_dtype": lambda m, x, d: x.softmax(d, dtype=m.float64),
    "normalize": lambda m, x, d: m.nn.functional.normalize(x, dim=d),
    "normalize_p1": lambda m, x, d: m.nn.functional.normalize(x, p=1.0, dim=d),
    "cosine_similarity": lambda m, x, d: m.nn.functional.cosine_similarity(x, x.flip(d) * 2,
                                                                            dim=d),
}


@pytest.mark.parametrize("op", list(NORMALIZING))
@_fuzz
@given(data=st.data(), shape=shapes(), dtype=st.sampled_from(FLOATS + ["int64"]), kind=kinds)
def test_normalizing(op, data, shape, dtype, kind):
    if dtype == "int64" and 0 in shape:
        return  # torch refuses integer input to these, except when it is empty
    x = data.draw(inputs(shape, dtype, kind))
    dim = data.draw(dim_args(len(shape), allow_tuple=False, allow_none=False))
    # with inf/NaN in the input the gradients' NaN patterns differ between the two sides'
    # formulas (cosine_similarity: x / (|x| |y|) with |x| = inf); values are still compared
    check(lambda m, x: NORMALIZING[op](m, x, dim), [x], grad=kind != "special")


LOSSES = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
          "binary_cross_entropy_with_logits", "kl_div", "soft_margin_loss",
          "poisson_nll_loss"]


@pytest.mark.parametrize("loss", LOSSES)
@_fuzz
@given(data=st.data(), shape=shapes(max_dims=2), dtype=st.sampled_from(FLOATS),
       reduction=st.sampled_from(["mean", "sum", "none"]), weighted=st.booleans())
def test_pointwise_loss(loss, data, shape, dtype, reduction, weighted):
    x = data.draw(inputs(shape, dtype, "smooth"))
    y = data.draw(inputs(shape, dtype, "smooth"))
    w = data.draw(inputs(shape[-1:], dtype, "smooth"))

    def run(m, x, y, w):
        # torch does not differentiate weights and (for some losses) targets: detached here
        f, y, w = m.nn.functional, y.detach(), w.detach()
        if loss == "binary_cross_entropy":
            return f.binary_cross_entropy(x.sigmoid(), y.sigmoid(), reduction=reduction,
                                          weight=w.abs() if weighted else None)
        if loss == "binary_cross_entropy_with_logits":
            return f.binary_cross_entropy_with_logits(x, y.sigmoid(), reduction=reduction,
                                                      pos_weight=w.abs() if weighted else None)
        if loss == "kl_div":
            return f.kl_div(x, y.sigmoid(), reduction=reduction, log_target=weighted)
        if loss in ("smooth_l1_loss", "huber_loss") and weighted:
            return getattr(f, loss)(x, y, reduction=reduction, **(
                {"beta": 0.5} if loss == "smooth_l1_loss" else {"delta": 0.5}))
        return getattr(f, loss)(x, y, reduction=reduction)
    check(run, [x, y, w])


@_fuzz
@given(data=st.data(), n=st.integers(0, 4), c=st.integers(1, 4), extra=shapes(max_dims=1),
       dtype=st.sampled_from(FLOATS), reduction=st.sampled_from(["mean", "sum", "none"]),
       weighted=st.booleans(), ignore=st.booleans(), smoothing=st.sampled_from([0.0, 0.2]),
       probabilities=st.booleans(), nll=st.booleans())
def test_cross_entropy(data, n, c, extra, dtype, reduction, weighted, ignore, smoothing,
                       probabilities, nll):
    x = data.draw(inputs((n, c) + extra, dtype, "smooth"))
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 16)))
    target = rng.integers(0, c, (n,) + extra)
    probs = data.draw(inputs((n, c) + extra, dtype, "smooth"))
    w = data.draw(inputs((c,), dtype, "smooth"))

    def run(m, x, probs, w):
        f, w, probs = m.nn.functional, w.detach(), probs.detach()
        weight = w.abs() + 0.1 if weighted else None
        if nll:
            return f.nll_loss(f.log_softmax(x, 1), m.tensor(target), weight=weight,
                              reduction=reduction, ignore_index=1 if ignore else -100)
        if probabilities:
            return f.cross_entropy(x, probs.softmax(1), weight=weight, reduction=reduction,
                                   label_smoothing=smoothing)
        return f.cross_entropy(x, m.tensor(target), weight=weight, reduction=reduction,
                               ignore_index=1 if ignore else -100, label_smoothing=smoothing)
    check(run, [x, probs, w])
