"""Module-level parity of minigrad.nn's loss layers with torch.nn's, on hypothesis-drawn cases.

Each spec draws the constructor's arguments (reduction, class weights, ignore_index,
label_smoothing, margins, p, swap, log_input/full, ...) and an input and target of a tiny
shape (0-size batches and unbatched inputs where torch takes them, float32 and float64); the
same arguments build the torch and the minigrad loss, and module_parity_checks.py compares
their structure (repr, state_dict: the registered weight buffers), the loss and the gradients
of every floating input, in train and in eval mode. Invalid calls must raise torch's class.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from module_parity_checks import (Case, assert_same_call, assert_same_structure, error_class,
                                  examples, pair, torch)
import minigrad

REDUCTIONS = st.sampled_from(["mean", "sum", "none"])


def _rng(draw):
    return np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))


def _shape(draw, min_dims=1, max_dims=3, min_side=0):
    return [draw(st.integers(min_side, 3)) for _ in range(draw(st.integers(min_dims,
                                                                           max_dims)))]


def _pointwise(target="real", **extra):
    """Losses of an input and a target of one shape."""
    def draw_case(draw):
        rng = _rng(draw)
        shape = _shape(draw, 0)
        x = rng.standard_normal(shape)
        kinds = {"real": lambda: rng.standard_normal(shape),
                 "sign": lambda: rng.choice([-1.0, 1.0], shape)}
        kw = {"reduction": draw(REDUCTIONS)}
        kw.update({k: draw(s) for k, s in extra.items()})
        return Case((), kw, [x, kinds[target]()])
    return draw_case


def _bce_with_logits(draw):
    rng = _rng(draw)
    shape = _shape(draw, 1)
    kw = {"reduction": draw(REDUCTIONS)}
    if draw(st.booleans()):
        kw["weight"] = rng.uniform(0.5, 2, shape[-1:])
    if draw(st.booleans()):
        kw["pos_weight"] = rng.uniform(0.5, 2, shape[-1:])
    return Case((), kw, [rng.standard_normal(shape), rng.uniform(0, 1, shape)])


def _bce(draw):
    rng = _rng(draw)
    shape = _shape(draw, 1)
    kw = {"reduction": draw(REDUCTIONS)}
    if draw(st.booleans()):
        kw["weight"] = rng.uniform(0.5, 2, shape[-1:])
    return Case((), kw, [rng.uniform(0.05, 0.95, shape), rng.uniform(0, 1, shape)])


def _class_losses(kind):
    """CrossEntropyLoss / NLLLoss: (N, C, d...) or (C,) input, class-index (or, for cross
    entropy, probability) targets, weight, ignore_index, label_smoothing."""
    def draw_case(draw):
        rng = _rng(draw)
        c = draw(st.integers(1, 3))
        extra = [draw(st.integers(1, 2)) for _ in range(draw(st.integers(0, 2)))]
        unbatched = draw(st.integers(0, 4)) == 0
        shape = [c] if unbatched else [draw(st.integers(0, 3)), c] + extra
        x = rng.standard_normal(shape)
        if kind == "NLLLoss":
            x = x - np.log(np.exp(x).sum(axis=0 if unbatched else 1, keepdims=True))
        tshape = [] if unbatched else [shape[0]] + extra
        kw = {"reduction": draw(REDUCTIONS)}
        if draw(st.booleans()):
            kw["weight"] = rng.uniform(0.5, 2, (c,))
        probabilities = kind == "CrossEntropyLoss" and draw(st.integers(0, 3)) == 0
        if probabilities:
            p = rng.uniform(0.1, 1, shape)
            target = p / p.sum(axis=0 if unbatched else 1, keepdims=True)
        else:
            target = rng.integers(0, c, tshape)
            if draw(st.booleans()):
                kw["ignore_index"] = draw(st.sampled_from([0, -100]))
        if kind == "CrossEntropyLoss":
            kw["label_smoothing"] = draw(st.sampled_from([0.0, 0.0, 0.2]))
        return Case((), kw, [x, target], no_grad=(1,))
    return draw_case


def _kl_div(draw):
    rng = _rng(draw)
    shape = _shape(draw, 1)
    log_target = draw(st.booleans())
    x = np.log(rng.uniform(0.1, 1, shape))
    t = rng.uniform(0.1, 1, shape)
    kw = {"reduction": draw(st.sampled_from(["mean", "sum", "none", "batchmean"])),
          "log_target": log_target}
    return Case((), kw, [x, np.log(t) if log_target else t])


def _poisson(draw):
    rng = _rng(draw)
    shape = _shape(draw, 0)
    log_input = draw(st.booleans())
    x = rng.standard_normal(shape) if log_input else rng.uniform(0.1, 2, shape)
    kw = {"log_input": log_input, "full": draw(st.booleans()), "reduction": draw(REDUCTIONS),
          "eps": draw(st.sampled_from([1e-8, 0.1]))}
    # the target takes no gradient: torch's is NaN where full=True meets a target of 0 or 1
    return Case((), kw, [x, rng.integers(0, 4, shape).astype(np.float64)], no_grad=(1,))


def _gaussian_nll(draw):
    rng = _rng(draw)
    shape = [draw(st.integers(0, 3)), draw(st.integers(1, 3))]
    var_shape = draw(st.sampled_from([shape, shape[:1] + [1], shape[:1]]))
    kw = {"full": draw(st.booleans()), "eps": draw(st.sampled_from([1e-6, 0.1])),
          "reduction": draw(REDUCTIONS)}
    return Case((), kw, [rng.standard_normal(shape), rng.standard_normal(shape),
                         rng.uniform(0.2, 2, var_shape)])


def _pair_with_sign(kind):
    """CosineEmbeddingLoss and MarginRankingLoss: two inputs and a +-1 target."""
    def draw_case(draw):
        rng = _rng(draw)
        n = draw(st.integers(0, 3))
        kw = {"margin": draw(st.sampled_from([0.0, 0.5])), "reduction": draw(REDUCTIONS)}
        if kind == "cos":
            d = draw(st.integers(1, 3))
            shape = [n, d] if draw(st.integers(0, 3)) else [d]
        else:
            shape = [n]
        y = rng.choice([-1.0, 1.0], shape[:1] if kind == "cos" and len(shape) == 2 else
                       ([] if kind == "cos" else shape))
        return Case((), kw, [rng.standard_normal(shape), rng.standard_normal(shape), y],
                    no_grad=(2,))
    return draw_case


def _hinge(draw):
    case = _pointwise("sign")(draw)
    case.kwargs["margin"] = draw(st.sampled_from([1.0, 0.5]))
    case.no_grad = (1,)
    return case


# The margin losses draw empty batches only with reduction='none': torch's 'mean' and 'sum'
# of an empty batch return uninitialised memory (minigrad: NaN and 0).
def _margin_batch(draw, c):
    reduction = draw(REDUCTIONS)
    n = draw(st.integers(0 if reduction == "none" else 1, 3))
    return ([n, c] if draw(st.integers(0, 3)) else [c]), reduction


def _multi_margin(draw):
    rng = _rng(draw)
    c = draw(st.integers(1, 3))
    shape, reduction = _margin_batch(draw, c)
    kw = {"p": draw(st.sampled_from([1, 2])), "margin": draw(st.sampled_from([1.0, 0.5])),
          "reduction": reduction}
    if draw(st.booleans()):
        kw["weight"] = rng.uniform(0.5, 2, (c,))
    return Case((), kw, [rng.standard_normal(shape), rng.integers(0, c, shape[:-1])],
                no_grad=(1,))


def _multilabel_margin(draw):
    rng = _rng(draw)
    c = draw(st.integers(1, 3))
    shape, reduction = _margin_batch(draw, c)
    target = rng.integers(-1, c, shape)
    return Case((), {"reduction": reduction}, [rng.standard_normal(shape), target],
                no_grad=(1,))


def _multilabel_soft_margin(draw):
    rng = _rng(draw)
    shape = [draw(st.integers(0, 3)), draw(st.integers(1, 3))]
    kw = {"reduction": draw(REDUCTIONS)}
    if draw(st.booleans()):
        kw["weight"] = rng.uniform(0.5, 2, shape[-1:])
    return Case((), kw, [rng.standard_normal(shape),
                         rng.integers(0, 2, shape).astype(np.float64)], no_grad=(1,))


def _triplet(draw):
    rng = _rng(draw)
    shape = [draw(st.integers(0, 3)), draw(st.integers(1, 3))]
    if draw(st.integers(0, 3)) == 0:
        shape = shape[1:]
    kw = {"margin": draw(st.sampled_from([1.0, 0.3])), "p": draw(st.sampled_from([1.0, 2.0])),
          "eps": draw(st.sampled_from([1e-6, 0.1])), "swap": draw(st.booleans()),
          "reduction": draw(REDUCTIONS)}
    return Case((), kw, [rng.standard_normal(shape) for _ in range(3)])


def _ctc(draw):
    rng = _rng(draw)
    t, n, c = draw(st.integers(2, 5)), draw(st.integers(1, 2)), draw(st.integers(2, 4))
    x = rng.standard_normal((t, n, c))
    x = x - np.log(np.exp(x).sum(-1, keepdims=True))
    s = draw(st.integers(1, 2))
    target = rng.integers(1, c, (n, s))
    in_lengths = np.full(n, t, dtype=np.int64)
    tgt_lengths = rng.integers(0, s + 1, n)
    kw = {"reduction": draw(REDUCTIONS), "zero_infinity": draw(st.booleans())}
    return Case((), kw, [x, target, in_lengths, tgt_lengths], no_grad=(1, 2, 3))


def _triplet_with_distance(draw):
    case = _triplet(draw)
    case.kwargs = {k: case.kwargs[k] for k in ("margin", "swap", "reduction")}
    case.kwargs["distance"] = draw(st.sampled_from([None, "l1", "cosine"]))
    return case


def _build_triplet_with_distance(lib, case):
    """The loss with `lib`'s own distance module (the default, PairwiseDistance, for None)."""
    kw = dict(case.kwargs)
    distance = kw.pop("distance")
    if distance == "l1":
        kw["distance_function"] = lib.nn.PairwiseDistance(p=1.0)
    elif distance == "cosine":
        similarity = lib.nn.CosineSimilarity()
        kw["distance_function"] = lambda a, b: 1.0 - similarity(a, b)
    return lib.nn.TripletMarginWithDistanceLoss(**kw)


