"""Batch normalisation layers: `BatchNorm1d` and `BatchNorm2d`.

Parameters: weight (ones) and bias (zeros) of shape (num_features,) when `affine`. Buffers,
when `track_running_stats`: running_mean (zeros), running_var (ones) and num_batches_tracked
(an int64 count of training batches), all part of the state_dict as in PyTorch.
"""
from ... import dtypes
from ...autograd.grad_mode import no_grad
from ...creation import tensor
from ...functions.normalization import batch_norm_counted
from .. import init
from ..module import Module
from ..parameter import Parameter
from ._util import check_tensor, empty_tensor
from ...errors import ShapeError


class _BatchNorm(Module):
    """Shared by BatchNorm1d/2d. In training mode the batch statistics normalise the input and
    update the running statistics: running = (1 - momentum) * running + momentum * batch, or,
    with momentum=None, the cumulative average over all batches seen. In evaluation mode the
    running statistics are used (the batch's when track_running_stats is False)."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(empty_tensor((num_features,), device, dtype))
            if bias:
                self.bias = Parameter(empty_tensor((num_features,), device, dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", empty_tensor((num_features,), device, dtype))
            self.register_buffer("running_var", empty_tensor((num_features,), device, dtype))
            self.register_buffer("num_batches_tracked", tensor(
                0, dtype=dtypes.int64, device="cpu" if device is None else device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input(self, input):
        raise NotImplementedError

    def forward(self, input):
        check_tensor(input, self)
        self._check_input(input)
        factor = 0.0 if self.momentum is None else self.momentum
        counted = None  # the batch count that the batch norm kernel increments
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            if self.momentum is None:  # cumulative moving average: the factor needs the count
                with no_grad():
                    self.num_batches_tracked.add_(1)
                factor = 1.0 / self.num_batches_tracked.item()
            else:
                counted = self.num_batches_tracked
        use_batch_stats = self.training or (self.running_mean is None
                                            and self.running_var is None)
        # running statistics are passed only when they are to be used or updated
        update = not self.training or self.track_running_stats
        return batch_norm_counted(input, self.running_mean if update else None,
                                  self.running_var if update else None, self.weight, self.bias,
                                  use_batch_stats, factor, self.eps, counted)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """`BatchNorm1d(num_features, eps=1e-05, momentum=0.1, affine=True,
    track_running_stats=True, *, bias=True)` over (N, C) or (N, C, L) input, C =
    num_features."""

    def _check_input(self, input):
        if input.ndim not in (2, 3) or input.shape[1] != self.num_features:
            c = self.num_features
            raise ShapeError(f"BatchNorm1d expected 2-D (N, {c}) or 3-D (N, {c}, L) input, got "
                             f"shape {tuple(input.shape)}")


class BatchNorm2d(_BatchNorm):
    """`BatchNorm2d(num_features, eps=1e-05, momentum=0.1, affine=True,
    track_running_stats=True, *, bias=True)` over (N, C, H, W) input, C = num_features."""

    def _check_input(self, input):
        if input.ndim != 4 or input.shape[1] != self.num_features:
            raise ShapeError(f"BatchNorm2d expected 4-D input (N, {self.num_features}, H, W), "
                             f"got shape {tuple(input.shape)}")
