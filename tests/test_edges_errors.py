"""Bad calls raise an exception that code written for PyTorch catches: for each call below,
minigrad's error is an instance of the class PyTorch raises (minigrad's own classes derive
from both their older class, such as ValueError, and PyTorch's, such as RuntimeError)."""
import pytest

import minigrad
from minigrad import errors

try:
    import torch
except ImportError:
    torch = None

pytestmark = pytest.mark.filterwarnings("ignore:.*target size")  # mse_loss_shapes warns first


def _f(lib):
    return lib.nn.functional


# name -> (bad call of a library (minigrad or torch), the class PyTorch raises)
BAD_CALLS = {
    "matmul_shapes": (lambda L: L.zeros(2, 3) @ L.zeros(4, 5), RuntimeError),
    "matmul_vectors": (lambda L: L.zeros(3) @ L.zeros(4), RuntimeError),
    "matmul_0d": (lambda L: L.tensor(1.0) @ L.zeros(3), RuntimeError),
    "matmul_batch": (lambda L: L.zeros(2, 2, 3) @ L.zeros(3, 3, 4), RuntimeError),
    "linear_shapes": (lambda L: _f(L).linear(L.zeros(2, 3), L.zeros(4, 5)), RuntimeError),
    "linear_layer": (lambda L: L.nn.Linear(3, 4)(L.zeros(2, 5)), RuntimeError),
    "permute_repeat": (lambda L: L.zeros(2, 3).permute(0, 0), RuntimeError),
    "permute_length": (lambda L: L.zeros(2, 3).permute(0), RuntimeError),
    "permute_range": (lambda L: L.zeros(2, 3).permute(0, 2), IndexError),
    "reshape_size": (lambda L: L.zeros(2, 3).reshape(4), RuntimeError),
    "reshape_two_unknown": (lambda L: L.zeros(2, 3).reshape(-1, -1), RuntimeError),
    "view_size": (lambda L: L.zeros(2, 3).view(5), RuntimeError),
    "view_strides": (lambda L: L.zeros(2, 3).t().view(6), RuntimeError),
    "expand_size": (lambda L: L.zeros(2, 3).expand(4, 3), RuntimeError),
    "expand_dims": (lambda L: L.zeros(2, 3).expand(3), RuntimeError),
    "cat_shapes": (lambda L: L.cat([L.zeros(2, 3), L.zeros(2, 4)]), RuntimeError),
    "cat_empty": (lambda L: L.cat([]), ValueError),
    "stack_shapes": (lambda L: L.stack([L.zeros(2), L.zeros(3)]), RuntimeError),
    "narrow_range": (lambda L: L.zeros(3).narrow(0, 2, 2), RuntimeError),
    "broadcast_add": (lambda L: L.zeros(2, 3) + L.zeros(4), RuntimeError),
    "broadcast_where": (lambda L: L.where(L.zeros(2, 3) > 0, L.zeros(4), 0.0), RuntimeError),
    "clamp_no_bounds": (lambda L: L.zeros(3).clamp(), RuntimeError),
    "clamp_none_none": (lambda L: L.clamp(L.zeros(3), None, None), RuntimeError),
    "int_negative_power": (lambda L: L.tensor([1, 2]) ** -1, RuntimeError),
    "chunk_zero": (lambda L: L.zeros(4).chunk(0), RuntimeError),
    "split_sizes": (lambda L: L.zeros(4).split([1, 2]), RuntimeError),
    "conv_kernel_too_big": (lambda L: _f(L).conv2d(L.zeros(1, 1, 2, 2), L.zeros(1, 1, 3, 3)),
                            RuntimeError),
    "conv_channels": (lambda L: _f(L).conv2d(L.zeros(1, 2, 5, 5), L.zeros(1, 1, 3, 3)),
                      RuntimeError),
    "conv_padding_length": (lambda L: _f(L).conv2d(L.zeros(1, 1, 5, 5), L.zeros(1, 1, 3, 3),
                                                   padding=(1, 1, 1)), RuntimeError),
    "conv_stride_length": (lambda L: _f(L).conv2d(L.zeros(1, 1, 5, 5), L.zeros(1, 1, 3, 3),
                                                  stride=(1, 1, 1)), RuntimeError),
    "conv_dtypes": (lambda L: _f(L).conv2d(L.zeros(1, 1, 5, 5),
                                           L.zeros(1, 1, 3, 3, dtype=L.float64)), RuntimeError),
    "conv1d_kernel_too_big": (lambda L: _f(L).conv1d(L.zeros(1, 1, 2), L.zeros(1, 1, 3)),
                              RuntimeError),
    "pool_padding_length": (lambda L: _f(L).max_pool2d(L.zeros(1, 1, 4, 4), 2,
                                                       padding=(1, 1, 1)), RuntimeError),
    "pool_kernel_length": (lambda L: _f(L).max_pool2d(L.zeros(1, 1, 4, 4), (2, 2, 2)),
                           RuntimeError),
    "pool_kernel_too_big": (lambda L: _f(L).max_pool2d(L.zeros(1, 1, 2, 2), 3), RuntimeError),
    "pool_padding_too_big": (lambda L: _f(L).max_pool2d(L.zeros(1, 1, 4, 4), 2, padding=2),
                             RuntimeError),
    "avg_pool_padding_length": (lambda L: _f(L).avg_pool2d(L.zeros(1, 1, 4, 4), 2,
                                                           padding=(1, 1, 1)), RuntimeError),
    "pool_empty_channels": (lambda L: _f(L).max_pool2d(L.zeros(2, 0, 4, 4), 2), RuntimeError),
    "pad_mode": (lambda L: _f(L).pad(L.zeros(1, 1, 3, 3), (1, 1), mode="mirror"),
                 NotImplementedError),
    "pad_odd_length": (lambda L: _f(L).pad(L.zeros(3, 3), (1, 1, 1)), RuntimeError),
    "pad_too_long": (lambda L: _f(L).pad(L.zeros(3), (1, 1, 1, 1)), RuntimeError),
    "cross_entropy_float_column": (lambda L: _f(L).cross_entropy(L.zeros(3, 4),
                                                                 L.zeros(3, 1)), RuntimeError),
    "cross_entropy_long_column": (lambda L: _f(L).cross_entropy(
        L.zeros(3, 4), L.zeros(3, 1, dtype=L.int64)), RuntimeError),
    "cross_entropy_batch": (lambda L: _f(L).cross_entropy(L.zeros(3, 4),
                                                          L.zeros(2, dtype=L.int64)), ValueError),
    "nll_loss_long_probabilities": (lambda L: _f(L).cross_entropy(
        L.zeros(3, 4), L.zeros(3, 4, dtype=L.int64)), RuntimeError),
    "mse_loss_shapes": (lambda L: _f(L).mse_loss(L.zeros(2, 3), L.zeros(4)), RuntimeError),
    "batch_norm_channels": (lambda L: _f(L).batch_norm(L.zeros(2, 3), L.zeros(4), L.ones(4)),
                            RuntimeError),
    "batch_norm_one_value": (lambda L: _f(L).batch_norm(L.zeros(1, 3), None, None,
                                                        training=True), ValueError),
    "max_of_empty": (lambda L: L.zeros(0, 3).max(), RuntimeError),
    "argmax_of_empty": (lambda L: L.zeros(0).argmax(), IndexError),
    "amax_empty_dim": (lambda L: L.zeros(0, 3).amax(0), IndexError),
    "sum_dim_range": (lambda L: L.zeros(2, 3).sum(2), IndexError),
    "softmax_dim_range": (lambda L: _f(L).softmax(L.zeros(2, 3), 2), IndexError),
    "squeeze_dim_range": (lambda L: L.zeros(2, 3).squeeze(3), IndexError),
    "transpose_dim_range": (lambda L: L.zeros(2, 3).transpose(0, 2), IndexError),
    "item_of_many": (lambda L: L.zeros(2, 3).item(), RuntimeError),
    "bool_of_many": (lambda L: bool(L.zeros(2, 3)), RuntimeError),
    "inplace_broadcast": (lambda L: L.zeros(3).add_(L.zeros(2, 3)), RuntimeError),
    "inplace_dtype": (lambda L: L.zeros(3, dtype=L.int64).add_(1.5), RuntimeError),
    "setitem_shape": (lambda L: L.zeros(2, 3).__setitem__(0, L.zeros(2)), RuntimeError),
    "index_out_of_range": (lambda L: L.zeros(2, 3)[2], IndexError),
    "index_float": (lambda L: L.zeros(2, 3)[L.zeros(1)], IndexError),
    "requires_grad_int": (lambda L: L.zeros(3, dtype=L.int64).requires_grad_(), RuntimeError),
    "negative_size": (lambda L: L.zeros(-1), RuntimeError),
    "arange_zero_step": (lambda L: L.arange(0, 3, 0), RuntimeError),
    "randint_range": (lambda L: L.randint(3, 3, (2,)), RuntimeError),
    "linspace_bool": (lambda L: L.linspace(5, 10, 3, dtype=L.bool), NotImplementedError),
    "rand_int": (lambda L: L.rand(2, dtype=L.int64), NotImplementedError),
    "one_hot_range": (lambda L: _f(L).one_hot(L.tensor([0, 5]), 3), RuntimeError),
    "dropout_p": (lambda L: _f(L).dropout(L.zeros(3), 1.5), ValueError),
    "conv_groups": (lambda L: L.nn.Conv2d(3, 4, 3, groups=2), ValueError),
    "ragged_data": (lambda L: L.tensor([[1], [2, 3]]), ValueError),
    "int64_overflow": (lambda L: L.tensor([2**63]), ValueError),
    "backward_non_scalar": (lambda L: L.zeros(2, requires_grad=True).exp().backward(),
                            RuntimeError),
    "unknown_device": (lambda L: L.zeros(2).to("tpu"), RuntimeError),
    "stack_empty": (lambda L: L.stack([]), RuntimeError),
    "expand_negative": (lambda L: L.zeros(1).expand(-2), RuntimeError),
    "permute_too_many": (lambda L: L.zeros(2).permute(0, 1), RuntimeError),
    "transpose_0d_range": (lambda L: L.zeros(()).transpose(0, 1), IndexError),
    "float_size": (lambda L: L.zeros(2.5), TypeError),
    "mean_of_int": (lambda L: L.zeros(3, dtype=L.int64).mean(), RuntimeError),
    "softmax_of_int": (lambda L: _f(L).softmax(L.zeros(3, dtype=L.int64), 0),
                       NotImplementedError),
    "bce_outside_0_1": (lambda L: _f(L).binary_cross_entropy(L.full((3,), 2.0), L.zeros(3)),
                        RuntimeError),
    "nll_label_range": (lambda L: _f(L).nll_loss(L.zeros(3, 4), L.tensor([0, 1, 9])),
                        IndexError),
    "cross_entropy_weight_shape": (lambda L: _f(L).cross_entropy(
        L.zeros(3, 4), L.zeros(3, dtype=L.int64), weight=L.ones(3)), RuntimeError),
    "one_hot_float": (lambda L: _f(L).one_hot(L.zeros(3), 3), RuntimeError),
    "where_float_condition": (lambda L: L.where(L.zeros(2), L.zeros(2), L.zeros(2)),
                              RuntimeError),
    "sum_dim_repeated": (lambda L: L.zeros(2, 3).sum((1, 1)), RuntimeError),
    "std_dim_repeated": (lambda L: L.zeros(2, 3).std((0, 0)), RuntimeError),
    "batch_norm_eval_without_stats": (lambda L: _f(L).batch_norm(L.zeros(2, 3), None, None),
                                      RuntimeError),
    "adaptive_pool_negative": (lambda L: _f(L).adaptive_avg_pool2d(L.zeros(1, 1, 4, 4), -1),
                               RuntimeError),
}


