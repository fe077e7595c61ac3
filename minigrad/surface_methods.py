"""More of `torch.Tensor`'s methods: the numpy-style aliases (arccos, absolute, multiply_,
...), the in-place comparisons (eq_, lt_, ...), the in-place forms of the math ops, and the
methods of the ops in `functions/surface_*.py`, plus small queries (is_cpu, get_device,
data_ptr, storage_offset, ...). Copied onto `Tensor` by `attach_surface_methods`, which
`tensor_methods` calls after its own methods, so every name here forwards to an op or to an
existing method.

On real tensors the complex-number methods are what PyTorch's are on real tensors: `conj`,
`resolve_conj`, `resolve_neg` and `real` return the tensor itself, `H`/`mH`/`adjoint` are
transposes.
"""
import numpy as np

from . import dtypes
from . import functions as ops
from .functions import surface_linalg as linalg_ops
from .functions import surface_math as math_ops
from .functions import surface_shape as shape_ops
from .functions import surface_special as special_ops
from .errors import DTypeError, ShapeError
from .surface_settings import is_nonzero as _is_nonzero, strided
from .tensor import Tensor

# numpy-style names PyTorch also gives its Tensor methods: alias -> existing method
ALIASES = {
    "arccos": "acos", "arccos_": "acos_", "arccosh": "acosh", "arccosh_": "acosh_",
    "arcsin": "asin", "arcsin_": "asin_", "arcsinh": "asinh", "arcsinh_": "asinh_",
    "arctan": "atan", "arctan_": "atan_", "arctanh": "atanh", "arctanh_": "atanh_",
    "arctan2_": "atan2_", "absolute": "abs", "absolute_": "abs_", "negative_": "neg_",
    "multiply_": "mul_", "subtract_": "sub_", "divide_": "div_", "true_divide_": "div_",
    "clip_": "clamp_", "fix_": "trunc_", "greater_": "gt_", "greater_equal_": "ge_",
    "less_": "lt_", "less_equal_": "le_", "not_equal_": "ne_", "resize_as": "resize_as_",
}


