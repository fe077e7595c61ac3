"""Lazy modules, PyTorch's `LazyLinear`, `LazyConv1d/2d/3d`, `LazyConvTranspose1d/2d/3d`,
`LazyBatchNorm1d/2d/3d` and `LazyInstanceNorm1d/2d/3d`: layers whose input size is read from
the first input they see.

Until then their parameters (and BatchNorm's running statistics) are `UninitializedParameter`s
(`UninitializedBuffer`s), which is what `state_dict()` holds. The first call (the "dry run")
sets the input size, materialises each of them in place (so an optimizer made before keeps
working), initialises them as the non-lazy layer does, and turns the module into that layer
(`type(LazyLinear(3)(x))` ... the module is then a `Linear`). Loading a state_dict into a lazy
module materialises its parameters with the loaded shapes.
"""
from ... import dtypes
from ...autograd.grad_mode import no_grad
from ...creation import tensor
from ..parameter import UninitializedBuffer, UninitializedParameter, is_lazy
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from .conv3d import Conv3d, ConvTranspose3d
from .linear import Linear
from .normalization import BatchNorm1d, BatchNorm2d
from .normalization_extra import BatchNorm3d, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d


class LazyModuleMixin:
    """What lazy modules share: a forward pre-hook that reads the input size on the first call,
    materialises the parameters and turns the module into `cls_to_become`.

    A subclass names its input-size attribute in `_input_size_attr` (set to 0 until known)
    and defines `initialize_parameters(input)`.
    """

    cls_to_become = None
    _input_size_attr = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(self._infer_parameters,
                                                               with_kwargs=True)

    def has_uninitialized_params(self):
        """Whether some parameter or buffer of this module still has no shape."""
        own = list(self._parameters.values()) + list(self._buffers.values())
        return any(t is not None and is_lazy(t) for t in own)

    def reset_parameters(self):
        # the non-lazy layer's initialisation, once there is something to initialise
        if not self.has_uninitialized_params() and getattr(self, self._input_size_attr) != 0:
            super().reset_parameters()

    def _infer_parameters(self, module, args, kwargs):
        if not args:
            raise TypeError(f"{self._get_name()} needs its input as the first positional "
                            "argument on its first call, to infer its input size")
        self.initialize_parameters(*args, **kwargs)
        if self.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")
        self._initialize_hook.remove()
        del self._initialize_hook
        if self.cls_to_become is not None:
            self.__class__ = self.cls_to_become


class LazyLinear(LazyModuleMixin, Linear):
    """`LazyLinear(out_features, bias=True)`: a Linear whose `in_features` is the last dim of
    its first input."""

    cls_to_become = Linear
    _input_size_attr = "in_features"

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        super().__init__(0, 0, False, device, dtype)
        self.out_features = out_features
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def initialize_parameters(self, input, *args, **kwargs):
        if self.in_features == 0:
            if input.ndim == 0:
                raise ValueError("LazyLinear needs input of shape (*, in_features), got a 0-d "
                                 "tensor")
            self.in_features = input.shape[-1]
        if self.has_uninitialized_params():
            with no_grad():
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()


class _LazyConvMixin(LazyModuleMixin):
    """Reads in_channels from dim 1 of a batched input (dim 0 of an unbatched one)."""

    _input_size_attr = "in_channels"

    def _lazy_init(self, out_channels, bias, device, dtype):
        self.out_channels = out_channels
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def _in_channels_of(self, input):
        n = self._spatial_dims
        if input.ndim not in (n + 1, n + 2):
            raise ValueError(f"{self._get_name()} expected a {n + 1}-D (unbatched) or "
                             f"{n + 2}-D (batched) input, got shape {tuple(input.shape)}")
        return input.shape[1] if input.ndim == n + 2 else input.shape[0]

    def initialize_parameters(self, input, *args, **kwargs):
        if self.in_channels == 0:
            in_channels = self._in_channels_of(input)
            if in_channels % self.groups != 0:
                raise ValueError(f"{self._get_name()}: in_channels must be divisible by groups, "
                                 f"got in_channels={in_channels} and groups={self.groups}")
            self.in_channels = in_channels
        if self.has_uninitialized_params():
            with no_grad():
                if self.transposed:
                    shape = (self.in_channels, self.out_channels // self.groups)
                else:
                    shape = (self.out_channels, self.in_channels // self.groups)
                self.weight.materialize(shape + self.kernel_size)
                if self.bias is not None:
                    self.bias.materialize((self.out_channels,))
                self.reset_parameters()


class LazyConv1d(_LazyConvMixin, Conv1d):
    """`LazyConv1d(out_channels, kernel_size, ...)`: Conv1d with in_channels from the first
    input."""

    cls_to_become = Conv1d

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False,
                         padding_mode, device, dtype)
        self._lazy_init(out_channels, bias, device, dtype)


class LazyConv2d(_LazyConvMixin, Conv2d):
    """`LazyConv2d(out_channels, kernel_size, ...)`: Conv2d with in_channels from the first
    input."""

    cls_to_become = Conv2d

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False,
                         padding_mode, device, dtype)
        self._lazy_init(out_channels, bias, device, dtype)


