"""grad_fn names and next_functions as PyTorch's: `type(t.grad_fn).__name__`, `grad_fn.name()`
and the names of the nodes in `next_functions`, for the ops programs print most, compared with
torch on the same calls."""
import numpy as np
import pytest

import minigrad

torch = pytest.importorskip("torch")

# (case name, program): each program takes (lib, F, tensors) and returns one tensor
CASES = {
    "add": lambda m, F, t: t["x"] + t["x"],
    "add_number": lambda m, F, t: t["x"] + 1,
    "sub": lambda m, F, t: t["x"] - t["w"][0, :3],
    "rsub": lambda m, F, t: 1 - t["x"],
    "mul": lambda m, F, t: t["x"] * t["x"],
    "mul_number": lambda m, F, t: t["x"] * 2,
    "div": lambda m, F, t: t["x"] / t["x"],
    "neg": lambda m, F, t: -t["x"],
    "pow_number": lambda m, F, t: t["x"] ** 2,
    "pow_tensor": lambda m, F, t: t["x"].abs() ** t["x"],
    "number_pow": lambda m, F, t: 2 ** t["x"],
    "exp": lambda m, F, t: t["x"].exp(),
    "log": lambda m, F, t: t["x"].abs().log(),
    "sqrt": lambda m, F, t: t["x"].abs().sqrt(),
    "tanh": lambda m, F, t: m.tanh(t["x"]),
    "sigmoid": lambda m, F, t: m.sigmoid(t["x"]),
    "relu": lambda m, F, t: F.relu(t["x"]),
    "clamp": lambda m, F, t: t["x"].clamp(min=0),
    "sum": lambda m, F, t: t["x"].sum(),
    "sum_dim": lambda m, F, t: t["x"].sum(1),
    "mean": lambda m, F, t: t["x"].mean(),
    "mean_dim": lambda m, F, t: t["x"].mean(dim=1),
    "max": lambda m, F, t: t["x"].max(),
    "max_dim": lambda m, F, t: t["x"].max(1)[0],
    "var": lambda m, F, t: t["x"].var(),
    "std": lambda m, F, t: t["x"].std(),
    "linear": lambda m, F, t: F.linear(t["x"], t["w"], t["b"]),
    "linear_no_bias": lambda m, F, t: F.linear(t["x"], t["w"]),
    "linear_3d": lambda m, F, t: F.linear(t["x"][None], t["w"], t["b"]),
    "matmul": lambda m, F, t: t["x"] @ t["w"].T,
    "matvec": lambda m, F, t: t["w"] @ t["x"][0],
    "dot": lambda m, F, t: t["x"][0] @ t["x"][1],
    "view": lambda m, F, t: t["x"].view(3, 2),
    "reshape": lambda m, F, t: t["x"].reshape(-1),
    "flatten": lambda m, F, t: t["img"].flatten(1),
    "t": lambda m, F, t: t["x"].t(),
    "transpose": lambda m, F, t: t["x"].transpose(0, 1),
    "permute": lambda m, F, t: t["img"].permute(0, 2, 3, 1),
    "unsqueeze": lambda m, F, t: t["x"].unsqueeze(0),
    "squeeze_dim": lambda m, F, t: t["x"][None].squeeze(0),
    "expand": lambda m, F, t: t["x"][None].expand(2, 2, 3),
    "cat": lambda m, F, t: m.cat([t["x"], t["x"]]),
    "stack": lambda m, F, t: m.stack([t["x"], t["x"]]),
    "select": lambda m, F, t: t["x"][0],
    "slice": lambda m, F, t: t["x"][:, 1:],
    "slice_then_select": lambda m, F, t: t["x"][1:, 0],
    "index": lambda m, F, t: t["x"][m.tensor([0, 1])],
    "clone": lambda m, F, t: t["x"].clone(),
    "to_double": lambda m, F, t: t["x"].double(),
    "split": lambda m, F, t: t["x"].split(1)[0],
    "conv2d": lambda m, F, t: F.conv2d(t["img"], t["cw"]),
    "max_pool2d": lambda m, F, t: F.max_pool2d(t["img"], 2),
    "avg_pool2d": lambda m, F, t: F.avg_pool2d(t["img"], 2),
    "adaptive_avg_pool2d_1": lambda m, F, t: F.adaptive_avg_pool2d(t["img"], 1),
    "adaptive_avg_pool2d_2": lambda m, F, t: F.adaptive_avg_pool2d(t["img"], (2, 2)),
    "batch_norm": lambda m, F, t: F.batch_norm(t["img"], None, None, training=True),
    "batch_norm_eval": lambda m, F, t: F.batch_norm(t["img"], m.zeros(2), m.ones(2)),
    "softmax": lambda m, F, t: F.softmax(t["x"], 1),
    "log_softmax": lambda m, F, t: F.log_softmax(t["x"], 1),
    "cross_entropy": lambda m, F, t: F.cross_entropy(t["x"], m.tensor([0, 2])),
    "nll_loss": lambda m, F, t: F.nll_loss(t["x"], m.tensor([0, 2])),
    "mse_loss": lambda m, F, t: F.mse_loss(t["x"], t["x"].detach() * 2),
    "l1_loss": lambda m, F, t: F.l1_loss(t["x"], t["x"].detach() * 2),
    "bce": lambda m, F, t: F.binary_cross_entropy(m.sigmoid(t["x"]), m.ones(2, 3) / 2),
    "bce_logits": lambda m, F, t: F.binary_cross_entropy_with_logits(t["x"], m.ones(2, 3)),
    "gelu": lambda m, F, t: F.gelu(t["x"]),
    "leaky_relu": lambda m, F, t: F.leaky_relu(t["x"], 0.2),
    "dropout": lambda m, F, t: F.dropout(t["x"], 0.5),
    "interpolate": lambda m, F, t: F.interpolate(t["img"], scale_factor=2),
    "interpolate_bilinear": lambda m, F, t: F.interpolate(t["img"], scale_factor=2,
                                                          mode="bilinear"),
    "interpolate_linear": lambda m, F, t: F.interpolate(t["x"][None], size=5, mode="linear"),
    "interpolate_area": lambda m, F, t: F.interpolate(t["img"], size=(3, 3), mode="area"),
    "pad": lambda m, F, t: F.pad(t["x"], (1, 1)),
    "conv_transpose2d": lambda m, F, t: F.conv_transpose2d(t["img"], t["cw"].transpose(0, 1)),
}


