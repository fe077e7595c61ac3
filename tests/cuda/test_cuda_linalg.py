"""The tiled GEMM of the cuda backend against numpy: shapes that do and do not fill whole tiles,
transposed and broadcast operands, batch broadcasting, 1-D operands, the bias epilogue of
linear_forward, and several tilings."""
import numpy as np
import pytest

from cuda_helpers import check, dev, strided_copy
from minigrad.backend.cuda import _launch, linalg

rng = np.random.default_rng(3)

# (a shape, b shape): ragged edges in every dim, k of one tile, k of zero, broadcast batches
SHAPES = [((5, 3), (3, 6)), ((1, 1), (1, 1)), ((4, 4), (4, 4)), ((3, 7), (7, 2)),
          ((2, 3, 4), (4, 5)), ((3, 1, 2, 3), (2, 3, 2)), ((3, 0), (0, 2)), ((2, 5), (5, 1))]


@pytest.mark.parametrize("a_shape,b_shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matmul(cu, a_shape, b_shape, dtype):
    a, b = rng.standard_normal(a_shape).astype(dtype), rng.standard_normal(b_shape).astype(dtype)
    check(cu.matmul(dev(a), dev(b)), np.matmul(a, b), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("layout_a", ["contiguous", "transposed", "sliced"])
@pytest.mark.parametrize("layout_b", ["contiguous", "transposed", "sliced"])
def test_matmul_reads_strided_operands(cu, layout_a, layout_b):
    a, b = rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 3, 4))
    out = cu.matmul(strided_copy(a, layout_a), strided_copy(b, layout_b))
    check(out, np.matmul(a, b))
    assert cu.is_contiguous(out)


def test_matmul_with_broadcast_and_vector_operands(cu):
    a, b = rng.standard_normal((3, 4)), rng.standard_normal(4)
    check(cu.matmul(dev(a), dev(b)), a @ b)
    check(cu.matmul(dev(b), dev(a.T.copy())), b @ a.T)
    check(cu.matmul(dev(b), dev(b)), np.asarray(b @ b))
    stretched = cu.broadcast_to(dev(a), (2, 3, 4))  # stride 0 along the batch
    other = rng.standard_normal((2, 4, 2))
    check(cu.matmul(stretched, dev(other)), np.matmul(np.broadcast_to(a, (2, 3, 4)), other))


@pytest.mark.parametrize("with_bias", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_linear_forward(cu, ref, with_bias, dtype):
    x, w = rng.standard_normal((5, 3)).astype(dtype), rng.standard_normal((6, 3)).astype(dtype)
    bias = rng.standard_normal(6).astype(dtype) if with_bias else None
    out = cu.linear_forward(dev(x), dev(w), None if bias is None else dev(bias))
    check(out, ref.linear_forward(x, w, bias), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("tiles", [dict(gemm_block_m=2, gemm_block_n=4, gemm_block_k=1,
                                        gemm_thread_m=1, gemm_thread_n=2),
                                   dict(gemm_block_m=6, gemm_block_n=3, gemm_block_k=3,
                                        gemm_thread_m=3, gemm_thread_n=1)])
def test_other_tilings(cu, tiles):
    a, b = rng.standard_normal((2, 7, 5)), rng.standard_normal((5, 8))
    with _launch.override(**tiles):
        check(cu.matmul(dev(a), strided_copy(b, "transposed")), np.matmul(a, b))


def test_whole_tiles_take_the_unchecked_path(cu):
    """Shapes that are whole multiples of the tile in every dim: every load and store is an
    interior one, over several k steps (both shared buffers in turn)."""
    a, b = rng.standard_normal((8, 6)), rng.standard_normal((6, 8))
    with _launch.override(gemm_block_m=4, gemm_block_n=4, gemm_block_k=2, gemm_thread_m=2,
                          gemm_thread_n=2):
        for layout in ["contiguous", "transposed"]:
            check(cu.matmul(strided_copy(a, layout), strided_copy(b, layout)), a @ b)


def test_64_bit_offsets(cu, monkeypatch):
    """Operands spanning 2**32 elements get 64-bit offsets: the same results."""
    monkeypatch.setattr(linalg, "_INDEX32_LIMIT", 0)
    a, b = rng.standard_normal((2, 5, 3)), rng.standard_normal((3, 6))
    check(cu.matmul(dev(a), strided_copy(b, "transposed")), np.matmul(a, b))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_default_tiling(cu, dtype):
    """The default, unshrunk GEMM launch (a whole block of threads and the full tile) once, on
    a problem smaller than one tile, with a bias."""
    default = _launch.LaunchConfig()
    tiles = {name: getattr(default, name) for name in
             ["gemm_block_m", "gemm_block_n", "gemm_block_k", "gemm_thread_m", "gemm_thread_n"]}
    x, w = rng.standard_normal((3, 9)).astype(dtype), rng.standard_normal((2, 9)).astype(dtype)
    bias = rng.standard_normal(2).astype(dtype)
    with _launch.override(**tiles):
        out = cu.linear_forward(dev(x), dev(w), dev(bias))
    check(out, x @ w.T + bias, rtol=1e-5, atol=1e-5)
