"""Activation layers: `ReLU`, `LeakyReLU`, `ELU`, `GELU`, `Sigmoid`, `Tanh`, `Softmax` and
`LogSoftmax`, element-wise (or along `dim` for the softmaxes) on input of any shape."""
from .. import functional as F
from ..module import Module


def _inplace_repr(inplace):
    return ", inplace=True" if inplace else ""


class ReLU(Module):
    """`ReLU(inplace=False)`: max(x, 0)."""

    # Sequential runs a layer with `_forward_relu` and a ReLU after it as one op; only this
    # class's own instances qualify (a subclass may compute something else).
    _is_relu = True

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """`LeakyReLU(negative_slope=0.01, inplace=False)`: x if x > 0 else negative_slope * x."""

    def __init__(self, negative_slope=1e-2, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}{_inplace_repr(self.inplace)}"


class ELU(Module):
    """`ELU(alpha=1.0, inplace=False)`: x if x > 0 else alpha * (exp(x) - 1)."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}{_inplace_repr(self.inplace)}"


class GELU(Module):
    """`GELU(approximate='none')`: x * Phi(x), or its tanh approximation (`'tanh'`)."""

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class Sigmoid(Module):
    """1 / (1 + exp(-x))."""

    def forward(self, input):
        return F.sigmoid(input)


class Tanh(Module):
    """tanh(x)."""

    def forward(self, input):
        return F.tanh(input)


class Softmax(Module):
    """`Softmax(dim=None)`: exp(x) / sum(exp(x)) along `dim` (None: PyTorch's legacy choice,
    with its deprecation warning)."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """`LogSoftmax(dim=None)`: log(softmax(x)) along `dim`, computed stably."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.log_softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"
