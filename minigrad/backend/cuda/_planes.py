"""Launching kernels over (row, position) grids: the layout of the convolution and pooling
kernels.

Their work is a stack of rows (an image plane, or a row of a column matrix) of equally many
positions. Blocks stride over the rows along the grid's y dim, and a block's threads over the
positions of a row along x, so a thread splits its row index into (image, channel, ...) once per
row and pays one division per element (a position into (y, x)) instead of one per dim; integer
division is slow on a GPU, and these kernels are otherwise memory-bound. Blocks are rounded to
whole warps but no larger than a row needs, so short rows (small feature maps) waste few threads.
"""
from numba import cuda

from ._launch import blocks_for, get_config, launch

_WARP = 32
_MAX_GRID_Y = 65535


@cuda.jit(device=True)
def plane_base(row, channels, strides):
    """Element offset of plane `row` = n * channels + c of an (N, C, ...) array."""
    n = row // channels
    return n * strides[0] + (row - n * channels) * strides[1]


def launch_rows(kernel, rows, positions, *args):
    """kernel[grid, block](*args) over `rows` rows of `positions` positions each: the kernel
    loops `for row in range(cuda.blockIdx.y, rows, cuda.gridDim.y)` and, inside,
    `for position in range(cuda.grid(1), positions, cuda.gridsize(1))`."""
    if rows == 0 or positions == 0:
        return
    config = get_config()
    threads = min(config.threads_per_block, -(-positions // _WARP) * _WARP)
    across = blocks_for(positions, threads)
    down = max(1, min(rows, config.max_blocks // across, _MAX_GRID_Y))
    launch(kernel, (across, down), threads, *args)
