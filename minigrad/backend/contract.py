"""The kernel contract: what every device backend exports, with one signature per kernel.

A backend is a module (`minigrad.backend.cpu`, `minigrad.backend.cuda`) that defines every
method of `Backend` below as a module-level function with the same parameters (without `self`),
and a string `name`. `tests/test_backend_contract.py` holds every registered backend to it;
a new kernel is one method here plus one function per backend.

Rules that hold for every kernel unless its entry says otherwise:

- Arrays are the backend's own arrays (`numpy.ndarray` on cpu, a numba `DeviceNDArray` on
  cuda). Shapes and dims are tuples of Python ints; dtypes are numpy dtypes.
- Inputs may be any strided layout (views, broadcasts, negative strides are the caller's to
  avoid: `Tensor` never makes them). A kernel never writes into its inputs.
- The kernel allocates its output and returns it; the output is C-contiguous and owned by the
  caller. Exceptions: `reshape`, `permute`, `broadcast_to` and basic `getitem` may return views
  of their input; `copy_into`, `setitem` and the optimizer steps write in place and return None;
  `batch_norm_forward` also updates the running statistics it is given in place.
- Dtypes: the caller promotes first (see `minigrad.dtypes`): the array operands of one kernel
  share one dtype, and a Python scalar operand is already of the array's kind. Floating kernels
  get float32 or float64 and compute in that dtype; integer kernels get any of uint8, int8,
  int16, int32, int64 (arithmetic wraps around). float16 and bfloat16 (uint16 bit patterns)
  arrays reach only the kernels that move bits (copy, reshape, permute, broadcast_to, getitem,
  concatenate, to_numpy): `backend/reduced.py` runs every other kernel on float32.
- Geometry (output sizes, paddings, windows, divisors) is decided above the backend and handed
  in; a kernel computes, it does not validate arguments the caller already checked.
"""
from typing import Protocol


