# Stands for: the official PyTorch tutorial "Tensors" (Learn the Basics) and the tensor part
# of the 60-minute blitz, with the debugging idioms people add to their scripts: tensors from
# lists, numpy and other tensors (ones_like, rand_like with dtype=), shape tuples for rand /
# ones / zeros, attributes, standard indexing and slicing, torch.cat, matrix multiplication
# three ways (@, matmul with out=, .T), element-wise products, agg.item(), in-place add_,
# the numpy bridge both ways, printed tensors under torch.set_printoptions (precision,
# sci_mode, threshold/edgeitems, linewidth, profile), and a training step run under
# torch.autograd.set_detect_anomaly(True) that stops at the node producing NaN. The printed
# texts are compared with PyTorch's.
import numpy as np

import minigrad as torch


def main(steps=2, state=None):
    texts = []
    losses = []

    def show(x):
        print(x)
        texts.append(str(x))

    data = [[1, 2], [3, 4]]
    x_data = torch.tensor(data)
    np_array = np.array(data)
    x_np = torch.from_numpy(np_array)
    show(x_data)
    show(x_np)
    x_ones = torch.ones_like(x_data)
    show(x_ones)
    torch.manual_seed(0)
    x_rand = torch.rand_like(x_data, dtype=torch.float)
    print(f"Random Tensor: \n {x_rand} \n")
    shape = (2, 3,)
    ones_tensor = torch.ones(shape)
    zeros_tensor = torch.zeros(shape)
    show(ones_tensor)
    show(zeros_tensor)
    tensor = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 3
    print(f"Shape of tensor: {tensor.shape}")
    print(f"Datatype of tensor: {tensor.dtype}")
    print(f"Device tensor is stored on: {tensor.device}")
    show(tensor[0])
    show(tensor[:, 0])
    show(tensor[..., -1])
    tensor[:, 1] = 0
    show(tensor)
    t1 = torch.cat([tensor, tensor, tensor], dim=1)
    show(t1)
    y1 = tensor @ tensor.T
    y2 = tensor.matmul(tensor.T)
    y3 = torch.rand_like(y1)
    torch.matmul(tensor, tensor.T, out=y3)
    show(y1)
    losses += [y2.sum().item(), y3.sum().item()]
    z1 = tensor * tensor
    z2 = tensor.mul(tensor)
    z3 = torch.rand_like(tensor)
    torch.mul(tensor, tensor, out=z3)
    show(z1)
    losses += [z2.sum().item(), z3.sum().item()]
    agg = tensor.sum()
    agg_item = agg.item()
    print(agg_item, type(agg_item))
    losses.append(agg_item)
    show(tensor.add_(5))

    t = torch.ones(5)
    n = t.numpy()
    t.add_(1)
    texts.append(str(n))
    n = np.ones(5)
    t = torch.from_numpy(n)
    np.add(n, 1, out=n)
    show(t)

    values = torch.tensor([[1e-5, 0.5, 123.25], [-2.0, 3.5, 1e3]])
    show(values)
    torch.set_printoptions(precision=2)
    show(values)
    torch.set_printoptions(sci_mode=False)
    show(values)
    torch.set_printoptions(threshold=20, edgeitems=2, linewidth=60)
    show(torch.arange(100, dtype=torch.float32).reshape(10, 10) / 7)
    show(torch.linspace(0, 1, 50))
    torch.set_printoptions(profile="default")
    show(torch.tensor([True, False, True]))
    show(torch.tensor(3.14159))
    show(torch.zeros(2, 0))
    show(torch.ones(2, requires_grad=True) * 3)

    w = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    x = torch.tensor([[0.0, 1.0, 4.0], [1.0, 0.0, 9.0]])
    opt = torch.optim.SGD([w], lr=0.1)
    with torch.autograd.set_detect_anomaly(True):
        for _ in range(steps):
            opt.zero_grad()
            loss = (x.sqrt() * w).sum() ** 2
            loss.backward()
            opt.step()
            losses.append(loss.item())
        x.requires_grad_(True)
        try:
            (x.sqrt() * 0 * w).sum().backward()
        except RuntimeError as err:
            print(err)
            texts.append(str(err))
    assert not torch.is_anomaly_enabled()
    return {"losses": losses, "texts": texts, "initial": None}
