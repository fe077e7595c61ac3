"""Shape and indexing ops (repeat, tile, flip, roll, rot90, tril/triu, diagonals, gather and
scatter, index_select/index_add, take, masks, nonzero, where, unflatten, unfold, movedim,
meshgrid, narrow_copy) against PyTorch on drawn shapes, dims and non-contiguous inputs, with
gradcheck and gradgradcheck in float64."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close, shapes, tensors
from op_cases import compare_with_torch

torch = pytest.importorskip("torch")

NONEMPTY = dict(min_dims=1, max_dims=3, min_side=1, max_side=4)
MATRICES = dict(min_dims=2, max_dims=3, min_side=1, max_side=4)


def _index(draw, shape, high, device):
    """An int64 index tensor of `shape` with values in [0, high)."""
    values = draw(st.lists(st.integers(0, max(high - 1, 0)), min_size=int(np.prod(shape)),
                           max_size=int(np.prod(shape))))
    return minigrad.tensor(np.array(values, np.int64).reshape(shape), device=device)


@st.composite
def repeat_case(draw, device):
    x = draw(tensors(shapes(max_dims=3, max_side=3), device=device))
    sizes = tuple(draw(st.lists(st.integers(0, 3), min_size=max(x.ndim, 1),
                                max_size=x.ndim + 1)))
    return (lambda lib, t: t.repeat(*sizes)), [x]


@st.composite
def tile_case(draw, device):
    x = draw(tensors(shapes(max_dims=3, max_side=3), device=device))
    dims = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=4)))
    return (lambda lib, t: lib.tile(t, dims)), [x]


@st.composite
def repeat_interleave_case(draw, device):
    x = draw(tensors(shapes(**NONEMPTY), device=device))
    dim = draw(st.none() | st.integers(-x.ndim, x.ndim - 1))
    n = x.numel() if dim is None else x.shape[dim]
    if draw(st.booleans()):
        repeats = draw(st.integers(0, 3))
        return (lambda lib, t: t.repeat_interleave(repeats, dim)), [x]
    counts = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    return (lambda lib, t: lib.repeat_interleave(t, lib.tensor(counts), dim)), [x]


@st.composite
def dims_case(draw, device, name):
    x = draw(tensors(shapes(**NONEMPTY), device=device))
    dims = draw(st.lists(st.integers(-x.ndim, x.ndim - 1), min_size=1, max_size=x.ndim,
                         unique_by=lambda d: d % x.ndim))
    if name == "flip":
        return (lambda lib, t: lib.flip(t, dims)), [x]
    shifts = draw(st.lists(st.integers(-5, 5), min_size=len(dims), max_size=len(dims)))
    return (lambda lib, t: lib.roll(t, shifts, dims)), [x]


@st.composite
def roll_flat_case(draw, device):
    x = draw(tensors(shapes(**NONEMPTY), device=device))
    shift = draw(st.integers(-7, 7))
    return (lambda lib, t: t.roll(shift)), [x]


@st.composite
def rot90_case(draw, device):
    x = draw(tensors(shapes(**MATRICES), device=device))
    k = draw(st.integers(-5, 5))
    dims = draw(st.lists(st.integers(0, x.ndim - 1), min_size=2, max_size=2, unique=True))
    return (lambda lib, t: lib.rot90(t, k, dims)), [x]


@st.composite
def triangle_case(draw, device, name):
    x = draw(tensors(shapes(**MATRICES), device=device))
    diagonal = draw(st.integers(-4, 4))
    return (lambda lib, t: getattr(lib, name)(t, diagonal)), [x]


@st.composite
def diagonal_case(draw, device):
    x = draw(tensors(shapes(**MATRICES), device=device))
    offset = draw(st.integers(-3, 3))
    d1, d2 = draw(st.lists(st.integers(-x.ndim, x.ndim - 1), min_size=2, max_size=2,
                           unique_by=lambda d: d % x.ndim))
    return (lambda lib, t: lib.diagonal(t, offset, d1, d2)), [x]


@st.composite
def diag_embed_case(draw, device):
    x = draw(tensors(shapes(min_dims=1, max_dims=2, max_side=3), device=device))
    offset = draw(st.integers(-2, 2))
    d1, d2 = draw(st.lists(st.integers(-x.ndim - 1, x.ndim), min_size=2, max_size=2,
                           unique_by=lambda d: d % (x.ndim + 1)))
    return (lambda lib, t: lib.diag_embed(t, offset, d1, d2)), [x]


@st.composite
def diag_case(draw, device):
    x = draw(tensors(shapes(min_dims=1, max_dims=2, max_side=4), device=device))
    k = draw(st.integers(-2, 2))
    return (lambda lib, t: lib.diag(t, k)), [x]


@st.composite
def trace_case(draw, device):
    x = draw(tensors(shapes(min_dims=2, max_dims=2, max_side=4), device=device))
    return (lambda lib, t: lib.trace(t)), [x]


@st.composite
def gather_case(draw, device):
    x = draw(tensors(shapes(**NONEMPTY), device=device))
    dim = draw(st.integers(-x.ndim, x.ndim - 1))
    shape = tuple(draw(st.integers(1, 4)) if d == dim % x.ndim else draw(st.integers(1, n))
                  for d, n in enumerate(x.shape))
    index = _index(draw, shape, x.shape[dim], device)
    return (lambda lib, t: lib.gather(t, dim, _lib_tensor(lib, index))), [x]


def _lib_tensor(lib, t):
    return t if lib is minigrad else torch.tensor(t.cpu().numpy())


@st.composite
def scatter_case(draw, device, mode):
    x = draw(tensors(shapes(**NONEMPTY), device=device))
    dim = draw(st.integers(-x.ndim, x.ndim - 1))
    shape = tuple(draw(st.integers(1, n)) for n in x.shape)
    if mode == "scatter":  # distinct targets along dim (duplicates are undefined in torch)
        n = x.shape[dim]
        shape = tuple(min(s, n) if d == dim % x.ndim else s for d, s in enumerate(shape))
        perm = [draw(st.permutations(range(n)))[:shape[dim]] for _ in range(int(np.prod(shape)))]
        moved = np.array(perm).reshape(tuple(s for d, s in enumerate(shape) if d != dim % x.ndim)
                                       + (-1,))[..., :shape[dim]]
        index = minigrad.tensor(np.ascontiguousarray(np.moveaxis(moved, -1, dim)), device=device)
    else:
        index = _index(draw, shape, x.shape[dim], device)
    # src as large as index: torch's backward fails for a larger src (tested without grads
    # in test_integer_tensors)
    if mode in ("amax", "amin"):  # no ties anywhere: the gradient is not defined there
        pool = draw(tensors((x.numel() + int(np.prod(shape)),), device=device, distinct=True,
                            margin=0.02, contiguous=True)).detach()
        x = pool[:x.numel()].reshape(tuple(x.shape)).clone().requires_grad_()
        src = pool[x.numel():].reshape(shape).clone().requires_grad_()
    else:
        ranges = {"away_from": 0, "margin": 0.2} if mode == "prod" else {}
        src = draw(tensors(shape, device=device, **ranges))
    include_self = draw(st.booleans())
    if mode == "scatter":
        return (lambda lib, t, s: t.scatter(dim, _lib_tensor(lib, index), s)), [x, src]
    if mode == "add":
        return (lambda lib, t, s: lib.scatter_add(t, dim, _lib_tensor(lib, index), s)), [x, src]
    return (lambda lib, t, s: t.scatter_reduce(dim, _lib_tensor(lib, index), s, mode,
                                               include_self=include_self)), [x, src]


@st.composite
def index_select_case(draw, device, name):
    x = draw(tensors(shapes(**NONEMPTY), device=device))
    dim = draw(st.integers(-x.ndim, x.ndim - 1))
    index = _index(draw, (draw(st.integers(0, 4)),), x.shape[dim], device)
    if name == "index_select":
        return (lambda lib, t: lib.index_select(t, dim, _lib_tensor(lib, index))), [x]
    shape = tuple(index.numel() if d == dim % x.ndim else n for d, n in enumerate(x.shape))
    source = draw(tensors(shape, device=device))
    alpha = draw(st.sampled_from([1, -2.5]))
    return (lambda lib, t, s: t.index_add(dim, _lib_tensor(lib, index), s, alpha=alpha)), \
        [x, source]


@st.composite
def take_case(draw, device):
    x = draw(tensors(shapes(**NONEMPTY), device=device))
    shape = draw(shapes(max_dims=2, max_side=3))
    values = draw(st.lists(st.integers(-x.numel(), x.numel() - 1), min_size=int(np.prod(shape)),
                           max_size=int(np.prod(shape))))
    index = minigrad.tensor(np.array(values, np.int64).reshape(shape), device=device)
    return (lambda lib, t: lib.take(t, _lib_tensor(lib, index))), [x]


@st.composite
def mask_case(draw, device, name):
    x = draw(tensors(shapes(max_dims=3, max_side=3), device=device))
    mask_shape = tuple(draw(st.sampled_from([n, 1])) for n in x.shape)[draw(
        st.integers(0, x.ndim)):]
    mask = minigrad.tensor(draw(st.lists(st.booleans(), min_size=int(np.prod(mask_shape)),
                                         max_size=int(np.prod(mask_shape)))),
                           dtype=minigrad.bool, device=device).reshape(mask_shape)
    if name == "masked_fill":
        value = draw(st.sampled_from([-1.5, 2]))
        return (lambda lib, t: t.masked_fill(_lib_tensor(lib, mask), value)), [x]
    if name == "masked_fill_tensor":
        value = draw(tensors((), device=device))
        return (lambda lib, t, v: lib.masked_fill(t, _lib_tensor(lib, mask), v)), [x, value]
    if name == "masked_select":
        return (lambda lib, t: lib.masked_select(t, _lib_tensor(lib, mask))), [x]
    source = draw(tensors((x.numel() + draw(st.integers(0, 2)),), device=device))
    return (lambda lib, t, s: t.masked_scatter(_lib_tensor(lib, mask), s)), [x, source]


@st.composite
def where_case(draw, device):
    x = draw(tensors(shapes(max_dims=3, max_side=3), device=device))
    other = draw(tensors(tuple(x.shape)[draw(st.integers(0, x.ndim)):], device=device))
    cond = minigrad.tensor(draw(st.lists(st.booleans(), min_size=x.numel(),
                                         max_size=x.numel())), dtype=minigrad.bool,
                           device=device).reshape(tuple(x.shape))
    form = draw(st.sampled_from(["tensors", "method", "scalar_other", "scalar_input"]))
    if form == "tensors":
        return (lambda lib, a, b: lib.where(_lib_tensor(lib, cond), a, b)), [x, other]
    if form == "method":
        return (lambda lib, a, b: a.where(_lib_tensor(lib, cond), b)), [x, other]
    if form == "scalar_other":
        return (lambda lib, a: lib.where(_lib_tensor(lib, cond), a, 0.5)), [x]
    return (lambda lib, b: lib.where(_lib_tensor(lib, cond), -2.0, b)), [other]


@st.composite
def unflatten_case(draw, device):
    x = draw(tensors(shapes(min_dims=1, max_dims=2, max_side=6), device=device))
    dim = draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.shape[dim]
    first = draw(st.sampled_from([d for d in range(1, n + 1) if n % d == 0]))
    sizes = draw(st.sampled_from([(first, n // first), (first, -1), (-1, n // first)]))
    return (lambda lib, t: t.unflatten(dim, sizes)), [x]


@st.composite
def unfold_case(draw, device):
    x = draw(tensors(shapes(**NONEMPTY), device=device))
    dim = draw(st.integers(-x.ndim, x.ndim - 1))
    size = draw(st.integers(0, x.shape[dim]))
    step = draw(st.integers(1, 3))
    return (lambda lib, t: t.unfold(dim, size, step)), [x]


@st.composite
def movedim_case(draw, device):
    x = draw(tensors(shapes(**NONEMPTY), device=device))
    k = draw(st.integers(1, x.ndim))
    src = draw(st.lists(st.integers(0, x.ndim - 1), min_size=k, max_size=k, unique=True))
    dst = draw(st.lists(st.integers(0, x.ndim - 1), min_size=k, max_size=k, unique=True))
    return (lambda lib, t: lib.movedim(t, src, dst)), [x]


@st.composite
def meshgrid_case(draw, device):
    xs = [draw(tensors(shapes(min_dims=1, max_dims=1, max_side=3), device=device))
          for _ in range(draw(st.integers(1, 3)))]
    indexing = draw(st.sampled_from(["ij", "xy"]))
    return (lambda lib, *ts: lib.meshgrid(*ts, indexing=indexing)), xs


@st.composite
def narrow_copy_case(draw, device):
    x = draw(tensors(shapes(**NONEMPTY), device=device))
    dim = draw(st.integers(0, x.ndim - 1))
    start = draw(st.integers(0, x.shape[dim]))
    length = draw(st.integers(0, x.shape[dim] - start))
    return (lambda lib, t: t.narrow_copy(dim, start, length)), [x]


@st.composite
def swap_case(draw, device):
    x = draw(tensors(shapes(**NONEMPTY), device=device))
    a, b = draw(st.integers(-x.ndim, x.ndim - 1)), draw(st.integers(-x.ndim, x.ndim - 1))
    return (lambda lib, t: (lib.swapaxes(t, a, b), t.swapdims(b, a).swapaxes(a, b))), [x]


CASES = {
    "repeat": repeat_case, "tile": tile_case, "repeat_interleave": repeat_interleave_case,
    "flip": lambda device: dims_case(device, "flip"),
    "roll": lambda device: dims_case(device, "roll"), "roll_flat": roll_flat_case,
    "rot90": rot90_case, "tril": lambda device: triangle_case(device, "tril"),
    "triu": lambda device: triangle_case(device, "triu"), "diagonal": diagonal_case,
    "diag_embed": diag_embed_case, "diag": diag_case, "trace": trace_case,
    "gather": gather_case, "scatter": lambda device: scatter_case(device, "scatter"),
    "scatter_add": lambda device: scatter_case(device, "add"),
    **{f"scatter_reduce_{m}": (lambda m: lambda device: scatter_case(device, m))(m)
       for m in ["sum", "mean", "amax", "amin", "prod"]},
    "index_select": lambda device: index_select_case(device, "index_select"),
    "index_add": lambda device: index_select_case(device, "index_add"),
    "take": take_case,
    **{name: (lambda name: lambda device: mask_case(device, name))(name)
       for name in ["masked_fill", "masked_fill_tensor", "masked_select", "masked_scatter"]},
    "where": where_case, "unflatten": unflatten_case, "unfold": unfold_case,
    "movedim": movedim_case, "meshgrid": meshgrid_case, "narrow_copy": narrow_copy_case,
    "swapaxes": swap_case,
}
# torch has no double backward for these (its gradient formulas are not differentiable)
NO_GRADGRAD = {"scatter_reduce_prod"}


@pytest.mark.parametrize("name", sorted(CASES))
@given(data=st.data())
def test_matches_torch(device, name, data):
    fn, inputs = data.draw(CASES[name](device))
    compare_with_torch(torch, fn, inputs)


# On cuda, test_matches_torch compares values and gradients with torch already; the
# finite differences would only repeat the same Tensor-op gradients there, slowly.
@pytest.mark.cpu_suffices
@pytest.mark.parametrize("name", sorted(CASES))
@given(data=st.data())
def test_gradcheck(device, name, data):
    fn, inputs = data.draw(CASES[name](device))
    assert minigrad.gradcheck(lambda *xs: fn(minigrad, *xs), inputs)


@pytest.mark.cpu_suffices
@pytest.mark.parametrize("name", sorted(set(CASES) - NO_GRADGRAD))
@given(data=st.data())
def test_gradgradcheck(device, name, data):
    fn, inputs = data.draw(CASES[name](device))
    assert minigrad.gradgradcheck(lambda *xs: fn(minigrad, *xs), inputs, fast_mode=True)


# ---- integer inputs, nonzero, in-place forms, errors ------------------------------------------

@pytest.mark.parametrize("as_tuple", [False, True])
@pytest.mark.parametrize("shape", [(), (0,), (5,), (2, 3), (2, 1, 3)])
def test_nonzero_argwhere_and_where_of_a_condition(device, shape, as_tuple):
    values = (np.arange(int(np.prod(shape))).reshape(shape) % 3 == 1).astype(np.int64)
    ours, theirs = minigrad.tensor(values, device=device), torch.tensor(values)
    got, expected = ours.nonzero(as_tuple=as_tuple), theirs.nonzero(as_tuple=as_tuple)
    for g, e in zip(got if as_tuple else [got], expected if as_tuple else [expected]):
        assert g.dtype is minigrad.int64 and g.device == ours.device
        assert_close(g.cpu(), e)
    assert_close(minigrad.argwhere(ours).cpu(), torch.argwhere(theirs))
    if shape:
        for g, e in zip(minigrad.where(ours > 0), torch.where(theirs > 0)):
            assert_close(g.cpu(), e)


def test_integer_tensors(device):
    values = np.arange(12).reshape(3, 4)
    ours, theirs = minigrad.tensor(values, device=device), torch.tensor(values)
    index = [[0, 2, 1], [3, 3, 0], [1, 0, 2]]
    fns = [lambda lib, t: t.repeat(2, 1), lambda lib, t: t.flip(0, 1), lambda lib, t: t.triu(1),
           lambda lib, t: lib.trace(t), lambda lib, t: t.gather(1, make(lib, index)),
           lambda lib, t: t.scatter_add(1, make(lib, index), t),
           lambda lib, t: t.scatter_reduce(1, make(lib, index), t[:, :3], "mean"),
           lambda lib, t: t.scatter_reduce(0, make(lib, [[2, 0, 2, 1]]), t[:1] * 5, "amax",
                                           include_self=False),
           lambda lib, t: t.scatter(1, make(lib, [[1], [0], [3]]), value=-4),
           lambda lib, t: t.masked_fill(t > 5, 0), lambda lib, t: t.diagonal(-1),
           lambda lib, t: lib.take(t, make(lib, [[0, -1]])), lambda lib, t: t.rot90(3)]
    def make(lib, values):
        return minigrad.tensor(values, device=device) if lib is minigrad else lib.tensor(values)
    for fn in fns:
        got, expected = fn(minigrad, ours), fn(torch, theirs)
        assert str(got.dtype).split(".")[-1] == str(expected.dtype).split(".")[-1]
        assert_close(got.cpu(), expected)


def test_inplace_forms(device):
    values = np.arange(12.0).reshape(3, 4)
    index = [[0, 2], [1, 1], [3, 0]]
    for name, make in [("tril_", lambda lib: (1,)), ("triu_", lambda lib: (-1,)),
                       ("scatter_", lambda lib: (1, lib.tensor([[0, 2], [1, 3], [3, 0]]),
                                                 lib.ones(3, 2))),
                       ("scatter_add_", lambda lib: (1, lib.tensor(index), lib.ones(3, 2))),
                       ("scatter_reduce_", lambda lib: (1, lib.tensor(index), lib.ones(3, 2) * 7,
                                                        "amax")),
                       ("index_add_", lambda lib: (0, lib.tensor([2, 2]), lib.ones(2, 4))),
                       ("masked_fill_", lambda lib: (lib.tensor([True, False, True, False]),
                                                     -1.0)),
                       ("masked_scatter_", lambda lib: (lib.tensor([True, False, True, True]),
                                                        lib.arange(20.0)))]:
        ours = minigrad.tensor(values, dtype=minigrad.float32, device=device)
        theirs = torch.tensor(values, dtype=torch.float32)
        args = [a.to(device) if isinstance(a, minigrad.Tensor) else a for a in make(minigrad)]
        assert getattr(ours, name)(*args) is ours
        getattr(theirs, name)(*make(torch))
        assert_close(ours.cpu(), theirs, msg=name)


def test_out_of_range_and_wrong_dtype_indices_raise(device):
    x = minigrad.ones(2, 3, device=device)
    bad = minigrad.tensor([[0, 3]], device=device)
    for fn in [lambda: x.gather(1, bad), lambda: x.index_select(1, bad[0]),
               lambda: x.scatter_add(1, bad, x), lambda: x.take(minigrad.tensor([6],
                                                                                device=device)),
               lambda: x.index_add(1, minigrad.tensor([-1], device=device), x[:, :1])]:
        with pytest.raises(IndexError):
            fn()
    with pytest.raises(TypeError):
        x.gather(1, minigrad.tensor([[0.0]], device=device))
    with pytest.raises(ValueError):
        x.scatter_reduce(0, minigrad.tensor([[0]], device=device), x, "median")
    with pytest.raises(ValueError):
        x.masked_scatter(minigrad.ones(2, 3, dtype=minigrad.bool, device=device),
                         minigrad.ones(5, device=device))
