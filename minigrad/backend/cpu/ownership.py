"""Whether an array's memory is reachable from its caller's one reference alone."""
from .._references import HELD_ONCE, bases_held_once, references


def sole_owner(a):
    """Whether the numpy array `a` is held by one reference outside this call (its tensor's)
    and no other array or object can reach its memory: a view of it would hold it, and a view
    it is of would be held by something else as well. False when unsure, and for a read-only
    array (a broadcast view, which numpy calls contiguous when it has one element)."""
    if not a.flags.writeable:
        return False
    if references(a) > HELD_ONCE + 1:  # the caller's reference, and the parameter `a`
        return False
    return bases_held_once(a)
