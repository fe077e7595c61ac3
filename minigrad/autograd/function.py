"""`Function`: the one mechanism every differentiable op uses, built-in or user-defined.

`MyOp.apply(*args)` runs `MyOp.forward(ctx, *args)` with recording off and, when any input
requires grad, records a `BackwardNode` (the `ctx` the forward saw) as the outputs' `grad_fn`.
The engine later calls `MyOp.backward(ctx, *grad_outputs)`; because backward is written with
Tensor ops, running it with recording on gives differentiable gradients (double backward).
"""
import weakref

from ..tensor import Tensor, check_same_device
from .errors import AutogradError, InplaceModificationError
from .grad_mode import _state as _grad_state
from .hooks import HookDict, add_hook


class Node:
    """A vertex of the backward graph. `_edges[i]` is `(node, output_nr)` for argument i of the
    forward (the node that produced it, or the leaf's `AccumulateGrad`), or None if i needs no
    grad. `next_functions` shows the same edges as PyTorch does (see BackwardNode)."""

    _edges = ()
    next_functions = ()
    num_outputs = 1
    # Hook registries, created on first use (most nodes never get one):
    _tensor_hooks = None  # {output_nr: HookDict} from Tensor.register_hook on an output
    _retained = None      # {output_nr: weakref} outputs whose .grad is kept (retain_grad)
    _pre_hooks = None     # HookDict of fn(grad_outputs) -> None or new grad_outputs
    _post_hooks = None    # HookDict of fn(grad_inputs, grad_outputs) -> None or new grad_inputs

    def name(self):
        return type(self).__name__

    def register_prehook(self, fn):
        """Run `fn(grad_outputs)` before this node's backward; a tuple it returns replaces the
        gradients of the node's outputs. Returns a handle whose `.remove()` unregisters it."""
        if self._pre_hooks is None:
            self._pre_hooks = HookDict()
        return add_hook(self._pre_hooks, fn)

    def register_hook(self, fn):
        """Run `fn(grad_inputs, grad_outputs)` after this node's backward; a tuple it returns
        replaces the gradients passed on to the node's inputs. Returns a removable handle."""
        if self._post_hooks is None:
            self._post_hooks = HookDict()
        return add_hook(self._post_hooks, fn)

    def _register_tensor_hook(self, output_nr, fn):
        if self._tensor_hooks is None:
            self._tensor_hooks = {}
        return add_hook(self._tensor_hooks.setdefault(output_nr, HookDict()), fn)

    def _retain_output_grad(self, output_nr, tensor):
        if self._retained is None:
            self._retained = {}
        self._retained[output_nr] = weakref.ref(tensor)


class AccumulateGrad(Node):
    """The graph node of a leaf tensor: the engine adds incoming gradients to `leaf.grad`.

    It holds the leaf weakly (`variable()` is the leaf, or None once it is gone): the leaf
    holds this node, and a strong reference back would make every leaf a reference cycle.
    """

    def __init__(self, leaf):
        self.variable = weakref.ref(leaf)
        self.output_meta = ((leaf.shape, leaf.dtype, leaf.device),)

    def name(self):
        return "torch::autograd::AccumulateGrad"


class _SavedTensor:
    """A tensor saved for backward, with its version at save time.

    An output of the node itself is kept as data only and rebuilt on unpack, so that a node
    never holds a strong reference to a tensor that holds the node (no reference cycles).
    """

    __slots__ = ("tensor", "version", "data", "output_nr", "requires_grad", "version_counter",
                 "backend")

    def __init__(self, tensor):
        self.tensor = tensor
        self.version = tensor._version.value
        self.output_nr = None

    def become_output(self, output_nr):
        t = self.tensor
        self.data, self.version_counter, self.backend = t._data, t._version, t._backend
        self.requires_grad, self.output_nr = t.requires_grad, output_nr
        self.tensor = None

    def unpack(self, node, index):
        counter = self.version_counter if self.tensor is None else self.tensor._version
        if counter.value != self.version:
            raise InplaceModificationError(
                f"one of the tensors needed for backward by {node.name()} (saved tensor {index}) "
                f"was modified in place: it was at version {self.version} when saved and is "
                f"now at version {counter.value}. Use an out-of-place operation, or clone() the "
                f"tensor before modifying it.")
        if self.tensor is not None:
            return self.tensor
        return Tensor._from_node(self.data, self.version_counter, node, self.output_nr,
                                 self.requires_grad, self.backend)


