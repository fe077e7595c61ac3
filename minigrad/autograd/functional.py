"""Higher-level differentiation of a function of tensors, as `torch.autograd.functional`:
`jacobian`, `hessian`, `vjp`, `jvp`, `hvp` and `vhp`.

`func` takes the tensors of `inputs` (a Tensor or a tuple of them) as positional arguments and
returns a Tensor or a tuple of Tensors. Results are detached unless `create_graph=True`, in
which case they are part of the graph (so they can be differentiated again). With
`strict=True` an output that does not depend on an input raises instead of giving zeros.

All of it is built on reverse mode (`autograd.grad`): the Jacobian one output element at a
time, `jvp` by the double-backward trick (the vjp is linear in v, so differentiating it with
respect to v gives J u). `vectorize=True` and `strategy="forward-mode"` (which PyTorch runs
through vmap and forward mode) give the same numbers here, computed the same way.
"""
from ..creation import zeros, zeros_like
from ..functions.shape import stack
from ..tensor import Tensor
from .api import grad
from .grad_mode import enable_grad


def _as_tuple(value, what, fn_name):
    """(tuple of Tensors, whether `value` was a tuple)."""
    if isinstance(value, Tensor):
        return (value,), False
    if isinstance(value, (tuple, list)) and all(isinstance(v, Tensor) for v in value):
        return tuple(value), True
    raise TypeError(f"The {what} given to {fn_name} must be either a Tensor or a tuple of "
                    f"Tensors but the given {what} has type {type(value)}.")


def _prepare(inputs, create_graph):
    """Inputs the function is run on: with create_graph, views of the originals that require
    grad (so results stay connected to them); otherwise detached leaves that require grad."""
    out = []
    for t in inputs:
        if create_graph and t.requires_grad:
            out.append(t.view_as(t))
        else:
            out.append(t.detach().requires_grad_(True))
    return tuple(out)


def _finish(tensors, create_graph):
    return tuple(t if create_graph else t.detach() for t in tensors)