class LazyConvTranspose1d(_LazyConvMixin, ConvTranspose1d):
    """`LazyConvTranspose1d(out_channels, kernel_size, ...)`: ConvTranspose1d with
    in_channels from the first input."""

    cls_to_become = ConvTranspose1d

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
                 groups=1, bias=True, dilation=1, padding_mode="zeros", device=None,
                 dtype=None):
        super().__init__(0, 0, kernel_size, stride, padding, output_padding, groups, False,
                         dilation, padding_mode, device, dtype)
        self._lazy_init(out_channels, bias, device, dtype)


class LazyConvTranspose2d(_LazyConvMixin, ConvTranspose2d):
    """`LazyConvTranspose2d(out_channels, kernel_size, ...)`: ConvTranspose2d with
    in_channels from the first input."""

    cls_to_become = ConvTranspose2d

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
                 groups=1, bias=True, dilation=1, padding_mode="zeros", device=None,
                 dtype=None):
        super().__init__(0, 0, kernel_size, stride, padding, output_padding, groups, False,
                         dilation, padding_mode, device, dtype)
        self._lazy_init(out_channels, bias, device, dtype)


class _LazyNormMixin(LazyModuleMixin):
    """Reads num_features from dim 1 of the first input."""

    _input_size_attr = "num_features"

    def __init__(self, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None):
        super().__init__(0, eps, momentum, False, False, device, dtype)
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            self.bias = UninitializedParameter(device=device, dtype=dtype)
        if track_running_stats:
            self.running_mean = UninitializedBuffer(device=device, dtype=dtype)
            self.running_var = UninitializedBuffer(device=device, dtype=dtype)
            self.num_batches_tracked = tensor(0, dtype=dtypes.int64,
                                              device="cpu" if device is None else device)

    def initialize_parameters(self, input, *args, **kwargs):
        if self.num_features == 0:
            if input.ndim < 2:
                raise ValueError(f"{self._get_name()} expected input of shape (N, C, ...), got "
                                 f"{tuple(input.shape)}")
            self.num_features = input.shape[1]
        if self.has_uninitialized_params():
            with no_grad():
                for tensor in (self.weight, self.bias, self.running_mean, self.running_var):
                    if tensor is not None and is_lazy(tensor):
                        tensor.materialize((self.num_features,))
                self.reset_parameters()


class LazyBatchNorm1d(_LazyNormMixin, BatchNorm1d):
    """`LazyBatchNorm1d(eps=1e-5, momentum=0.1, ...)`: BatchNorm1d with num_features from the
    first input."""

    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyNormMixin, BatchNorm2d):
    """`LazyBatchNorm2d(eps=1e-5, momentum=0.1, ...)`: BatchNorm2d with num_features from the
    first input."""

    cls_to_become = BatchNorm2d


class LazyConv3d(_LazyConvMixin, Conv3d):
    """`LazyConv3d(out_channels, kernel_size, ...)`: Conv3d with in_channels from the first
    input."""

    cls_to_become = Conv3d

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False,
                         padding_mode, device, dtype)
        self._lazy_init(out_channels, bias, device, dtype)


class LazyConvTranspose3d(_LazyConvMixin, ConvTranspose3d):
    """`LazyConvTranspose3d(out_channels, kernel_size, ...)`: ConvTranspose3d with in_channels
    from the first input."""

    cls_to_become = ConvTranspose3d

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
                 groups=1, bias=True, dilation=1, padding_mode="zeros", device=None,
                 dtype=None):
        super().__init__(0, 0, kernel_size, stride, padding, output_padding, groups, False,
                         dilation, padding_mode, device, dtype)
        self._lazy_init(out_channels, bias, device, dtype)


class LazyBatchNorm3d(_LazyNormMixin, BatchNorm3d):
    """`LazyBatchNorm3d(eps=1e-5, momentum=0.1, ...)`: BatchNorm3d with num_features from the
    first input."""

    cls_to_become = BatchNorm3d


class LazyInstanceNorm1d(_LazyNormMixin, InstanceNorm1d):
    """`LazyInstanceNorm1d(eps=1e-5, momentum=0.1, affine=True, track_running_stats=True)`:
    InstanceNorm1d with num_features from the first input (PyTorch's lazy defaults)."""

    cls_to_become = InstanceNorm1d


class LazyInstanceNorm2d(_LazyNormMixin, InstanceNorm2d):
    """`LazyInstanceNorm2d(...)`: InstanceNorm2d with num_features from the first input."""

    cls_to_become = InstanceNorm2d


class LazyInstanceNorm3d(_LazyNormMixin, InstanceNorm3d):
    """`LazyInstanceNorm3d(...)`: InstanceNorm3d with num_features from the first input."""

    cls_to_become = InstanceNorm3d
