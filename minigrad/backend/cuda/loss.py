"""Loss kernels."""
from .elementwise import CLAMPED_LOG, unary


def clamped_log(a, floor):
    """max(log(a), floor): log(0) gives `floor` instead of -inf (binary cross entropy)."""
    return unary(CLAMPED_LOG, a, floor)
