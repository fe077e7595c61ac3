"""Samplers, ConcatDataset and default_collate, against torch.utils.data's."""
from collections import namedtuple

import numpy as np
import pytest

import minigrad
from minigrad.utils.data import (BatchSampler, ConcatDataset, RandomSampler,
                                 SequentialSampler, SubsetRandomSampler, TensorDataset,
                                 WeightedRandomSampler, default_collate)

torch_data = pytest.importorskip("torch.utils.data")


@pytest.mark.parametrize("n, size, drop_last", [(10, 3, False), (10, 3, True), (9, 3, True),
                                                (2, 5, False), (0, 2, False)])
def test_batch_sampler_matches_torch(n, size, drop_last):
    ours = BatchSampler(SequentialSampler(range(n)), size, drop_last)
    theirs = torch_data.BatchSampler(torch_data.SequentialSampler(range(n)), size, drop_last)
    assert list(ours) == list(theirs)
    assert len(ours) == len(theirs)


@pytest.mark.parametrize("bad", [0, -1, 2.0, True])
def test_batch_sampler_rejects_bad_sizes_like_torch(bad):
    with pytest.raises(ValueError, match="batch_size"):
        torch_data.BatchSampler(range(3), bad, False)
    with pytest.raises(ValueError, match="batch_size"):
        BatchSampler(range(3), bad, False)


def test_random_sampler_is_a_seeded_permutation():
    g = minigrad.Generator().manual_seed(0)
    order = list(RandomSampler(range(7), generator=g))
    assert sorted(order) == list(range(7))
    again = list(RandomSampler(range(7), generator=minigrad.Generator().manual_seed(0)))
    assert order == again
    minigrad.manual_seed(1)
    a = list(RandomSampler(range(50)))
    minigrad.manual_seed(1)
    assert list(RandomSampler(range(50))) == a


def test_random_sampler_num_samples_and_replacement():
    s = RandomSampler(range(3), num_samples=7)
    drawn = list(s)
    assert len(s) == len(drawn) == len(torch_data.RandomSampler(range(3), num_samples=7))
    assert sorted(drawn[:3]) == [0, 1, 2] and sorted(drawn[3:6]) == [0, 1, 2]
    with_replacement = list(RandomSampler(range(3), replacement=True, num_samples=20))
    assert len(with_replacement) == 20 and set(with_replacement) <= {0, 1, 2}
    with pytest.raises(ValueError, match="num_samples"):
        torch_data.RandomSampler(range(3), num_samples=0)
    with pytest.raises(ValueError, match="num_samples"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(TypeError, match="generator"):
        list(RandomSampler(range(3), generator=42))


def test_subset_and_weighted_samplers():
    drawn = list(SubsetRandomSampler([5, 7, 9]))
    assert sorted(drawn) == [5, 7, 9]
    w = WeightedRandomSampler([0.0, 1.0, 0.0], 6)
    assert list(w) == [1] * 6 and len(w) == 6
    no_repeat = list(WeightedRandomSampler([1, 1, 1, 0], 3, replacement=False))
    assert sorted(no_repeat) == [0, 1, 2]
    with pytest.raises(ValueError, match="without replacement"):
        WeightedRandomSampler([1, 0], 2, replacement=False)
    with pytest.raises(ValueError, match="non-negative"):
        WeightedRandomSampler([1, -1], 2)


def test_concat_dataset_matches_torch():
    parts = [list(range(3)), list(range(10, 14))]
    ours, theirs = ConcatDataset(parts), torch_data.ConcatDataset(parts)
    assert len(ours) == len(theirs) == 7
    assert ours.cumulative_sizes == theirs.cumulative_sizes
    assert [ours[i] for i in range(-7, 7)] == [theirs[i] for i in range(-7, 7)]
    with pytest.raises(IndexError):
        ours[7]
    x = minigrad.arange(4).float()
    joined = TensorDataset(x) + TensorDataset(x * 2)
    assert isinstance(joined, ConcatDataset) and joined[5][0].item() == 2.0
    with pytest.raises(ValueError, match="empty"):
        ConcatDataset([])


Point = namedtuple("Point", "x y")


def _same(ours, theirs):
    """Whether a collated minigrad batch has the structure, dtypes and values of torch's."""
    if isinstance(theirs, dict):
        return type(ours) is dict and ours.keys() == theirs.keys() and \
            all(_same(ours[k], theirs[k]) for k in theirs)
    if isinstance(theirs, (list, tuple)):
        return type(ours) is type(theirs) and len(ours) == len(theirs) and \
            all(_same(a, b) for a, b in zip(ours, theirs))
    if isinstance(theirs, str):
        return ours == theirs
    return str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1] and \
        np.array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("samples", [
    [(1, 2.0), (3, 4.0)],
    [[1, 2], [3, 4]],
    [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}],
    [Point(1, 2.5), Point(3, 4.5)],
    [np.float64(1), np.float64(2)],
    [np.ones((2, 2), np.float32), np.zeros((2, 2), np.float32)],
    [(np.arange(3), 1), (np.arange(3) + 1, 0)],
    [True, False],
    ["a", "b"],
])
def test_default_collate_matches_torch(samples):
    torch = pytest.importorskip("torch")

    def as_torch(sample):
        if isinstance(sample, minigrad.Tensor):
            return torch.tensor(sample.numpy())
        return sample
    assert _same(default_collate(samples), torch_data.default_collate(samples))
    tensors = [minigrad.ones(2) * i for i in range(3)]
    assert _same(default_collate(tensors),
                 torch_data.default_collate([as_torch(t) for t in tensors]))
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([(1, 2), (3,)])
