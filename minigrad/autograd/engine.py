"""Reverse-mode traversal of the backward graph: `backward` and `grad`.

The traversal is iterative (Kahn's algorithm over dependency counts), so graphs of any depth
work without touching Python's recursion limit, and it costs O(nodes + edges). A node runs once
all gradients flowing into it have been summed. For `grad` (with `capture`), only the part of
the graph between the outputs and the requested inputs runs.

Hooks run where PyTorch runs them. When a node is ready, the gradients of its outputs pass
through: the tensor hooks of each output (`Tensor.register_hook`; a leaf's live on the leaf),
then the `.grad` of outputs that retain it is filled and captured edges are recorded, then the
node's pre-hooks. A leaf's `.grad` is then accumulated and its post-accumulate-grad hooks run;
any other node runs its backward and then its post hooks, which may replace the gradients
passed on to its inputs.

A leaf's first gradient becomes its `.grad` without a copy when nothing else can reach it (as
in PyTorch): the engine holds the only reference to a plain, C-contiguous tensor whose memory
no other tensor, view or saved tensor shares (`_stealable`); otherwise `.grad` is a copy.
"""

from ..creation import zeros
from ..backend._references import references
from ..tensor import Tensor
from . import anomaly
from .errors import AutogradError
from .function import AccumulateGrad
from .grad_mode import _state as _grad_state
from .grad_mode import no_grad
from .hooks import hook_name


def _children(node):
    return [edge[0] for edge in node._edges if edge is not None]


def _reachable(roots):
    """Every node reachable from `roots`, parents before children (a topological order)."""
    indegree = {}
    seen = set(roots)
    stack = list(roots)
    while stack:
        for child in _children(stack.pop()):
            indegree[child] = indegree.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)
    order = []
    ready = [n for n in roots if indegree.get(n, 0) == 0]
    while ready:
        node = ready.pop()
        order.append(node)
        for child in _children(node):
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    return order


def _needed(order, targets):
    """The nodes of `order` from which some node in `targets` can be reached (inclusive)."""
    needed = set()
    for node in reversed(order):  # children first
        if node in targets or any(child in needed for child in _children(node)):
            needed.add(node)
    return needed


def _zeros_for(meta):
    shape, dtype, device = meta
    return zeros(shape, dtype=dtype, device=device)


def _check_grad(node, index, grad, meta):
    if not isinstance(grad, Tensor):
        raise TypeError(f"{node.name()} returned a {type(grad).__name__} as the gradient for "
                        f"input {index}; backward must return a Tensor or None per input")
    shape, dtype, device = meta
    if tuple(grad.shape) != tuple(shape):
        raise AutogradError(f"{node.name()} returned a gradient of shape {tuple(grad.shape)} for "
                            f"input {index}, expected shape {tuple(shape)} (the input's shape)")
    if grad.device != device:
        raise AutogradError(f"{node.name()} returned a gradient on {grad.device} for input "
                            f"{index}, which lives on {device}")
    if grad.dtype != dtype:
        grad = grad.to(dtype=dtype)
    return grad


def _raise_freed(node):
    raise AutogradError(
        f"trying to backward through {node.name()} a second time: the graph was freed by "
        "the first backward. Pass retain_graph=True to the first backward() (or grad()) "
        "to keep it.")


def _raise_count(node, result):
    raise AutogradError(f"{node.function.__name__}.backward returned {len(result)} "
                        f"gradients, but forward took {len(node._edges)} arguments")


def _as_gradients(result):
    """A backward's result as a tuple: one gradient is a 1-tuple (a tuple subclass too)."""
    return tuple(result) if isinstance(result, tuple) else (result,)


def _call_backward(node, grads):
    if node.freed:
        _raise_freed(node)
    if node.materialize_grads and any(g is None for g in grads):
        grads = [_zeros_for(m) if g is None else g for g, m in zip(grads, node.output_meta)]
    result = node.function.backward(node, *grads)
    if not isinstance(result, tuple):
        result = (result,)
    if len(result) != len(node._edges):
        _raise_count(node, result)
    return result


