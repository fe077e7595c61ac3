"""How tensors print (PyTorch's `set_printoptions`): digits after the point, when to summarise
with "...", the line width and scientific notation. Read by `tensor.format_tensor`."""
import math
import sys

_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80),
             "full": (4, math.inf, 3, 80)}
OPTIONS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80,
           "sci_mode": None}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set how tensors print: `profile` ('default', 'short', 'full') first, then the options
    given; sci_mode True/False forces or forbids scientific notation (None: automatic)."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: unknown profile {profile!r}; expected one of "
                             f"{sorted(_PROFILES)}")
        (OPTIONS["precision"], OPTIONS["threshold"], OPTIONS["edgeitems"],
         OPTIONS["linewidth"]) = _PROFILES[profile]
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            OPTIONS[name] = value
    OPTIONS["sci_mode"] = sci_mode


def numpy_threshold():
    """The summarising threshold as numpy takes it (an int)."""
    threshold = OPTIONS["threshold"]
    return sys.maxsize if threshold == math.inf else int(threshold)
