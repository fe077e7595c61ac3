"""Module backward hooks: how `register_full_backward_hook` and friends reach the engine.

A module with full backward hooks (or backward pre-hooks) runs its tensor inputs and its tensor
outputs through an identity `Function`. In backward, the node of the outputs' identity sees the
gradients of the outputs first (the pre-hooks may replace them); the node of the inputs'
identity sees the gradients of the inputs last, and the full hooks get both (and may replace
the gradients of the inputs). This is how PyTorch does it, so the hooks see the same tuples:
one entry per positional argument of the module (None for non-tensors) and per output.

The deprecated `register_backward_hook` instead hooks the node of the last op of the module,
so its `grad_input` is that op's, not the module's; it warns where the two differ, as PyTorch
does.
"""
import warnings

from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..tensor import Tensor


class BackwardHookFunction(Function):
    """Identity on any number of tensors: a graph node that module backward hooks attach to."""

    @staticmethod
    def forward(ctx, *tensors):
        ctx.set_materialize_grads(False)
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        return grads


def _pack_with_none(indices, values, size):
    packed = [None] * size
    for index, value in zip(indices, values):
        packed[index] = value
    return tuple(packed)


class BackwardHook:
    """Connects one call of a module to its full backward hooks and backward pre-hooks."""

    def __init__(self, module, hooks, pre_hooks):
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks
        self.grad_outputs = None
        self.n_inputs = 0
        self.input_indices = None
        self.n_outputs = 0
        self.output_indices = None

    def _through_identity(self, values, on_node):
        """`values` with their tensors replaced by the identity's outputs (whose node gets
        `on_node`), and the positions of the tensors; unchanged, None if no tensor needs grad."""
        indices = [i for i, v in enumerate(values) if isinstance(v, Tensor)]
        tensors = [values[i] for i in indices]
        if not (is_grad_enabled() and any(t.requires_grad for t in tensors)):
            return values, None
        new_tensors = BackwardHookFunction.apply(*tensors)
        node = next(t.grad_fn for t in new_tensors if t.grad_fn is not None)
        node.register_hook(on_node)
        replaced = list(values)
        for i, t in zip(indices, new_tensors):
            replaced[i] = t
        return tuple(replaced), indices

    def setup_input_hook(self, args):
        self.n_inputs = len(args)
        args, self.input_indices = self._through_identity(args, self._on_input_grads)
        return args

    def setup_output_hook(self, result):
        is_tuple = isinstance(result, tuple)
        outputs = result if is_tuple else (result,)
        self.n_outputs = len(outputs)
        outputs, self.output_indices = self._through_identity(outputs, self._on_output_grads)
        return outputs if is_tuple else outputs[0]

    def _on_output_grads(self, _grad_inputs, grad_outputs):
        self.grad_outputs = _pack_with_none(self.output_indices, grad_outputs, self.n_outputs)
        for hook in self.pre_hooks:
            replaced = hook(self.module, self.grad_outputs)
            if replaced is None:
                continue
            if len(replaced) != len(self.grad_outputs):
                raise RuntimeError(f"a backward pre-hook returned {len(replaced)} grad_output "
                                   f"entries, expected {len(self.grad_outputs)}")
            self.grad_outputs = tuple(replaced)
        grad_outputs = self.grad_outputs
        if self.input_indices is None:
            # no input needs a gradient: the hooks fire now, with None for every grad_input
            warnings.warn("a full backward hook is firing when the gradients of the module's "
                          "outputs are computed, since none of its inputs requires grad",
                          UserWarning, stacklevel=2)
            grad_inputs = (None,) * self.n_inputs
            for hook in self.hooks:
                result = hook(self.module, grad_inputs, self.grad_outputs)
                if result is not None and not all(g is None for g in result):
                    raise RuntimeError("a backward hook of a module none of whose inputs "
                                       "requires grad must return None (or only Nones)")
            self.grad_outputs = None
        return tuple(grad_outputs[i] for i in self.output_indices)

    def _on_input_grads(self, grad_inputs, _grad_outputs):
        if self.grad_outputs is None:
            return None  # the gradient reached the inputs without passing the outputs
        packed = _pack_with_none(self.input_indices, grad_inputs, self.n_inputs)
        for hook in self.hooks:
            replaced = hook(self.module, packed, self.grad_outputs)
            if replaced is None:
                continue
            if len(replaced) != len(packed):
                raise RuntimeError(f"a backward hook returned {len(replaced)} grad_input "
                                   f"entries, expected {len(packed)}")
            packed = tuple(replaced)
        self.grad_outputs = None
        return tuple(packed[i] for i in self.input_indices)


def attach_non_full_hooks(module, hooks, args, result):
    """The deprecated `register_backward_hook`: hook the node that made the first output."""
    var = result
    while not isinstance(var, Tensor):
        var = next(v for v in var.values() if isinstance(v, Tensor)) if isinstance(var, dict) \
            else var[0]
    node = var.grad_fn
    if node is None:
        return
    for hook in hooks:
        node.register_hook(lambda grad_in, grad_out, hook=hook: hook(module, grad_in, grad_out))
    reason = _non_full_hook_caveat(args, result, node)
    if reason:
        warnings.warn(f"a non-full backward hook (register_backward_hook) {reason}; use "
                      "register_full_backward_hook for the documented grad_input and "
                      "grad_output", FutureWarning, stacklevel=3)


def _non_full_hook_caveat(args, result, node):
    """Why the deprecated hook will not see the module's own gradients (None if it will)."""
    outputs = result if isinstance(result, tuple) else (result,)
    if not all(isinstance(r, Tensor) for r in outputs):
        return "on a module that does not return a Tensor or a tuple of Tensors misses some " \
               "grad_output"
    if not all(isinstance(a, Tensor) for a in args):
        return "on a module whose inputs are not all Tensors misses some grad_input"
    out_nodes = {r.grad_fn for r in outputs if r.grad_fn is not None}
    if len(out_nodes) > 1:
        return "on a module whose outputs come from several graph nodes misses some " \
               "grad_output"
    in_nodes = {a.grad_fn for a in args if a.grad_fn is not None}
    next_nodes = {child for child, _ in node.next_functions}
    if in_nodes != next_nodes:
        return "on a module whose forward is made of several graph nodes sees the last " \
               "node's grad_input, not the module's"
    return None
