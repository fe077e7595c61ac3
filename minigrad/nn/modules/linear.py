"""`Linear` (y = x W^T + b) and `Identity`."""
import math

from ...errors import ShapeError
from ...functions.fused import linear_relu
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter
from ._util import check_tensor, empty_tensor


class Identity(Module):
    """Returns its input unchanged; any constructor arguments are ignored (a placeholder that
    lets a layer be switched off without changing the model's code)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """`Linear(in_features, out_features, bias=True)`: y = x W^T + b on (*, in_features) input.

    weight (out_features, in_features) ~ U(-k, k) and bias (out_features,) ~ U(-k, k) with
    k = 1 / sqrt(in_features), as PyTorch initialises them.
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty_tensor((out_features, in_features), device, dtype))
        if bias:
            self.bias = Parameter(empty_tensor((out_features,), device, dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        # kaiming_uniform_ with a = sqrt(5) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in))
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def _check_input(self, input):
        check_tensor(input, self)
        if input.ndim == 0 or input.shape[-1] != self.in_features:
            raise ShapeError(f"Linear expected input with last dimension {self.in_features}, "
                             f"got shape {tuple(input.shape)}")

    def forward(self, input):
        self._check_input(input)
        return F.linear(input, self.weight, self.bias)

    def _forward_relu(self, input):
        """relu(self.forward(input)) as one op: what `Sequential` runs for this layer and a
        `ReLU` after it when no hook can see the output in between."""
        self._check_input(input)
        return linear_relu(input, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
