"""The rest of torch.nn's everyday layers: alpha dropout, LP, fractional and 3-d adaptive max
pooling, max unpooling, the triplet loss with a custom distance, the adaptive softmax, the
lazy 3-d layers, `NLLLoss2d`, and the public names of the recurrent base classes (`RNNBase`,
`RNNCellBase`, which RNN/LSTM/GRU and the cells derive from, so isinstance checks work)."""
from collections import namedtuple

from ..._args import int_tuple
from ...creation import arange, zeros
from ...errors import InvalidArgumentError, ShapeError
from ...functions.shape import cat
from .. import functional as F
from ..container import ModuleList, Sequential
from ..module import Module
from .dropout import _DropoutNd
from .linear import Linear
from .loss import NLLLoss
from .normalization_extra import PairwiseDistance
from .pooling import _AdaptiveMaxPoolNd
from .rnn import RNNBase, RNNCellBase

__all__ = ["AdaptiveLogSoftmaxWithLoss", "AdaptiveMaxPool3d", "AlphaDropout",
           "FeatureAlphaDropout", "FractionalMaxPool2d", "LPPool1d", "LPPool2d", "LPPool3d",
           "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d", "NLLLoss2d", "RNNBase", "RNNCellBase",
           "TripletMarginWithDistanceLoss"]


class AlphaDropout(_DropoutNd):
    """`AlphaDropout(p=0.5, inplace=False)`: dropout that keeps SELU's self-normalisation
    (training only)."""

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training, self.inplace)


class FeatureAlphaDropout(_DropoutNd):
    """`FeatureAlphaDropout(p=0.5, inplace=False)`: alpha dropout of whole channels."""

    def forward(self, input):
        return F.feature_alpha_dropout(input, self.p, self.training, self.inplace)


class _LPPoolNd(Module):
    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def extra_repr(self):
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """`LPPool1d(norm_type, kernel_size, stride=None, ceil_mode=False)`: the power-average
    pool (sum of x ** p over each window) ** (1 / p) over (N, C, L) input."""

    def forward(self, input):
        return F.lp_pool1d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


class LPPool2d(_LPPoolNd):
    """`LPPool2d(norm_type, kernel_size, stride=None, ceil_mode=False)` over (N, C, H, W)."""

    def forward(self, input):
        return F.lp_pool2d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


class LPPool3d(_LPPoolNd):
    """`LPPool3d(norm_type, kernel_size, stride=None, ceil_mode=False)` over (N, C, D, H, W)."""

    def forward(self, input):
        return F.lp_pool3d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """`AdaptiveMaxPool3d(output_size, return_indices=False)` over (N, C, D, H, W) input."""

    def forward(self, input):
        return F.adaptive_max_pool3d(input, self.output_size, self.return_indices)


class FractionalMaxPool2d(Module):
    """`FractionalMaxPool2d(kernel_size, output_size=None, output_ratio=None,
    return_indices=False, _random_samples=None)`: max pooling over windows at pseudo-random
    positions that reach output_size (or input size * output_ratio, each in (0, 1))."""

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                 _random_samples=None):
        super().__init__()
        self.kernel_size = int_tuple(kernel_size, 2, "kernel_size", "FractionalMaxPool2d",
                                     allow_one=True)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = None if output_size is None else \
            int_tuple(output_size, 2, "output_size", "FractionalMaxPool2d", allow_one=True)
        self.output_ratio = None if output_ratio is None else \
            (output_ratio, output_ratio) if isinstance(output_ratio, (int, float)) else \
            tuple(output_ratio)
        if (output_size is None) == (output_ratio is None):
            raise ValueError("FractionalMaxPool2d requires specifying either an output size, or "
                             "a pooling ratio (exactly one of them)")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input):
        return F.fractional_max_pool2d(input, self.kernel_size, self.output_size,
                                       self.output_ratio, self.return_indices,
                                       _random_samples=self._random_samples)


class _MaxUnpoolNd(Module):
    _dims = 1

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        name, n = type(self).__name__, self._dims
        self.kernel_size = int_tuple(kernel_size, n, "kernel_size", name, allow_one=True)
        self.stride = self.kernel_size if stride is None else \
            int_tuple(stride, n, "stride", name, allow_one=True)
        self.padding = int_tuple(padding, n, "padding", name, allow_one=True)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """`MaxUnpool1d(kernel_size, stride=None, padding=0)`: forward(input, indices,
    output_size=None) undoes MaxPool1d (zeros where no maximum came from)."""

    _dims = 1

    def forward(self, input, indices, output_size=None):
        return F.max_unpool1d(input, indices, self.kernel_size, self.stride, self.padding,
                              output_size)


class MaxUnpool2d(_MaxUnpoolNd):
    """`MaxUnpool2d(kernel_size, stride=None, padding=0)`: forward(input, indices,
    output_size=None) undoes MaxPool2d."""

    _dims = 2

    def forward(self, input, indices, output_size=None):
        return F.max_unpool2d(input, indices, self.kernel_size, self.stride, self.padding,
                              output_size)


class MaxUnpool3d(_MaxUnpoolNd):
    """`MaxUnpool3d(kernel_size, stride=None, padding=0)`: forward(input, indices,
    output_size=None) undoes MaxPool3d."""

    _dims = 3

    def forward(self, input, indices, output_size=None):
        return F.max_unpool3d(input, indices, self.kernel_size, self.stride, self.padding,
                              output_size)


