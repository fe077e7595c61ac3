"""`to_dot`: the autograd graph behind a tensor as Graphviz dot text, optionally rendered."""
import os
import shutil
import subprocess
import warnings

from ..autograd.function import AccumulateGrad
from ..tensor import Tensor


def _shape(shape):
    return str(tuple(int(s) for s in shape))


def _quote(text):
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped + '"'


def to_dot(tensor, params=None, path=None):
    """The graph of Functions that produced `tensor`, as Graphviz dot text.

    Nodes: the tensor itself (an ellipse with its shape), one box per backward Function (its
    name, e.g. "MmBackward0", and the shapes it produced) and one box per leaf tensor that
    requires grad (marked "leaf", with its shape and, when `params` maps names to tensors
    (e.g. `dict(model.named_parameters())`), its name). An edge a -> b means a's result flows
    into b in the forward pass. Node ids are "out", "fn<k>" and "leaf<k>".

    Given `path`, also writes the graph: "x.dot" (or ".gv") gets the text; "x.png", "x.svg" or
    "x.pdf" is rendered by Graphviz's `dot` program where it is installed, and otherwise the
    text goes to the same name with ".dot" and a warning says so. Returns the text.
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"to_dot expects a Tensor, got {type(tensor).__name__}")
    names = {id(t): name for name, t in (params or {}).items()}
    lines = ["digraph autograd {", '  node [fontname="Helvetica", fontsize=10];',
             f"  out [shape=ellipse, label={_quote('output ' + _shape(tensor.shape))}];"]
    ids, edges = {}, []
    root = tensor.grad_fn
    if root is None and tensor.requires_grad:
        root = tensor._accumulator()
    stack = [] if root is None else [root]
    if root is not None:
        ids[root] = _node_id(root, ids)
        edges.append((ids[root], "out"))
    while stack:  # depth-first, without recursion: graphs can be thousands of nodes deep
        node = stack.pop()
        lines.append(f"  {ids[node]} [shape=box, {_style(node, names)}];")
        for child, _ in node.next_functions:
            if child is None:  # an input that needs no gradient
                continue
            if child not in ids:
                ids[child] = _node_id(child, ids)
                stack.append(child)
            edges.append((ids[child], ids[node]))
    lines += [f"  {a} -> {b};" for a, b in edges]
    lines.append("}")
    text = "\n".join(lines) + "\n"
    if path is not None:
        _write(text, os.fspath(path))
    return text


def _node_id(node, ids):
    prefix = "leaf" if isinstance(node, AccumulateGrad) else "fn"
    return f"{prefix}{len(ids)}"


def _style(node, names):
    if isinstance(node, AccumulateGrad):
        leaf = node.variable()
        shape = node.output_meta[0][0]
        label = "leaf " + _shape(shape)
        if leaf is not None and id(leaf) in names:
            label = f"{names[id(leaf)]}\nleaf {_shape(shape)}"
        return f'style=filled, fillcolor="lightblue", label={_quote(label)}'
    shapes = " ".join(_shape(meta[0]) for meta in node.output_meta)
    label = node.name() + ("\n" + shapes if shapes else "")
    return f"label={_quote(label)}"


def _write(text, path):
    stem, suffix = os.path.splitext(path)
    suffix = suffix.lower()
    if suffix in (".dot", ".gv"):
        with open(path, "w") as f:
            f.write(text)
        return
    if suffix not in (".png", ".svg", ".pdf"):
        raise ValueError(f"to_dot: path must end in .dot, .gv, .png, .svg or .pdf, got {path!r}")
    program = shutil.which("dot")
    if program is None:
        with open(stem + ".dot", "w") as f:
            f.write(text)
        warnings.warn(f"Graphviz's dot program is not installed, so {path!r} was not "
                      f"rendered; the dot text is in {stem + '.dot'!r}", stacklevel=3)
        return
    subprocess.run([program, "-T" + suffix[1:], "-o", path], input=text.encode(), check=True)