def _grads(outputs, inputs, grad_outputs, create_graph, strict, retain_graph=True):
    """d(sum of outputs * grad_outputs)/d(inputs), zeros (or, if strict, an error) where an
    input does not reach the outputs."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    found = (grad([o for o, _ in pairs], inputs, [g for _, g in pairs],
                  retain_graph=retain_graph, create_graph=create_graph, allow_unused=True)
             if pairs else (None,) * len(inputs))
    result = []
    for i, (g, inp) in enumerate(zip(found, inputs)):
        if g is None:
            if strict:
                raise RuntimeError(f"The output of the user-provided function is independent "
                                   f"of input {i}. This is not allowed in strict mode.")
            g = zeros_like(inp)
        result.append(g)
    return tuple(result)


def _check_outputs(outputs, strict, fn_name):
    if strict:
        for i, o in enumerate(outputs):
            if not o.requires_grad:
                raise RuntimeError(f"Output {i} of the user-provided function does not "
                                   "require gradients. The outputs must be computed in a "
                                   "differentiable manner from the input when running in "
                                   "strict mode.")


def _check_v(v, like, what, fn_name):
    """`v` as a tuple matching the shapes of `like` (the inputs or the outputs)."""
    v, _ = _as_tuple(v, "v", fn_name)
    if len(v) != len(like):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(like)} but got "
                           f"{len(v)}.")
    for i, (a, b) in enumerate(zip(v, like)):
        if tuple(a.shape) != tuple(b.shape):
            raise RuntimeError(f"Entry {i} in v has invalid size: should be "
                               f"{tuple(b.shape)} but got {tuple(a.shape)}.")
    return v


def _single_element_v(outputs, fn_name):
    if len(outputs) != 1 or outputs[0].numel() != 1:
        raise RuntimeError("The vector v can only be None if the user-provided function "
                           "returns a single Tensor with a single element.")
    return (zeros_like(outputs[0]) + 1,)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(*inputs), v^T J): the vector-Jacobian product, one tensor per input. `v` has the
    outputs' shapes (None for a one-element output)."""
    with enable_grad():
        inputs, is_tuple = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prepare(inputs, create_graph)
        outputs, out_tuple = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                       "vjp")
        _check_outputs(outputs, strict, "vjp")
        v = _single_element_v(outputs, "vjp") if v is None else \
            _check_v(v, outputs, "outputs", "vjp")
        result = _grads(outputs, inputs, v, create_graph, strict)
    outputs = _finish(outputs, create_graph)
    result = _finish(result, create_graph)
    return (outputs if out_tuple else outputs[0]), (result if is_tuple else result[0])


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(*inputs), J v): the Jacobian-vector product, one tensor per output. `v` has the
    inputs' shapes (None for a single one-element input)."""
    with enable_grad():
        inputs, is_tuple = _as_tuple(inputs, "inputs", "jvp")
        inputs = _prepare(inputs, create_graph)
        if v is None:
            if len(inputs) != 1 or inputs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the input to the "
                                   "user-provided function is a single Tensor with a single "
                                   "element.")
            v = (zeros_like(inputs[0]) + 1,)
        else:
            v = _check_v(v, inputs, "inputs", "jvp")
        outputs, out_tuple = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                       "jvp")
        _check_outputs(outputs, strict, "jvp")
        # u^T J is linear in u; differentiating it with respect to u against v gives J v
        dummies = tuple(zeros_like(o).requires_grad_(True) for o in outputs)
        vjps = _grads(outputs, inputs, dummies, True, strict)
        result = _grads(vjps, dummies, v, create_graph, strict, retain_graph=create_graph)
    outputs = _finish(outputs, create_graph)
    result = _finish(result, create_graph)
    return (outputs if out_tuple else outputs[0]), (result if out_tuple else result[0])


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """d func(*inputs) / d inputs. For one input and one output, a Tensor of shape
    output.shape + input.shape; a tuple over the inputs when `inputs` is a tuple, nested in
    a tuple over the outputs when `func` returns a tuple."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                         'Hint: If your function has more outputs than inputs, "forward-mode" '
                         'tends to be more performant. Otherwise, prefer to use '
                         '"reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError("torch.autograd.functional.jacobian: `create_graph=True` "
                                      'and `strategy="forward-mode"` are not supported '
                                      "together (yet). Please either set `create_graph=False` "
                                      'or `strategy="reverse-mode"`.')
        if not vectorize:
            raise ValueError('torch.autograd.functional.jacobian: `strategy="forward-mode"` '
                             "requires `vectorize=True`.")
    if strict and vectorize:
        raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and "
                           "`vectorize=True` are not supported together. Please either set "
                           "`strict=False` or `vectorize=False`.")
    with enable_grad():
        inputs, is_tuple = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _prepare(inputs, create_graph)
        outputs, out_tuple = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                       "jacobian")
        _check_outputs(outputs, strict, "jacobian")
        jacobians = []
        for out in outputs:
            flat = out.reshape(-1)
            rows = [[] for _ in inputs]
            for j in range(flat.numel()):
                if out.requires_grad:
                    one_hot = zeros(flat.numel(), dtype=out.dtype, device=out.device)
                    one_hot[j] = 1
                    grads = _grads((flat,), inputs, (one_hot,), create_graph, strict)
                else:
                    grads = tuple(zeros_like(inp) for inp in inputs)
                for row, g in zip(rows, grads):
                    row.append(g)
            per_input = []
            for row, inp in zip(rows, inputs):
                shape = tuple(out.shape) + tuple(inp.shape)
                if row:
                    per_input.append(stack(row).reshape(shape))
                else:
                    per_input.append(zeros(shape, dtype=inp.dtype, device=inp.device))
            per_input = _finish(per_input, create_graph)
            jacobians.append(per_input if is_tuple else per_input[0])
    return tuple(jacobians) if out_tuple else jacobians[0]


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The matrix of second derivatives of `func`, which must return one one-element Tensor.
    For one input, a Tensor of shape input.shape + input.shape; for a tuple of inputs, a tuple
    of tuples (entry [i][j] of shape inputs[i].shape + inputs[j].shape)."""
    inputs_tuple, is_tuple = _as_tuple(inputs, "inputs", "hessian")

    def ensure_single_output(*inp):
        out = func(*inp)
        if isinstance(out, (tuple, list)):
            if len(out) != 1:
                raise RuntimeError("The function given to hessian should return a single "
                                   "Tensor")
            out = out[0]
        if not isinstance(out, Tensor):
            raise TypeError("The outputs of the user-provided function given to hessian must "
                            "be either a Tensor or a tuple of Tensors but the given outputs of "
                            f"the user-provided function has type {type(out)}.")
        if out.numel() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should "
                               "contain a single element")
        return out.squeeze()

    def jac_func(*inp):
        return jacobian(ensure_single_output, inp, create_graph=True, strict=strict)

    result = jacobian(jac_func, inputs_tuple, create_graph=create_graph, strict=strict,
                      vectorize=vectorize, strategy=outer_jacobian_strategy)
    return result if is_tuple else result[0][0]


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(*inputs), v^T H) for a `func` returning one one-element Tensor."""
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(*inputs), H v) for a `func` returning one one-element Tensor (H is symmetric for
    twice continuously differentiable functions, so this equals `vhp`)."""
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func, inputs, v, create_graph, strict, fn_name):
    with enable_grad():
        inputs, is_tuple = _as_tuple(inputs, "inputs", fn_name)
        inputs = _prepare(inputs, create_graph)
        if v is None:
            if len(inputs) != 1 or inputs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the input to the "
                                   "user-provided function is a single Tensor with a single "
                                   "element.")
            v = (zeros_like(inputs[0]) + 1,)
        else:
            v = _check_v(v, inputs, "inputs", fn_name)
        outputs, out_tuple = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                       fn_name)
        if out_tuple or outputs[0].numel() != 1:
            raise RuntimeError(f"The function given to {fn_name} should return a single "
                               "Tensor with a single element" if out_tuple else
                               f"The Tensor returned by the function given to {fn_name} should "
                               "contain a single element")
        _check_outputs(outputs, strict, fn_name)
        first = _grads(outputs, inputs, (zeros_like(outputs[0]) + 1,), True, strict)
        result = _grads(first, inputs, v, create_graph, strict, retain_graph=create_graph)
    out = _finish(outputs, create_graph)[0]
    result = _finish(result, create_graph)
    return out, (result if is_tuple else result[0])