def _accumulate(leaf, grad, create_graph):
    if create_graph:
        # A copy, so .grad owns its storage (grad may be a read-only broadcast view) and stays
        # differentiable.
        leaf.grad = grad.clone() if leaf.grad is None else leaf.grad + grad
    elif leaf.grad is None:
        leaf.grad = grad.detach().clone()
    else:
        with no_grad():  # in place, as PyTorch accumulates: views of .grad see the sum
            leaf.grad.add_(grad)


def _item_references(holder):
    return references(holder[0])


_HELD_BY_LIST_ONLY = _item_references([object()])


def _stealable(grads, leaf):
    """Whether grads[0], a gradient for `leaf` (whose .grad is None), may become leaf.grad as
    it is: the list `grads` holds the only reference to it (no hook kept it, no other buffer
    or tensor holds it), it is a plain C-contiguous tensor of leaf's dtype, and no other
    object reaches its memory (a view, an alias, a saved tensor: the backend's `sole_owner`).
    A tensor the user passed to backward() is held by the caller, so it is always copied."""
    if _item_references(grads) > _HELD_BY_LIST_ONLY:
        return False
    grad = grads[0]
    if (grad.requires_grad or grad._grad_fn is not None or grad._dtype is not leaf._dtype
            or grad._data.shape != leaf._data.shape
            or (grad._device is not leaf._device and grad._device != leaf._device)):
        return False
    if grad._version.other_live_view(grad):
        return False
    backend = grad._backend
    return backend.is_contiguous(grad._data) and backend.sole_owner(grad._data)


def _check_hook_result(hook, result, grad):
    if not isinstance(result, Tensor):
        raise TypeError(f"hook '{hook_name(hook)}' returned a {type(result).__name__}; a tensor "
                        "hook must return None or a Tensor (the replacement gradient)")
    if tuple(result.shape) != tuple(grad.shape):
        raise AutogradError(f"hook '{hook_name(hook)}' has changed the size of the gradient: "
                            f"it was {tuple(grad.shape)}, the hook returned "
                            f"{tuple(result.shape)}")
    if result.device != grad.device or result.dtype != grad.dtype:
        raise AutogradError(f"hook '{hook_name(hook)}' has changed the type of the gradient: "
                            f"it was {grad.dtype} on {grad.device}, the hook returned "
                            f"{result.dtype} on {result.device}")
    return result


def _tensor_hooks(node, nr):
    """The `Tensor.register_hook` hooks of output `nr` of `node` (for a leaf, the leaf's)."""
    if isinstance(node, AccumulateGrad):
        leaf = node.variable()
        return None if leaf is None else leaf._backward_hooks
    return None if node._tensor_hooks is None else node._tensor_hooks.get(nr)


def _apply_output_hooks(node, grads, create_graph):
    """Tensor hooks, then retain_grad, on the gradients of `node`'s outputs (in place)."""
    if node._tensor_hooks is None and node._retained is None and (
            not isinstance(node, AccumulateGrad) or not _tensor_hooks(node, 0)):
        return  # the common case: nothing registered
    for nr, g in enumerate(grads):
        hooks = _tensor_hooks(node, nr) if g is not None else None
        if hooks:
            for hook in list(hooks.values()):
                result = hook(g)
                if result is not None:
                    g = _check_hook_result(hook, result, g)
            grads[nr] = g
    if node._retained:
        for nr, ref in node._retained.items():
            tensor = ref()
            if tensor is not None and grads[nr] is not None and tensor._grad_fn is node:
                _accumulate(tensor, grads[nr], create_graph)


def _apply_pre_hooks(node, grads):
    for hook in list(node._pre_hooks.values()):
        result = hook(tuple(grads))
        if result is not None:
            if not isinstance(result, (tuple, list)) or len(result) != len(grads):
                raise AutogradError(f"pre-hook '{hook_name(hook)}' of {node.name()} must return "
                                    f"None or a tuple of {len(grads)} gradients, got "
                                    f"{type(result).__name__}")
            grads = list(result)
    return grads


