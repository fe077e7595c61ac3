"""Reference counts: whether an array's memory can be reached from one place only.

Autograd keeps a leaf's first incoming gradient as its `.grad` without a copy when nothing else
can see that gradient's memory (PyTorch decides the same by its tensors' use counts). In Python
the reference counts tell: memory that can be reached from elsewhere is held by some other
object (a second tensor around the same array, a view whose base it is, a saved tensor, a hook
that kept the gradient). What a count includes besides the holders (the function's own argument)
depends on the interpreter, so it is measured here once, at import, with the same call.
"""
import sys



def references(obj):
    """sys.getrefcount(obj), seen through this one call (compare with HELD_ONCE only)."""
    return sys.getrefcount(obj)


class _Holder:
    __slots__ = ("item",)


def _measure_held_once():
    holder = _Holder()
    holder.item = object()
    return references(holder.item)


HELD_ONCE = _measure_held_once()  # references(x.item) for an object held by x alone


def _next_base(obj):
    """The object `obj` keeps alive for its memory: a numpy array's `.base`, the array behind
    numpy's `as_strided` helper (also `.base`), a memoryview's exporter; None at the owner."""
    if isinstance(obj, memoryview):
        return obj.obj
    return getattr(obj, "base", None)


def bases_held_once(array, sharers=1):
    """Whether the numpy array `array`'s base (the array or object its memory belongs to, if
    it is a view) is held by `sharers` objects only (`array` and others the caller counted),
    and every further object along the chain of bases by its successor alone."""
    base = array.base
    if base is None:
        return True
    # held by `sharers` arrays and the local name `base`: one more than HELD_ONCE's one holder
    # for each holder past the first
    if references(base) > HELD_ONCE + sharers:
        return False
    base = _next_base(base)
    while base is not None:
        if references(base) > HELD_ONCE + 1:  # its successor, and the local name `base`
            return False
        base = _next_base(base)
    return True
