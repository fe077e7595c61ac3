"""The short paths of a backward pass that is not recorded (sum's gradient as the backend's
view, relu's gradient through numpy on small maps, the root gradient made directly, the
engine's loop for nodes without hooks) give what the recorded (create_graph) path gives, and
leave leaves' gradients writable."""
import numpy as np
import pytest

import minigrad


def _leaf(shape, device, seed=0):
    data = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return minigrad.tensor(data, device=device, requires_grad=True)


@pytest.mark.parametrize("shape", [(), (1,), (1, 1), (3,), (2, 3)])
def test_a_leaf_gradient_from_sum_is_writable(device, shape):
    x = _leaf(shape, device)
    (x.sum() * 4.0).backward()
    x.grad.mul_(0.5)  # in place, as GradScaler.unscale_ does
    np.testing.assert_array_equal(x.grad.cpu().numpy(), np.full(shape, 2.0, np.float32))


@pytest.mark.parametrize("dim, keepdim", [(None, False), (0, False), ((0, 2), True), (1, True)])
def test_sum_gradient_matches_the_recorded_path(device, dim, keepdim):
    x = _leaf((2, 3, 4), device)
    weights = minigrad.tensor(np.arange(24, dtype=np.float32).reshape(2, 3, 4), device=device)
    out = x.sum() if dim is None else x.sum(dim=dim, keepdim=keepdim)
    upstream = minigrad.ones_like(out) * 3.0
    (plain,) = minigrad.autograd.grad(out, [x], upstream, retain_graph=True)
    (recorded,) = minigrad.autograd.grad(out, [x], upstream, create_graph=True)
    assert tuple(plain.shape) == tuple(recorded.shape) == (2, 3, 4)
    np.testing.assert_array_equal(plain.cpu().numpy(), recorded.cpu().numpy())
    (x * weights).sum().backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy(), weights.cpu().numpy())


@pytest.mark.parametrize("shape", [(), (4,), (3, 5), (70, 70)])  # 70 x 70: the kernel path
def test_relu_gradient_matches_the_recorded_path(device, shape):
    x = _leaf(shape, device, seed=1)
    if x.numel() > 1:
        with minigrad.no_grad():
            x.view(-1)[0] = float("nan")  # a NaN output passes its gradient
            x.view(-1)[1] = 0.0           # the gradient at 0 is 0
    y = x.relu()
    upstream = minigrad.tensor(np.random.default_rng(2).standard_normal(shape)
                               .astype(np.float32), device=device)
    (plain,) = minigrad.autograd.grad(y, [x], upstream, retain_graph=True)
    (recorded,) = minigrad.autograd.grad(y, [x], upstream, create_graph=True)
    assert tuple(plain.shape) == shape and plain.is_contiguous()
    np.testing.assert_array_equal(plain.cpu().numpy(), recorded.cpu().numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_the_root_gradient_has_the_output_dtype(device, dtype):
    x = _leaf((3,), device).to(dtype=getattr(minigrad, dtype)).detach().requires_grad_()
    x.sum().backward()
    assert x.grad.dtype is x.dtype
    np.testing.assert_array_equal(x.grad.float().cpu().numpy(), np.ones(3, np.float32))


def test_hooks_still_run_around_the_short_path(device):
    x = _leaf((2, 3), device)
    seen = []
    x.register_hook(lambda g: seen.append("leaf") or g * 2)
    y = x.relu()
    y.grad_fn.register_prehook(lambda grads: seen.append("pre"))
    y.grad_fn.register_hook(lambda grads_in, grads_out: seen.append("post"))
    y.sum().backward()
    assert seen == ["pre", "post", "leaf"]
    mask = (x.detach().cpu().numpy() > 0).astype(np.float32)
    np.testing.assert_array_equal(x.grad.cpu().numpy(), 2 * mask)
