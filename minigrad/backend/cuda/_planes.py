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

from ._array import remember_plan
from ._launch import get_config, launch

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
    config = get_config()
    if config is not _sizes_for[0]:  # (holding the config keeps its id from being reused)
        _sizes_for[:] = (config, {})
    sizes = _sizes_for[1].get((rows, positions))
    if sizes is None:
        if rows == 0 or positions == 0:
            return
        sizes = remember_plan(_sizes_for[1], (rows, positions),
                              row_launch_sizes(config, rows, positions))
    launch(kernel, sizes[0], sizes[1], *args)


_sizes_for = [None, {}]  # [the LaunchConfig, {(rows, positions): (grid, threads)} under it]


def row_launch_sizes(config, rows, positions):
    """(grid, threads per block) of `launch_rows` over rows x positions (both > 0) under the
    launch configuration `config`."""
    threads = min(config.threads_per_block, -(-positions // _WARP) * _WARP)
    across = max(1, min(-(-positions // threads), config.max_blocks))
    down = max(1, min(rows, config.max_blocks // across, _MAX_GRID_Y))
    return (across, down), threads