def _apply_post_hooks(node, input_grads, grads):
    for hook in list(node._post_hooks.values()):
        result = hook(tuple(input_grads), tuple(grads))
        if result is not None:
            if not isinstance(result, (tuple, list)) or len(result) != len(input_grads):
                raise AutogradError(f"hook '{hook_name(hook)}' of {node.name()} must return None "
                                    f"or a tuple of {len(input_grads)} gradients, got "
                                    f"{type(result).__name__}")
            input_grads = tuple(result)
    return input_grads


def _run_accumulate_node(node, grads, create_graph):
    """A leaf's node: add the gradient to `.grad`, then run the post-accumulate-grad hooks."""
    leaf = node.variable()
    if grads[0] is None or leaf is None:  # a leaf nobody holds any more needs no .grad
        return
    if not create_graph and leaf._grad is None and _stealable(grads, leaf):
        leaf._grad = grads[0]  # its shape and dtype are leaf's, its device was checked
    else:
        _accumulate(leaf, grads[0], create_graph)
    if leaf._post_accumulate_grad_hooks:
        for hook in list(leaf._post_accumulate_grad_hooks.values()):
            if hook(leaf) is not None:
                raise TypeError(f"post-accumulate-grad hook '{hook_name(hook)}' returned a "
                                "value; it must return None (read and change tensor.grad "
                                "instead)")


def _dependencies(root_nodes):
    """{node: number of edges into it} over every node reachable from `root_nodes` (the
    order in which they become ready is then Kahn's algorithm's)."""
    deps = dict.fromkeys(root_nodes, 0)
    stack = list(root_nodes)
    pop, push, count_of = stack.pop, stack.append, deps.get
    while stack:
        for edge in pop()._edges:
            if edge is not None:
                child = edge[0]
                count = count_of(child)
                if count is None:
                    deps[child] = 1
                    push(child)
                else:
                    deps[child] = count + 1
    return deps


def _active_dependencies(root_nodes, capture):
    """`_dependencies` restricted to the nodes from which a captured edge can be reached."""
    active = _needed(_reachable(root_nodes), {node for node, _ in capture})
    deps = {}
    for node in active:
        for child in _children(node):
            if child in active:
                deps[child] = deps.get(child, 0) + 1
    return active, deps


def run_backward(roots, root_grads, retain_graph, create_graph, capture=None):
    """Propagate `root_grads` from `roots` (a list of (node, output_nr)) back through the graph.

    With `capture` (a dict {(node, output_nr): None}) the total gradient reaching each captured
    edge is stored in it, leaves' `.grad` are left alone, and nodes that lead to no captured
    edge are skipped (this is `minigrad.grad`); without it, gradients are accumulated into the
    `.grad` of leaves.
    """
    if len(roots) == 1:  # (the common case: loss.backward())
        root_nodes = [roots[0][0]]
    else:
        root_nodes = list(dict.fromkeys(node for node, _ in roots))
    if capture is None:
        deps = _dependencies(root_nodes)
        active = deps  # every reachable node (a dict: membership tests only)
    else:
        active, deps = _active_dependencies(root_nodes, capture)
    buffers = {}
    for (node, nr), grad in zip(roots, root_grads):
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * len(node.output_meta)
        buf[nr] = grad if buf[nr] is None else buf[nr] + grad
    ready = [n for n in root_nodes if n in active and deps.get(n, 0) == 0]
    restricted = capture is not None  # only part of the graph runs (`active`)
    if not isinstance(create_graph, (bool, int)):
        raise TypeError(f"set_grad_enabled expects a bool, got {type(create_graph).__name__}")
    previous_mode = _grad_state.enabled
    _grad_state.enabled = bool(create_graph)  # set_grad_enabled, without a context object
    checks = anomaly.install_checks(active)  # None unless anomaly detection is on
    try:
        _run_ready(ready, buffers, deps, active, restricted, capture, retain_graph,
                   create_graph)
    finally:
        if checks is not None:
            anomaly.remove_checks(checks)
        _grad_state.enabled = previous_mode


