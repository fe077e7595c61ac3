"""Activation checkpointing, as `torch.utils.checkpoint`: `checkpoint(function, *args)` keeps
only the segment's inputs and recomputes its activations during the backward pass, and
`checkpoint_sequential(functions, segments, input)` does so for the segments of a chain.

Both of PyTorch's forms, with their semantics:
- `use_reentrant=True` (PyTorch's default when the argument is omitted, with its warning):
  the segment is one autograd node over its tensor arguments. Its backward recomputes the
  segment and runs a backward pass through it, which accumulates the gradients of the
  parameters used inside into their `.grad`. So if no argument requires grad, no gradient
  flows (PyTorch warns), and `autograd.grad` through it raises.
- `use_reentrant=False`: the node also takes the leaves the segment uses (its parameters),
  found from the graph recorded while the segment first runs (each segment's graph is
  dropped as soon as it has run); its backward returns their gradients, so `autograd.grad`,
  arguments that do not require grad and keyword arguments work.
The random state (cpu, and cuda for tensors there) is saved before the segment and restored
for its recomputation (`preserve_rng_state=True`), so dropout draws the same masks.
"""
import warnings

from .. import random as _random
from ..autograd import api as _api
from ..autograd.engine import _reachable
from ..autograd.function import AccumulateGrad, Function
from ..autograd.grad_mode import enable_grad, is_grad_enabled, no_grad
from ..tensor import Tensor


def _rng_state(tensors):
    """The cpu generator's state, and the cuda generator's when a tensor lives there."""
    cuda_state = None
    if any(t.device.type == "cuda" for t in tensors):
        from ..backend.cuda.random import generator
        cuda_state = generator.get_state()
    return _random.get_rng_state(), cuda_state


def _set_rng_state(state):
    cpu_state, cuda_state = state
    _random.set_rng_state(cpu_state)
    if cuda_state is not None:
        from ..backend.cuda.random import generator
        generator.set_state(cuda_state)


def _as_outputs(result):
    """The segment's result as a tuple of tensors (and whether it was a single tensor)."""
    if isinstance(result, Tensor):
        return (result,), True
    if isinstance(result, (tuple, list)) and all(isinstance(o, Tensor) for o in result):
        return tuple(result), False
    raise TypeError("checkpoint: the function must return a Tensor or a tuple of Tensors, got "
                    f"{type(result).__name__}")


def _detached_args(args):
    """The arguments for a recomputation: tensors detached (so the graph stops at them), with
    their requires_grad kept; anything else as it is."""
    return [a.detach().requires_grad_(a.requires_grad) if isinstance(a, Tensor) else a
            for a in args]


def _run(segment, args, kwargs, rng_state):
    """Recompute the segment with grad enabled and the saved random state."""
    if rng_state is None:
        with enable_grad():
            return _as_outputs(segment(*args, **kwargs))[0]
    current = _rng_state([a for a in args if isinstance(a, Tensor)])
    _set_rng_state(rng_state)
    try:
        with enable_grad():
            return _as_outputs(segment(*args, **kwargs))[0]
    finally:
        _set_rng_state(current)


def _differentiable(outputs, grads):
    pairs = [(o, g) for o, g in zip(outputs, grads) if o.requires_grad and g is not None]
    return [o for o, _ in pairs], [g for _, g in pairs]


class _ReentrantCheckpoint(Function):
    """The segment as one node over its arguments; backward recomputes it and runs backward."""

    @staticmethod
    def forward(ctx, segment, rng_state, *args):
        ctx.segment, ctx.rng_state = segment, rng_state
        ctx.args = [None if isinstance(a, Tensor) else a for a in args]
        ctx.save_for_backward(*[a for a in args if isinstance(a, Tensor)])
        outputs, single = _as_outputs(segment(*args))
        ctx.single = single
        return outputs[0] if single else outputs

    @staticmethod
    def backward(ctx, *grads):
        if _api._grad_passes[0]:
            raise RuntimeError(
                "When use_reentrant=True, torch.utils.checkpoint is incompatible with .grad() "
                "or passing an `inputs` parameter to .backward(). To resolve this error, you "
                "can either set use_reentrant=False, or call .backward() without passing the "
                "`inputs` argument.")
        saved = iter(ctx.saved_tensors)
        args = [next(saved) if a is None else a for a in ctx.args]
        inputs = _detached_args(args)
        outputs = _run(ctx.segment, inputs, {}, ctx.rng_state)
        outputs, grads = _differentiable(outputs, grads)
        if not outputs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is "
                               "not necessary")
        _api.backward(outputs, grads)
        return (None, None) + tuple(a.grad if isinstance(a, Tensor) and a.requires_grad
                                    else None for a in inputs)


