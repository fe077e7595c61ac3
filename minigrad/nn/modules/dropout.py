"""Dropout layers: `Dropout` (element-wise) and `Dropout2d` (whole channels). They act only in
training mode; in evaluation mode (`module.eval()`) they return the input unchanged."""
from .. import functional as F
from ..module import Module


class _DropoutNd(Module):
    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """`Dropout(p=0.5, inplace=False)`: in training, zero each element with probability p and
    scale the others by 1 / (1 - p)."""

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """`Dropout2d(p=0.5, inplace=False)`: in training, zero whole channels of (N, C, H, W)
    input with probability p and scale the others by 1 / (1 - p)."""

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)
