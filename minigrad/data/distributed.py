"""`DistributedSampler`: each process of a data-parallel job reads its own equal share."""
import math

import numpy as np


class DistributedSampler:
    """Indices of `dataset` for one replica (process) out of `num_replicas`, PyTorch's rules.

    Every epoch the whole index list is shuffled the same way on every process (seeded by
    `seed + epoch`; call `set_epoch(epoch)` before each epoch, or every epoch reuses one
    order), then padded by repeating its head until it divides evenly (or, with `drop_last`,
    cut to a multiple of `num_replicas`), and replica r takes every `num_replicas`-th index
    starting at r. The shards are disjoint (apart from the padding), cover the dataset and
    have equal lengths, so every process runs the same number of steps.

    `num_replicas` and `rank` default to the default process group's world size and rank.
    The permutation comes from numpy's generator, so it differs from PyTorch's for the same
    seed (the shard rule is the same).
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0,
                 drop_last=False):
        if num_replicas is None or rank is None:
            from ..distributed import get_rank, get_world_size
            num_replicas = get_world_size() if num_replicas is None else num_replicas
            rank = get_rank() if rank is None else rank
        for name, value in (("num_replicas", num_replicas), ("rank", rank), ("seed", seed)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"DistributedSampler: {name} must be an int, got {value!r}")
        if num_replicas < 1:
            raise ValueError(f"DistributedSampler: num_replicas must be at least 1, got "
                             f"{num_replicas}")
        if not 0 <= rank < num_replicas:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas, self.rank = int(num_replicas), int(rank)
        self.shuffle, self.seed, self.drop_last = bool(shuffle), int(seed), bool(drop_last)
        self.epoch = 0
        n = len(dataset)
        if self.drop_last and n % self.num_replicas != 0:
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            indices = np.random.default_rng(self.seed + self.epoch).permutation(n).tolist()
        else:
            indices = list(range(n))
        if not self.drop_last:
            missing = self.total_size - len(indices)
            if missing > 0:
                repeats = math.ceil(missing / len(indices))
                indices += (indices * repeats)[:missing]
        else:
            indices = indices[:self.total_size]
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Use epoch `epoch`'s order on the next iteration (the same on every replica)."""
        self.epoch = epoch