class BackwardNode(Node):
    """The `ctx` of one application of a `Function`, and the `grad_fn` of its outputs.

    Each Function's nodes are of a subclass named as PyTorch names the node of that op
    (`type(y.grad_fn).__name__ == "MulBackward0"`): the Function's `backward_name`, by default
    its class name + "Backward", as for a user's `torch.autograd.Function`.
    """

    # Defaults as class attributes, so that making a node (once per op call) sets only what
    # differs; the methods below set instance attributes over them.
    materialize_grads = True
    output_meta = ()          # ((shape, dtype, device), ...) of each output
    _saved = ()
    _non_differentiable = ()
    _save_positions = ((), ())  # a KernelFunction's ctx.save(...)
    _non_differentiable_positions = ()
    _arg_types = ()           # the type of each forward argument, for next_functions
    freed = False

    def __init__(self, function, needs_input_grad):
        self.function = function
        self.needs_input_grad = needs_input_grad

    def name(self):
        return type(self).__name__

    @property
    def next_functions(self):
        """One `(node, output_nr)` per tensor argument of the forward (and per number operand
        of the arithmetic operators), `(None, 0)` where no gradient flows, as in PyTorch."""
        numbers = (int, float) if self.function.scalar_operands else ()
        return tuple((None, 0) if edge is None else edge
                     for edge, kind in zip(self._edges, self._arg_types)
                     if issubclass(kind, Tensor) or issubclass(kind, numbers))

    def __repr__(self):
        return f"<{self.name()}>"

    @property
    def num_outputs(self):
        return len(self.output_meta)

    def save_for_backward(self, *tensors):
        """Keep `tensors` (or None) for backward; in-place changes to them are detected."""
        self._saved = tuple([None if t is None else _SavedTensor(t) for t in tensors])

    @property
    def saved_tensors(self):
        if self.freed:
            raise AutogradError(
                f"trying to backward through {self.name()} a second time (or to read its saved "
                "tensors after they were freed). Saved tensors are freed after backward; "
                "pass retain_graph=True to the first backward() to keep them.")
        return tuple([None if s is None else s.unpack(self, i)
                      for i, s in enumerate(self._saved)])

    def mark_non_differentiable(self, *tensors):
        """Outputs that never get a gradient (indices, masks)."""
        self._non_differentiable = tuple(id(t) for t in tensors)

    def save(self, inputs=(), outputs=()):
        """For a `KernelFunction`, whose forward sees arrays: keep the Tensor arguments at the
        positions `inputs`, then the outputs at the positions `outputs`, for backward (they
        come back in that order from `saved_tensors`)."""
        self._save_positions = (inputs if type(inputs) is tuple else tuple(inputs),
                                outputs if type(outputs) is tuple else tuple(outputs))

    def mark_outputs_non_differentiable(self, *positions):
        """For a `KernelFunction`: the outputs at `positions` never get a gradient."""
        self._non_differentiable_positions = positions

    def set_materialize_grads(self, value):
        """If False, backward receives None (not zeros) for outputs that got no gradient,
        those marked non-differentiable included (PyTorch's default, True, makes zeros for
        them: one allocation and fill each). The built-in Functions with such outputs set it."""
        self.materialize_grads = bool(value)

    def release(self):
        """Free saved tensors after a backward pass that does not retain the graph. A node
        that saved no tensors has nothing to free and can be run again, as in PyTorch (a
        distribution's broadcast parameters or an expanded tensor reused by a second loss)."""
        if self._saved:
            self._saved = ()
            self.freed = True


