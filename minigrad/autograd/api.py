"""`backward(tensors, grad_tensors)` and `grad(outputs, inputs)`, as in `torch.autograd`."""
import math
import warnings

from ..tensor import Tensor
from .engine import run_backward
from .errors import AutogradError
from .function import leaf_node


# how many grad() passes are running (the reentrant form of checkpointing refuses them)
_grad_passes = [0]


def _as_tuple(x):
    if x is None:
        return None
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _ones_like(out):
    """ones_like(out), made as the factory makes it (this runs on every backward())."""
    backend = out._backend
    return Tensor._wrap(backend.full(out._data.shape, out._dtype.numpy, 1), out._device, backend)


def _roots_and_grads(outputs, grad_outputs, create_graph):
    if grad_outputs is None and len(outputs) == 1:  # loss.backward(): one scalar, no gradient
        out = outputs[0]
        if isinstance(out, Tensor) and out.requires_grad and math.prod(out._data.shape) == 1:
            fn = out._grad_fn
            return [(fn, out._output_nr) if fn is not None else (leaf_node(out), 0)], \
                [_ones_like(out)]
    grad_outputs = _as_tuple(grad_outputs) or (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise AutogradError(f"got {len(grad_outputs)} gradients for {len(outputs)} outputs")
    roots, grads = [], []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(out, Tensor):
            raise TypeError(f"element {i} of the outputs is a {type(out).__name__}, not a Tensor")
        if g is not None and not isinstance(g, Tensor):
            raise TypeError(f"the gradient for output {i} must be a Tensor (or None for a "
                            f"scalar output), got {type(g).__name__}")
        if not out.requires_grad:
            raise AutogradError(f"element {i} of the outputs does not require grad and has no "
                                "grad_fn: nothing to differentiate")
        if g is None:
            if out.numel() != 1:
                raise AutogradError(
                    f"gradient can be implicitly created only for scalar outputs, but output "
                    f"{i} has shape {tuple(out.shape)}; pass gradient= a tensor of that shape")
            g = _ones_like(out)
        else:
            if tuple(g.shape) != tuple(out.shape):
                raise AutogradError(f"gradient for output {i} has shape {tuple(g.shape)}, "
                                    f"expected {tuple(out.shape)}")
            if g.device != out.device:
                raise AutogradError(f"gradient for output {i} is on {g.device}, but the output "
                                    f"is on {out.device}")
            if not create_graph:
                g = g.detach()
        roots.append((out._grad_fn, out._output_nr) if out._grad_fn is not None
                     else (leaf_node(out), 0))
        grads.append(g if g._dtype is out._dtype else g.to(dtype=out.dtype))
    return roots, grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False):
    """Accumulate d(tensors)/d(leaf) into every leaf's `.grad`."""
    tensors = _as_tuple(tensors)
    if retain_graph is None:
        retain_graph = create_graph
    roots, grads = _roots_and_grads(tensors, grad_tensors, create_graph)
    run_backward(roots, grads, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None):
    """The gradients of `outputs` with respect to `inputs`, returned (not stored in `.grad`).

    `only_inputs` is PyTorch's deprecated flag, accepted and ignored as there (it warns when
    False): gradients are only ever computed for `inputs`.

    Returns a tuple with one entry per input; an input the outputs do not depend on gives an
    error unless `allow_unused=True`, in which case its entry is None.
    """
    if not only_inputs:
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to "
                      "True); to accumulate gradients into other leaves use backward()",
                      UserWarning, stacklevel=2)
    allow_unused = bool(allow_unused)
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if retain_graph is None:
        retain_graph = create_graph
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"input {i} of grad() is a {type(t).__name__}, not a Tensor")
        if not t.requires_grad:
            raise AutogradError(f"input {i} of grad() does not require grad")
    roots, grads = _roots_and_grads(outputs, grad_outputs, create_graph)
    edges = [(t._grad_fn, t._output_nr) if t._grad_fn is not None else (leaf_node(t), 0)
             for t in inputs]
    capture = dict.fromkeys(edges)
    _grad_passes[0] += 1
    try:
        run_backward(roots, grads, retain_graph, create_graph, capture=capture)
    finally:
        _grad_passes[0] -= 1
    result = []
    for i, edge in enumerate(edges):
        g = capture[edge]
        if g is None and not allow_unused:
            raise AutogradError(f"input {i} of grad() was not used to compute the outputs; "
                                "pass allow_unused=True to get None for it")
        if g is not None and not create_graph:
            g = g.detach()
        result.append(g)
    return tuple(result)
