"""Error classes that PyTorch code can catch the way it catches PyTorch's own errors.

minigrad raises the Python class that describes a mistake (ValueError for a bad shape or value,
TypeError for a bad dtype); PyTorch raises RuntimeError (or NotImplementedError) for many of
the same mistakes. Where the two differ, minigrad raises a class deriving from both, so
`except ValueError` and `except RuntimeError` each catch it.
"""


class ShapeError(ValueError, RuntimeError):
    """Shapes or sizes that do not fit the op: matmul operands, reshape/view targets, a
    permutation, a kernel larger than its padded input, a padding tuple of the wrong length."""


class CheckFailedError(ValueError, AssertionError):
    """A bad argument that PyTorch reports with an `assert` (AssertionError): an Embedding's
    padding_idx out of range, a MultiheadAttention embed_dim not divisible by num_heads or a
    query of the wrong size, Hardtanh's min_val above max_val."""


class InvalidArgumentError(ValueError, RuntimeError):
    """A value outside what the op accepts where PyTorch raises RuntimeError (clamp with
    neither bound, chunk(0), a split size that does not fit)."""


class DTypeError(TypeError, RuntimeError):
    """A dtype the op cannot take where PyTorch raises RuntimeError (an integer tensor to a
    negative power, a float class-index target)."""


class SizeArgumentError(TypeError, ValueError, RuntimeError):
    """A size argument of the wrong kind or length: a kernel_size, stride or padding sequence
    of the wrong length for the op's dims (RuntimeError in PyTorch), a size that is not an
    int (TypeError in PyTorch); earlier minigrad raised TypeError or ValueError."""


class DTypeNotImplementedError(TypeError, NotImplementedError):
    """A factory or kernel asked for a dtype it has no implementation for (arange or linspace
    of bool, rand of int64), where PyTorch raises NotImplementedError."""


class ModeNotImplementedError(ValueError, NotImplementedError):
    """An unknown mode string (F.pad's mode), where PyTorch raises NotImplementedError."""


class LabelOutOfRangeError(ValueError, IndexError):
    """A class label outside [0, C) given to a loss (IndexError in PyTorch)."""


class IntegerOverflowError(ValueError, TypeError):
    """Integer data outside int64's range given to `tensor()` (ValueError in PyTorch; a
    TypeError in earlier minigrad), instead of wrapping around to other numbers."""


class EmptyReductionError(ValueError, RuntimeError, IndexError):
    """A max/min/argmax-style reduction over a dim of size 0, which has no value to give
    (PyTorch raises RuntimeError or IndexError, depending on the op)."""


class LinAlgError(ValueError, RuntimeError):
    """A matrix the linear-algebra op cannot handle: singular for inv and solve, not positive
    definite for cholesky (PyTorch's torch.linalg.LinAlgError, a RuntimeError)."""


class IntegerDivisionByZeroError(ZeroDivisionError, RuntimeError):
    """An integer floor_divide, remainder or fmod by zero (RuntimeError in PyTorch; floats
    give inf or nan instead)."""


class IndexOutOfRangeError(IndexError, RuntimeError):
    """An index tensor holding a value outside the indexed dim (gather, scatter, index_select,
    index_add): RuntimeError in PyTorch, IndexError in minigrad before."""


class IndexDimsError(TypeError, IndexError):
    """An index tensor with too many dims for the op (index_select's index is not a vector):
    IndexError in PyTorch, TypeError in minigrad before."""


class InputDimsNotImplementedError(ShapeError, NotImplementedError):
    """An input whose number of dims the op has no implementation for (interpolate of a 2-D
    input, bilinear on a 3-D input), where PyTorch raises NotImplementedError."""


class AutogradError(RuntimeError, ValueError):
    """Misuse of the autograd engine: a freed graph, a bad gradient, a non-scalar backward.
    Defined here, below `tensor`, because tensors raise it too (`minigrad.autograd` exports it)."""


class ValueOverflowError(RuntimeError, OverflowError):
    """A Python number outside an integer dtype's range given to `tensor`, `full` or `fill_`
    (RuntimeError in PyTorch; numpy's OverflowError before). Arrays and tensors convert with
    wrap-around instead, as a C cast."""
