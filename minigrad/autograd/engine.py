"""Reverse-mode traversal of the backward graph: `backward` and `grad`.

The traversal is iterative (Kahn's algorithm over dependency counts), so graphs of any depth
work without touching Python's recursion limit, and it costs O(nodes + edges). A node runs once
all gradients flowing into it have been summed. For `grad` (with `capture`), only the part of
the graph between the outputs and the requested inputs runs.
"""
from .errors import AutogradError
from .function import AccumulateGrad
from .grad_mode import set_grad_enabled


def _children(node):
    return [edge[0] for edge in node.next_functions if edge is not None]


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
    from ..creation import zeros
    shape, dtype, device = meta
    return zeros(shape, dtype=dtype, device=device)


def _check_grad(node, index, grad, meta):
    from ..tensor import Tensor
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


def _call_backward(node, grads):
    if node.freed:
        raise AutogradError(
            f"trying to backward through {node.name()} a second time: the graph was freed by "
            "the first backward. Pass retain_graph=True to the first backward() (or grad()) "
            "to keep it.")
    if node.materialize_grads:
        grads = [_zeros_for(m) if g is None else g for g, m in zip(grads, node.output_meta)]
    result = node.function.backward(node, *grads)
    if not isinstance(result, tuple):
        result = (result,)
    n_inputs = len(node.next_functions)
    if len(result) != n_inputs:
        raise AutogradError(f"{node.function.__name__}.backward returned {len(result)} "
                            f"gradients, but forward took {n_inputs} arguments")
    return result


def _accumulate(leaf, grad, create_graph):
    if create_graph:
        # A copy, so .grad owns its storage (grad may be a read-only broadcast view) and stays
        # differentiable.
        leaf.grad = grad.clone() if leaf.grad is None else leaf.grad + grad
    elif leaf.grad is None:
        leaf.grad = grad.detach().clone()
    else:
        leaf.grad._data = leaf.grad._backend.add(leaf.grad._data, grad._data)


def run_backward(roots, root_grads, retain_graph, create_graph, capture=None):
    """Propagate `root_grads` from `roots` (a list of (node, output_nr)) back through the graph.

    With `capture` (a dict {(node, output_nr): None}) the total gradient reaching each captured
    edge is stored in it, leaves' `.grad` are left alone, and nodes that lead to no captured
    edge are skipped (this is `minigrad.grad`); without it, gradients are accumulated into the
    `.grad` of leaves.
    """
    root_nodes = list(dict.fromkeys(node for node, _ in roots))
    order = _reachable(root_nodes)
    if capture is None:
        active = set(order)
    else:
        active = _needed(order, {node for node, _ in capture})
    deps = {}
    for node in order:
        if node in active:
            for child in _children(node):
                if child in active:
                    deps[child] = deps.get(child, 0) + 1
    buffers = {}
    for (node, nr), grad in zip(roots, root_grads):
        buf = buffers.setdefault(node, [None] * node.num_outputs)
        buf[nr] = grad if buf[nr] is None else buf[nr] + grad
    ready = [n for n in root_nodes if n in active and deps.get(n, 0) == 0]
    with set_grad_enabled(create_graph):
        while ready:
            node = ready.pop()
            grads = buffers.pop(node, [None] * node.num_outputs)
            if capture is not None:
                for nr, g in enumerate(grads):
                    if (node, nr) in capture and g is not None:
                        capture[(node, nr)] = g
            if isinstance(node, AccumulateGrad):
                if capture is None and grads[0] is not None:
                    leaf = node.variable()
                    if leaf is not None:  # a leaf nobody holds any more needs no .grad
                        _accumulate(leaf, grads[0], create_graph)
                continue
            if not any(child in active for child in _children(node)):
                continue  # a captured node whose inputs lead to no other captured edge
            if all(g is None for g in grads):
                input_grads = (None,) * len(node.next_functions)
            else:
                input_grads = _call_backward(node, grads)
            for i, (edge, g) in enumerate(zip(node.next_functions, input_grads)):
                if edge is None or edge[0] not in active:
                    continue
                target, nr = edge
                if g is not None:
                    g = _check_grad(node, i, g, target.output_meta[nr])
                    buf = buffers.setdefault(target, [None] * target.num_outputs)
                    buf[nr] = g if buf[nr] is None else buf[nr] + g
                deps[target] -= 1
                if deps[target] == 0:
                    ready.append(target)
            if not retain_graph:
                node.release()
