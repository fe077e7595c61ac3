"""NumPy's keyword names as aliases, where PyTorch accepts them: `axis=` for `dim=` and
`keepdims=` for `keepdim=` on every Tensor method and `minigrad.*` function that takes `dim`
(`x.sum(axis=0, keepdims=True)`, `minigrad.cat(xs, axis=1)`), as PyTorch's argument parser does.
"""
import functools
import inspect

_ALIASES = {"axis": "dim", "keepdims": "keepdim"}


def _takes_dim(fn):
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    # a function with numpy's own names takes them as they are
    return ("dim" in params or "keepdim" in params) and "axis" not in params \
        and "keepdims" not in params


def with_numpy_keywords(fn):
    """`fn` also accepting `axis=` for `dim=` and `keepdims=` for `keepdim=`."""

    @functools.wraps(fn)
    def accept_aliases(*args, **kwargs):
        if kwargs:
            for alias, name in _ALIASES.items():
                if alias in kwargs:
                    if name in kwargs:
                        raise TypeError(f"{fn.__name__}() got both {name!r} and its alias "
                                        f"{alias!r}")
                    kwargs[name] = kwargs.pop(alias)
        return fn(*args, **kwargs)

    accept_aliases.accepts_numpy_keywords = True
    return accept_aliases


def numpy_keyword_versions(namespace):
    """{name: wrapped function} for the public functions in the dict `namespace` (a class's or
    a module's) whose signature has a `dim` or `keepdim` parameter and that are not wrapped
    yet."""
    return {name: with_numpy_keywords(value) for name, value in namespace.items()
            if not name.startswith("_") and inspect.isfunction(value)
            and not getattr(value, "accepts_numpy_keywords", False) and _takes_dim(value)}