_NODE_CLASSES = {}


def node_class(name):
    """The BackwardNode subclass called `name` (one class per name)."""
    cls = _NODE_CLASSES.get(name)
    if cls is None:
        cls = type(name, (BackwardNode,), {"__module__": __name__, "__slots__": ()})
        _NODE_CLASSES[name] = cls
    return cls


def rename_grad_fn(tensor, name):
    """Give `tensor`'s grad_fn, a node just made by the op that returns `tensor`, PyTorch's
    name for that op, where it depends on the arguments (`SumBackward1` for a sum over dims)
    or the op is built from others here (`MseLossBackward0`). Returns `tensor`."""
    if isinstance(tensor._grad_fn, BackwardNode):
        tensor._grad_fn.__class__ = node_class(name)
    return tensor


def _node_class_of(function):
    node_cls = function.__dict__.get("_node_class")
    if node_cls is None:
        name = function.__dict__.get("backward_name") or function.__name__ + "Backward"
        node_cls = node_class(name)
        function._node_class = node_cls
    return node_cls


def leaf_node(tensor):
    """The `AccumulateGrad` node of a leaf tensor, made on first use (`Tensor._accumulator`)."""
    node = tensor._leaf_node
    if node is None:
        node = tensor._leaf_node = AccumulateGrad(tensor)
    return node


def alias(tensor):
    """A new tensor object for the same storage, grad_fn and version counter (`Tensor._alias`).
    A leaf's alias shares the leaf's node, so gradients reaching it accumulate in the leaf."""
    t = Tensor._wrap(tensor._data, tensor._device, tensor._backend, tensor._version)
    t.requires_grad, t._grad_fn, t._output_nr = tensor.requires_grad, tensor._grad_fn, \
        tensor._output_nr
    t._leaf_node = leaf_node(tensor) if tensor._grad_fn is None and tensor.requires_grad \
        else None
    return t


def _edge(tensor):
    if tensor._grad_fn is not None:
        return (tensor._grad_fn, tensor._output_nr)
    return (leaf_node(tensor), 0)


