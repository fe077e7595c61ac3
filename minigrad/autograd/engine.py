"""Reverse-mode traversal of the backward graph: `backward` and `grad`.

The traversal is iterative (Kahn's algorithm over dependency counts), so graphs of any depth
work without touching Python's recursion limit. A node runs once all gradients flowing into it
have been summed.
"""
from .errors import AutogradError
from .function import AccumulateGrad
from .grad_mode import set_grad_enabled


def _dependencies(roots):
    """Map each node reachable from `roots` to the number of edges that lead into it."""
    deps = {}
    seen = set()
    stack = list(roots)
    for node in roots:
        seen.add(node)
    while stack:
        node = stack.pop()
        for edge in node.next_functions:
            if edge is None:
                continue
            nxt = edge[0]
            deps[nxt] = deps.get(nxt, 0) + 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return deps


def _zeros_for(meta):
    from ..creation import zeros
    shape, dtype, device = meta
    return zeros(shape, dtype=dtype, device=device)


def _check_grad(node, index, grad, meta):
    shape, dtype, device = meta
    if tuple(grad.shape) != tuple(shape):
        raise AutogradError(f"{node.name()} returned a gradient of shape {tuple(grad.shape)} for "
                            f"input {index}, expected shape {tuple(shape)}")
    if grad.device != device:
        raise AutogradError(f"{node.name()} returned a gradient on {grad.device} for input "
                            f"{index}, which lives on {device}")
    if grad.dtype != dtype:
        grad = grad.to(dtype=dtype)
    return grad


def _call_backward(node, grads):
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
        leaf.grad = grad if leaf.grad is None else leaf.grad + grad
    elif leaf.grad is None:
        leaf.grad = grad.detach().clone()
    else:
        leaf.grad._data = leaf.grad._backend.add(leaf.grad._data, grad._data)


def run_backward(roots, root_grads, retain_graph, create_graph, capture=None):
    """Propagate `root_grads` from `roots` (a list of (node, output_nr)) back through the graph.

    With `capture` (a dict {(node, output_nr): None}) the total gradient reaching each captured
    edge is stored in it and leaves' `.grad` are left alone (this is `minigrad.grad`);
    without it, gradients are accumulated into the `.grad` of leaves.
    """
    root_nodes = list(dict.fromkeys(node for node, _ in roots))
    deps = _dependencies(root_nodes)
    buffers = {}
    for (node, nr), grad in zip(roots, root_grads):
        buf = buffers.setdefault(node, [None] * node.num_outputs)
        buf[nr] = grad if buf[nr] is None else buf[nr] + grad
    ready = [n for n in root_nodes if deps.get(n, 0) == 0]
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
                    _accumulate(node.variable, grads[0], create_graph)
                continue
            if all(g is None for g in grads):
                input_grads = (None,) * len(node.next_functions)
            else:
                input_grads = _call_backward(node, grads)
            for i, (edge, g) in enumerate(zip(node.next_functions, input_grads)):
                if edge is None:
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