def _tensors(lib):
    rng = np.random.default_rng(0)
    shapes = {"x": (2, 3), "w": (4, 3), "b": (4,), "img": (1, 2, 6, 6), "cw": (3, 2, 3, 3)}
    return {k: lib.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)
            for k, s in shapes.items()}


def _describe(out):
    node = out.grad_fn
    children = [None if child is None else type(child).__name__
                for child, _ in node.next_functions]
    return type(node).__name__, node.name(), children


@pytest.mark.parametrize("case", sorted(CASES))
def test_grad_fn_name_matches_torch(case):
    program = CASES[case]
    m_name, m_called, _ = _describe(program(minigrad, minigrad.nn.functional,
                                            _tensors(minigrad)))
    t_name, _, _ = _describe(program(torch, torch.nn.functional, _tensors(torch)))
    assert m_name == t_name
    assert m_called == m_name


# ops whose graph here has the same shape as torch's, so next_functions match too
SAME_SHAPE = ["add", "add_number", "sub", "mul", "mul_number", "div", "neg", "pow_number",
              "exp", "relu", "sum", "sum_dim", "view", "t", "permute", "unsqueeze",
              "cat", "select", "slice", "clone", "log_softmax", "mse_loss",
              "softmax", "dropout", "gelu"]


@pytest.mark.parametrize("case", SAME_SHAPE)
def test_next_functions_match_torch(case):
    program = CASES[case]
    _, _, m_children = _describe(program(minigrad, minigrad.nn.functional, _tensors(minigrad)))
    _, _, t_children = _describe(program(torch, torch.nn.functional, _tensors(torch)))
    assert m_children == t_children


def test_a_users_function_is_named_after_its_class():
    class MyScale(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 3

        @staticmethod
        def backward(ctx, grad):
            return grad * 3

    y = MyScale.apply(minigrad.ones(2, requires_grad=True))
    assert type(y.grad_fn).__name__ == y.grad_fn.name() == "MyScaleBackward"
    assert repr(y.grad_fn) == "<MyScaleBackward>"
    assert "grad_fn=<MyScaleBackward>" in repr(y)


def test_a_training_step_prints_torch_names():
    """What an MNIST-style step prints: the grad_fn of the loss and of each layer's output."""
    names = []
    for lib in (minigrad, torch):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Flatten(), lib.nn.Linear(4, 3), lib.nn.ReLU(),
                                  lib.nn.Linear(3, 2), lib.nn.LogSoftmax(dim=1))
        x = lib.ones(2, 2, 2, requires_grad=True)
        outputs = [model[:i](x) for i in range(1, len(model) + 1)]
        losses = [lib.nn.MSELoss()(outputs[-1], lib.zeros(2, 2)),
                  lib.nn.NLLLoss()(outputs[-1], lib.tensor([0, 1])),
                  lib.nn.CrossEntropyLoss()(outputs[-2], lib.tensor([0, 1]))]
        names.append([t.grad_fn.name() for t in outputs + losses])
    assert names[0] == names[1]
    assert names[0][-3:] == ["MseLossBackward0", "NllLossBackward0", "NllLossBackward0"]
