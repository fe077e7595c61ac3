"""Whether a device array's memory is reachable from its caller's one reference alone.

A device array here may remember its flat buffer (`_array.empty`), a second array over the same
memory that it alone should hold. Under the simulator the memory is a numpy array's; on a GPU it
is an allocation that numba hands out as `OwnedPointer`s, counting them (`refct`): a view of the
array made with a new pointer raises that count, one made over the same pointer (a reshape)
holds that pointer.
"""
from numba.core import config

from .._references import HELD_ONCE, bases_held_once, references


def _flat_buffer(a):
    return getattr(a, "_minigrad_buffer", None)


def _simulated_sole_owner(a, flat):
    if references(a._ary) > HELD_ONCE:
        return False
    if flat is None:
        return bases_held_once(a._ary)
    return (references(flat._ary) <= HELD_ONCE and flat._ary.base is a._ary.base
            and bases_held_once(a._ary, sharers=2))


def _device_sole_owner(a, flat):
    from numba.cuda.cudadrv.driver import OwnedPointer

    memory = a.gpu_data
    holders = 1 if flat is None else 2
    if flat is not None and flat.gpu_data is not memory:
        return False
    if not isinstance(memory, OwnedPointer) or references(memory) > HELD_ONCE + holders:
        return False
    try:
        return memory._mem.refct == 1  # no other pointer (a view's) into the allocation
    except ReferenceError:  # the allocation's record is gone: do not guess
        return False


def sole_owner(a):
    """Whether the device array `a` is held by one reference outside this call (its tensor's)
    and no other array or object can reach its memory (a view of it, an array it is a view
    of, an alias). False when unsure."""
    if references(a) > HELD_ONCE + 1:  # the caller's reference, and the parameter `a`
        return False
    flat = _flat_buffer(a)
    if flat is not None and references(flat) > HELD_ONCE + 1:  # a's attribute, and `flat`
        return False
    if config.ENABLE_CUDASIM:
        return _simulated_sole_owner(a, flat)
    return _device_sole_owner(a, flat)
