"""`MultivariateNormal(loc, covariance_matrix=... | precision_matrix=... | scale_tril=...)`:
the Gaussian over vectors of size k = loc.shape[-1], with batch shape the broadcast of loc's
leading dims and the matrix's. Everything goes through the lower Cholesky factor L of the
covariance (scale_tril): rsample is loc + L eps, log_prob uses the solve L^-1 (x - loc) and
the log-determinant 2 sum(log diag L). Differentiable in loc and the matrix. The
factorisation and solves have no cuda kernel: for tensors there they run on the host and their
results (with their gradients) move back."""
import math

from ..autograd.grad_mode import no_grad
from ..creation import randn
from ..functions import decompositions
from ..functions.shape import broadcast_shapes
from ..tensor import Size
from ._params import as_float_tensor
from .distribution import Distribution


def _host(name, *tensors):
    """decompositions.<name>(*tensors), on the host when the tensors live elsewhere."""
    fn = getattr(decompositions, name)
    device = tensors[0].device
    if device.type == "cpu":
        return fn(*tensors)
    return fn(*(t.cpu() for t in tensors)).to(device)


def cholesky(a):
    return _host("cholesky", a)


def inv(a):
    return _host("inv", a)


def solve(a, b):
    return _host("solve", a, b)


class MultivariateNormal(Distribution):
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None):
        given = [m is not None for m in (covariance_matrix, precision_matrix, scale_tril)]
        if sum(given) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or "
                             "scale_tril may be specified.")
        loc = as_float_tensor(loc)
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        matrix = next(m for m in (covariance_matrix, precision_matrix, scale_tril)
                      if m is not None)
        if matrix.dim() < 2:
            name = ("covariance_matrix", "precision_matrix", "scale_tril")[given.index(True)]
            raise ValueError(f"{name} must be at least two-dimensional, with optional leading "
                             "batch dimensions")
        k = loc.shape[-1]
        batch = broadcast_shapes(tuple(matrix.shape[:-2]), tuple(loc.shape[:-1]))
        if scale_tril is not None:
            # only the lower triangle is read (and gets gradient), as by a triangular solve
            tril = scale_tril.tril()
            self.scale_tril = scale_tril.expand(batch + (k, k))
        elif covariance_matrix is not None:
            self.covariance_matrix = covariance_matrix.expand(batch + (k, k))
            tril = cholesky(covariance_matrix)
        else:
            self.precision_matrix = precision_matrix.expand(batch + (k, k))
            tril = cholesky(inv(precision_matrix))
        self._unbroadcasted_scale_tril = tril
        if scale_tril is None:
            self.scale_tril = tril.expand(batch + (k, k))
        self.loc = loc.expand(batch + (k,))
        super().__init__(Size(batch), Size((k,)), validate_args)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return self._unbroadcasted_scale_tril.pow(2).sum(-1).expand(
            tuple(self._batch_shape) + tuple(self._event_shape))

    def __getattr__(self, name):
        # the matrix not given is derived on first use, as PyTorch's lazy properties
        if name == "covariance_matrix":
            tril = self._unbroadcasted_scale_tril
            return (tril @ tril.transpose(-1, -2)).expand(
                tuple(self._batch_shape) + tuple(self._event_shape) * 2)
        if name == "precision_matrix":
            return inv(self.__getattr__("covariance_matrix"))
        raise AttributeError(f"'MultivariateNormal' object has no attribute '{name}'")

    def rsample(self, sample_shape=Size()):
        """loc + L eps, eps ~ N(0, I): differentiable in loc and the matrix."""
        shape = tuple(self._extended_shape(sample_shape))
        eps = randn(*shape, dtype=self.loc.dtype, device=self.loc.device)
        return self.loc + (self._unbroadcasted_scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def sample(self, sample_shape=Size()):
        with no_grad():
            return self.rsample(sample_shape)

    def _half_log_det(self):
        return self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def log_prob(self, value):
        self._check_value(value, value == value, "IndependentConstraint(Real(), 1)")
        diff = value - self.loc
        shape = broadcast_shapes(tuple(diff.shape[:-1]),
                                 tuple(self._unbroadcasted_scale_tril.shape[:-2]))
        k = self._event_shape[0]
        tril = self._unbroadcasted_scale_tril.expand(shape + (k, k))
        z = solve(tril, diff.expand(shape + (k,)).unsqueeze(-1)).squeeze(-1)
        mahalanobis = z.pow(2).sum(-1)
        return -0.5 * (k * math.log(2 * math.pi) + mahalanobis) - self._half_log_det()

    def entropy(self):
        k = self._event_shape[0]
        h = 0.5 * k * (1.0 + math.log(2 * math.pi)) + self._half_log_det()
        return h.expand(tuple(self._batch_shape)) if self._batch_shape else h

    def __repr__(self):
        return f"MultivariateNormal(loc: {tuple(self.loc.shape)}, scale_tril: " \
               f"{tuple(self.scale_tril.shape)})"
