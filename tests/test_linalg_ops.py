"""Linear algebra against PyTorch: mm, bmm, mv, dot, vdot, outer, addmm, addmv, baddbmm,
tensordot, kron, cross, einsum, and linalg inv, solve, det, slogdet, cholesky, qr, svd, svdvals
and the singular-value matrix norms; gradcheck and gradgradcheck in float64."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close, tensors
from op_cases import compare_with_torch

torch = pytest.importorskip("torch")

side = st.integers(1, 3)


@st.composite
def product_case(draw, device, name):
    n, k, m, b = (draw(side) for _ in range(4))

    def t(*shape):
        return draw(tensors(shape, device=device))
    if name == "mm":
        return (lambda lib, x, y: lib.mm(x, y)), [t(n, k), t(k, m)]
    if name == "bmm":
        return (lambda lib, x, y: x.bmm(y)), [t(b, n, k), t(b, k, m)]
    if name == "mv":
        return (lambda lib, x, y: lib.mv(x, y)), [t(n, k), t(k)]
    if name == "dot":
        return (lambda lib, x, y: lib.dot(x, y) + x.vdot(y)), [t(k), t(k)]
    if name == "outer":
        return (lambda lib, x, y: lib.outer(x, y)), [t(n), t(m)]
    beta, alpha = draw(st.sampled_from([0, 1, -0.5])), draw(st.sampled_from([1, 2.5]))
    if name == "addmm":
        shape = draw(st.sampled_from([(n, m), (m,), (1, m), (n, 1)]))
        return (lambda lib, c, x, y: lib.addmm(c, x, y, beta=beta, alpha=alpha)), \
            [t(*shape), t(n, k), t(k, m)]
    if name == "addmv":
        return (lambda lib, c, x, y: c.addmv(x, y, beta=beta, alpha=alpha)), \
            [t(n), t(n, k), t(k)]
    if name == "baddbmm":
        return (lambda lib, c, x, y: lib.baddbmm(c, x, y, beta=beta, alpha=alpha)), \
            [t(b, n, m), t(b, n, k), t(b, k, m)]
    if name == "tensordot":
        form = draw(st.sampled_from(["int", "lists"]))
        if form == "int":
            return (lambda lib, x, y: lib.tensordot(x, y, 2)), [t(n, k, m), t(k, m, b)]
        return (lambda lib, x, y: lib.tensordot(x, y, ([0, 2], [1, 0]))), \
            [t(n, k, m), t(m, n, b)]
    if name == "kron":
        return (lambda lib, x, y: lib.kron(x, y)), [t(n, k), t(*draw(st.sampled_from(
            [(m,), (m, b), (b, m, 2)])))]
    if name == "cross":
        dim = draw(st.sampled_from([None, 0, -1]))
        shape = (3, n) if dim == 0 else (n, 3)
        return (lambda lib, x, y: lib.cross(x, y, dim=0 if dim == 0 else -1)), \
            [t(*shape), t(*shape)]
    if name == "linalg_cross":
        return (lambda lib, x, y: lib.linalg.cross(x, y)), [t(n, 3), t(1, 3)]
    raise AssertionError(name)


EQUATIONS = {
    "ij,jk->ik": [(2, 3), (3, 2)], "bij,bjk->bik": [(2, 2, 3), (2, 3, 1)], "ii->i": [(3, 3)],
    "ii": [(3, 3)], "i,j->ij": [(2,), (3,)], "...ij,...jk": [(2, 1, 2, 3), (3, 3, 2)],
    "ijk,ikl,il->jl": [(2, 3, 2), (2, 2, 3), (2, 3)], "abc->cba": [(2, 3, 2)],
    "i,i->": [(3,), (3,)], "bn,anm,bm->ba": [(2, 3), (2, 3, 2), (2, 2)], "ij->": [(2, 3)],
    "iij->j": [(2, 2, 3)], "ij,ij->ij": [(2, 3), (2, 3)],
}


@st.composite
def einsum_case(draw, device):
    equation = draw(st.sampled_from(sorted(EQUATIONS)))
    inputs = [draw(tensors(s, device=device)) for s in EQUATIONS[equation]]
    return (lambda lib, *xs: lib.einsum(equation, *xs)), inputs


def _well_conditioned(draw, shape, device):
    """Random matrices plus a multiple of the identity: far from singular."""
    x = draw(tensors(shape, device=device, contiguous=True)).detach()
    eye = minigrad.eye(shape[-1], dtype=minigrad.float64, device=device)
    return (x + eye * 3).requires_grad_()


@st.composite
def decomposition_case(draw, device, name):
    batch = draw(st.sampled_from([(), (2,)]))
    n = draw(st.integers(1, 3))
    if name == "inv":
        return (lambda lib, a: lib.linalg.inv(a) + a.inverse()), \
            [_well_conditioned(draw, batch + (n, n), device)]
    if name == "det":
        return (lambda lib, a: (lib.linalg.det(a), a.det())), \
            [_well_conditioned(draw, batch + (n, n), device)]
    if name == "slogdet":  # well away from singular, with either sign of the determinant
        a = _well_conditioned(draw, batch + (n, n), device)
        sign = draw(st.sampled_from([1.0, -1.0]))
        return (lambda lib, a: lib.linalg.slogdet(a)), [(a.detach() * sign).requires_grad_()]
    if name == "solve":
        kind = draw(st.sampled_from(["matrix", "vector", "right", "broadcast"]))
        a = _well_conditioned(draw, batch + (n, n), device)
        if kind == "matrix":
            return (lambda lib, a, b: lib.linalg.solve(a, b)), \
                [a, draw(tensors(batch + (n, 2), device=device))]
        if kind == "vector":
            return (lambda lib, a, b: lib.linalg.solve(a, b)), \
                [a, draw(tensors(batch + (n,), device=device))]
        if kind == "right":
            return (lambda lib, a, b: lib.linalg.solve(a, b, left=False)), \
                [a, draw(tensors(batch + (2, n), device=device))]
        return (lambda lib, a, b: lib.linalg.solve(a, b)), \
            [a, draw(tensors((3,) + batch + (n, 1), device=device))]
    if name == "cholesky":
        upper = draw(st.booleans())
        return (lambda lib, a: lib.linalg.cholesky(a @ a.mT + _eye(lib, a), upper=upper)), \
            [draw(tensors(batch + (n, n), device=device))]
    m, k = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    if name == "qr":
        mode = draw(st.sampled_from(["reduced", "complete"] if m <= k else ["reduced"]))
        return (lambda lib, a: lib.linalg.qr(_distinct(lib, a), mode=mode)), \
            [draw(tensors(batch + (m, k), device=device))]
    if name == "svd":  # singular vectors up to sign: compare U**2, S, Vh**2 (smooth)
        return (lambda lib, a: _svd_gauge_free(lib, _distinct(lib, a))), \
            [draw(tensors(batch + (m, k), device=device))]
    if name == "svdvals":
        return (lambda lib, a: lib.linalg.svdvals(_distinct(lib, a))), \
            [draw(tensors(batch + (m, k), device=device))]
    ord = draw(st.sampled_from(["nuc", 2, -2]))
    return (lambda lib, a: lib.linalg.matrix_norm(_distinct(lib, a), ord)), \
        [draw(tensors(batch + (m, k), device=device))]


def _eye(lib, a):
    eye = lib.eye(a.shape[-1], dtype=a.dtype)
    return eye.to(a.device) if lib is minigrad else eye


def _distinct(lib, a):
    """a plus a fixed matrix with well separated singular values (distinct, non-zero), and
    nothing below the diagonal exactly zero: there LAPACK's QR skips a reflection, so its Q
    and R change sign under the smallest perturbation (finite differences see a jump)."""
    m, n = a.shape[-2], a.shape[-1]
    spread = np.tril(np.full((m, n), 0.37), -1)
    for i in range(min(m, n)):
        spread[i, i] = 4.0 * (i + 1)
    offset = lib.tensor(spread, dtype=a.dtype)
    if lib is minigrad:
        offset = offset.to(a.device)
    return a * 0.3 + offset


def _svd_gauge_free(lib, a):
    u, s, vh = lib.linalg.svd(a, full_matrices=False)
    return u * u, s, vh * vh


CASES = {
    **{name: (lambda name: lambda device: product_case(device, name))(name)
       for name in ["mm", "bmm", "mv", "dot", "outer", "addmm", "addmv", "baddbmm",
                    "tensordot", "kron", "cross", "linalg_cross"]},
    "einsum": einsum_case,
    **{name: (lambda name: lambda device: decomposition_case(device, name))(name)
       for name in ["inv", "det", "slogdet", "solve", "cholesky", "qr", "svd", "svdvals",
                    "matrix_norm"]},
}
# torch itself has no double backward through these (or it is numerically unusable here)
NO_GRADGRAD = {"svd", "svdvals", "matrix_norm", "qr"}
# LAPACK-backed: no cuda kernel, a RuntimeError that names the way round it
CPU_ONLY = {"inv", "det", "slogdet", "solve", "cholesky", "qr", "svd", "svdvals", "matrix_norm"}


def _cases(device):
    return sorted(CASES) if device == "cpu" else sorted(set(CASES) - CPU_ONLY)


@pytest.mark.parametrize("name", sorted(CASES))
@given(data=st.data())
def test_matches_torch(device, name, data):
    fn, inputs = data.draw(CASES[name](device))
    if device != "cpu" and name in CPU_ONLY:
        with pytest.raises(RuntimeError, match=r"\.cpu\(\)"):
            fn(minigrad, *inputs)
        return
    compare_with_torch(torch, fn, inputs, rtol=1e-8, atol=1e-10)


# On cuda, test_matches_torch compares values and gradients with torch already; the
# finite differences would only repeat the same Tensor-op gradients there, slowly.
@pytest.mark.cpu_suffices
@pytest.mark.parametrize("name", sorted(CASES))
@given(data=st.data())
def test_gradcheck(device, name, data):
    if name not in _cases(device):
        return  # test_matches_torch checks the error
    fn, inputs = data.draw(CASES[name](device))
    assert minigrad.gradcheck(lambda *xs: fn(minigrad, *xs), inputs)


@pytest.mark.cpu_suffices
@pytest.mark.parametrize("name", sorted(set(CASES) - NO_GRADGRAD))
@given(data=st.data())
def test_gradgradcheck(device, name, data):
    if name not in _cases(device):
        return
    fn, inputs = data.draw(CASES[name](device))
    assert minigrad.gradgradcheck(lambda *xs: fn(minigrad, *xs), inputs, fast_mode=True)


def test_singular_and_indefinite_matrices_raise_linalg_error():
    singular = minigrad.tensor([[1.0, 2.0], [2.0, 4.0]])
    for fn in [minigrad.linalg.inv, lambda a: minigrad.linalg.solve(a, minigrad.ones(2)),
               lambda a: minigrad.linalg.cholesky(a - 5 * minigrad.eye(2))]:
        with pytest.raises(minigrad.linalg.LinAlgError):
            fn(singular)
    assert_close(minigrad.linalg.det(singular), 0.0, atol=1e-6)
    sign, logabsdet = minigrad.linalg.slogdet(singular)
    assert sign.item() == 0 and logabsdet.item() == -math.inf


def test_integer_products_and_errors(device):
    a = minigrad.tensor([[1, 2], [3, 4]], device=device)
    assert_close(minigrad.dot(a[0], a[1]).cpu(), torch.dot(torch.tensor([1, 2]),
                                                           torch.tensor([3, 4])))
    assert_close(minigrad.kron(a, a).cpu(), torch.kron(torch.tensor([[1, 2], [3, 4]]),
                                                       torch.tensor([[1, 2], [3, 4]])))
    for fn in [lambda: minigrad.mm(a[0], a), lambda: minigrad.bmm(a, a),
               lambda: minigrad.cross(a, a), lambda: minigrad.einsum("ij,jk", a),
               lambda: minigrad.linalg.inv(minigrad.ones(2, 3, device=device))]:
        with pytest.raises((ValueError, TypeError)):
            fn()
