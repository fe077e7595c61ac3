"""Differentiable collectives (PyTorch's `torch.distributed.nn.functional`).

`all_reduce(x)` returns the sum of `x` over all processes as a new tensor that is part of the
autograd graph. When every process's loss depends on the sum, the gradient reaching each
process's `x` is the sum of the gradients arriving at every process's result, so backward
all-reduces the incoming gradient too. SyncBatchNorm builds its batch statistics with it.
"""
from ..autograd.function import Function
from .collectives import ReduceOp
from .collectives import all_reduce as _all_reduce_inplace


class _AllReduceSum(Function):
    @staticmethod
    def forward(ctx, x):
        out = x.clone()
        _all_reduce_inplace(out, ReduceOp.SUM)
        return out

    @staticmethod
    def backward(ctx, grad):
        return _AllReduceSum.apply(grad)


def all_reduce(tensor, op=ReduceOp.SUM, group=None):
    """The sum over all processes of `tensor` (any shape), differentiably; only SUM is
    differentiable, as in PyTorch's functional form."""
    if op is not ReduceOp.SUM:
        raise ValueError(f"the differentiable all_reduce supports ReduceOp.SUM only, got {op}")
    return _AllReduceSum.apply(tensor)
