"""Bad input to the newer ops and layers raises the class PyTorch raises (so code written for
PyTorch catches it) and minigrad's documented class from `minigrad.errors`.

Each case is called on torch and on minigrad with the same arguments; minigrad's exception must
be an instance of the builtin class torch raised (torch.linalg.LinAlgError counts as its
builtin base, RuntimeError) and of the class listed here.
"""
import numpy as np
import pytest

import minigrad as mg
from minigrad.errors import (
    DTypeError, DTypeNotImplementedError, IndexDimsError, IndexOutOfRangeError,
    InputDimsNotImplementedError, InvalidArgumentError, LinAlgError, ModeNotImplementedError,
    ShapeError)

torch = pytest.importorskip("torch")


def F(m):
    return m.nn.functional


def t(m, *shape):
    return m.ones(*shape)


def li(m, values):
    return m.tensor(values)


# (what is wrong, minigrad's class, the call on a module: minigrad or torch)
CASES = [
    ('gather idx dims', ShapeError, lambda m: m.gather(t(m,3,4), 1, m.zeros(3, dtype=m.int64))),
    ('gather oob', IndexOutOfRangeError, lambda m: m.gather(t(m,3,4), 1, li(m,[[5],[0],[0]]))),
    ('gather float idx', DTypeError, lambda m: m.gather(t(m,3,4), 1, m.zeros(3,1))),
    ('gather bad dim', IndexError, lambda m: m.gather(t(m,3,4), 5, m.zeros(3,1, dtype=m.int64))),
    ('scatter oob', IndexOutOfRangeError, lambda m: t(m,3,4).scatter(1, li(m,[[5],[0],[0]]), 2.0)),
    ('scatter idx dims', ShapeError, lambda m: t(m,3,4).scatter(1, m.zeros(3, dtype=m.int64), 2.0)),
    ('scatter_add oob', IndexOutOfRangeError,
     lambda m: t(m,3,4).scatter_add(1, li(m,[[5],[0],[0]]), t(m,3,1))),
    ('scatter_add dims', ShapeError,
     lambda m: t(m,3,4).scatter_add(1, m.zeros(3, dtype=m.int64), t(m,3))),
    ('index_select oob', IndexOutOfRangeError, lambda m: m.index_select(t(m,3,4), 1, li(m,[7]))),
    ('index_select 2d', IndexDimsError, lambda m: m.index_select(t(m,3,4), 1, li(m,[[0]]))),
    ('index_select float', DTypeError, lambda m: m.index_select(t(m,3,4), 1, li(m,[0.0]))),
    ('index_add oob', IndexOutOfRangeError, lambda m: t(m,3,4).index_add(0, li(m,[5]), t(m,1,4))),
    ('index_add src shape', ShapeError, lambda m: t(m,3,4).index_add(0, li(m,[0]), t(m,1,3))),
    ('take oob', IndexOutOfRangeError, lambda m: m.take(t(m,3,4), li(m,[12]))),
    ('take float', DTypeError, lambda m: m.take(t(m,3,4), li(m,[1.0]))),
    ('masked_fill nonbool', DTypeError, lambda m: t(m,3).masked_fill(li(m,[1,0,1]), 0.0)),
    ('masked_fill shape', ShapeError, lambda m: t(m,3).masked_fill(li(m,[True,False]), 0.0)),
    ('repeat fewer', ShapeError, lambda m: t(m,2,3).repeat(2)),
    ('repeat negative', InvalidArgumentError, lambda m: t(m,2,3).repeat(2,-1)),
    ('tile negative', InvalidArgumentError, lambda m: m.tile(t(m,2,3), (2,-1))),
    ('roll mismatch', ShapeError, lambda m: m.roll(t(m,2,3), (1,2), (0,))),
    ('roll bad dim', IndexError, lambda m: m.roll(t(m,2,3), 1, 4)),
    ('flip repeated', ShapeError, lambda m: m.flip(t(m,2,3), (0,0))),
    ('flip bad dim', IndexError, lambda m: m.flip(t(m,2,3), (3,))),
    ('diagonal same', InvalidArgumentError, lambda m: m.diagonal(t(m,2,3), 0, 0, 0)),
    ('diagonal bad dim', IndexError, lambda m: m.diagonal(t(m,2,3), 0, 0, 5)),
    ('tril 1d', ShapeError, lambda m: m.tril(t(m,3))),
    ('triu 1d', ShapeError, lambda m: m.triu(t(m,3))),
    ('cumsum bad dim', IndexError, lambda m: m.cumsum(t(m,2,3), 2)),
    ('cumprod bad dim', IndexError, lambda m: m.cumprod(t(m,2,3), -3)),
    ('sort bad dim', IndexError, lambda m: m.sort(t(m,2,3), 2)),
    ('topk too large', InvalidArgumentError, lambda m: m.topk(t(m,2,3), 4)),
    ('topk neg', InvalidArgumentError, lambda m: m.topk(t(m,2,3), -1)),
    ('kthvalue too large', InvalidArgumentError, lambda m: m.kthvalue(t(m,2,3), 4)),
    ('kthvalue zero', InvalidArgumentError, lambda m: m.kthvalue(t(m,2,3), 0)),
    ('bincount neg', InvalidArgumentError, lambda m: m.bincount(li(m,[1,-1]))),
    ('bincount 2d', ShapeError, lambda m: m.bincount(li(m,[[1,1]]))),
    ('bincount float', DTypeNotImplementedError, lambda m: m.bincount(li(m,[1.0]))),
    ('bincount weights', ShapeError, lambda m: m.bincount(li(m,[1,2]), weights=li(m,[1.0]))),
    ('einsum bad eq', InvalidArgumentError, lambda m: m.einsum("ij,jk->il", t(m,2,3), t(m,3,4))),
    ('einsum wrong nops', InvalidArgumentError, lambda m: m.einsum("ij,jk->ik", t(m,2,3))),
    ('einsum dim mismatch', ShapeError, lambda m: m.einsum("ij,jk->ik", t(m,2,3), t(m,4,4))),
    ('mm shapes', ShapeError, lambda m: m.mm(t(m,2,3), t(m,2,3))),
    ('mm 1d', ShapeError, lambda m: m.mm(t(m,3), t(m,3,2))),
    ('bmm shapes', ShapeError, lambda m: m.bmm(t(m,2,2,3), t(m,2,2,3))),
    ('bmm batch', ShapeError, lambda m: m.bmm(t(m,2,2,3), t(m,3,3,2))),
    ('bmm 2d', ShapeError, lambda m: m.bmm(t(m,2,3), t(m,3,2))),
    ('mv shapes', ShapeError, lambda m: m.mv(t(m,2,3), t(m,2))),
    ('mv 2d vec', ShapeError, lambda m: m.mv(t(m,2,3), t(m,3,1))),
    ('dot shapes', ShapeError, lambda m: m.dot(t(m,3), t(m,2))),
    ('dot 2d', ShapeError, lambda m: m.dot(t(m,3,1), t(m,3,1))),
    ('outer 2d', ShapeError, lambda m: m.outer(t(m,3,1), t(m,2))),
    ('addmm shapes', ShapeError, lambda m: m.addmm(t(m,2,2), t(m,2,3), t(m,2,2))),
    ('addmm input', ShapeError, lambda m: m.addmm(t(m,3,3), t(m,2,3), t(m,3,2))),
    ('cross no 3', ShapeError, lambda m: m.cross(t(m,2,4), t(m,2,4), dim=1)),
    ('cross shape', ShapeError, lambda m: m.cross(t(m,2,3), t(m,3,3), dim=1)),
    ('inv nonsquare', ShapeError, lambda m: m.linalg.inv(t(m,2,3))),
    ('inv 1d', ShapeError, lambda m: m.linalg.inv(t(m,3))),
    ('det nonsquare', ShapeError, lambda m: m.linalg.det(t(m,2,3))),
    ('inv singular', LinAlgError, lambda m: m.linalg.inv(m.zeros(2,2))),
    ('cholesky nonpd', LinAlgError, lambda m: m.linalg.cholesky(-m.eye(2))),
    ('cholesky nonsquare', ShapeError, lambda m: m.linalg.cholesky(t(m,2,3))),
    ('solve shapes', ShapeError, lambda m: m.linalg.solve(m.eye(2), t(m,3))),
    ('layer_norm bad shape', ShapeError, lambda m: F(m).layer_norm(t(m,2,3), (4,))),
    ('layer_norm weight', ShapeError, lambda m: F(m).layer_norm(t(m,2,3), (3,), weight=t(m,4))),
    ('LayerNorm module', ShapeError, lambda m: m.nn.LayerNorm(4)(t(m,2,3))),
    ('group_norm groups', ShapeError, lambda m: F(m).group_norm(t(m,2,6,3), 4)),
    ('GroupNorm module', ValueError, lambda m: m.nn.GroupNorm(4, 6)),
    ('GroupNorm chans', ShapeError, lambda m: m.nn.GroupNorm(2, 6)(t(m,2,4,3))),
    ('batch_norm chans', ShapeError, lambda m: m.nn.BatchNorm1d(3)(t(m,2,4))),
    ('instance_norm', ValueError, lambda m: m.nn.InstanceNorm1d(3, affine=True)(t(m,2,4,5))),
    ('embedding oob', IndexError, lambda m: m.nn.Embedding(3,2)(li(m,[3]))),
    ('embedding neg', IndexError, lambda m: m.nn.Embedding(3,2)(li(m,[-1]))),
    ('embedding float', DTypeError, lambda m: m.nn.Embedding(3,2)(li(m,[1.0]))),
    ('F.embedding oob', IndexError, lambda m: F(m).embedding(li(m,[5]), t(m,3,2))),
    ('interp both', ValueError, lambda m: F(m).interpolate(t(m,1,1,4,4), size=2, scale_factor=2)),
    ('interp none', ValueError, lambda m: F(m).interpolate(t(m,1,1,4,4))),
    ('interp size len', ValueError, lambda m: F(m).interpolate(t(m,1,1,4,4), size=(2,2,2))),
    ('interp bad mode', ModeNotImplementedError,
     lambda m: F(m).interpolate(t(m,1,1,4,4), size=2, mode="foo")),
    ('interp bilinear 3d', InputDimsNotImplementedError,
     lambda m: F(m).interpolate(t(m,1,1,4), size=2, mode="bilinear")),
    ('interp align nearest', ValueError,
     lambda m: F(m).interpolate(t(m,1,1,4,4), size=2, align_corners=True)),
    ('interp 2d input', InputDimsNotImplementedError, lambda m: F(m).interpolate(t(m,4,4), size=2)),
    ('pad reflect big', ShapeError, lambda m: F(m).pad(t(m,1,1,3), (3,3), mode="reflect")),
    ('pad reflect 2d big', ShapeError, lambda m: F(m).pad(t(m,1,1,3,3), (1,1,3,3), mode="reflect")),
    ('pad odd', ShapeError, lambda m: F(m).pad(t(m,1,1,3), (1,))),
    ('pad circular big', ShapeError, lambda m: F(m).pad(t(m,1,1,3), (4,4), mode="circular")),
    ('unfold big kernel', ShapeError, lambda m: F(m).unfold(t(m,1,1,3,3), 4)),
    ('fold bad L', ShapeError, lambda m: F(m).fold(t(m,1,4,5), (3,3), 2)),
    ('fold bad C', ShapeError, lambda m: F(m).fold(t(m,1,5,4), (3,3), 2)),
    ('pixel_shuffle chans', ShapeError, lambda m: F(m).pixel_shuffle(t(m,1,3,2,2), 2)),
    ('pixel_shuffle 2d', ShapeError, lambda m: F(m).pixel_shuffle(t(m,4,2), 2)),
    ('pixel_unshuffle', ShapeError, lambda m: F(m).pixel_unshuffle(t(m,1,1,3,3), 2)),
    ('sdpa mismatch', ShapeError,
     lambda m: F(m).scaled_dot_product_attention(t(m,2,3,4), t(m,2,3,5), t(m,2,3,5))),
    ('sdpa v mismatch', ShapeError,
     lambda m: F(m).scaled_dot_product_attention(t(m,2,3,4), t(m,2,5,4), t(m,2,3,4))),
    ('sdpa mask', ShapeError,
     lambda m: F(m).scaled_dot_product_attention(t(m,2,3,4), t(m,2,3,4), t(m,2,3,4),
                                                 attn_mask=t(m,4,4))),
    ('lstm input size', ShapeError, lambda m: m.nn.LSTM(3, 4)(t(m,5,2,4))),
    ('lstm dims', ShapeError, lambda m: m.nn.LSTM(3, 4)(t(m,5,2,3,1))),
    ('gru input size', ShapeError, lambda m: m.nn.GRU(3, 4)(t(m,5,2,4))),
    ('rnn input size', ShapeError, lambda m: m.nn.RNN(3, 4)(t(m,5,2,4))),
    ('lstm h0', ShapeError, lambda m: m.nn.LSTM(3, 4)(t(m,5,2,3), (t(m,1,2,5), t(m,1,2,4)))),
    ('lstmcell', ShapeError, lambda m: m.nn.LSTMCell(3, 4)(t(m,2,4))),
    ('linear 1d weight bias', ShapeError, lambda m: F(m).linear(t(m,2,3), t(m,3), t(m,1))),
    ('linear wrong', ShapeError, lambda m: F(m).linear(t(m,2,3), t(m,4,4))),
    ('aap zero in', ShapeError, lambda m: F(m).adaptive_avg_pool2d(m.ones(1,2,0,4), 2)),
    ('aap neg', InvalidArgumentError, lambda m: F(m).adaptive_avg_pool2d(t(m,1,2,4,4), -1)),
    ('stack shapes', ShapeError, lambda m: m.stack([t(m,2), t(m,3)])),
    ('narrow oob', ShapeError, lambda m: t(m,3,4).narrow(1, 2, 5)),
    ('movedim rep', ShapeError, lambda m: m.movedim(t(m,2,3), (0,0), (0,1))),
    ('squeeze bad', IndexError, lambda m: t(m,2,3).squeeze(3)),
    ('unflatten bad', ShapeError, lambda m: t(m,2,6).unflatten(1, (4,2))),
    ('split bad', InvalidArgumentError, lambda m: t(m,2,6).split(0)),
    ('trace 1d', ShapeError, lambda m: m.trace(t(m,3))),
    ('one_hot neg', InvalidArgumentError, lambda m: F(m).one_hot(li(m,[-1]), 3)),
    ('one_hot oob', InvalidArgumentError, lambda m: F(m).one_hot(li(m,[3]), 3)),
    ('one_hot float', DTypeError, lambda m: F(m).one_hot(li(m,[1.0]), 3)),
    ('softmax dim', IndexError, lambda m: F(m).softmax(t(m,2,3), dim=2)),
    ('nll target shape', ShapeError, lambda m: F(m).nll_loss(t(m,2,3), li(m,[0,1,2]))),
    ('cosine_similarity shapes', ShapeError, lambda m: F(m).cosine_similarity(t(m,2,3), t(m,2,4))),
    ('conv groups', ShapeError, lambda m: F(m).conv2d(t(m,1,3,4,4), t(m,4,3,1,1), groups=2)),
    ('conv1d chans', ShapeError, lambda m: F(m).conv1d(t(m,1,3,4), t(m,4,2,1))),
    ('conv_t', ShapeError, lambda m: F(m).conv_transpose2d(t(m,1,3,4,4), t(m,2,4,1,1))),
    ('maxpool big', ShapeError, lambda m: F(m).max_pool2d(t(m,1,1,2,2), 3)),
    ('avgpool pad', ShapeError, lambda m: F(m).avg_pool2d(t(m,1,1,4,4), 2, padding=2)),
    ('maxpool pad', ShapeError, lambda m: F(m).max_pool2d(t(m,1,1,4,4), 2, padding=2)),
    ('glu odd', ShapeError, lambda m: F(m).glu(t(m,2,3))),
    ('prelu', ShapeError, lambda m: F(m).prelu(t(m,2,3), t(m,2))),
    ('histc', InvalidArgumentError, lambda m: m.histc(t(m,3), bins=-1)),
    ('logsumexp bad dim', IndexError, lambda m: m.logsumexp(t(m,2,3), dim=2)),
    ('var dim', IndexError, lambda m: m.var(t(m,2,3), dim=3)),
    ('norm p', IndexError, lambda m: m.linalg.vector_norm(t(m,2,3), dim=3)),
    ('matrix_norm 1d', ShapeError, lambda m: m.linalg.matrix_norm(t(m,3))),
    ('argsort bad dim', IndexError, lambda m: m.argsort(t(m,2,3), dim=3)),
    ('where shape', ShapeError, lambda m: m.where(t(m,2)>0, t(m,3), t(m,3))),
    ('expand', ShapeError, lambda m: t(m,2,3).expand(3,3)),
    ('unique dim', IndexError, lambda m: m.unique(t(m,2,3), dim=3)),
    ('meshgrid', ShapeError, lambda m: m.meshgrid(t(m,2,2), indexing="ij")),
    ('diag 3d', ShapeError, lambda m: m.diag(t(m,2,2,2))),
    ('diag_embed', InvalidArgumentError, lambda m: m.diag_embed(t(m,3), dim1=0, dim2=0)),
    ('cat dims', ShapeError, lambda m: m.cat([t(m,2,3), t(m,2)])),
    ('chunk neg', InvalidArgumentError, lambda m: t(m,4).chunk(-1)),
]


