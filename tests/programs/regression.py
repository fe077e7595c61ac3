# Stands for: the PyTorch examples repository's polynomial regression (regression/main.py):
# features x, x^2, ..., x^4 built with unsqueeze and cat, a target polynomial with a random
# weight vector and bias, a one-output nn.Linear fitted with smooth_l1_loss and the
# hand-written update param.data.add_(-lr * param.grad), stopping when the loss falls under a
# threshold, and the learned and actual polynomials printed with view(-1) and tolist. The
# random numbers come from numpy so that the run repeats exactly.
import numpy as np

import minigrad as torch
import minigrad.nn.functional as F

POLY_DEGREE = 4
rng = np.random.default_rng(0)
W_target = torch.tensor(rng.standard_normal((POLY_DEGREE, 1)).astype(np.float32)) * 5
b_target = torch.tensor(rng.standard_normal(1).astype(np.float32)) * 5


def make_features(x):
    """Builds features i.e. a matrix with columns [x, x^2, x^3, x^4]."""
    x = x.unsqueeze(1)
    return torch.cat([x ** i for i in range(1, POLY_DEGREE + 1)], 1)


def f(x):
    """Approximated function."""
    return x.mm(W_target) + b_target.item()


def poly_desc(W, b):
    """Creates a string description of a polynomial."""
    result = 'y = '
    for i, w in enumerate(W):
        result += '{:+.2f} x^{} '.format(w, i + 1)
    result += '{:+.2f}'.format(b[0])
    return result


def get_batch(batch_size=32):
    """Builds a batch i.e. (x, f(x)) pair."""
    random = torch.tensor(rng.standard_normal(batch_size).astype(np.float32))
    x = make_features(random)
    y = f(x)
    return x, y


def main(steps=2, state=None):
    global rng
    rng = np.random.default_rng(1)
    # Define model
    fc = torch.nn.Linear(W_target.size(0), 1)
    if state is not None:
        fc.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    initial = {k: v.detach().numpy().copy() for k, v in fc.state_dict().items()}
    losses = []
    for batch_idx in range(1, 10 * steps + 1):
        # Get data
        batch_x, batch_y = get_batch()

        # Reset gradients
        fc.zero_grad()

        # Forward pass
        output = F.smooth_l1_loss(fc(batch_x), batch_y)
        loss = output.item()

        # Backward pass
        output.backward()

        # Apply gradients
        for param in fc.parameters():
            param.data.add_(-0.01 * param.grad)
        losses.append(loss)

        # Stop criterion
        if loss < 1e-3:
            break

    print('Loss: {:.6f} after {} batches'.format(loss, batch_idx))
    print('==> Learned function:\t' + poly_desc(fc.weight.view(-1), fc.bias))
    print('==> Actual function:\t' + poly_desc(W_target.view(-1), b_target))
    print(fc.weight.view(-1).tolist())
    return {"losses": losses, "initial": initial}
