"""Collective operations on tensors and Python objects, PyTorch's names and arguments.

Every tensor collective works on a host copy: a cpu tensor's values are copied into a
contiguous numpy buffer, a cuda tensor's are staged through host memory (each staging copy is
counted by `minigrad.cuda.transfer_count()`), MPI exchanges the buffers, and the result is
written back into the tensor in place (under no_grad, bumping its version like any in-place
op). With `async_op=True` the exchange is started and a `Work` handle is returned; its
`wait()` completes it and writes the result back.
"""
import enum

import numpy as np

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from .process_group import default_group


class ReduceOp(enum.Enum):
    """How `all_reduce` and `reduce_scatter` combine the processes' values."""
    SUM = "sum"
    AVG = "avg"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"


def _mpi_op(op, dtype):
    from mpi4py import MPI
    if not isinstance(op, ReduceOp):
        raise TypeError(f"op must be a minigrad.distributed.ReduceOp, got {op!r}")
    if dtype == np.bool_:  # MPI has no arithmetic on booleans: sum/max are "or", the rest "and"
        return MPI.LOR if op in (ReduceOp.SUM, ReduceOp.MAX) else MPI.LAND
    if op is ReduceOp.AVG and not np.issubdtype(dtype, np.floating):
        raise TypeError(f"ReduceOp.AVG needs a floating-point tensor, got {dtype}; use SUM "
                        "and divide")
    return {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
            ReduceOp.MIN: MPI.MIN, ReduceOp.MAX: MPI.MAX}[op]


def _check_tensor(t, name):
    if not isinstance(t, Tensor):
        raise TypeError(f"{name} must be a minigrad Tensor, got {type(t).__name__}")


def _write_back(tensor, values):
    """Copy the host array `values` into `tensor` in place (any device)."""
    with no_grad():
        tensor.copy_(Tensor(values.reshape(tuple(tensor.shape)), dtype=tensor.dtype))


class Work:
    """A started collective: `wait()` completes it (and writes its result into the output
    tensors); `is_completed()` tells whether it has completed without waiting."""

    def __init__(self, request, what, finish):
        self._request, self._what, self._finish = request, what, finish
        self._done = False

    def is_completed(self):
        if not self._done and self._request.Test():
            self._complete()
        return self._done

    def wait(self, timeout=None):
        if not self._done:
            default_group().wait(self._request, self._what)
            self._complete()
        return True

    def _complete(self):
        self._done = True
        self._finish()


def _run(request, what, finish, async_op):
    work = Work(request, what, finish)
    if async_op:
        return work
    work.wait()
    return None


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Combine `tensor` across all processes with `op`; every process gets the result in
    place. AVG is the sum divided by the world size."""
    _check_tensor(tensor, "all_reduce: tensor")
    g = default_group()
    buffer = np.ascontiguousarray(tensor.numpy())
    from mpi4py import MPI
    request = g.comm.Iallreduce(MPI.IN_PLACE, buffer, op=_mpi_op(op, buffer.dtype))

    def finish():
        if op is ReduceOp.AVG:
            np.divide(buffer, g.size, out=buffer)
        _write_back(tensor, buffer)
    return _run(request, "all_reduce", finish, async_op)


def broadcast(tensor, src=0, group=None, async_op=False):
    """Give every process rank `src`'s values of `tensor`, in place."""
    _check_tensor(tensor, "broadcast: tensor")
    g = default_group()
    if not isinstance(src, int) or not 0 <= src < g.size:
        raise ValueError(f"broadcast: src must be a rank in [0, {g.size}), got {src!r}")
    buffer = np.ascontiguousarray(tensor.numpy())
    request = g.comm.Ibcast(buffer, root=src)

    def finish():
        if g.rank != src:
            _write_back(tensor, buffer)
    return _run(request, "broadcast", finish, async_op)


def _check_list(tensors, like, name, size):
    if not isinstance(tensors, (list, tuple)) or len(tensors) != size:
        raise ValueError(f"{name} must be a list of world-size ({size}) tensors, got "
                         f"{len(tensors) if isinstance(tensors, (list, tuple)) else tensors!r}")
    for i, t in enumerate(tensors):
        _check_tensor(t, f"{name}[{i}]")
        if tuple(t.shape) != tuple(like.shape) or t.dtype != like.dtype:
            raise ValueError(f"{name}[{i}] has shape {tuple(t.shape)} and dtype {t.dtype}; "
                             f"expected shape {tuple(like.shape)} and dtype {like.dtype}")


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """`tensor_list[r]` receives rank r's `tensor`, on every process."""
    _check_tensor(tensor, "all_gather: tensor")
    g = default_group()
    _check_list(tensor_list, tensor, "all_gather: tensor_list", g.size)
    send = np.ascontiguousarray(tensor.numpy())
    receive = np.empty((g.size,) + send.shape, dtype=send.dtype)
    request = g.comm.Iallgather(send, receive)

    def finish():
        for out, values in zip(tensor_list, receive):
            _write_back(out, values)
    return _run(request, "all_gather", finish, async_op)


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """Rank r's `output` receives `input_list[r]` combined with `op` over all processes."""
    _check_tensor(output, "reduce_scatter: output")
    g = default_group()
    _check_list(input_list, output, "reduce_scatter: input_list", g.size)
    send = np.ascontiguousarray(np.stack([t.numpy() for t in input_list]))
    receive = np.empty(send.shape[1:], dtype=send.dtype)
    request = g.comm.Ireduce_scatter_block(send, receive, op=_mpi_op(op, send.dtype))

    def finish():
        if op is ReduceOp.AVG:
            np.divide(receive, g.size, out=receive)
        _write_back(output, receive)
    return _run(request, "reduce_scatter", finish, async_op)


def broadcast_object_list(object_list, src=0, group=None, device=None):
    """Replace the items of `object_list` on every process by rank `src`'s (pickled: send only
    objects your own processes made)."""
    g = default_group()
    if not isinstance(object_list, list):
        raise TypeError(f"broadcast_object_list: object_list must be a list, got "
                        f"{type(object_list).__name__}")
    received = g.comm.bcast(object_list if g.rank == src else None, root=src)
    object_list[:] = received


def all_gather_object(object_list, obj, group=None):
    """`object_list[r]` receives rank r's `obj` (pickled), on every process."""
    g = default_group()
    if not isinstance(object_list, list) or len(object_list) != g.size:
        raise ValueError(f"all_gather_object: object_list must be a list of world-size "
                         f"({g.size}) items")
    object_list[:] = g.comm.allgather(obj)