class Backend(Protocol):
    """The kernels of one device. Each method documents one module-level function."""

    name: str

    # ---- creation, copies and host transfer -----------------------------------------------

    def from_numpy(self, array, dtype):
        """A new C-contiguous array holding the host array `array` converted to `dtype`."""

    def to_numpy(self, a):
        """A C-contiguous host (numpy) copy of `a`; the caller may modify it."""

    def full(self, shape, dtype, value):
        """A new array of `shape` and `dtype` with every element `value`."""

    def arange(self, start, stop, step, dtype):
        """1-d values start, start + step, ... up to stop (exclusive), as numpy's arange."""

    def uniform(self, shape, dtype, rng):
        """Samples from U[0, 1) of `shape`, floating `dtype`. `rng`: a numpy Generator to draw
        from, or None for the device's default generator (reseeded by manual_seed)."""

    def normal(self, shape, dtype, rng):
        """Samples from N(0, 1) of `shape`, floating `dtype`; `rng` as in `uniform`."""

    def init_uniform(self, shape, dtype, rng, low, high, out=None):
        """Samples from U(low, high) of `shape`, floating `dtype`, drawn in `dtype` itself
        (what `nn.init` fills parameters with: u * (high - low) + low, computed in `dtype`);
        `rng` as in `uniform`. Its stream may differ from `uniform`'s in float32. With `out`
        (a C-contiguous array of that shape and dtype) the samples are written into it and it
        is returned."""

    def init_normal(self, shape, dtype, rng, mean, std, out=None):
        """Samples from N(mean, std^2) of `shape`, floating `dtype`, drawn in `dtype` itself
        (z * std + mean, computed in `dtype`); `rng` and `out` as in `init_uniform`. Its
        stream may differ from `normal`'s in float32."""

    def astype(self, a, dtype):
        """A new array: `a` converted to `dtype` (C casting, as numpy's astype)."""

    def bfloat16_from_float32(self, a):
        """A new uint16 array: the bfloat16 bit patterns of float32 `a`, rounded to nearest
        even; every NaN becomes 0x7FC0 (see `minigrad.backend.reduced`)."""

    def float32_from_bfloat16(self, a):
        """A new float32 array: the values of the bfloat16 bit patterns in uint16 `a`."""

    def copy(self, a):
        """A new C-contiguous copy of `a` (what `contiguous()` and `clone()` rely on)."""

    def copy_into(self, dst, src):
        """Write `src` (an array broadcast to dst's shape, or a scalar; cast to dst's dtype)
        into `dst` in place. Returns None."""

    def setitem(self, a, index, value):
        """`a[index] = value` in place (numpy indexing rules); returns None."""

    # ---- elementwise: a, b arrays of one dtype (or one of them a scalar), broadcasting -----

    def add(self, a, b):
        """a + b."""

    def sub(self, a, b):
        """a - b."""

    def mul(self, a, b):
        """a * b."""

    def div(self, a, b):
        """a / b (floating operands)."""

    def pow(self, a, b):
        """a ** b."""

    def maximum(self, a, b):
        """Elementwise max; NaN wins."""

    def minimum(self, a, b):
        """Elementwise min; NaN wins."""

    def eq(self, a, b):
        """a == b as bool."""

    def ne(self, a, b):
        """a != b as bool."""

    def lt(self, a, b):
        """a < b as bool."""

    def le(self, a, b):
        """a <= b as bool."""

    def gt(self, a, b):
        """a > b as bool."""

    def ge(self, a, b):
        """a >= b as bool."""

    def where(self, condition, a, b):
        """a where condition (bool) else b; a or b may be a scalar; result in the array's
        dtype."""

    def logical_not(self, a):
        """not a, as bool."""

    def neg(self, a):
        """-a."""

    def abs(self, a):
        """|a|."""

    def sign(self, a):
        """-1, 0 or 1 in a's dtype."""

    def relu(self, a):
        """max(a, 0)."""

    def exp(self, a):
        """e ** a (floating)."""

    def log(self, a):
        """Natural log (floating)."""

    def sqrt(self, a):
        """Square root (floating)."""

    def tanh(self, a):
        """Hyperbolic tangent (floating)."""

    def sigmoid(self, a):
        """1 / (1 + exp(-a)), without overflow for large |a| (floating)."""

    def erf(self, a):
        """The error function (floating)."""

    def elu(self, a, alpha):
        """a where a > 0, else alpha * (exp(a) - 1) (floating)."""

    def softplus(self, a, beta, threshold):
        """log(1 + exp(beta * a)) / beta, or a where beta * a > threshold (floating)."""

    def relu_backward(self, grad, out):
        """The gradient of relu from its output: 0 where out <= 0, else grad (a NaN output
        passes its gradient, PyTorch's threshold_backward); grad and out of one shape."""

    def leaky_relu(self, a, negative_slope):
        """a where a > 0, else a * negative_slope (the slope rounded to a's dtype first)."""

    def leaky_relu_backward(self, grad, a, negative_slope):
        """grad where a > 0, else grad * negative_slope (rounded to the dtype first); grad
        and a of one shape."""

    def clamped_log(self, a, floor):
        """max(log(a), floor): log(0) gives `floor`, not -inf (floating)."""

    # ---- layers family: special functions (float arrays; computed in float64) -------------

    def erfc(self, a):
        """1 - erf(a), with full relative precision in the tails."""

    def erfinv(self, a):
        """The inverse of erf: +-inf at +-1, NaN outside [-1, 1] and for NaN."""

    # ---- elementwise math (floating arrays unless said; the op layer converts integers) ----

    def sin(self, a):
        """sin(a)."""

    def cos(self, a):
        """cos(a)."""

    def tan(self, a):
        """tan(a)."""

    def asin(self, a):
        """arcsin(a); NaN outside [-1, 1]."""

    def acos(self, a):
        """arccos(a); NaN outside [-1, 1]."""

    def atan(self, a):
        """arctan(a)."""

    def sinh(self, a):
        """sinh(a)."""

    def cosh(self, a):
        """cosh(a)."""

    def asinh(self, a):
        """arcsinh(a)."""

    def acosh(self, a):
        """arccosh(a); NaN below 1."""

    def atanh(self, a):
        """arctanh(a); +-inf at +-1, NaN outside."""

    def floor(self, a):
        """The largest integer <= a (inf and NaN unchanged)."""

    def ceil(self, a):
        """The smallest integer >= a."""

    def trunc(self, a):
        """a rounded towards zero."""

    def round_half_even(self, a):
        """a rounded to the nearest integer, ties to even."""

    def log2(self, a):
        """log2(a)."""

    def log10(self, a):
        """log10(a)."""

    def log1p(self, a):
        """log(1 + a), accurate for small a."""

    def exp2(self, a):
        """2 ** a."""

    def expm1(self, a):
        """exp(a) - 1, accurate for small a."""

    def isinf(self, a):
        """Bool array: a is +inf or -inf."""

    def isfinite(self, a):
        """Bool array: a is neither infinite nor NaN."""

    def isposinf(self, a):
        """Bool array: a is +inf."""

    def isneginf(self, a):
        """Bool array: a is -inf."""

    def atan2(self, a, b):
        """The angle of the point (b, a), in [-pi, pi]."""

    def hypot(self, a, b):
        """sqrt(a**2 + b**2) without intermediate overflow."""

    def copysign(self, a, b):
        """|a| with the sign of b."""

    def fmod(self, a, b):
        """Remainder of truncated division (sign of a); integer or floating, b != 0 for
        integers (checked by the caller)."""

    def remainder(self, a, b):
        """Remainder of floored division (sign of b); integer or floating."""

    def floor_divide(self, a, b):
        """Floored quotient; integer or floating (floats: numpy's and PyTorch's fmod-based
        quotient, consistent with remainder)."""

    def logical_and(self, a, b):
        """Bool array: a != 0 and b != 0 (any dtype)."""

    def logical_or(self, a, b):
        """Bool array: a != 0 or b != 0."""

    def logical_xor(self, a, b):
        """Bool array: (a != 0) != (b != 0)."""

    def bitwise_and(self, a, b):
        """a & b for int64 or bool operands."""

    def bitwise_or(self, a, b):
        """a | b for int64 or bool operands."""

    def bitwise_xor(self, a, b):
        """a ^ b for int64 or bool operands."""

    def left_shift(self, a, b):
        """a << b (int64); shifts outside [0, 64) give 0."""

    def right_shift(self, a, b):
        """a >> b (int64, arithmetic); shifts outside [0, 64) give 0 or -1 (the sign)."""

    # ---- matrix functions (floating; matrices are the last two dims, batch dims before) ----
    # A backend without a kernel for one of these raises RuntimeError naming the alternative.

    def inv(self, a):
        """The inverse of each square matrix; LinAlgError if one is singular."""

    def solve(self, a, b):
        """X with a X = b, a (..., n, n), b (..., n, k), batch dims broadcast; LinAlgError
        if a matrix is singular."""

    def det(self, a):
        """The determinant of each square matrix, shape a.shape[:-2]."""

    def slogdet(self, a):
        """(sign, log|det|) of each square matrix (sign 0 and -inf for a singular one)."""

    def cholesky(self, a):
        """The lower triangular L with L L^T = a; LinAlgError unless positive definite."""

    def qr(self, a, mode):
        """(Q, R): mode "reduced" (Q m x k, R k x n, k = min(m, n)) or "complete" (Q m x m);
        mode "r" returns an empty Q."""

    def svd(self, a, full_matrices):
        """(U, S, Vh), singular values descending; full_matrices gives square U and Vh."""

    # ---- reductions -----------------------------------------------------------------------

    def cumsum(self, a, dim):
        """Running sums along dim, in a's dtype (int64 or floating)."""

    def cumprod(self, a, dim):
        """Running products along dim, in a's dtype."""

    def logcumsumexp(self, a, dim):
        """log(cumsum(exp(a))) along dim without overflow (floating)."""

    def cummax(self, a, dim):
        """(values, int64 indices): running maxima along dim and where each was found (the
        later position among equal values; NaN, once met, stays)."""

    def cummin(self, a, dim):
        """(values, int64 indices): running minima along dim, as cummax."""

    def sort(self, a, dim, descending):
        """(values, int64 indices) of a stable sort along dim; NaN sorts above every number
        (last ascending, first descending)."""

    def sum(self, a, axes, keepdims):
        """Sum over `axes` (a tuple); a floating sum stays in a's dtype."""

    def amax(self, a, axes, keepdims):
        """Max over `axes` (non-empty); NaN wins."""

    def amin(self, a, axes, keepdims):
        """Min over `axes` (non-empty); NaN wins."""

    def argmax(self, a, axis, keepdims):
        """int64 index of the first max along `axis` (an int; non-empty); NaN wins."""

    def argmin(self, a, axis, keepdims):
        """int64 index of the first min along `axis` (an int; non-empty); NaN wins."""

    # ---- shape and indexing -----------------------------------------------------------------

    def reshape(self, a, shape):
        """a with `shape` (same number of elements); a view where the layout allows."""

    def permute(self, a, axes):
        """a with its axes reordered (a view)."""

    def broadcast_to(self, a, shape):
        """a broadcast to `shape` (a read-only view)."""

    def getitem(self, a, index):
        """a[index] with numpy's rules (a view for basic indexing, a copy for advanced)."""

    def index_add(self, shape, index, values):
        """zeros(shape) with `values` added at `index`; repeated positions accumulate."""

    def scatter_reduce(self, a, dim, index, src, reduce, include_self):
        """A new array: `a` with each src[p] combined into a[p with p[dim] = index[p]] by
        `reduce` ("amax", "amin" or "prod"; NaN wins max and min). `index` (int64, in range)
        and `src` (a's dtype) have one shape, no larger than a's outside dim. Without
        include_self a receiving position combines its sources only."""

    def concatenate(self, arrays, axis):
        """The arrays (one dtype, equal shapes except along axis) joined along `axis`."""

    def pad(self, a, pad_width, value):
        """Constant padding; `pad_width` is ((before, after), ...) per axis, all >= 0."""

    def is_contiguous(self, a):
        """Whether a is C-contiguous."""

    def storage_offset(self, a):
        """How many elements of a's dtype lie between the start of the memory `a` views and its
        element 0."""

    def sole_owner(self, a):
        """Whether `a` is held by one reference outside the call (its tensor's) and no other
        object can reach its memory: no second tensor or array around it, no view of it, no
        other holder of an array it is a view of. False when unsure. (Autograd then keeps an
        incoming gradient as a leaf's `.grad` without copying it.)"""

    def view_dtype(self, a, dtype):
        """a's memory read as elements of numpy `dtype`, no copy. Same element size: a's shape
        and strides; another size: the last dim rescaled by the size ratio (the caller checked
        that a's last stride is 1 and that sizes, strides and offset divide)."""

    # ---- linear algebra ---------------------------------------------------------------------

    def matmul(self, a, b):
        """(..., n, k) @ (..., k, m) -> (..., n, m), batch dims broadcast; a and b share one
        floating point or integer dtype (integers wrap around)."""

    def linear_forward(self, x, weight, bias):
        """x @ weight.T + bias: x (n, in), weight (out, in), bias (out,) or None -> (n, out)."""

    def linear_relu_forward(self, x, weight, bias):
        """relu(x @ weight.T + bias), operands as linear_forward's -> (n, out), bit for bit
        relu(linear_forward(...)) (relu: v where v > 0 or v is NaN, else 0)."""

    # ---- convolution (N, C, H, W); `geometry`: a 2-d minigrad.geometry.ConvGeometry ------------

    def conv2d_forward(self, x, weight, bias, geometry):
        """Cross-correlation of x (N, C, *geometry.input_size) with weight
        (O, C // groups, *geometry.kernel_size), plus bias (O,) or None ->
        (N, O, *geometry.output_size)."""

    def conv2d_relu_forward(self, x, weight, bias, geometry):
        """relu(conv2d_forward(x, weight, bias, geometry)) bit for bit, without a second
        output array."""

    def conv2d_backward_input(self, grad, weight, geometry):
        """The gradient of conv2d with respect to its input (the transposed convolution):
        grad (N, O, *geometry.output_size), weight (O, C // groups, kh, kw) ->
        (N, C, *geometry.input_size)."""

    def conv2d_backward_weight(self, x, grad, geometry):
        """The gradient of conv2d with respect to its weight: x (N, C, *geometry.input_size),
        grad (N, O, *geometry.output_size) -> (O, C // groups, *geometry.kernel_size)."""

    # ---- batch normalisation: x (N, C, *), per-channel (C,) arrays or None -----------------

    def batch_norm_forward(self, x, weight, bias, eps, running_mean=None, running_var=None,
                           momentum=0.0, num_batches_tracked=None):
        """Training-mode batch norm with the batch's statistics per channel (over every dim
        but 1): (x - mean) / sqrt(var + eps) * weight + bias, weight / bias None meaning 1 / 0.
        Returns (out, mean, var, invstd): out shaped as x; the mean, the biased variance and
        1 / sqrt(var + eps), each (C,); all in x's dtype.
        Writes in place (an exception to the rule above), as PyTorch's kernel does: the
        running statistics given ((C,) C-contiguous arrays of x's dtype or float32, or None)
        become momentum * batch + (1 - momentum) * running, with the unbiased variance
        (the sum of squares over N * L - 1) for running_var, computed in float64 and rounded
        once; num_batches_tracked (a one-element int64 array, or None) is incremented. With
        any of these given, x is not empty and has N * L > 1 elements per channel."""

    def batch_norm_backward(self, grad, x, weight, mean, invstd, need_input_grad):
        """The gradients of `batch_norm_forward` for the output gradient `grad` (shaped as x),
        with the mean and invstd it returned: (grad_x or None when not `need_input_grad`,
        grad_weight (C,), grad_bias (C,)), in x's dtype."""

    def batch_norm_eval(self, x, mean, var, weight, bias, eps):
        """Evaluation-mode batch norm with given statistics (the running ones), mean / var
        (C,): (x - mean) / sqrt(var + eps) * weight + bias per channel -> shaped as x."""

    # ---- pooling (N, C, H, W); `geometry`: a 2-d minigrad.geometry.PoolGeometry ----------------

    def max_pool2d_forward(self, x, geometry):
        """Max over each dilated window of x padded with -inf -> (out, indices), both
        (N, C, *geometry.output_size); indices are int64 flat positions in the input plane
        (the first maximum wins, a NaN always wins)."""

    def avg_pool2d_forward(self, x, geometry):
        """Average over each window of x -> (N, C, *geometry.output_size), divided as the
        geometry says (count_include_pad, divisor_override)."""

    def avg_pool2d_backward(self, grad, geometry):
        """The adjoint of avg_pool2d_forward: grad (N, C, *geometry.output_size) ->
        (N, C, *geometry.input_size)."""

    def adaptive_avg_pool2d_forward(self, x, geometry):
        """Adaptive average pooling of x (N, C, H, W) -> (N, C, *geometry.output_size)."""

    def adaptive_avg_pool2d_backward(self, grad, geometry):
        """The adjoint of adaptive_avg_pool2d_forward: (N, C, *geometry.output_size) ->
        (N, C, *geometry.input_size)."""

    def scatter_by_plane_indices(self, values, indices, plane_hw, accumulate):
        """Zeros (N, C, *plane_hw) with values (N, C, h, w) written at the int64 flat plane
        positions indices (same shape): added up where repeated if `accumulate`, else the last
        write wins. Positions outside the plane are skipped."""

    def gather_by_plane_indices(self, source, indices):
        """out[n, c, ...] = source[n, c] at flat plane position indices[n, c, ...] (0 outside
        the plane): source (N, C, H, W), indices (N, C, h, w) int64 -> (N, C, h, w)."""

    # ---- resampling (N, C, H, W); mode 0 bilinear / 1 nearest / 2 bicubic, padding 0 zeros /
    # 1 border / 2 reflection (minigrad.backend._grid_sample_scalar), align_corners a bool;
    # the arithmetic runs in x's float type --------------------------------------------------

    def grid_sample2d_forward(self, x, grid, mode, padding, align_corners):
        """x (N, C, H, W) sampled at grid (N, Ho, Wo, 2) of (x, y) in [-1, 1], grid of x's
        dtype -> (N, C, Ho, Wo); points outside the image read 0 (after padding's rule)."""

    def grid_sample2d_backward(self, grad, x, grid, mode, padding, align_corners):
        """(grad_input (N, C, H, W), grad_grid (N, Ho, Wo, 2)): the gradients of
        grid_sample2d_forward for the output gradient grad (N, C, Ho, Wo); grad_grid is 0 in
        nearest mode."""

    def grid_sample3d_forward(self, x, grid, mode, padding, align_corners):
        """x (N, C, D, H, W) sampled at grid (N, Do, Ho, Wo, 3) of (x, y, z) in [-1, 1], grid
        of x's dtype -> (N, C, Do, Ho, Wo); mode 0 (trilinear) or 1 only."""

    def grid_sample3d_backward(self, grad, x, grid, mode, padding, align_corners):
        """(grad_input (N, C, D, H, W), grad_grid (N, Do, Ho, Wo, 3)): the gradients of
        grid_sample3d_forward for the output gradient grad (N, C, Do, Ho, Wo)."""

    def resample2d_forward(self, x, out_size, scales, align_corners, cubic):
        """x (N, C, H, W) resampled bilinearly (bicubically with `cubic`, Keys' A = -0.75) to
        (N, C, *out_size); scales (h, w) are PyTorch's area_pixel_compute_scale of each dim."""

    def resample2d_backward(self, grad, in_size, scales, align_corners, cubic):
        """The adjoint of resample2d_forward: grad (N, C, *out_size) -> (N, C, *in_size)."""

    # ---- reflect, replicate and circular padding of the last 1-3 dims: `pad` lists (before,
    # after) amounts from the last dim backwards, as F.pad's; negative amounts crop; mode is
    # "reflect" (amounts below the dim's size), "replicate" or "circular" ---------------------

    def pad_modes_forward(self, x, pad, mode):
        """x (..., *spatial) with len(pad) // 2 spatial dims padded: each output element reads
        the input at the position the mode maps it to (reflect mirrors without repeating the
        edge, replicate clamps to the edge, circular wraps around what cropping leaves)."""

    def pad_modes_backward(self, grad, in_shape, pad, mode):
        """The adjoint of pad_modes_forward: grad (..., *padded spatial) -> in_shape, each
        input element the sum of the gradient at the output positions that read it, gathered
        (no atomics: the same result on every run)."""

    # ---- fused cross entropy: logits (N, C) C-contiguous, target (N,) int64 class indices -----

    def cross_entropy_forward(self, logits, target, weight, ignore_index, reduction):
        """-log softmax(logits)[n, target[n]] * weight[target[n]] per row (0 where target[n] is
        ignore_index), reduced by `reduction` ("none", "sum", "mean": over the summed weights of
        the rows kept, NaN when none is kept); weight (C,) or None (all ones). Returns (loss:
        (N,) or (), log_sum_exp: (N,), weight_total: () the summed weights of the rows kept).
        A label out of range raises IndexError (on cuda, at the next synchronisation)."""

    def cross_entropy_backward(self, grad, logits, target, weight, ignore_index, reduction,
                               log_sum_exp, weight_total):
        """The gradient of cross_entropy_forward's loss for the logits, given grad (the loss's
        shape) and the forward's log_sum_exp and weight_total: (softmax - one_hot(target)) *
        weight[target] * grad per row, divided by weight_total for "mean" -> (N, C)."""

    # ---- CTC loss: log_probs (T, N, C), targets (N, S) int64 padded, lengths (N,) int64 -------

    def ctc_loss_forward(self, log_probs, targets, input_lengths, target_lengths, blank,
                         zero_infinity):
        """(losses (N,), log_alpha (N, T, 2 S + 1)): -log p(target | input) of each sample over
        its first input_lengths[n] frames and target_lengths[n] labels (0 instead of inf with
        zero_infinity), and the log-domain alpha table (-inf where unused) that
        ctc_loss_backward takes; computed in log_probs' float type."""

    def ctc_loss_backward(self, grad, log_probs, targets, input_lengths, target_lengths,
                          log_alpha, blank, zero_infinity):
        """(T, N, C): PyTorch's gradient of ctc_loss_forward's losses for their gradient grad
        (N,): exp(lp) - exp(log(sum of alpha * beta over the positions of class c) + nll - lp),
        times grad[n], for frames t < input_lengths[n]; 0 elsewhere and, with zero_infinity,
        for infinite losses."""

    # ---- fused optimizer steps: in place on param and its state arrays, return None ----------

    # `scalars` is the step's record from backend/update_rules.py (SGDScalars, AdamScalars,
    # RMSpropScalars), one for every parameter of the call; the steps check all their operands
    # (backend/checks.py) before launching. A multi-tensor step takes lists with one array per
    # parameter (None for a state array the step does not use) and updates them with a few
    # launches; a parameter listed twice is updated twice, one update after the other.

    def sgd_multi_tensor_step(self, params, grads, momentum_buffers, scalars):
        """One SGD step on every array of params in place (momentum_buffers when used)."""

    def adam_multi_tensor_step(self, params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs,
                               scalars):
        """One Adam / AdamW step on every array of params, their state arrays in place."""

    def rmsprop_multi_tensor_step(self, params, grads, square_avgs, grad_avgs, momentum_buffers,
                                  scalars):
        """One RMSprop step on every array of params, their state arrays in place."""

    def sgd_step(self, param, grad, momentum_buffer, scalars):
        """One SGD step on param in place (momentum_buffer updated in place when used)."""

    def adam_step(self, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, scalars):
        """One Adam / AdamW step on param in place, its state arrays updated in place."""

    def rmsprop_step(self, param, grad, square_avg, grad_avg, momentum_buffer, scalars):
        """One RMSprop step on param in place, its state arrays updated in place."""


def kernel_names():
    """The names every backend must export, in the order they are listed above."""
    return tuple(name for name, value in vars(Backend).items()
                 if callable(value) and not name.startswith("_"))