class _Checkpoint(Function):
    """The segment as one node over its arguments and the leaves it uses (`leaves`); the
    forward hands back the outputs already computed, the backward recomputes them."""

    @staticmethod
    def forward(ctx, segment, kwargs, rng_state, outputs, n_args, *args_and_leaves):
        ctx.segment, ctx.kwargs, ctx.rng_state, ctx.n_args = segment, kwargs, rng_state, n_args
        args = args_and_leaves[:n_args]
        ctx.args = [None if isinstance(a, Tensor) else a for a in args]
        ctx.save_for_backward(*[a for a in args if isinstance(a, Tensor)])
        ctx.leaves = args_and_leaves[n_args:]
        return outputs

    @staticmethod
    def backward(ctx, *grads):
        saved = iter(ctx.saved_tensors)
        args = [next(saved) if a is None else a for a in ctx.args]
        inputs = _detached_args(args)
        outputs = _run(ctx.segment, inputs, ctx.kwargs, ctx.rng_state)
        outputs, grads = _differentiable(outputs, grads)
        wanted = [a for a in inputs if isinstance(a, Tensor) and a.requires_grad]
        wanted += [leaf for leaf in ctx.leaves if leaf.requires_grad]
        found = iter(_api.grad(outputs, wanted, grads, allow_unused=True) if outputs and wanted
                     else [None] * len(wanted))
        arg_grads = [next(found) if isinstance(a, Tensor) and a.requires_grad else None
                     for a in inputs]
        leaf_grads = [next(found) if leaf.requires_grad else None for leaf in ctx.leaves]
        return (None,) * 5 + tuple(arg_grads) + tuple(leaf_grads)


def _leaves_of(outputs, args):
    """The leaf tensors requiring grad that the recorded `outputs` depend on, other than the
    (detached) arguments themselves."""
    roots = [o.grad_fn for o in outputs if o.grad_fn is not None]
    own = {id(a) for a in args if isinstance(a, Tensor)}
    leaves = []
    for node in _reachable(roots):
        if isinstance(node, AccumulateGrad):
            leaf = node.variable()
            if leaf is not None and id(leaf) not in own:
                leaves.append(leaf)
    return leaves


def _checkpoint_non_reentrant(function, args, kwargs, preserve):
    tensors = [a for a in args if isinstance(a, Tensor)]
    rng_state = _rng_state(tensors) if preserve else None
    if not is_grad_enabled():
        return function(*args, **kwargs)
    inputs = _detached_args(args)
    with enable_grad():
        result = function(*inputs, **kwargs)
    outputs, single = _as_outputs(result)
    leaves = _leaves_of(outputs, inputs)
    with no_grad():
        values = tuple(o.detach() for o in outputs)
    out = _Checkpoint.apply(function, kwargs, rng_state, values[0] if single else values,
                            len(args), *args, *leaves)
    return out


def checkpoint(function, *args, use_reentrant=None, context_fn=None, determinism_check="default",
               debug=False, preserve_rng_state=True, **kwargs):
    """`function(*args, **kwargs)`, its activations recomputed in the backward pass instead of
    kept (see the module docstring for the two forms). Returns what `function` returns: a
    Tensor or a tuple of Tensors."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "use_reentrant=False is recommended, but if you need to preserve the current "
            "default behavior, you can pass use_reentrant=True. Refer to docs for more details "
            "on the differences between the two variants.", UserWarning, stacklevel=2)
        use_reentrant = True
    if determinism_check not in ("default", "none"):
        raise ValueError("determinism_check should be one of ['default', 'none'], but got "
                         f"{determinism_check}")
    if not use_reentrant:
        if context_fn is not None:
            raise ValueError("checkpoint: context_fn is not supported here; leave it out")
        return _checkpoint_non_reentrant(function, args, kwargs, preserve_rng_state)
    if context_fn is not None or debug:
        raise ValueError("Passing `context_fn` or `debug` is only supported when "
                         "use_reentrant=False.")
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    tensors = [a for a in args if isinstance(a, Tensor)]
    if not any(t.requires_grad for t in tensors):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                      UserWarning, stacklevel=2)
    rng_state = _rng_state(tensors) if preserve_rng_state else None
    return _ReentrantCheckpoint.apply(function, rng_state, *args)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run `functions` (an `nn.Sequential` or a list of modules/callables) on `input` in
    `segments` chunks, each but the last checkpointed (the last runs normally, as in
    PyTorch)."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should "
            "be passed explicitly. use_reentrant=False is recommended, but if you need to "
            "preserve the current default behavior, you can pass use_reentrant=True. Refer to "
            "docs for more details on the differences between the two variants.",
            UserWarning, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    from ..nn.container import Sequential
    if isinstance(functions, Sequential):
        functions = list(functions.children())

    def run_function(start, end):
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return forward

    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run_function(end + 1, len(functions) - 1)(input)