@pytest.mark.parametrize("name", list(BAD_CALLS))
def test_minigrad_raises_what_torch_raises(name):
    call, expected = BAD_CALLS[name]
    with pytest.raises(expected) as info:
        call(minigrad)
    assert str(info.value), "the error must say what was expected and what was given"


@pytest.mark.skipif(torch is None, reason="needs torch")
@pytest.mark.parametrize("name", list(BAD_CALLS))
def test_the_table_is_what_torch_raises(name):
    call, expected = BAD_CALLS[name]
    with pytest.raises(expected):
        call(torch)


@pytest.mark.parametrize("cls, bases", [
    (errors.ShapeError, (ValueError, RuntimeError)),
    (errors.InvalidArgumentError, (ValueError, RuntimeError)),
    (errors.DTypeError, (TypeError, RuntimeError)),
    (errors.DTypeNotImplementedError, (TypeError, NotImplementedError)),
    (errors.ModeNotImplementedError, (ValueError, NotImplementedError)),
    (errors.IntegerOverflowError, (ValueError, TypeError)),
    (errors.SizeArgumentError, (TypeError, ValueError, RuntimeError)),
    (errors.EmptyReductionError, (ValueError, RuntimeError, IndexError)),
    (errors.LabelOutOfRangeError, (ValueError, IndexError)),
])
def test_error_classes_are_caught_both_ways(cls, bases):
    for base in bases:
        with pytest.raises(base):
            raise cls("message")


def test_old_classes_still_catch_the_errors():
    with pytest.raises(ValueError):
        minigrad.zeros(2, 3) @ minigrad.zeros(4, 5)
    with pytest.raises(ValueError):
        minigrad.zeros(2, 3).reshape(4)
    with pytest.raises(ValueError):
        minigrad.zeros(3).clamp()
    with pytest.raises(TypeError):
        minigrad.zeros(3, dtype=minigrad.int64).requires_grad_()