class TripletMarginWithDistanceLoss(Module):
    """`TripletMarginWithDistanceLoss(*, distance_function=None, margin=1.0, swap=False,
    reduction='mean')`: the triplet loss with a distance of your choice (default
    PairwiseDistance())."""

    def __init__(self, *, distance_function=None, margin=1.0, swap=False, reduction="mean"):
        super().__init__()
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater "
                             f"than 0, got {margin} instead")
        self.distance_function = PairwiseDistance() if distance_function is None else \
            distance_function
        self.margin = margin
        self.swap = swap
        self.reduction = reduction

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_with_distance_loss(
            anchor, positive, negative, distance_function=self.distance_function,
            margin=self.margin, swap=self.swap, reduction=self.reduction)


class NLLLoss2d(NLLLoss):
    """NLLLoss under its older name for (N, C, H, W) log-probabilities."""


_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """`AdaptiveLogSoftmaxWithLoss(in_features, n_classes, cutoffs, div_value=4.0,
    head_bias=False)`: the adaptive softmax of Grave et al. (2016). Frequent classes (below
    cutoffs[0]) are scored by a head, the rest in clusters scored by smaller tails, each
    reached through its cluster's entry in the head.

    forward(input (N, in_features) or (in_features,), target (N,) or ()) returns
    (output, loss): each target's log-probability and their negative mean. log_prob(input)
    gives all n_classes log-probabilities, predict(input) the most likely class.
    """

    def __init__(self, in_features, n_classes, cutoffs, div_value=4.0, head_bias=False,
                 device=None, dtype=None):
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > (n_classes - 1)
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted "
                             "in an increasing order, where each value is between 1 and "
                             "n_classes-1")
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        factory = {"device": device, "dtype": dtype}
        self.head = Linear(in_features, self.head_size, bias=head_bias, **factory)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hidden = int(in_features // (div_value ** (i + 1)))
            size = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hidden, bias=False, **factory),
                                        Linear(hidden, size, bias=False, **factory)))

    def reset_parameters(self):
        self.head.reset_parameters()
        for projection in self.tail:
            for layer in projection:
                layer.reset_parameters()

    def forward(self, input, target):
        batched = input.ndim == 2
        if input.ndim not in (1, 2) or target.ndim != input.ndim - 1:
            raise ShapeError(f"AdaptiveLogSoftmaxWithLoss: expected input (N, {self.in_features})"
                             f" with target (N,) or input ({self.in_features},) with a 0-d "
                             f"target, got {tuple(input.shape)} and {tuple(target.shape)}")
        if batched and input.shape[0] != target.shape[0]:
            raise ShapeError("Input and target should have the same size in the batch "
                             "dimension.")
        if not batched:
            input, target = input.unsqueeze(0), target.unsqueeze(0)
        if target.numel() and (int(target.min()) < 0 or int(target.max()) >= self.n_classes):
            raise InvalidArgumentError(f"Target values should be in [0, {self.n_classes - 1}], "
                                       f"but values in range [{int(target.min())}, "
                                       f"{int(target.max())}] were found.")
        # each target's log-probability: log p(head entry) [+ log p(class | cluster)]
        head_logprob = F.log_softmax(self.head(input), dim=1)
        rows = arange(input.shape[0], device=input.device)
        output = zeros(input.shape[0], dtype=head_logprob.dtype, device=input.device)
        head_column = target.clamp(max=self.shortlist_size - 1)
        in_head = target < self.shortlist_size
        output = output + head_logprob[rows, head_column] * in_head.to(dtype=output.dtype)
        for i in range(self.n_clusters):
            low, high = self.cutoffs[i], self.cutoffs[i + 1]
            member = (target >= low) & (target < high)
            if not bool(member.any()):
                continue
            chosen = member.nonzero().reshape(-1)
            cluster_logprob = F.log_softmax(self.tail[i](input[chosen]), dim=1)
            relative = target[chosen] - low
            local = cluster_logprob[arange(chosen.shape[0], device=input.device), relative]
            entry = head_logprob[chosen, self.shortlist_size + i]
            output = output.index_add(0, chosen, local + entry)
        loss = (-output).mean()
        if not batched:
            output = output.squeeze(0)
        return _ASMoutput(output, loss)

    def _full_log_prob(self, input, head_output):
        head_logprob = F.log_softmax(head_output, dim=1)
        pieces = [head_logprob[:, :self.shortlist_size]]
        for i, projection in enumerate(self.tail):
            cluster_logprob = F.log_softmax(projection(input), dim=1)
            pieces.append(cluster_logprob +
                          head_logprob[:, self.shortlist_size + i].unsqueeze(1))
        return cat(pieces, 1)

    def log_prob(self, input):
        """(N, n_classes) log-probabilities of every class ((n_classes,) for a 1-d input)."""
        batched = input.ndim == 2
        x = input if batched else input.unsqueeze(0)
        out = self._full_log_prob(x, self.head(x))
        return out if batched else out.squeeze(0)

    def predict(self, input):
        """The most likely class of each row (a 0-d tensor for a 1-d input)."""
        return self.log_prob(input).argmax(-1)