class SurfaceMethods:
    """Not a class of its own: a namespace whose attributes become `Tensor`'s methods."""

    def positive(self):
        """The tensor itself (PyTorch's unary plus); bool tensors are refused, as there."""
        if self.dtype.name == "bool":
            raise DTypeError("The `+` operator, on a bool tensor is not supported.")
        return self

    # in-place comparisons: the result (1 or 0) stored in this tensor's dtype
    def eq_(self, other): return self._inplace(lambda s, o: ops.eq(s, o).to(dtype=s.dtype), other)
    def ne_(self, other): return self._inplace(lambda s, o: ops.ne(s, o).to(dtype=s.dtype), other)
    def lt_(self, other): return self._inplace(lambda s, o: ops.lt(s, o).to(dtype=s.dtype), other)
    def le_(self, other): return self._inplace(lambda s, o: ops.le(s, o).to(dtype=s.dtype), other)
    def gt_(self, other): return self._inplace(lambda s, o: ops.gt(s, o).to(dtype=s.dtype), other)
    def ge_(self, other): return self._inplace(lambda s, o: ops.ge(s, o).to(dtype=s.dtype), other)

    # in-place forms of existing ops
    def logit_(self, eps=None): return self._inplace(lambda s: ops.logit(s, eps))
    def heaviside_(self, values): return self._inplace(ops.heaviside, values)
    def addmv_(self, mat, vec, *, beta=1, alpha=1):
        return self._inplace(lambda s, m, v: ops.addmv(s, m, v, beta=beta, alpha=alpha), mat,
                             vec)
    def baddbmm_(self, batch1, batch2, *, beta=1, alpha=1):
        return self._inplace(lambda s, a, b: ops.baddbmm(s, a, b, beta=beta, alpha=alpha),
                             batch1, batch2)
    def multinomial(self, num_samples, replacement=False, *, generator=None):
        return ops.multinomial(self, num_samples, replacement, generator=generator)
    def cov(self, *, correction=1, fweights=None, aweights=None):
        return ops.cov(self, correction=correction, fweights=fweights, aweights=aweights)

    # extra elementwise math
    def float_power(self, exponent): return math_ops.float_power(self, exponent)
    def float_power_(self, exponent):
        if self.dtype.name != "float64":
            raise RuntimeError(f"the base given to float_power_ has dtype {self.dtype} but the "
                               f"operation's result requires dtype minigrad.float64")
        return self._inplace(math_ops.float_power, exponent)
    def deg2rad(self): return math_ops.deg2rad(self)
    def deg2rad_(self): return self._inplace(math_ops.deg2rad)
    def rad2deg(self): return math_ops.rad2deg(self)
    def rad2deg_(self): return self._inplace(math_ops.rad2deg)
    def logaddexp2(self, other): return math_ops.logaddexp2(self, other)
    def sinc(self): return math_ops.sinc(self)
    def sinc_(self): return self._inplace(math_ops.sinc)
    def gcd(self, other): return math_ops.gcd(self, other)
    def gcd_(self, other): return self._inplace(math_ops.gcd, other)
    def lcm(self, other): return math_ops.lcm(self, other)
    def lcm_(self, other): return self._inplace(math_ops.lcm, other)
    def ldexp(self, other): return math_ops.ldexp(self, other)
    def ldexp_(self, other): return self._inplace(math_ops.ldexp, other)
    def frexp(self): return math_ops.frexp(self)
    def nextafter(self, other): return math_ops.nextafter(self, other)
    def nextafter_(self, other): return self._inplace(math_ops.nextafter, other)
    def lgamma(self): return special_ops.lgamma(self)
    def lgamma_(self): return self._inplace(special_ops.lgamma)
    def digamma(self): return special_ops.digamma(self)
    def digamma_(self): return self._inplace(special_ops.digamma)
    def polygamma(self, n): return special_ops.polygamma(n, self)
    def polygamma_(self, n): return self._inplace(lambda s: special_ops.polygamma(n, s))
    def mvlgamma(self, p): return special_ops.mvlgamma(self, p)
    def mvlgamma_(self, p): return self._inplace(lambda s: special_ops.mvlgamma(s, p))
    def i0(self): return special_ops.i0(self)
    def i0_(self): return self._inplace(special_ops.i0)

    # shapes, splits, scatters
    def ravel(self): return shape_ops.ravel(self)
    def tensor_split(self, indices_or_sections, dim=0):
        return shape_ops.tensor_split(self, indices_or_sections, dim)
    def hsplit(self, indices_or_sections): return shape_ops.hsplit(self, indices_or_sections)
    def vsplit(self, indices_or_sections): return shape_ops.vsplit(self, indices_or_sections)
    def dsplit(self, indices_or_sections): return shape_ops.dsplit(self, indices_or_sections)
    def split_with_sizes(self, split_sizes, dim=0):
        return shape_ops.split_with_sizes(self, split_sizes, dim)
    def take_along_dim(self, indices, dim=None):
        return shape_ops.take_along_dim(self, indices, dim)
    def diagflat(self, offset=0): return shape_ops.diagflat(self, offset)
    def slice_scatter(self, src, dim=0, start=None, end=None, step=1):
        return shape_ops.slice_scatter(self, src, dim, start, end, step)
    def select_scatter(self, src, dim, index):
        return shape_ops.select_scatter(self, src, dim, index)
    def diagonal_scatter(self, src, offset=0, dim1=0, dim2=1):
        return shape_ops.diagonal_scatter(self, src, offset, dim1, dim2)
    def index_copy(self, dim, index, source):
        return shape_ops.index_copy(self, dim, index, source)
    def index_copy_(self, dim, index, source):
        return self._inplace(lambda s, i, v: shape_ops.index_copy(s, dim, i, v), index, source)
    def put(self, index, source, accumulate=False):
        return shape_ops.put(self, index, source, accumulate)
    def put_(self, index, source, accumulate=False):
        return self._inplace(lambda s, i, v: shape_ops.put(s, i, v, accumulate), index, source)
    def sum_to_size(self, *size): return shape_ops.sum_to_size(self, *size)
    def unique_consecutive(self, return_inverse=False, return_counts=False, dim=None):
        return shape_ops.unique_consecutive(self, return_inverse, return_counts, dim)

    # products, matrix functions, summaries
    def dist(self, other, p=2): return linalg_ops.dist(self, other, p)
    def inner(self, other): return linalg_ops.inner(self, other)
    def addr(self, vec1, vec2, *, beta=1, alpha=1):
        return linalg_ops.addr(self, vec1, vec2, beta=beta, alpha=alpha)
    def addr_(self, vec1, vec2, *, beta=1, alpha=1):
        return self._inplace(lambda s, a, b: linalg_ops.addr(s, a, b, beta=beta, alpha=alpha),
                             vec1, vec2)
    def addbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return linalg_ops.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)
    def addbmm_(self, batch1, batch2, *, beta=1, alpha=1):
        return self._inplace(lambda s, a, b: linalg_ops.addbmm(s, a, b, beta=beta,
                                                               alpha=alpha), batch1, batch2)
    def matrix_power(self, n): return linalg_ops.matrix_power(self, n)
    def matrix_exp(self): return linalg_ops.matrix_exp(self)
    def renorm(self, p, dim, maxnorm): return linalg_ops.renorm(self, p, dim, maxnorm)
    def renorm_(self, p, dim, maxnorm):
        return self._inplace(lambda s: linalg_ops.renorm(s, p, dim, maxnorm))
    def histogram(self, bins=100, *, range=None, weight=None, density=False):
        return linalg_ops.histogram(self, bins, range=range, weight=weight, density=density)
    def corrcoef(self): return linalg_ops.corrcoef(self)
    def nanquantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        return linalg_ops.nanquantile(self, q, dim, keepdim, interpolation=interpolation)
    def svd(self, some=True, compute_uv=True): return linalg_ops.svd(self, some, compute_uv)
    def qr(self, some=True): return linalg_ops.qr(self, some)
    def cholesky(self, upper=False): return linalg_ops.cholesky(self, upper)
    def pinverse(self, rcond=1e-15): return linalg_ops.pinverse(self, rcond)

    def fill_diagonal_(self, fill_value, wrap=False):
        """Fill the main diagonal (all dims of equal length if > 2-d) with fill_value; wrap
        continues it below a tall matrix every (columns + 1) rows, as numpy."""
        if self.ndim < 2:
            raise ShapeError(f"dimensions must larger than 1, got {self.ndim}")
        if self.ndim > 2 and len(set(self.shape)) != 1:
            raise ShapeError("all dimensions of input must be of equal length")
        mask = np.zeros(tuple(self.shape), dtype=bool)
        if self.ndim == 2:
            rows, cols = self.shape
            flat = np.arange(0, mask.size if wrap else min(rows, cols) * cols, cols + 1)
            mask.reshape(-1)[flat] = True
        else:
            mask[(np.arange(self.shape[0]),) * self.ndim] = True
        where_mask = Tensor(mask, dtype=dtypes.bool_, device=self.device)
        return self.masked_fill_(where_mask, fill_value)

    # queries
    @property
    def is_cpu(self): return self.device.type == "cpu"
    @property
    def layout(self): return strided
    def get_device(self):
        """-1 on the cpu, else the device index."""
        return -1 if self.device.type == "cpu" else (self.device.index or 0)
    def is_complex(self): return False
    def is_conj(self): return False
    def is_neg(self): return False
    def is_inference(self): return False
    def is_signed(self): return self.dtype.name not in ("uint8", "bool")
    def is_same_size(self, other): return tuple(self.shape) == tuple(other.shape)
    def is_nonzero(self): return _is_nonzero(self)
    def is_pinned(self, device=None):
        """False: minigrad has no page-locked host memory."""
        return False
    def pin_memory(self, device=None):
        """A cpu tensor itself (minigrad's host memory is always usable for transfers)."""
        if self.device.type != "cpu":
            raise RuntimeError(f"cannot pin '{self.type()}' only dense CPU tensors can be "
                               f"pinned")
        return self
    def share_memory_(self):
        """The tensor itself: minigrad does not move storage to shared memory."""
        return self
    def is_shared(self): return False

    # real tensors: the complex-number methods are identities and transposes
    def conj(self): return self
    def resolve_conj(self): return self
    def resolve_neg(self): return self
    @property
    def real(self): return self
    @property
    def H(self):
        if self.ndim not in (0, 2):
            raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got "
                               f"{self.ndim}-D tensor.")
        return self if self.ndim == 0 else self.transpose(0, 1)
    @property
    def mH(self):
        if self.ndim < 2:
            raise RuntimeError(f"tensor.mH is only supported on matrices or batches of "
                               f"matrices. Got {self.ndim}-D tensor.")
        return self.transpose(-2, -1)
    def adjoint(self): return self.mH

    def data_ptr(self):
        """The address of the tensor's first element."""
        data = self._data
        interface = getattr(data, "__cuda_array_interface__", None) or \
            getattr(data, "__array_interface__", None)
        return interface["data"][0] if interface else np.asarray(data).ctypes.data

    def storage_offset(self):
        """How many elements into its storage the tensor starts (non-zero for some views).
        cpu tensors only: a cuda tensor's storage may be a block of the allocator's pool."""
        data = self._data
        if not isinstance(data, np.ndarray):
            raise RuntimeError(f"storage_offset() is available for cpu tensors only in "
                               f"minigrad, got a tensor on {self.device}")
        root = data
        while isinstance(root.base, np.ndarray):
            root = root.base
        return (data.__array_interface__["data"][0] - root.__array_interface__["data"][0]) \
            // data.itemsize


def attach_surface_methods(tensor_class):
    """Copy the methods above and the aliases onto `tensor_class` (once, at import)."""
    for name, value in vars(SurfaceMethods).items():
        if not name.startswith("__"):
            setattr(tensor_class, name, value)
    for alias, target in ALIASES.items():
        setattr(tensor_class, alias, getattr(tensor_class, target))