BUILDERS = {"TripletMarginWithDistanceLoss": _build_triplet_with_distance}


def _no_grad_target(draw_case):
    def draw_with_plain_target(draw):
        case = draw_case(draw)
        case.no_grad = (1,)
        return case
    return draw_with_plain_target


SPECS = {
    "L1Loss": _pointwise(),
    "MSELoss": _pointwise(),
    "SmoothL1Loss": _pointwise(beta=st.sampled_from([1.0, 0.5, 0.0])),
    "HuberLoss": _pointwise(delta=st.sampled_from([1.0, 0.5])),
    "SoftMarginLoss": _no_grad_target(_pointwise("sign")),
    "BCELoss": _bce,
    "BCEWithLogitsLoss": _bce_with_logits,
    "CrossEntropyLoss": _class_losses("CrossEntropyLoss"),
    "NLLLoss": _class_losses("NLLLoss"),
    "KLDivLoss": _kl_div,
    "PoissonNLLLoss": _poisson,
    "GaussianNLLLoss": _gaussian_nll,
    "CosineEmbeddingLoss": _pair_with_sign("cos"),
    "MarginRankingLoss": _pair_with_sign("rank"),
    "HingeEmbeddingLoss": _hinge,
    "MultiMarginLoss": _multi_margin,
    "MultiLabelMarginLoss": _multilabel_margin,
    "MultiLabelSoftMarginLoss": _multilabel_soft_margin,
    "TripletMarginLoss": _triplet,
    "CTCLoss": _ctc,
    "NLLLoss2d": _class_losses("NLLLoss"),
    "TripletMarginWithDistanceLoss": _triplet_with_distance,
}