class Function:
    """Base class for differentiable operations (PyTorch's `torch.autograd.Function`).

    Subclasses define `forward(ctx, *args)` returning a Tensor or tuple of Tensors, and
    `backward(ctx, *grad_outputs)` returning one gradient (or None) per forward argument.
    Call `MySubclass.apply(*args)`, never forward directly.
    """

    backward_name = None     # the name of its nodes; None: the class name + "Backward"
    op_name = None           # the name its errors give; None: the class name
    scalar_operands = False  # whether number arguments show in next_functions (as in x * 2)

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("a Function subclass must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("a Function subclass must define backward(ctx, *grads)")

    @classmethod
    def apply(cls, *args, **kwargs):
        # This runs once per op call, so it is written for speed: one pass over the arguments,
        # nothing built that the call does not need, and a single output handled on its own.
        if len(args) == 1 and isinstance(args[0], Tensor):  # a unary op: nothing to compare
            first = args[0]
            needs = (first.requires_grad,)
        else:
            first, needs = None, []
            for a in args:
                if isinstance(a, Tensor):
                    if first is None:
                        first = a
                    elif a._device is not first._device and a._device != first._device:
                        check_same_device([t for t in args if isinstance(t, Tensor)],
                                          cls.op_name or cls.__name__)
                    needs.append(a.requires_grad)
                else:
                    needs.append(False)
            needs = tuple(needs)
        node_cls, runs_on_arrays = _DISPATCH.get(cls) or _dispatch_of(cls)
        ctx = _new_object(node_cls)
        ctx.function, ctx.needs_input_grad = cls, needs
        enabled = _grad_state.enabled
        record = enabled and True in needs
        _grad_state.enabled = False  # no_grad(), without building a context manager
        try:
            if runs_on_arrays:  # a KernelFunction: forward on the arrays (see its docstring)
                result = cls.forward(ctx, first._backend, *[a._data if isinstance(a, Tensor)
                                                            else a for a in args], **kwargs)
            else:
                result = cls.forward(ctx, *args, **kwargs)
        finally:
            _grad_state.enabled = enabled
        if runs_on_arrays:
            result = _wrap_results(ctx, result, first, args, record)
        if not isinstance(result, tuple):
            if not isinstance(result, Tensor):
                _not_a_tensor(cls, result, 0)
            if not record:
                return result
            ctx._edges = _edges_of(args, needs)
            ctx._arg_types = tuple([type(a) for a in args])
            # _record_output written out for the usual single new output
            if result._dtype.is_floating_point and not ctx._non_differentiable and \
                    _not_an_argument(result, args):
                result.requires_grad, result._grad_fn, result._output_nr = True, ctx, 0
            else:
                result = _record_output(ctx, result, args, 0)
            ctx.output_meta = ((result._data.shape, result._dtype, result._device),)
            for saved in ctx._saved:  # _saved_outputs_as_data, for the one output
                if saved is not None and saved.tensor is result and result._grad_fn is ctx:
                    saved.become_output(0)
            return result
        for i, out in enumerate(result):
            if not isinstance(out, Tensor):
                _not_a_tensor(cls, out, i)
        if not record:
            return result
        ctx._edges = _edges_of(args, needs)
        ctx._arg_types = tuple([type(a) for a in args])
        outputs = tuple([_record_output(ctx, out, args, nr) for nr, out in enumerate(result)])
        ctx.output_meta = tuple([(o._data.shape, o._dtype, o._device) for o in outputs])
        if ctx._saved:
            _saved_outputs_as_data(ctx, outputs)
        return outputs


def _not_a_tensor(function, value, i):
    raise TypeError(f"{function.__name__}.forward must return Tensors; output {i} is "
                    f"{type(value).__name__}")


def _edges_of(args, needs):
    """`_edges` of a node whose forward took `args`: (grad_fn, output_nr) of each argument
    that needs a gradient (a leaf's AccumulateGrad, output 0), None for the others."""
    edges = []
    for a, need in zip(args, needs):
        if not need:
            edges.append(None)
        elif a._grad_fn is not None:
            edges.append((a._grad_fn, a._output_nr))
        else:
            edges.append((a._leaf_node or leaf_node(a), 0))
    return tuple(edges)


def record_fresh_binary(function, a, b, out, need_a, need_b):
    """The node (`ctx`) of `function` applied to the tensors `a` and `b`, recorded as the
    grad_fn of `out`: a new floating-point tensor computed from them on their device.
    `need_a`, `need_b` are their requires_grad (at least one True). Returns the node, to
    which the caller adds what the function's forward would have kept.

    What `Function.apply` records for such a call, without its generic argument and output
    loops: an output that is new (no input returned as is), differentiable (a float dtype,
    not marked otherwise) and not among the saved tensors needs none of their checks.
    """
    ctx = _new_object((_DISPATCH.get(function) or _dispatch_of(function))[0])
    ctx.function, ctx.needs_input_grad = function, (need_a, need_b)
    if need_a:
        fn = a._grad_fn
        edge_a = (fn, a._output_nr) if fn is not None else (a._leaf_node or leaf_node(a), 0)
    else:
        edge_a = None
    if need_b:
        fn = b._grad_fn
        edge_b = (fn, b._output_nr) if fn is not None else (b._leaf_node or leaf_node(b), 0)
    else:
        edge_b = None
    ctx._edges = (edge_a, edge_b)
    ctx._arg_types = (type(a), type(b))
    out.requires_grad = True
    out._grad_fn = ctx  # out._output_nr is 0 already: a new tensor
    ctx.output_meta = ((out._data.shape, out._dtype, out._device),)
    return ctx


def new_node(function, needs_input_grad):
    """The node (`ctx`) of one recorded application of `function`, as `Function.apply`
    makes it."""
    ctx = _new_object((_DISPATCH.get(function) or _dispatch_of(function))[0])
    ctx.function, ctx.needs_input_grad = function, needs_input_grad
    return ctx


_new_object = object.__new__
_DISPATCH = {}  # Function subclass -> (its node class, whether it is a KernelFunction)


def _dispatch_of(function):
    entry = _DISPATCH.get(function)
    if entry is None:
        entry = _DISPATCH[function] = (_node_class_of(function),
                                       issubclass(function, KernelFunction))
    return entry


def _record_output(ctx, out, args, nr):
    """Output `nr` of the node `ctx`, made its grad_fn's output. An input returned as is
    becomes a new tensor object (sharing its storage), so that the input keeps its own
    history."""
    differentiable = out._dtype.is_floating_point and (
        not ctx._non_differentiable or id(out) not in ctx._non_differentiable)
    returned_input = False
    for a in args:
        if a is out:
            returned_input = True
            break
    if returned_input:
        out = alias(out)
    if differentiable:
        out.requires_grad = True
        out._grad_fn, out._output_nr = ctx, nr
    elif returned_input:  # a non-differentiable input returned as is
        out.requires_grad, out._grad_fn, out._leaf_node = False, None, None
    return out


def _saved_outputs_as_data(ctx, outputs):
    """Saved tensors that are outputs of `ctx` keep their data only (no reference cycle)."""
    for saved in ctx._saved:
        if saved is None:
            continue
        for nr, out in enumerate(outputs):
            if saved.tensor is out and out._grad_fn is ctx:
                saved.become_output(nr)


class KernelFunction(Function):
    """A Function computed by backend kernels, on arrays (needle's `compute`, tinygrad's ctx).

    `forward(ctx, kernels, *args)` gets the inputs' backend as `kernels` and each Tensor
    argument as its backend array (other arguments as given), and returns an array or a tuple
    of arrays; `apply` wraps them as tensors on the inputs' device. So a kernel-backed op
    never touches a Tensor's private fields. Tensors for backward are named by position:
    `ctx.save(inputs=(0, 1))`, `ctx.save(outputs=(1,))`; `ctx.mark_outputs_non_differentiable(1)`
    marks an output such as argmax indices. `backward` is written with Tensor ops, as for every
    Function.
    """

def _wrap_results(ctx, result, first, args, record):
    """A KernelFunction's forward result (an array or a tuple of arrays) as tensors on the
    device of `first`, its first tensor argument; what forward asked to save and mark is
    applied only when the call is `record`ed (else ctx is dropped)."""
    device, kernels = first._device, first._backend
    if not isinstance(result, tuple):
        output = Tensor._wrap(result, device, kernels)
        if record:
            _save_and_mark(ctx, args, (output,))
        return output
    outputs = tuple([Tensor._wrap(a, device, kernels) for a in result])
    if record:
        _save_and_mark(ctx, args, outputs)
    return outputs


def _not_an_argument(out, args):
    """Whether `out` is none of `args` (an input returned as is needs an alias)."""
    for a in args:
        if a is out:
            return False
    return True


def _save_and_mark(ctx, args, outputs):
    """Apply a KernelFunction's `ctx.save` and `ctx.mark_outputs_non_differentiable`."""
    inputs, saved_outputs = ctx._save_positions
    if inputs or saved_outputs:  # ctx.save_for_backward(those tensors), written out
        saved = [args[i] for i in inputs]
        if saved_outputs:
            saved.extend([outputs[i] for i in saved_outputs])
        ctx._saved = tuple([None if t is None else _SavedTensor(t) for t in saved])
    if ctx._non_differentiable_positions:
        ctx.mark_non_differentiable(*(outputs[i] for i in ctx._non_differentiable_positions))
