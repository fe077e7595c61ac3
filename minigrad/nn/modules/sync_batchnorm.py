"""`SyncBatchNorm`: batch normalisation whose statistics cover the whole data-parallel batch.

In training, every process contributes its per-channel sums to all-reduces, so each process
normalises with the mean and variance of the concatenated batch of all processes: the result
equals BatchNorm applied to that whole batch. The sums are all-reduced differentiably, so the
gradient also flows across processes. In evaluation, or in a world of one process (or when no
process group exists), it is BatchNorm exactly.
"""
from ... import dtypes
from ...autograd.grad_mode import no_grad
from ...creation import tensor
from ...tensor import Tensor
from ..module import Module
from .normalization import _BatchNorm


class SyncBatchNorm(_BatchNorm):
    """`SyncBatchNorm(num_features, eps=1e-05, momentum=0.1, affine=True,
    track_running_stats=True, process_group=None)` over (N, C, *) input, C = num_features."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, process_group=None, device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype)
        self.process_group = process_group

    def _check_input(self, input):
        if input.ndim < 2 or input.shape[1] != self.num_features:
            raise ValueError(f"SyncBatchNorm expected input of shape (N, {self.num_features}, "
                             f"*) with at least 2 dims, got shape {tuple(input.shape)}")

    def forward(self, input):
        from ... import distributed as dist
        if not (self.training and dist.is_initialized() and dist.get_world_size() > 1):
            return super().forward(input)
        if not isinstance(input, Tensor):
            raise TypeError(f"SyncBatchNorm expected a Tensor input, got "
                            f"{type(input).__name__}")
        self._check_input(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.track_running_stats and self.num_batches_tracked is not None:
            with no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:
                factor = 1.0 / self.num_batches_tracked.item()
        return self._normalize_over_processes(input, factor)

    def _normalize_over_processes(self, x, factor):
        from ...distributed import all_reduce
        from ...distributed.functional import all_reduce as differentiable_all_reduce
        channels = x.shape[1]
        dims = (0,) + tuple(range(2, x.ndim))
        shape = (1, channels) + (1,) * (x.ndim - 2)
        count = tensor(x.numel() // max(channels, 1), dtype=dtypes.int64)
        all_reduce(count)
        count = int(count.item())
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {tuple(x.shape)} (over all processes: {count})")
        mean = differentiable_all_reduce(x.sum(dims)) / count
        centred = x - mean.reshape(shape)
        var = differentiable_all_reduce((centred * centred).sum(dims)) / count
        out = centred * (var.reshape(shape) + self.eps) ** -0.5
        if self.weight is not None:
            out = out * self.weight.reshape(shape)
        if self.bias is not None:
            out = out + self.bias.reshape(shape)
        if self.track_running_stats and self.running_mean is not None:
            with no_grad():
                self.running_mean.mul_(1 - factor).add_(mean.detach() * factor)
                unbiased = var.detach() * (count / (count - 1))
                self.running_var.mul_(1 - factor).add_(unbiased * factor)
        return out

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """`module` with every BatchNorm*d layer replaced by a SyncBatchNorm that shares its
        parameters and copies its buffers and mode (the module itself if it is one)."""
        if not isinstance(module, Module):
            raise TypeError(f"convert_sync_batchnorm expects a Module, got "
                            f"{type(module).__name__}")
        result = module
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            result = cls(module.num_features, module.eps, module.momentum, module.affine,
                         module.track_running_stats, process_group)
            if module.affine:
                with no_grad():
                    result.weight = module.weight
                    result.bias = module.bias
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                result.register_buffer(name, getattr(module, name))
            result.train(module.training)
        for name, child in list(module.named_children()):
            result.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return result
