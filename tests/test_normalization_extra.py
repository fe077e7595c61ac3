"""layer_norm, rms_norm, group_norm, instance_norm, normalize, cosine_similarity,
pairwise_distance and embedding, and their modules: values and gradients of every argument
against PyTorch on hypothesis-drawn shapes and layouts, gradcheck and gradgradcheck in float64,
running statistics, state_dicts loaded from torch, and errors."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.testing import tensors

from layer_checks import assert_matches_torch, finite_differences_add_coverage

TOL = dict(rtol=1e-10, atol=1e-10)


def _param(data, shape, device, lo=0.5, hi=1.5):
    return data.draw(tensors(st.just(shape), device=device, min_value=lo, max_value=hi))


@given(data=st.data(), trailing=st.integers(1, 2), affine=st.booleans())
def test_layer_norm_and_rms_norm_match_torch(device, data, trailing, affine):
    torch = pytest.importorskip("torch")
    shape = data.draw(st.lists(st.integers(1, 3), min_size=trailing, max_size=3))
    shape = tuple(shape) + ((2,) if all(n == 1 for n in shape[-trailing:]) else ())
    norm_shape = shape[len(shape) - trailing:]
    x = data.draw(tensors(st.just(shape), device=device))
    w = _param(data, norm_shape, device) if affine else None
    b = _param(data, norm_shape, device, -1, 1) if affine else None
    inputs = [x, w, b]
    assert_matches_torch(lambda *a: F.layer_norm(a[0], norm_shape, a[1], a[2], 1e-3),
                         lambda *a: torch.nn.functional.layer_norm(a[0], norm_shape, a[1], a[2],
                                                                   1e-3), inputs, **TOL)
    assert_matches_torch(lambda a, c: F.rms_norm(a, norm_shape, c),
                         lambda a, c: torch.nn.functional.rms_norm(a, norm_shape, c),
                         [x, w], **TOL)
    leaves = [t for t in inputs if t is not None]
    assert minigrad.gradgradcheck(
        lambda *a: F.layer_norm(a[0], norm_shape, *(a[1:] if affine else (None, None)), 1e-3),
        leaves)
    assert minigrad.gradgradcheck(
        lambda *a: F.rms_norm(a[0], norm_shape, a[1] if affine else None, 1e-3), leaves[:2])


@given(data=st.data(), groups=st.sampled_from([1, 2, 4]), spatial=st.integers(0, 2))
def test_group_norm_matches_torch(device, data, groups, spatial):
    torch = pytest.importorskip("torch")
    # torch refuses one value per group (N * C / G * spatial == 1): keep two or more
    shape = (data.draw(st.integers(2 if spatial == 0 else 1, 2)), 4) + tuple(
        data.draw(st.integers(2, 3)) for _ in range(spatial))
    x = data.draw(tensors(st.just(shape), device=device))
    w, b = _param(data, (4,), device), _param(data, (4,), device, -1, 1)
    assert_matches_torch(lambda *a: F.group_norm(a[0], groups, a[1], a[2]),
                         lambda *a: torch.nn.functional.group_norm(a[0], groups, a[1], a[2]),
                         [x, w, b], **TOL)
    if finite_differences_add_coverage(device):
        assert minigrad.gradgradcheck(lambda *a: F.group_norm(a[0], groups, a[1], a[2]),
                                      [x, w, b])


@given(data=st.data(), spatial=st.integers(1, 3))
def test_instance_norm_matches_torch_with_running_statistics(device, data, spatial):
    torch = pytest.importorskip("torch")
    shape = (data.draw(st.integers(1, 2)), 3) + (2,) + tuple(
        data.draw(st.integers(1, 2)) for _ in range(spatial - 1))
    x = data.draw(tensors(st.just(shape), device=device))
    w, b = _param(data, (3,), device), _param(data, (3,), device, -1, 1)
    rm, rv = np.array([0.1, -0.2, 0.3]), np.array([1.0, 2.0, 0.5])
    mine = [minigrad.tensor(a, device=device) for a in (rm, rv)]
    theirs = [torch.tensor(a) for a in (rm, rv)]
    assert_matches_torch(
        lambda *a: F.instance_norm(a[0], *mine, a[1], a[2], momentum=0.3),
        lambda *a: torch.nn.functional.instance_norm(a[0], *theirs, a[1], a[2], momentum=0.3),
        [x, w, b], **TOL)
    for m, t in zip(mine, theirs):
        np.testing.assert_allclose(m.numpy(), t.numpy(), **TOL)
    assert_matches_torch(
        lambda *a: F.instance_norm(a[0], *mine, a[1], a[2], use_input_stats=False),
        lambda *a: torch.nn.functional.instance_norm(a[0], *theirs, a[1], a[2],
                                                     use_input_stats=False), [x, w, b], **TOL)
    assert minigrad.gradgradcheck(lambda *a: F.instance_norm(a[0], None, None, a[1], a[2]),
                                  [x, w, b])


TRACKED = {"affine": True, "track_running_stats": True}


@pytest.mark.parametrize("name,args,shape,options", [
    ("InstanceNorm1d", (3,), (2, 3, 4), {}), ("InstanceNorm1d", (3,), (3, 4), TRACKED),
    ("InstanceNorm2d", (3,), (2, 3, 2, 3), TRACKED), ("InstanceNorm3d", (3,), (1, 3, 2, 2, 2), {}),
    ("InstanceNorm3d", (3,), (1, 3, 2, 2, 2), TRACKED), ("BatchNorm3d", (3,), (2, 3, 2, 1, 2), {}),
    ("LayerNorm", ((2, 3),), (2, 2, 3), {}), ("GroupNorm", (3, 3), (2, 3, 4), {}),
    ("RMSNorm", (4,), (2, 4), {})])
def test_modules_match_torch_from_the_same_state_dict(device, name, args, shape, options):
    torch = pytest.importorskip("torch")
    theirs = getattr(torch.nn, name)(*args, **options).double()
    mine = getattr(nn, name)(*args, **options).double()
    assert repr(mine) == repr(theirs)
    assert list(mine.state_dict()) == list(theirs.state_dict())
    with torch.no_grad():
        for p in theirs.parameters():
            p.uniform_(0.5, 1.5)
    mine.load_state_dict({k: minigrad.tensor(v.numpy()) for k, v in
                          theirs.state_dict().items()})
    mine.to(device)
    x = np.random.default_rng(2).standard_normal(shape)
    for training in (True, False):
        mine.train(training)
        theirs.train(training)
        out = mine(minigrad.tensor(x, device=device)).numpy()
        np.testing.assert_allclose(out, theirs(torch.tensor(x)).detach().numpy(), **TOL)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(mine.state_dict()[key].numpy(), value.numpy(), **TOL)


@given(data=st.data(), p=st.sampled_from([1.0, 2.0, 3.0, float("inf")]), dim=st.integers(-2, 1))
def test_normalize_matches_torch(device, data, p, dim):
    torch = pytest.importorskip("torch")
    shape = st.tuples(st.integers(1, 3), st.integers(1, 3))
    if p == float("inf"):  # the max norm has no derivative where two |x| tie for the largest
        x = data.draw(tensors(shape, device=device, min_value=0.1, distinct=True, margin=0.05))
    else:
        x = data.draw(tensors(shape, device=device, away_from=0, margin=0.05))
    assert_matches_torch(lambda t: F.normalize(t, p, dim),
                         lambda t: torch.nn.functional.normalize(t, p, dim), [x], **TOL)
    assert minigrad.gradgradcheck(lambda t: F.normalize(t, p, dim), [x])


def test_normalize_of_a_zero_vector_has_a_zero_gradient_as_torch(device):
    torch = pytest.importorskip("torch")
    x = minigrad.zeros(2, 3, dtype=minigrad.float64, device=device, requires_grad=True)
    assert_matches_torch(F.normalize, torch.nn.functional.normalize, [x], **TOL)


@given(data=st.data(), dim=st.integers(-1, 1))
def test_cosine_similarity_broadcasts_and_matches_torch(device, data, dim):
    torch = pytest.importorskip("torch")
    # away from the zero vector, where eps clamps the norm and the gradient is not defined
    a = data.draw(tensors(st.just((3, 4)), device=device, away_from=0, margin=0.1))
    b = data.draw(tensors(st.sampled_from([(3, 4), (1, 4), (4,)]), device=device, away_from=0,
                          margin=0.1))
    if b.ndim == 1 and dim == 1:
        dim = -1
    assert_matches_torch(lambda x, y: F.cosine_similarity(x, y, dim),
                         lambda x, y: torch.nn.functional.cosine_similarity(x, y, dim), [a, b],
                         **TOL)
    if finite_differences_add_coverage(device):
        assert minigrad.gradgradcheck(lambda x, y: F.cosine_similarity(x, y, dim), [a, b])


@given(data=st.data(), p=st.sampled_from([1.0, 2.0, 3.0]), keepdim=st.booleans())
def test_pairwise_distance_matches_torch(device, data, p, keepdim):
    torch = pytest.importorskip("torch")
    a = data.draw(tensors(st.sampled_from([(3, 4), (4,)]), device=device, min_value=0.5,
                          max_value=2))
    b = data.draw(tensors(st.sampled_from([(3, 4), (1, 4), (4,)]), device=device,
                          min_value=-2, max_value=-0.5))
    assert_matches_torch(lambda x, y: F.pairwise_distance(x, y, p, keepdim=keepdim),
                         lambda x, y: torch.nn.functional.pairwise_distance(
                             x, y, p, keepdim=keepdim), [a, b], **TOL)
    if finite_differences_add_coverage(device):
        assert minigrad.gradcheck(lambda x, y: F.pairwise_distance(x, y, p), [a, b])


@pytest.mark.parametrize("padding_idx", [None, 1, -1])
@pytest.mark.parametrize("scale_grad_by_freq", [False, True])
def test_embedding_matches_torch(device, padding_idx, scale_grad_by_freq):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    weight = minigrad.tensor(rng.standard_normal((5, 3)), device=device, requires_grad=True)
    index = np.array([[1, 4, 1], [0, 1, 3]])
    mine_idx = minigrad.tensor(index, device=device)
    torch_idx = torch.tensor(index)
    assert_matches_torch(
        lambda w: F.embedding(mine_idx, w, padding_idx, scale_grad_by_freq=scale_grad_by_freq),
        lambda w: torch.nn.functional.embedding(torch_idx, w, padding_idx,
                                                scale_grad_by_freq=scale_grad_by_freq),
        [weight], **TOL)
    if finite_differences_add_coverage(device):
        assert minigrad.gradgradcheck(lambda w: F.embedding(mine_idx, w, padding_idx) ** 2,
                                      [weight])


def test_embedding_max_norm_renormalises_the_looked_up_rows_in_place(device):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    values = rng.standard_normal((6, 4)) * 2
    index = np.array([0, 2, 2, 5])
    mine = minigrad.tensor(values, device=device, requires_grad=True)
    theirs = torch.tensor(values, requires_grad=True)
    out = F.embedding(minigrad.tensor(index, device=device), mine, max_norm=1.5, norm_type=3)
    expected = torch.nn.functional.embedding(torch.tensor(index), theirs, max_norm=1.5,
                                             norm_type=3)
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), **TOL)
    np.testing.assert_allclose(mine.detach().numpy(), theirs.detach().numpy(), **TOL)


def test_embedding_module_init_from_pretrained_and_state_dict(device):
    torch = pytest.importorskip("torch")
    layer = nn.Embedding(7, 3, padding_idx=2)
    assert repr(layer) == repr(torch.nn.Embedding(7, 3, padding_idx=2))
    assert list(layer.state_dict()) == ["weight"]
    np.testing.assert_array_equal(layer.weight.detach().numpy()[2], 0.0)
    assert 0.5 < layer.weight.detach().numpy().std() < 1.5
    layer.to(device)
    out = layer(minigrad.tensor([[2, 0]], device=device))
    assert tuple(out.shape) == (1, 2, 3)
    out.sum().backward()
    np.testing.assert_array_equal(layer.weight.grad.numpy()[[0, 2]], [[1.0] * 3, [0.0] * 3])
    pretrained = minigrad.tensor(np.arange(6.0).reshape(3, 2), device=device)
    frozen = nn.Embedding.from_pretrained(pretrained)
    assert not frozen.weight.requires_grad
    np.testing.assert_array_equal(frozen(minigrad.tensor([2], device=device)).numpy(),
                                  [[4.0, 5.0]])
    assert nn.Embedding.from_pretrained(pretrained, freeze=False).weight.requires_grad


def test_errors_name_what_was_wrong():
    with pytest.raises(ValueError, match="normalized_shape"):
        F.layer_norm(minigrad.randn(2, 3), (2,))
    with pytest.raises(ValueError, match="divisible"):
        F.group_norm(minigrad.randn(2, 3, 4), 2)
    with pytest.raises(ValueError, match="divisible"):
        nn.GroupNorm(2, 3)
    with pytest.raises(ValueError, match="more than 1 value"):
        F.group_norm(minigrad.randn(1, 4), 4)
    with pytest.raises(ValueError, match="3D or 4D"):
        nn.InstanceNorm2d(3)(minigrad.randn(3, 3))
    with pytest.raises(IndexError, match="out of range"):
        F.embedding(minigrad.tensor([5]), minigrad.randn(5, 2))
    with pytest.raises(TypeError, match="integer"):
        F.embedding(minigrad.tensor([1.0]), minigrad.randn(5, 2))
    with pytest.raises(ValueError, match="padding_idx"):
        nn.Embedding(3, 2, padding_idx=3)
    with pytest.raises(ValueError, match="BatchNorm3d"):
        nn.BatchNorm3d(3)(minigrad.randn(2, 3, 4, 4))
