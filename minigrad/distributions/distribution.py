"""`Distribution`: the shapes and argument checks the concrete distributions share."""
from ..tensor import Size, Tensor


class Distribution:
    """The base of the distributions: `batch_shape` (independent parameter sets),
    `event_shape` (the shape of one draw; () for the scalar ones here) and the shape helpers."""

    _validate_default = True

    def __init__(self, batch_shape=Size(), event_shape=Size(), validate_args=None):
        self._batch_shape = Size(batch_shape)
        self._event_shape = Size(event_shape)
        self._validate_args = self._validate_default if validate_args is None \
            else bool(validate_args)

    @staticmethod
    def set_default_validate_args(value):
        """Whether distributions check their arguments unless told otherwise (PyTorch's
        default: True)."""
        Distribution._validate_default = bool(value)

    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def event_shape(self):
        return self._event_shape

    @property
    def stddev(self):
        return self.variance.sqrt()

    def _extended_shape(self, sample_shape=Size()):
        """sample_shape + batch_shape + event_shape: the shape of `sample(sample_shape)`."""
        if not isinstance(sample_shape, (tuple, list)):
            raise TypeError(f"sample_shape must be a tuple or Size, got "
                            f"{type(sample_shape).__name__}")
        return Size(tuple(sample_shape) + tuple(self._batch_shape) + tuple(self._event_shape))

    def _check_value(self, value, valid, what):
        """Raise PyTorch's ValueError when `value` is outside the support."""
        if not isinstance(value, Tensor):
            raise ValueError(f"The value argument to log_prob must be a Tensor, got "
                             f"{type(value).__name__}")
        if self._validate_args and value.numel() and not bool(valid.all()):
            raise ValueError(f"Expected value argument ({type(value).__name__} of shape "
                             f"{tuple(value.shape)}) to be within the support ({what}) of the "
                             f"distribution {self!r}, but found invalid values:\n{value}")

    def __repr__(self):
        return f"{type(self).__name__}()"