def _builtin_base(error):
    """The first builtin class in the MRO of `error`'s class (torch's own classes derive from
    one: torch.linalg.LinAlgError is a RuntimeError)."""
    return next(c for c in type(error).__mro__ if c.__module__ == "builtins")


@pytest.mark.parametrize("name, minigrad_class, call", CASES, ids=[c[0] for c in CASES])
def test_error_class_matches_torch(name, minigrad_class, call):
    with pytest.raises(Exception) as torch_error:
        call(torch)
    with pytest.raises(Exception) as error:
        call(mg)
    assert isinstance(error.value, _builtin_base(torch_error.value)), (
        f"{name}: torch raised {type(torch_error.value).__name__}, minigrad "
        f"{type(error.value).__mro__}")
    assert isinstance(error.value, minigrad_class)
    assert str(error.value), "the message must say what was expected and what was given"


@pytest.mark.parametrize("shape", [(2, 3), (3,), (4, 2, 3)])
def test_linear_with_1d_weight_matches_torch(shape):
    rng = np.random.default_rng(0)
    x_np, w_np = rng.standard_normal(shape), rng.standard_normal(3)
    x = mg.tensor(x_np, requires_grad=True)
    w = mg.tensor(w_np, requires_grad=True)
    tx = torch.tensor(x_np, requires_grad=True)
    tw = torch.tensor(w_np, requires_grad=True)
    out, expected = F(mg).linear(x, w), F(torch).linear(tx, tw)
    assert tuple(out.shape) == tuple(expected.shape)
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-12)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("output_size", [0, (3, 0), (None, 0)])
def test_adaptive_avg_pool2d_zero_output_size_matches_torch(output_size):
    x = np.arange(32.0).reshape(1, 2, 4, 4)
    out = F(mg).adaptive_avg_pool2d(mg.tensor(x), output_size)
    expected = F(torch).adaptive_avg_pool2d(torch.tensor(x), output_size)
    assert tuple(out.shape) == tuple(expected.shape)


def test_adaptive_avg_pool2d_empty_batch_matches_torch():
    x = np.zeros((0, 2, 4, 4))
    out = F(mg).adaptive_avg_pool2d(mg.tensor(x), 2)
    assert tuple(out.shape) == tuple(F(torch).adaptive_avg_pool2d(torch.tensor(x), 2).shape)