def _run_ready(ready, buffers, deps, active, restricted, capture, retain_graph, create_graph):
    """run_backward's loop: run each node whose gradients are all in, until none is left.
    A node with no hooks outside `grad()` (the usual case) takes the short path written out
    here; any other goes through `_run_with_hooks`."""
    pop, push, take = ready.pop, ready.append, buffers.pop
    while ready:
        node = pop()
        grads = take(node, None)
        if grads is None:
            grads = [None] * len(node.output_meta)
        if (restricted or node._tensor_hooks is not None or node._retained is not None
                or node._pre_hooks or node._post_hooks):
            input_grads = _run_with_hooks(node, grads, active, restricted, capture,
                                          create_graph)
            if input_grads is None:
                continue
        elif type(node) is AccumulateGrad or isinstance(node, AccumulateGrad):
            leaf = node.variable()
            if leaf is not None and leaf._backward_hooks:
                _run_with_hooks(node, grads, active, restricted, capture, create_graph)
            else:
                _run_accumulate_node(node, grads, create_graph)
            continue
        elif len(grads) == 1:
            # a single output (most nodes): its gradient is there, or nothing flows on
            if grads[0] is None:
                input_grads = (None,) * len(node._edges)
            else:
                if node.freed:
                    _raise_freed(node)
                input_grads = node.function.backward(node, grads[0])
                if type(input_grads) is not tuple:
                    input_grads = _as_gradients(input_grads)
                if len(input_grads) != len(node._edges):
                    _raise_count(node, input_grads)
        elif all(g is None for g in grads):
            input_grads = (None,) * len(node._edges)
        else:
            input_grads = _call_backward(node, grads)
        for i, edge in enumerate(node._edges):
            if edge is None:
                continue
            target, nr = edge
            if restricted and target not in active:
                continue
            g = input_grads[i]
            if g is not None:
                meta = target.output_meta[nr]  # the input's (shape, dtype, device)
                # the common case costs three comparisons; anything else goes through
                # _check_grad, which explains what is wrong or casts to the input's dtype
                if not (isinstance(g, Tensor) and g._dtype is meta[1]
                        and g._device is meta[2] and g._data.shape == meta[0]):
                    g = _check_grad(node, i, g, meta)
                buf = buffers.get(target)
                if buf is None:
                    if nr == 0 and len(target.output_meta) == 1:
                        buffers[target] = [g]
                    else:
                        buf = buffers[target] = [None] * len(target.output_meta)
                        buf[nr] = g
                elif buf[nr] is None:
                    buf[nr] = g
                else:
                    buf[nr] = buf[nr] + g
                buf = None
            count = deps[target] - 1
            deps[target] = count
            if count == 0:
                push(target)
        if not retain_graph and node._saved:
            node.release()
        # drop this node's references to the gradients passed on, so that a leaf's
        # gradient held by its buffer alone is seen as such (_stealable)
        input_grads = grads = g = None


def _run_with_hooks(node, grads, active, restricted, capture, create_graph):
    """One node of `_run_ready` with hooks, or under `grad()` (`restricted`): the gradients
    to pass on to its inputs, or None when nothing is passed on (a leaf, or a node that leads
    to no captured edge)."""
    is_leaf = isinstance(node, AccumulateGrad)
    if node._tensor_hooks is not None or node._retained is not None or (
            is_leaf and _tensor_hooks(node, 0)):
        _apply_output_hooks(node, grads, create_graph)
    if restricted:
        for nr, g in enumerate(grads):
            if (node, nr) in capture and g is not None:
                capture[(node, nr)] = g
    if node._pre_hooks:
        grads = _apply_pre_hooks(node, grads)
    if is_leaf:
        if not restricted:
            _run_accumulate_node(node, grads, create_graph)
            if node._post_hooks:
                _apply_post_hooks(node, (), grads)
        return None
    edges = node._edges
    if restricted and not any(child in active for child in _children(node)):
        return None  # a captured node whose inputs lead to no other captured edge
    if len(grads) == 1:
        if grads[0] is None:
            input_grads = (None,) * len(edges)
        else:
            if node.freed:
                _raise_freed(node)
            input_grads = _as_gradients(node.function.backward(node, grads[0]))
            if len(input_grads) != len(edges):
                _raise_count(node, input_grads)
    elif all(g is None for g in grads):
        input_grads = (None,) * len(edges)
    else:
        input_grads = _call_backward(node, grads)
    if node._post_hooks:
        input_grads = _apply_post_hooks(node, input_grads, grads)
    return input_grads
