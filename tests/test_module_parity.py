"""Module-level parity with torch.nn on hypothesis-drawn cases, for every layer minigrad.nn has
that torch.nn has (the losses are in test_module_parity_losses.py, optimizers and schedulers in
test_module_parity_optim.py).

Each spec below draws constructor arguments within torch's valid range (defaults, bias=False,
padding modes, groups, dilation, ceil_mode, batch_first, ...) and the inputs of one call (tiny
shapes, 0-size batches, unbatched inputs where torch takes them, float32 and float64). The same
arguments build a torch module and a minigrad one; then (module_parity_checks.py):
- structure: repr, state_dict keys/shapes/order, named_parameters / named_buffers /
  named_modules order, train flags;
- with torch's state copied into minigrad's: outputs (shape, dtype, values), gradients of the
  inputs and of every parameter, and the buffers a forward pass updates, in train mode and in
  eval mode;
- default initialisation on a larger instance: constants equal, random ones with the same
  bound, spread and mean;
- invalid constructor arguments and invalid input shapes: where torch raises, minigrad raises an
  instance of torch's class.

cpu only: every layer's own file checks its kernels on cuda.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from module_parity_checks import (Case, assert_same_call, assert_same_init,
                                  assert_same_structure, build, error_class, examples, pair,
                                  torch)

FLOATS = st.sampled_from(["float32", "float64"])


def _rng(draw):
    return np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))


def _x(draw, shape):
    return _rng(draw).standard_normal(tuple(shape))


def _batch(draw):
    return draw(st.sampled_from([0, 1, 2, 2, 3]))


# ---- specs: (draw) -> Case --------------------------------------------------------------------


def _conv(nd, transposed):
    def draw_case(draw):
        groups = draw(st.sampled_from([1, 1, 2]))
        cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
        k = tuple(draw(st.integers(1, 3)) for _ in range(nd))
        stride = draw(st.sampled_from([1, 2]))
        dil = draw(st.sampled_from([1, 1, 2]))
        kw = {"stride": stride, "dilation": dil, "groups": groups,
              "bias": draw(st.booleans())}
        if transposed:
            kw["padding"] = draw(st.integers(0, 1))
            kw["output_padding"] = draw(st.integers(0, max(stride, dil) - 1))
        else:
            kw["padding"] = draw(st.sampled_from([0, 1, "valid"] + (["same"] if stride == 1
                                                                       else [])))
            kw["padding_mode"] = draw(st.sampled_from(["zeros", "reflect", "replicate",
                                                       "circular"]))
        sides = [dil * (s - 1) + 1 + draw(st.integers(0, 2)) for s in k]
        if transposed:  # the output side must be positive: 2 * padding below the rest
            sides = [max(side, 1 + (2 * kw["padding"]) // stride) for side in sides]
        if not transposed and kw["padding_mode"] != "zeros":
            sides = [max(s, 2) for s in sides]  # reflect needs a pad below the side
        shape = [cin] + sides
        if draw(st.integers(0, 4)) != 0:
            shape = [_batch(draw)] + shape
        ks = k[0] if draw(st.booleans()) and len(set(k)) == 1 else k
        return Case((cin, cout, ks), kw, [_x(draw, shape)])
    return draw_case


def _pool(nd, kind):
    def draw_case(draw):
        k = draw(st.integers(1, 3))
        kw = {"kernel_size": k, "stride": draw(st.sampled_from([None, 1, 2])),
              "padding": draw(st.integers(0, k // 2)), "ceil_mode": draw(st.booleans())}
        if kind == "max":
            kw["dilation"] = draw(st.sampled_from([1, 2]))
            kw["return_indices"] = draw(st.booleans())
        else:
            kw["count_include_pad"] = draw(st.booleans())
            if nd > 1:
                kw["divisor_override"] = draw(st.sampled_from([None, None, 3]))
        eff = kw.get("dilation", 1) * (k - 1) + 1
        shape = [_batch(draw), draw(st.integers(1, 2))]
        shape += [eff + draw(st.integers(0, 3)) for _ in range(nd)]
        if draw(st.integers(0, 3)) == 0:
            shape = shape[1:]
        return Case((), kw, [_x(draw, shape)])
    return draw_case


def _adaptive(nd):
    def draw_case(draw):
        out = tuple(draw(st.sampled_from([1, 2, 3, None])) for _ in range(nd))
        if nd == 1 or draw(st.booleans()):
            out = out[0] if out[0] is not None else 2
        shape = [_batch(draw), 2] + [draw(st.integers(1, 5)) for _ in range(nd)]
        if draw(st.integers(0, 3)) == 0:
            shape = shape[1:]
        return Case((out,), {}, [_x(draw, shape)])
    return draw_case


def _adaptive_max(nd):
    base = _adaptive(nd)

    def draw_case(draw):
        case = base(draw)
        case.kwargs["return_indices"] = draw(st.booleans())
        return case
    return draw_case


def _batch_norm(nd):
    def draw_case(draw):
        c = draw(st.integers(1, 3))
        kw = {"eps": draw(st.sampled_from([1e-5, 1e-3])),
              "momentum": draw(st.sampled_from([0.1, 0.5, None])),
              "affine": draw(st.booleans()),
              "track_running_stats": draw(st.booleans())}
        spatial = [] if nd == 1 and draw(st.booleans()) else [
            draw(st.integers(1, 3)) for _ in range(max(nd, 1))]
        shape = [draw(st.integers(2, 3)), c] + spatial
        return Case((c,), kw, [_x(draw, shape)])
    return draw_case


def _instance_norm(nd):
    def draw_case(draw):
        c = draw(st.integers(1, 3))
        kw = {"eps": draw(st.sampled_from([1e-5, 1e-3])),
              "momentum": draw(st.sampled_from([0.1, None])),
              "affine": draw(st.booleans()),
              "track_running_stats": draw(st.booleans())}
        shape = [draw(st.integers(1, 2)), c] + [draw(st.integers(2, 3)) for _ in range(nd)]
        if draw(st.integers(0, 3)) == 0:
            shape = shape[1:]
        return Case((c,), kw, [_x(draw, shape)])
    return draw_case


def _group_norm(draw):
    g = draw(st.integers(1, 2))
    c = g * draw(st.integers(1, 2))
    kw = {"eps": draw(st.sampled_from([1e-5, 1e-3])), "affine": draw(st.booleans())}
    spatial = [draw(st.integers(1, 3)) for _ in range(draw(st.integers(0, 2)))]
    if c // g * int(np.prod(spatial)) < 2:
        # a group of one value normalises to 0, which torch's float32 mean misses by ~3e-5
        spatial.append(2)
    return Case((g, c), kw, [_x(draw, [_batch(draw), c] + spatial)])


def _layer_norm(draw):
    lead = [draw(st.integers(0, 2)) for _ in range(draw(st.integers(0, 2)))]
    norm = [draw(st.integers(1, 3)) for _ in range(draw(st.integers(1, 2)))]
    shape_arg = norm[0] if len(norm) == 1 and draw(st.booleans()) else tuple(norm)
    kw = {"eps": draw(st.sampled_from([1e-5, 1e-3])),
          "elementwise_affine": draw(st.booleans()), "bias": draw(st.booleans())}
    return Case((shape_arg,), kw, [_x(draw, lead + norm)])


def _rms_norm(draw):
    case = _layer_norm(draw)
    case.kwargs.pop("bias")
    case.kwargs["eps"] = draw(st.sampled_from([None, 1e-5]))
    return case


def _local_response_norm(draw):
    kw = {"alpha": draw(st.sampled_from([1e-4, 0.1])), "beta": draw(st.sampled_from([0.75, 1.0])),
          "k": draw(st.sampled_from([1.0, 2.0]))}
    shape = [_batch(draw), draw(st.integers(1, 4))] + [draw(st.integers(1, 3))
                                                       for _ in range(draw(st.integers(1, 2)))]
    return Case((draw(st.integers(1, 3)),), kw, [_x(draw, shape)])


def _elementwise(**kwarg_strategies):
    def draw_case(draw):
        kw = {k: draw(s) for k, s in kwarg_strategies.items()}
        shape = [draw(st.integers(0, 3)) for _ in range(draw(st.integers(0, 3)))]
        return Case((), kw, [_x(draw, shape) * 2])
    return draw_case


def _along_dim(draw):
    shape = [draw(st.integers(1, 3)) for _ in range(draw(st.integers(1, 3)))]
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    return Case((), {"dim": dim}, [_x(draw, shape)])


def _glu(draw):
    shape = [draw(st.integers(1, 3)) for _ in range(draw(st.integers(1, 3)))]
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    shape[dim] *= 2
    return Case((), {"dim": dim}, [_x(draw, shape)])


def _softmax2d(draw):
    shape = [draw(st.integers(1, 3)) for _ in range(draw(st.integers(3, 4)))]
    return Case((), {}, [_x(draw, shape)])


def _prelu(draw):
    n = draw(st.sampled_from([1, 2]))
    init = draw(st.sampled_from([0.25, 0.1]))
    shape = [_batch(draw), n] + [draw(st.integers(1, 3)) for _ in range(draw(st.integers(0, 2)))]
    return Case((), {"num_parameters": n, "init": init}, [_x(draw, shape)])


def _linear(draw):
    i, o = draw(st.integers(1, 3)), draw(st.integers(0, 3))
    lead = [draw(st.integers(0, 2)) for _ in range(draw(st.integers(0, 2)))]
    return Case((i, o), {"bias": draw(st.booleans())}, [_x(draw, lead + [i])])


def _bilinear(draw):
    a, b, o = (draw(st.integers(1, 3)) for _ in range(3))
    lead = [draw(st.integers(0, 2)) for _ in range(draw(st.integers(0, 2)))]
    return Case((a, b, o), {"bias": draw(st.booleans())},
                [_x(draw, lead + [a]), _x(draw, lead + [b])])


def _identity(draw):
    return Case((3,), {"unused": 1}, [_x(draw, [2, 3])])


def _flatten(draw):
    shape = [draw(st.integers(0, 3)) for _ in range(draw(st.integers(1, 4)))]
    s = draw(st.integers(-len(shape), len(shape) - 1))
    e = draw(st.integers(s % len(shape), len(shape) - 1))
    return Case((), {"start_dim": s, "end_dim": e}, [_x(draw, shape)])


def _unflatten(draw):
    shape = [draw(st.integers(1, 3)), 6, draw(st.integers(1, 2))]
    sizes = draw(st.sampled_from([(2, 3), (3, 2), (-1, 3), (1, 6), (2, -1)]))
    return Case((1, sizes), {}, [_x(draw, shape)])


def _embedding(draw):
    n, d = draw(st.integers(2, 5)), draw(st.integers(1, 3))
    kw = {"padding_idx": draw(st.sampled_from([None, 0, -1])),
          "max_norm": draw(st.sampled_from([None, 1.0])),
          "norm_type": draw(st.sampled_from([2.0, 1.0])),
          "scale_grad_by_freq": draw(st.booleans())}
    shape = [draw(st.integers(0, 3)) for _ in range(draw(st.integers(0, 2)))]
    idx = _rng(draw).integers(0, n, shape)
    return Case((n, d), kw, [idx])


def _embedding_bag(draw):
    n, d = draw(st.integers(2, 5)), draw(st.integers(1, 3))
    mode = draw(st.sampled_from(["mean", "sum", "max"]))
    kw = {"mode": mode, "padding_idx": draw(st.sampled_from([None, 0])),
          "max_norm": draw(st.sampled_from([None, 1.0]))}
    rng = _rng(draw)
    offsets = None  # 2-d indices: one bag per row
    if draw(st.booleans()):
        idx = rng.integers(0, n, (draw(st.integers(1, 3)), draw(st.integers(1, 3))))
    else:
        length = draw(st.integers(1, 6))
        idx = rng.integers(0, n, (length,))
        cuts = sorted(rng.integers(0, length + 1, draw(st.integers(0, 3))))
        last = draw(st.booleans())
        kw["include_last_offset"] = last
        offsets = np.array([0] + list(cuts) + ([length] if last else []), dtype=np.int64)
    inputs = [idx, offsets]
    if mode == "sum" and draw(st.booleans()):
        inputs.append(rng.standard_normal(idx.shape))  # per_sample_weights
    return Case((n, d), kw, inputs)


def _pad(nd, kind):
    def draw_case(draw):
        if draw(st.booleans()):
            amount = draw(st.integers(0, 2))
            amounts = [amount] * (2 * nd)
        else:
            amounts = [draw(st.integers(0, 2)) for _ in range(2 * nd)]
            amount = tuple(amounts)
        low = 1 if kind in ("Reflection", "Circular") else 0
        shape = [draw(st.integers(1, 2)), draw(st.integers(1, 2))]
        shape += [max(max(amounts) + low, draw(st.integers(1, 4))) for _ in range(nd)]
        if draw(st.integers(0, 3)) == 0:
            shape = shape[1:]
        args = (amount, 1.5) if kind == "Constant" else (amount,)
        return Case(args, {}, [_x(draw, shape)])
    return draw_case


def _upsample(draw):
    nd = draw(st.integers(1, 3))
    mode = draw(st.sampled_from({1: ["nearest", "linear", "nearest-exact"],
                                 2: ["nearest", "bilinear", "bicubic", "nearest-exact"],
                                 3: ["nearest", "trilinear"]}[nd]))
    kw = {"mode": mode}
    if draw(st.booleans()):
        kw["size"] = draw(st.integers(1, 5))
    else:
        kw["scale_factor"] = draw(st.sampled_from([2, 2.0, 1.5, 0.5]))
    if mode in ("linear", "bilinear", "bicubic", "trilinear"):
        kw["align_corners"] = draw(st.booleans())
    shape = [_batch(draw), draw(st.integers(1, 2))] + [draw(st.integers(2, 4)) for _ in range(nd)]
    return Case((), kw, [_x(draw, shape)])


def _upsampling2d(draw):
    kw = ({"size": draw(st.integers(1, 5))} if draw(st.booleans())
          else {"scale_factor": draw(st.sampled_from([2, 3]))})
    shape = [_batch(draw), draw(st.integers(1, 2))] + [draw(st.integers(1, 4)) for _ in range(2)]
    return Case((), kw, [_x(draw, shape)])


# Both pixel shuffles leave out empty inputs: torch returns an empty input unchanged (shape
# included) and its backward then fails on the shape it produced.
def _pixel_shuffle(draw):
    r = draw(st.integers(1, 2))
    lead = [draw(st.integers(1, 2)) for _ in range(draw(st.integers(0, 2)))]
    shape = lead + [r * r * draw(st.integers(1, 2))] + [draw(st.integers(1, 2)) for _ in range(2)]
    return Case((r,), {}, [_x(draw, shape)])


def _pixel_unshuffle(draw):
    r = draw(st.integers(1, 2))
    lead = [draw(st.integers(1, 2)) for _ in range(draw(st.integers(0, 2)))]
    shape = lead + [draw(st.integers(1, 2))] + [r * draw(st.integers(1, 2)) for _ in range(2)]
    return Case((r,), {}, [_x(draw, shape)])


def _channel_shuffle(draw):
    g = draw(st.integers(1, 3))
    shape = [draw(st.integers(1, 2)), g * draw(st.integers(1, 2))] + [
        draw(st.integers(1, 2)) for _ in range(draw(st.integers(1, 2)))]
    return Case((g,), {}, [_x(draw, shape)])


def _unfold(draw):
    k = draw(st.integers(1, 2))
    kw = {"kernel_size": k, "dilation": draw(st.integers(1, 2)),
          "padding": draw(st.integers(0, 1)), "stride": draw(st.integers(1, 2))}
    eff = kw["dilation"] * (k - 1) + 1
    shape = [_batch(draw), draw(st.integers(1, 2))] + [eff + draw(st.integers(0, 2))
                                                       for _ in range(2)]
    if draw(st.integers(0, 3)) == 0:
        shape = shape[1:]
    return Case((), kw, [_x(draw, shape)])


def _fold(draw):
    k = draw(st.integers(1, 2))
    kw = {"kernel_size": k, "dilation": draw(st.integers(1, 2)),
          "padding": draw(st.integers(0, 1)), "stride": draw(st.integers(1, 2))}
    eff = kw["dilation"] * (k - 1) + 1
    out = (eff + draw(st.integers(0, 2)), eff + draw(st.integers(0, 2)))
    blocks = 1
    for o in out:
        blocks *= (o + 2 * kw["padding"] - eff) // kw["stride"] + 1
    c = draw(st.integers(1, 2))
    shape = [_batch(draw), c * k * k, blocks]
    if draw(st.integers(0, 3)) == 0:
        shape = shape[1:]
    return Case((out,), kw, [_x(draw, shape)])


def _away_from_zero(draw, shape):
    """Values of magnitude 0.5 to 2: a gradient that scales with 1 / |x| (a cosine of
    one-element vectors is a sign) keeps float32 rounding within the tolerances."""
    rng = _rng(draw)
    return rng.uniform(0.5, 2, shape) * rng.choice([-1.0, 1.0], shape)


def _distance(kind):
    def draw_case(draw):
        shape = [draw(st.integers(1, 3)) for _ in range(draw(st.integers(1, 3)))]
        if kind == "cos":
            kw = {"dim": draw(st.integers(-len(shape), len(shape) - 1)),
                  "eps": draw(st.sampled_from([1e-8, 0.5]))}
        else:
            kw = {"p": draw(st.sampled_from([1.0, 2.0, 3.0])),
                  "eps": draw(st.sampled_from([1e-6, 0.1])), "keepdim": draw(st.booleans())}
            shape = shape[-2:]
        return Case((), kw, [_away_from_zero(draw, shape), _away_from_zero(draw, shape)])
    return draw_case


def _dropout(nd):
    def draw_case(draw):
        p = draw(st.sampled_from([0.0, 0.3, 1.0]))
        rank = {None: draw(st.integers(0, 3)), 1: 3, 2: 4, 3: 5}[nd]
        shape = [draw(st.integers(1, 3)) for _ in range(rank)]
        return Case((), {"p": p}, [_x(draw, shape)])
    return draw_case


def _rnn(kind):
    def draw_case(draw):
        i, h = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        kw = {"num_layers": draw(st.integers(1, 2)), "bias": draw(st.booleans()),
              "batch_first": draw(st.booleans()), "bidirectional": draw(st.booleans())}
        if kind == "RNN":
            kw["nonlinearity"] = draw(st.sampled_from(["tanh", "relu"]))
        if kind == "LSTM" and draw(st.booleans()) and h > 1:
            kw["proj_size"] = draw(st.integers(1, h - 1))
        t, n = draw(st.integers(1, 3)), draw(st.integers(1, 2))
        shape = [n, t, i] if kw["batch_first"] else [t, n, i]
        if draw(st.integers(0, 3)) == 0:
            shape = [t, i]
        inputs = [_x(draw, shape)]
        if draw(st.booleans()):
            layers = kw["num_layers"] * (2 if kw["bidirectional"] else 1)
            batch = [] if len(shape) == 2 else [n]
            hr = kw.get("proj_size", 0) or h
            h0 = _x(draw, [layers] + batch + [hr])
            inputs.append((h0, _x(draw, [layers] + batch + [h])) if kind == "LSTM" else h0)
        return Case((i, h), kw, inputs)
    return draw_case


def _cell(kind):
    def draw_case(draw):
        i, h = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        kw = {"bias": draw(st.booleans())}
        if kind == "RNNCell":
            kw["nonlinearity"] = draw(st.sampled_from(["tanh", "relu"]))
        n = draw(st.sampled_from([None, 0, 1, 2]))
        batch = [] if n is None else [n]
        inputs = [_x(draw, batch + [i])]
        if draw(st.booleans()):
            hx = _x(draw, batch + [h])
            inputs.append((hx, _x(draw, batch + [h])) if kind == "LSTMCell" else hx)
        return Case((i, h), kw, inputs)
    return draw_case


def _mha(draw):
    heads = draw(st.integers(1, 2))
    e = heads * draw(st.integers(1, 2))
    kw = {"num_heads": heads, "bias": draw(st.booleans()), "add_bias_kv": draw(st.booleans()),
          "add_zero_attn": draw(st.booleans()), "batch_first": draw(st.booleans())}
    different = draw(st.booleans())
    if different:
        kw["kdim"], kw["vdim"] = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    n, lq, lk = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    unbatched = draw(st.integers(0, 3)) == 0

    def seq(length, dim):
        if unbatched:
            return _x(draw, [length, dim])
        return _x(draw, [n, length, dim] if kw["batch_first"] else [length, n, dim])
    q = seq(lq, e)
    k, v = seq(lk, kw.get("kdim", e)), seq(lk, kw.get("vdim", e))
    call = {"need_weights": draw(st.booleans()),
            "average_attn_weights": draw(st.booleans())}
    return Case((e,), kw, [q, k, v], call_kwargs=call)


# d_model of 4 per head at least: a LayerNorm over 2 features amplifies float32 rounding by
# 1 / std, beyond any tolerance when the two are close
def _encoder_layer(draw):
    heads = draw(st.integers(1, 2))
    d = 4 * heads
    kw = {"nhead": heads, "dim_feedforward": draw(st.integers(1, 4)), "dropout": 0.0,
          "activation": draw(st.sampled_from(["relu", "gelu"])),
          "batch_first": draw(st.booleans()), "norm_first": draw(st.booleans()),
          "bias": draw(st.booleans()), "layer_norm_eps": draw(st.sampled_from([1e-5, 1e-3]))}
    n, s = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    shape = [n, s, d] if kw["batch_first"] else [s, n, d]
    if draw(st.integers(0, 3)) == 0:
        shape = [s, d]  # unbatched
    return Case((d,), kw, [_x(draw, shape)])


def _decoder_layer(draw):
    case = _encoder_layer(draw)
    x = case.inputs[0]
    mem_len = draw(st.integers(1, 3))
    if x.ndim == 2:
        mem = _x(draw, [mem_len, x.shape[1]])
    elif case.kwargs["batch_first"]:
        mem = _x(draw, [x.shape[0], mem_len, x.shape[2]])
    else:
        mem = _x(draw, [mem_len, x.shape[1], x.shape[2]])
    case.inputs.append(mem)
    return case


def _encoder_builder(lib, case):
    layer = lib.nn.TransformerEncoderLayer(*case.args, **case.kwargs)
    return lib.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)


def _decoder_builder(lib, case):
    layer = lib.nn.TransformerDecoderLayer(*case.args, **case.kwargs)
    return lib.nn.TransformerDecoder(layer, 2)


def _transformer(draw):
    heads = draw(st.integers(1, 2))
    d = 4 * heads
    kw = {"d_model": d, "nhead": heads, "num_encoder_layers": draw(st.integers(1, 2)),
          "num_decoder_layers": draw(st.integers(1, 2)),
          "dim_feedforward": draw(st.integers(1, 4)), "dropout": 0.0,
          "batch_first": draw(st.booleans()), "norm_first": draw(st.booleans())}
    n, s, t = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    src = _x(draw, [n, s, d] if kw["batch_first"] else [s, n, d])
    tgt = _x(draw, [n, t, d] if kw["batch_first"] else [t, n, d])
    return Case((), kw, [src, tgt])


def _sequential_builder(lib, case):
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(),
                             lib.nn.Sequential(lib.nn.Linear(4, 2, bias=False), lib.nn.Tanh()))


def _sequential(draw):
    return Case((), {}, [_x(draw, [_batch(draw), 3])])


def _lp_pool(nd):
    def draw_case(draw):
        k = draw(st.integers(1, 3))
        kw = {"stride": draw(st.sampled_from([None, 1, 2])), "ceil_mode": draw(st.booleans())}
        shape = [_batch(draw), draw(st.integers(1, 2))] + [k + draw(st.integers(0, 2))
                                                           for _ in range(nd)]
        if draw(st.integers(0, 3)) == 0:
            shape = shape[1:]
        x = _rng(draw).uniform(0.2, 2, shape)  # positive: p-th roots of sums of powers
        return Case((draw(st.sampled_from([1, 2, 3, 1.5])), k), kw, [x])
    return draw_case


def _max_unpool(nd):
    """Pooled values and indices made by torch's max pooling of a drawn input."""
    def draw_case(draw):
        k = draw(st.integers(1, 3))
        stride = draw(st.sampled_from([None, 1, 2]))
        padding = draw(st.integers(0, k // 2))
        shape = [draw(st.integers(1, 2)), draw(st.integers(1, 2))] + [
            k + draw(st.integers(0, 2)) for _ in range(nd)]
        unbatched = draw(st.integers(0, 3)) == 0
        x = torch.tensor(_x(draw, shape[1:] if unbatched else shape))
        pool = getattr(torch.nn.functional, f"max_pool{nd}d")
        values, indices = pool(x, k, stride, padding, return_indices=True)
        call = {}
        if draw(st.booleans()):
            call["output_size"] = list(x.shape[-nd:])
        return Case((k,), {"stride": stride, "padding": padding},
                    [values.numpy(), indices.numpy()], call_kwargs=call)
    return draw_case


def _fractional_max_pool(draw):
    k = draw(st.integers(1, 2))
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    sides = [k + draw(st.integers(1, 3)) for _ in range(2)]
    kw = {"return_indices": draw(st.booleans()),
          "_random_samples": _rng(draw).uniform(0, 1, (n, c, 2))}
    if draw(st.booleans()):
        kw["output_size"] = (draw(st.integers(1, sides[0] - k + 1)),
                             draw(st.integers(1, sides[1] - k + 1)))
    else:
        kw["output_ratio"] = draw(st.sampled_from([0.5, 0.75]))
    return Case((k,), kw, [_x(draw, [n, c] + sides)])


def _adaptive_log_softmax(draw):
    n_classes = draw(st.integers(3, 8))
    cutoffs = sorted(draw(st.sets(st.integers(1, n_classes - 1), min_size=1, max_size=2)))
    in_features = draw(st.sampled_from([4, 8]))
    kw = {"div_value": draw(st.sampled_from([4.0, 2.0])), "head_bias": draw(st.booleans())}
    n = draw(st.sampled_from([None, 1, 3]))
    rng = _rng(draw)
    x = rng.standard_normal([in_features] if n is None else [n, in_features])
    target = rng.integers(0, n_classes, [] if n is None else [n])
    return Case((in_features, n_classes, cutoffs), kw, [x, target])


class Spec:
    """How to draw a case of one layer, and whether its train-mode output is random."""

    def __init__(self, draw_case, random_in_train=False, builder=None, init=None, rtol=1e-4,
                 atol=1e-5):
        self.draw_case, self.random_in_train, self.builder = draw_case, random_in_train, builder
        self.init, self.rtol, self.atol = init, rtol, atol


def _f(lo, hi):
    return st.sampled_from([lo, (lo + hi) / 2, hi])


SPECS = {
    "Identity": Spec(_identity),
    "Linear": Spec(_linear, init=Case((40, 30))),
    "Bilinear": Spec(_bilinear, init=Case((20, 15, 10))),
    "Flatten": Spec(_flatten),
    "Unflatten": Spec(_unflatten),
    "Embedding": Spec(_embedding, init=Case((60, 10))),
    "EmbeddingBag": Spec(_embedding_bag, init=Case((60, 10))),
    "Sequential": Spec(_sequential, builder=_sequential_builder),
    "ReLU": Spec(_elementwise()),
    "ReLU6": Spec(_elementwise()),
    "Sigmoid": Spec(_elementwise()),
    "Tanh": Spec(_elementwise()),
    "SiLU": Spec(_elementwise()),
    "Mish": Spec(_elementwise()),
    "Hardswish": Spec(_elementwise()),
    "Hardsigmoid": Spec(_elementwise()),
    "LogSigmoid": Spec(_elementwise()),
    "Softsign": Spec(_elementwise()),
    "Tanhshrink": Spec(_elementwise()),
    "SELU": Spec(_elementwise()),
    "GELU": Spec(_elementwise(approximate=st.sampled_from(["none", "tanh"]))),
    "ELU": Spec(_elementwise(alpha=_f(0.1, 2))),
    # alphas whose inverse is exact: torch's float64 CELU gradient is off by ~1e-7 otherwise
    "CELU": Spec(_elementwise(alpha=st.sampled_from([0.25, 1.0, 2.0]))),
    "LeakyReLU": Spec(_elementwise(negative_slope=_f(0, 0.5))),
    "Hardtanh": Spec(_elementwise(min_val=_f(-2, -0.5), max_val=_f(0.5, 2))),
    "Hardshrink": Spec(_elementwise(lambd=_f(0, 1))),
    "Softshrink": Spec(_elementwise(lambd=_f(0, 1))),
    "Softplus": Spec(_elementwise(beta=_f(0.5, 2), threshold=_f(1, 20))),
    "Threshold": Spec(_elementwise(threshold=_f(-1, 1), value=_f(-2, 2))),
    "RReLU": Spec(_elementwise(lower=_f(0.05, 0.1), upper=_f(0.2, 0.4)), random_in_train=True),
    "PReLU": Spec(_prelu, init=Case((), {"num_parameters": 300})),
    "Softmax": Spec(_along_dim),
    "LogSoftmax": Spec(_along_dim),
    "Softmin": Spec(_along_dim),
    "Softmax2d": Spec(_softmax2d),
    "GLU": Spec(_glu),
    "Conv1d": Spec(_conv(1, False), init=Case((8, 16, 3))),
    "Conv2d": Spec(_conv(2, False), init=Case((8, 16, 3))),
    "Conv3d": Spec(_conv(3, False), init=Case((4, 8, 2))),
    "ConvTranspose1d": Spec(_conv(1, True), init=Case((8, 16, 3))),
    "ConvTranspose2d": Spec(_conv(2, True), init=Case((8, 16, 3))),
    "ConvTranspose3d": Spec(_conv(3, True), init=Case((4, 8, 2))),
    "MaxPool1d": Spec(_pool(1, "max")),
    "MaxPool2d": Spec(_pool(2, "max")),
    "MaxPool3d": Spec(_pool(3, "max")),
    "AvgPool1d": Spec(_pool(1, "avg")),
    "AvgPool2d": Spec(_pool(2, "avg")),
    "AvgPool3d": Spec(_pool(3, "avg")),
    "AdaptiveAvgPool1d": Spec(_adaptive(1)),
    "AdaptiveAvgPool2d": Spec(_adaptive(2)),
    "AdaptiveAvgPool3d": Spec(_adaptive(3)),
    "AdaptiveMaxPool1d": Spec(_adaptive_max(1)),
    "AdaptiveMaxPool2d": Spec(_adaptive_max(2)),
    "BatchNorm1d": Spec(_batch_norm(1)),
    "BatchNorm2d": Spec(_batch_norm(2)),
    "BatchNorm3d": Spec(_batch_norm(3)),
    "SyncBatchNorm": Spec(_batch_norm(2)),  # without a process group: BatchNorm, as torch
    "InstanceNorm1d": Spec(_instance_norm(1)),
    "InstanceNorm2d": Spec(_instance_norm(2)),
    "InstanceNorm3d": Spec(_instance_norm(3)),
    "GroupNorm": Spec(_group_norm),
    "LayerNorm": Spec(_layer_norm),
    "RMSNorm": Spec(_rms_norm),
    "LocalResponseNorm": Spec(_local_response_norm),
    "ConstantPad1d": Spec(_pad(1, "Constant")),
    "ConstantPad2d": Spec(_pad(2, "Constant")),
    "ConstantPad3d": Spec(_pad(3, "Constant")),
    "ZeroPad1d": Spec(_pad(1, "Zero")),
    "ZeroPad2d": Spec(_pad(2, "Zero")),
    "ZeroPad3d": Spec(_pad(3, "Zero")),
    "ReflectionPad1d": Spec(_pad(1, "Reflection")),
    "ReflectionPad2d": Spec(_pad(2, "Reflection")),
    "ReflectionPad3d": Spec(_pad(3, "Reflection")),
    "ReplicationPad1d": Spec(_pad(1, "Replication")),
    "ReplicationPad2d": Spec(_pad(2, "Replication")),
    "ReplicationPad3d": Spec(_pad(3, "Replication")),
    "CircularPad1d": Spec(_pad(1, "Circular")),
    "CircularPad2d": Spec(_pad(2, "Circular")),
    "CircularPad3d": Spec(_pad(3, "Circular")),
    "Upsample": Spec(_upsample),
    "UpsamplingNearest2d": Spec(_upsampling2d),
    "UpsamplingBilinear2d": Spec(_upsampling2d),
    "PixelShuffle": Spec(_pixel_shuffle),
    "PixelUnshuffle": Spec(_pixel_unshuffle),
    "ChannelShuffle": Spec(_channel_shuffle),
    "Unfold": Spec(_unfold),
    "Fold": Spec(_fold),
    "CosineSimilarity": Spec(_distance("cos")),
    "PairwiseDistance": Spec(_distance("pairwise")),
    "Dropout": Spec(_dropout(None), random_in_train=True),
    "Dropout1d": Spec(_dropout(1), random_in_train=True),
    "Dropout2d": Spec(_dropout(2), random_in_train=True),
    "Dropout3d": Spec(_dropout(3), random_in_train=True),
    "AlphaDropout": Spec(_dropout(None), random_in_train=True),
    "FeatureAlphaDropout": Spec(_dropout(2), random_in_train=True),
    "LPPool1d": Spec(_lp_pool(1)),
    "LPPool2d": Spec(_lp_pool(2)),
    "LPPool3d": Spec(_lp_pool(3)),
    "MaxUnpool1d": Spec(_max_unpool(1)),
    "MaxUnpool2d": Spec(_max_unpool(2)),
    "MaxUnpool3d": Spec(_max_unpool(3)),
    "AdaptiveMaxPool3d": Spec(_adaptive_max(3)),
    "FractionalMaxPool2d": Spec(_fractional_max_pool),
    "AdaptiveLogSoftmaxWithLoss": Spec(_adaptive_log_softmax, init=Case((40, 50, [10, 30]))),
    "RNN": Spec(_rnn("RNN"), init=Case((20, 30))),
    "LSTM": Spec(_rnn("LSTM"), init=Case((20, 30))),
    "GRU": Spec(_rnn("GRU"), init=Case((20, 30))),
    "RNNCell": Spec(_cell("RNNCell"), init=Case((20, 30))),
    "LSTMCell": Spec(_cell("LSTMCell"), init=Case((20, 30))),
    "GRUCell": Spec(_cell("GRUCell"), init=Case((20, 30))),
    "MultiheadAttention": Spec(_mha, init=Case((16, 2))),
    "TransformerEncoderLayer": Spec(_encoder_layer, rtol=1e-3),
    "TransformerDecoderLayer": Spec(_decoder_layer, rtol=1e-3),
    "TransformerEncoder": Spec(_encoder_layer, builder=_encoder_builder, rtol=1e-3),
    "TransformerDecoder": Spec(_decoder_layer, builder=_decoder_builder, rtol=1e-3),
    "Transformer": Spec(_transformer, rtol=1e-3),
}


@pytest.mark.parametrize("name", sorted(SPECS))
@settings(max_examples=examples(6))
@given(data=st.data())
def test_layer_matches_torch(name, data):
    """Structure, then outputs/gradients/updated buffers in train and in eval mode."""
    spec = SPECS[name]
    case = spec.draw_case(data.draw)
    dtype = data.draw(FLOATS, label="dtype")
    t, m = pair(name, case, spec.builder, dtype)
    assert_same_structure(t, m)
    if spec.random_in_train:
        m.train()
        ms = [minigrad.tensor(np.asarray(a, dtype=dtype)) for a in case.inputs]
        out = m(*ms)
        assert tuple(out.shape) == tuple(t(*[torch.tensor(np.asarray(a, dtype=dtype))
                                             for a in case.inputs]).shape)
    else:
        assert_same_call(t, m, case, dtype, spec.rtol, spec.atol)
    t.eval()
    m.eval()
    assert_same_structure(t, m)
    t.zero_grad()
    m.zero_grad()
    assert_same_call(t, m, case, dtype, spec.rtol, spec.atol)


@pytest.mark.parametrize("name", sorted(n for n, s in SPECS.items() if s.init is not None))
def test_default_initialisation_matches_torch(name):
    spec = SPECS[name]
    torch.manual_seed(1)
    minigrad.manual_seed(1)
    t = build(torch, name, spec.init)
    m = build(minigrad, name, spec.init)
    assert_same_init(t, m)


# ---- error classes -------------------------------------------------------------------------------

# Constructor arguments torch refuses: minigrad must raise an instance of torch's class.
BAD_CONSTRUCTORS = [
    ("Linear", (3, -1), {}),
    ("Conv2d", (3, 4, 3), {"groups": 2}),
    ("Conv1d", (4, 3, 3), {"groups": 2}),
    ("Conv2d", (4, 4, 3), {"groups": 0}),
    ("Conv2d", (1, 1, 3), {"padding_mode": "mirror"}),
    ("Conv2d", (1, 1, 3), {"stride": 2, "padding": "same"}),
    ("Conv1d", (1, 1, 3), {"padding": "full"}),
    ("ConvTranspose2d", (1, 1, 3), {"padding_mode": "reflect"}),
    ("Dropout", (), {"p": 1.5}),
    ("Dropout2d", (), {"p": -0.1}),
    ("Embedding", (3, 2), {"padding_idx": 5}),
    ("Embedding", (3, 2), {"padding_idx": -4}),
    ("GroupNorm", (3, 4), {}),
    ("LSTM", (2, 3), {"proj_size": 3}),
    ("LSTM", (2, 3), {"proj_size": -1}),
    ("RNN", (2, 3), {"nonlinearity": "sigmoid"}),
    ("GRU", (2, 3), {"dropout": 2.0}),
    ("MultiheadAttention", (5, 2), {}),
    ("TransformerEncoderLayer", (4, 2), {"activation": "swish"}),
    ("Threshold", (), {}),
    ("Hardtanh", (), {"min_val": 1.0, "max_val": -1.0}),
    ("PixelShuffle", (), {}),
    ("Fold", (3,), {}),
    ("AdaptiveAvgPool2d", (), {}),
    ("MaxPool2d", (), {}),
    ("LayerNorm", (), {}),
    ("Bilinear", (2, 3), {}),
]


@pytest.mark.parametrize("name, args, kwargs", BAD_CONSTRUCTORS)
def test_bad_constructor_raises_torchs_class(name, args, kwargs):
    expected = error_class(lambda: getattr(torch.nn, name)(*args, **kwargs),
                           lambda: getattr(minigrad.nn, name)(*args, **kwargs))
    assert expected is not None, "torch accepts these arguments: not a bad case"


def _int(*shape):
    return np.zeros(shape, dtype=np.int64)


def _float(*shape):
    return np.ones(shape, dtype=np.float32)


# (layer, constructor args, kwargs, inputs of a call torch refuses)
BAD_CALLS = [
    ("Linear", (3, 4), {}, [_float(2, 5)]),
    ("Linear", (3, 4), {}, [_float()]),
    ("Bilinear", (2, 3, 4), {}, [_float(5, 2), _float(4, 3)]),
    ("Conv2d", (3, 4, 3), {}, [_float(2, 2, 5, 5)]),
    ("Conv2d", (3, 4, 3), {}, [_float(3, 5)]),
    ("Conv2d", (1, 1, 5), {}, [_float(1, 1, 3, 3)]),
    ("Conv1d", (1, 1, 3), {"padding": 3, "padding_mode": "reflect"}, [_float(1, 1, 2)]),
    ("ConvTranspose2d", (2, 1, 3), {}, [_float(1, 3, 4, 4)]),
    ("Conv3d", (1, 1, 2), {}, [_float(1, 1, 3, 3)]),
    ("MaxPool2d", (2,), {"padding": 2}, [_float(1, 1, 4, 4)]),
    ("MaxPool2d", (3,), {}, [_float(1, 1, 2, 2)]),
    ("MaxPool1d", (2,), {}, [_float(1, 1, 1, 4)]),
    ("AvgPool2d", (2,), {}, [_float(1, 1, 1, 1)]),
    ("AvgPool1d", (3,), {"padding": 2}, [_float(1, 1, 4)]),
    ("AdaptiveAvgPool2d", (2,), {}, [_float(3)]),
    ("AdaptiveMaxPool1d", (2,), {}, [_float(1, 2, 3, 4)]),
    ("BatchNorm1d", (3,), {}, [_float(1, 3)]),
    ("BatchNorm2d", (3,), {}, [_float(2, 3, 4)]),
    ("BatchNorm2d", (3,), {}, [_float(2, 4, 2, 2)]),
    ("BatchNorm3d", (3,), {}, [_float(2, 3, 2, 2)]),
    ("InstanceNorm1d", (3,), {"affine": True}, [_float(2, 4, 5)]),
    ("InstanceNorm2d", (3,), {}, [_float(3, 1)]),
    ("GroupNorm", (2, 4), {}, [_float(2, 3, 5)]),
    ("GroupNorm", (1, 1), {}, [_float(1, 1)]),
    ("LayerNorm", (4,), {}, [_float(2, 3)]),
    ("RMSNorm", ((2, 3),), {}, [_float(3, 2)]),
    ("LocalResponseNorm", (2,), {}, [_float(2, 3)]),
    ("Embedding", (3, 2), {}, [np.array([5])]),
    ("Embedding", (3, 2), {}, [_float(2)]),
    ("EmbeddingBag", (3, 2), {}, [_int(2), np.array([1, 0])]),
    ("EmbeddingBag", (3, 2), {}, [_int(2, 2), np.array([0])]),
    ("LSTM", (2, 3), {}, [_float(4, 1, 3)]),
    ("GRU", (2, 3), {}, [_float(4, 1, 2), _float(1, 2, 3)]),
    ("RNN", (2, 3), {}, [_float(4, 2, 2, 2)]),
    ("RNNCell", (2, 3), {}, [_float(2, 4)]),
    ("LSTMCell", (2, 3), {}, [_float(2, 2), (_float(2, 3), _float(1, 3))]),
    ("MultiheadAttention", (4, 2), {}, [_float(2, 1, 4), _float(2, 1, 3), _float(2, 1, 4)]),
    ("Softmax", (), {"dim": 3}, [_float(2, 3)]),
    ("Softmax2d", (), {}, [_float(3)]),
    ("GLU", (), {}, [_float(2, 3)]),
    ("PReLU", (), {"num_parameters": 3}, [_float(2, 4)]),
    ("PixelShuffle", (2,), {}, [_float(1, 3, 2, 2)]),
    ("PixelUnshuffle", (2,), {}, [_float(1, 1, 3, 3)]),
    ("ChannelShuffle", (2,), {}, [_float(1, 3, 2)]),
    ("Upsample", (), {"scale_factor": 2, "mode": "bilinear"}, [_float(1, 1, 4)]),
    ("Upsample", (), {"size": 3, "mode": "cubic"}, [_float(1, 1, 4)]),
    ("Fold", ((3, 3), 2), {}, [_float(1, 5, 4)]),
    ("Unfold", (2,), {}, [_float(1, 1, 1, 1)]),
    ("ReflectionPad1d", (3,), {}, [_float(1, 1, 2)]),
    ("ReplicationPad2d", (1,), {}, [_float(2, 2)]),
    ("CircularPad1d", (3,), {}, [_float(1, 1, 2)]),
    ("ConstantPad3d", (1, 0.0), {}, [_float(2, 2)]),
    ("Flatten", (3,), {}, [_float(2, 2)]),
    ("Unflatten", (1, (2, 2)), {}, [_float(2, 5)]),
    ("CosineSimilarity", (), {}, [_float(2, 3), _float(2, 4)]),
    ("PairwiseDistance", (), {}, [_float(2, 3), _float(2, 4)]),
    ("TransformerEncoderLayer", (4, 2), {"dropout": 0.0}, [_float(3, 2, 5)]),
    # torch checks these arguments only when the layer is called
    ("ConvTranspose1d", (1, 1, 3), {"padding": "same"}, [_float(1, 1, 4)]),
    ("EmbeddingBag", (3, 2), {"mode": "median"}, [_int(2, 2)]),
    ("RNNCell", (2, 3), {"nonlinearity": "sigmoid"}, [_float(1, 2)]),
    ("RReLU", (), {"lower": 0.5, "upper": 0.1}, [_float(3)]),
    ("Upsample", (), {"size": 2, "scale_factor": 2.0}, [_float(1, 1, 4)]),
    ("Softplus", (), {"beta": "x"}, [_float(3)]),
]


def _call(lib, name, args, kwargs, inputs):
    def convert(a):
        if isinstance(a, tuple):
            return tuple(convert(b) for b in a)
        return lib.tensor(a)
    module = getattr(lib.nn, name)(*args, **kwargs)
    return module(*[convert(a) for a in inputs])


@pytest.mark.parametrize("name, args, kwargs, inputs", BAD_CALLS,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(BAD_CALLS)])
def test_bad_input_raises_torchs_class(name, args, kwargs, inputs):
    expected = error_class(lambda: _call(torch, name, args, kwargs, inputs),
                           lambda: _call(minigrad, name, args, kwargs, inputs))
    assert expected is not None, "torch accepts this call: not a bad case"
