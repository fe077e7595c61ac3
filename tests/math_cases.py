"""The elementwise math cases shared by the cpu tests against PyTorch and the cuda tests
against the cpu: name -> Case(fn(lib, *tensors), value range per input, flags)."""
import numpy as np

from op_cases import Case

UNIT = dict(min_value=-0.9, max_value=0.9)
POSITIVE = dict(min_value=0.3, max_value=2)
INTEGERS = dict(away_from=(-2, -1, 0, 1, 2))
HALVES = dict(away_from=(-1.5, -0.5, 0.5, 1.5))
NONZERO = dict(away_from=0, margin=0.3)
DIVISOR = dict(min_value=1.1, max_value=2)
SMALL_NONZERO = dict(min_value=-1, max_value=1, away_from=0, margin=0.05)


def _unary(name, value_range=None, **flags):
    return Case(lambda lib, x: getattr(lib, name)(x), (value_range or {},), **flags)


CASES = {
    **{name: _unary(name) for name in ["sin", "cos", "atan", "sinh", "cosh", "asinh", "exp2",
                                       "expm1"]},
    "tan": _unary("tan", UNIT),
    "asin": _unary("asin", UNIT),
    "acos": _unary("acos", UNIT),
    "atanh": _unary("atanh", UNIT),
    "acosh": _unary("acosh", dict(min_value=1.2, max_value=3)),
    "log2": _unary("log2", POSITIVE),
    "log10": _unary("log10", POSITIVE),
    "log1p": _unary("log1p", dict(min_value=-0.7, max_value=2)),
    "floor": _unary("floor", INTEGERS),
    "ceil": _unary("ceil", INTEGERS),
    "trunc": _unary("trunc", INTEGERS),
    "round": _unary("round", HALVES),
    "round_decimals": Case(lambda lib, x: lib.round(x, decimals=1),
                           (dict(min_value=-1, max_value=1, away_from=np.arange(-0.95, 1, 0.1),
                                 margin=0.003),)),
    "frac": _unary("frac", INTEGERS),
    "sgn": _unary("sgn", dict(away_from=0)),
    "rsqrt": _unary("rsqrt", POSITIVE),
    "square": _unary("square"),
    "reciprocal": _unary("reciprocal", NONZERO),
    "nan_to_num": _unary("nan_to_num"),
    "atan2": Case(lambda lib, a, b: lib.atan2(a, b), (NONZERO, NONZERO)),
    "hypot": Case(lambda lib, a, b: lib.hypot(a, b), (NONZERO, NONZERO)),
    "copysign": Case(lambda lib, a, b: lib.copysign(a, b), (NONZERO, NONZERO)),
    "fmod": Case(lambda lib, a, b: lib.fmod(a, b), (SMALL_NONZERO, DIVISOR)),
    "remainder": Case(lambda lib, a, b: lib.remainder(a, b), (SMALL_NONZERO, DIVISOR)),
    "remainder_negative": Case(lambda lib, a, b: lib.remainder(a, -b),
                               (SMALL_NONZERO, DIVISOR)),
    # torch has no derivative for floor_divide (its backward raises); minigrad's is 0
    "floor_divide": Case(lambda lib, a, b: lib.floor_divide(a, b), (SMALL_NONZERO, DIVISOR),
                         grad=False, gradgrad=False),
    "div_floor": Case(lambda lib, a, b: lib.div(a, b, rounding_mode="floor"),
                      (SMALL_NONZERO, DIVISOR), gradgrad=False),
    "div_trunc": Case(lambda lib, a, b: lib.div(a, b, rounding_mode="trunc"),
                      (SMALL_NONZERO, DIVISOR), gradgrad=False),
    "logaddexp": Case(lambda lib, a, b: lib.logaddexp(a, b), ({}, {})),
    "xlogy": Case(lambda lib, a, b: lib.xlogy(a, b), ({}, POSITIVE)),
    "fmax": Case(lambda lib, a, b: lib.fmax(a, b), ({}, {}), no_ties=True),
    "fmin": Case(lambda lib, a, b: lib.fmin(a, b), ({}, {}), no_ties=True),
    "lerp": Case(lambda lib, a, b, w: lib.lerp(a, b, w), ({}, {}, dict(min_value=-1,
                                                                       max_value=2))),
    "lerp_scalar": Case(lambda lib, a, b: lib.lerp(a, b, 0.75), ({}, {})),
    "addcmul": Case(lambda lib, x, a, b: lib.addcmul(x, a, b, value=-0.5), ({}, {}, {})),
    "addcdiv": Case(lambda lib, x, a, b: lib.addcdiv(x, a, b, value=2), ({}, {}, NONZERO)),
    "clamp_tensor": Case(lambda lib, x, lo, hi: lib.clamp(x, lo, hi),
                         (dict(min_value=-3, max_value=3), dict(min_value=-2, max_value=-0.5),
                          dict(min_value=0.5, max_value=2)), no_ties=True,
                         full_first=True),
    "clamp_tensor_min": Case(lambda lib, x, lo: lib.clamp(x, min=lo), ({}, {}), no_ties=True,
                             full_first=True),
    "clamp_tensor_max": Case(lambda lib, x, hi: x.clamp(max=hi), ({}, {}), no_ties=True,
                             full_first=True),
    "add_alpha": Case(lambda lib, a, b: lib.add(a, b, alpha=-2), ({}, {})),
    "sub_alpha": Case(lambda lib, a, b: lib.sub(a, b, alpha=0.5), ({}, {})),
    "mul": Case(lambda lib, a, b: lib.mul(a, b), ({}, {})),
    "div": Case(lambda lib, a, b: lib.div(a, b), ({}, NONZERO)),
    "true_divide": Case(lambda lib, a, b: lib.true_divide(a, b), ({}, NONZERO)),
    "pow": Case(lambda lib, a, b: lib.pow(a, b), (POSITIVE, {})),
    "neg": _unary("neg"),
    "abs": _unary("abs", dict(away_from=0)),
    "exp": _unary("exp"),
    "log": _unary("log", POSITIVE),
    "sqrt": _unary("sqrt", POSITIVE),
}