@pytest.mark.parametrize("name", sorted(SPECS))
@settings(max_examples=examples(8))
@given(data=st.data())
def test_loss_matches_torch(name, data):
    case = SPECS[name](data.draw)
    dtype = data.draw(st.sampled_from(["float32", "float64"]), label="dtype")
    t, m = pair(name, case, BUILDERS.get(name), dtype)
    assert_same_structure(t, m)
    assert_same_call(t, m, case, dtype, rtol=1e-4, atol=1e-5)
    t.eval()
    m.eval()
    assert_same_structure(t, m)


def _f(*shape):
    return np.ones(shape, dtype=np.float32)


# (loss, constructor kwargs, inputs of a call torch refuses)
BAD_CALLS = [
    ("MSELoss", {"reduction": "avg"}, [_f(2), _f(2)]),
    ("L1Loss", {}, [_f(2, 3), _f(3, 2)]),
    ("CrossEntropyLoss", {}, [_f(2, 3), np.array([0, 3])]),
    ("CrossEntropyLoss", {}, [_f(2, 3), np.array([0, 1, 2])]),
    ("CrossEntropyLoss", {}, [_f(2, 3), _f(2, 1)]),
    ("CrossEntropyLoss", {"weight": np.ones(2)}, [_f(2, 3), np.array([0, 1])]),
    ("NLLLoss", {}, [_f(2, 3), np.array([[0], [1]])]),
    ("NLLLoss", {}, [_f(2, 3, 2), np.array([0, 1])]),
    ("BCELoss", {}, [_f(2), _f(3)]),
    ("BCEWithLogitsLoss", {}, [_f(2), _f(3)]),
    ("KLDivLoss", {"reduction": "batch"}, [_f(2), _f(2)]),
    ("GaussianNLLLoss", {}, [_f(2, 3), _f(2, 3), _f(3, 2)]),
    ("GaussianNLLLoss", {}, [_f(2, 3), _f(2, 3), -_f(2, 3)]),
    ("MultiMarginLoss", {"p": 3}, [_f(2, 3), np.array([0, 1])]),
    ("MultiMarginLoss", {}, [_f(2, 3), np.array([0, 1, 1])]),
    ("MultiLabelMarginLoss", {}, [_f(2, 3), np.array([0, 1])]),
    ("TripletMarginLoss", {}, [_f(2, 3), _f(2, 3), _f(2, 4)]),
    ("MarginRankingLoss", {}, [_f(2), _f(3), _f(2)]),
    ("CosineEmbeddingLoss", {}, [_f(2, 3), _f(2, 3), _f(3)]),
]


def _call(lib, name, kwargs, inputs):
    kwargs = {k: lib.tensor(v.astype(np.float32)) if isinstance(v, np.ndarray) else v
              for k, v in kwargs.items()}
    return getattr(lib.nn, name)(**kwargs)(*[lib.tensor(a) for a in inputs])


@pytest.mark.parametrize("name, kwargs, inputs", BAD_CALLS,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(BAD_CALLS)])
def test_bad_loss_call_raises_torchs_class(name, kwargs, inputs):
    expected = error_class(lambda: _call(torch, name, kwargs, inputs),
                           lambda: _call(minigrad, name, kwargs, inputs))
    assert expected is not None, "torch accepts this call: not a bad case"
