"""More activation layers: `SiLU`, `Hardswish`, `Hardsigmoid`, `Mish`, `SELU`, `CELU`,
`LogSigmoid`, `Softsign`, `Softplus`, `GLU`, `PReLU`, `RReLU`, `Threshold`, `Hardshrink`,
`Softshrink`, `Tanhshrink`, `Softmin`, `ReLU6` and `Hardtanh`, element-wise on input of any
shape (GLU and Softmin along `dim`, PReLU per channel)."""
from ...errors import CheckFailedError
from ...functions import activation_extra as A
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter
from ._util import empty_tensor


def _inplace_repr(inplace):
    return "inplace=True" if inplace else ""


class _Elementwise(Module):
    """A parameterless activation `fn(input, inplace=...)` with an `inplace` flag."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return self._fn(input, inplace=self.inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace)


class SiLU(_Elementwise):
    """`SiLU(inplace=False)`: x * sigmoid(x)."""
    _fn = staticmethod(A.silu)


class Hardswish(_Elementwise):
    """`Hardswish(inplace=False)`: x * relu6(x + 3) / 6."""
    _fn = staticmethod(A.hardswish)

    def extra_repr(self):
        return ""  # torch's repr leaves out this layer's inplace flag


class Hardsigmoid(_Elementwise):
    """`Hardsigmoid(inplace=False)`: relu6(x + 3) / 6."""
    _fn = staticmethod(A.hardsigmoid)

    def extra_repr(self):
        return ""  # torch's repr leaves out this layer's inplace flag


class Mish(_Elementwise):
    """`Mish(inplace=False)`: x * tanh(softplus(x))."""
    _fn = staticmethod(A.mish)


class SELU(_Elementwise):
    """`SELU(inplace=False)`: scale * elu(x, alpha), the self-normalising constants."""
    _fn = staticmethod(A.selu)


class CELU(Module):
    """`CELU(alpha=1.0, inplace=False)`: x if x > 0 else alpha * (exp(x / alpha) - 1)."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return A.celu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class LogSigmoid(Module):
    """log(sigmoid(x))."""

    def forward(self, input):
        return A.logsigmoid(input)


class Softsign(Module):
    """x / (1 + |x|)."""

    def forward(self, input):
        return A.softsign(input)


class Tanhshrink(Module):
    """x - tanh(x)."""

    def forward(self, input):
        return A.tanhshrink(input)


class Softplus(Module):
    """`Softplus(beta=1.0, threshold=20.0)`: log(1 + exp(beta x)) / beta, linear where
    beta x > threshold."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardshrink(Module):
    """`Hardshrink(lambd=0.5)`: x if |x| > lambd else 0."""

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return A.hardshrink(input, self.lambd)

    def extra_repr(self):
        return f"{self.lambd}"


class Softshrink(Hardshrink):
    """`Softshrink(lambd=0.5)`: x - lambd above lambd, x + lambd below -lambd, else 0."""

    def forward(self, input):
        return A.softshrink(input, self.lambd)


class Threshold(Module):
    """`Threshold(threshold, value, inplace=False)`: x if x > threshold else value."""

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input):
        return A.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        return f"threshold={self.threshold}, value={self.value}" + (
            ", inplace=True" if self.inplace else "")


class GLU(Module):
    """`GLU(dim=-1)`: a * sigmoid(b) with a, b the halves of the input along `dim`."""

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return A.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class PReLU(Module):
    """`PReLU(num_parameters=1, init=0.25)`: x if x > 0 else weight * x, with a learned
    `weight` of shape (num_parameters,): one slope, or one per channel (dim 1 of the input)."""

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(empty_tensor((num_parameters,), device, dtype))
        self.reset_parameters()

    def reset_parameters(self):
        init.constant_(self.weight, self.init)

    def forward(self, input):
        return A.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class RReLU(Module):
    """`RReLU(lower=1/8, upper=1/3, inplace=False)`: leaky ReLU whose negative slope is drawn
    from U(lower, upper) per element in training and is (lower + upper) / 2 in evaluation."""

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input):
        return A.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self):
        return f"lower={self.lower}, upper={self.upper}" + (
            ", inplace=True" if self.inplace else "")


class Hardtanh(Module):
    """`Hardtanh(min_val=-1.0, max_val=1.0, inplace=False)`: x clamped to [min_val, max_val]."""

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__()
        if min_val > max_val:
            raise CheckFailedError(f"Hardtanh: min_val ({min_val}) cannot be greater than "
                                   f"max_val ({max_val})")
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}" + (
            ", inplace=True" if self.inplace else "")


class ReLU6(Hardtanh):
    """`ReLU6(inplace=False)`: min(max(x, 0), 6)."""

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace)


class Softmin(Module):
    """`Softmin(dim=None)`: softmax(-x) along `dim`."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return A.softmin(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"
