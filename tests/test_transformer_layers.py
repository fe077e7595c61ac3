"""nn.TransformerEncoderLayer / TransformerEncoder / TransformerDecoderLayer /
TransformerDecoder / Transformer against PyTorch: the same state_dict keys, and with torch's
weights loaded, the same outputs and parameter gradients (post- and pre-norm, batch_first,
causal float masks and bool key padding masks)."""
import numpy as np
import pytest

import minigrad
from minigrad import nn

torch = pytest.importorskip("torch")


def _load_from_torch(ours, theirs, device):
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: minigrad.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})
    return ours.to(device)


def _compare(ours, theirs, our_out, their_out, rtol=1e-4, atol=1e-5):
    np.testing.assert_allclose(our_out.detach().cpu().numpy(), their_out.detach().numpy(),
                               rtol=rtol, atol=atol)
    weights = torch.tensor(np.random.default_rng(1).standard_normal(their_out.shape),
                           dtype=their_out.dtype)
    (their_out * weights).sum().backward()
    (our_out * minigrad.tensor(weights.numpy(), device=our_out.device)).sum().backward()
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.cpu().numpy(), q.grad.numpy(), rtol=1e-3, atol=1e-5,
                                   err_msg=name)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_matches_torch(device, norm_first, batch_first):
    rng = np.random.default_rng(0)
    kwargs = dict(dim_feedforward=12, dropout=0.0, batch_first=batch_first,
                  norm_first=norm_first, activation="gelu")
    theirs = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, **kwargs), 2,
                                         norm=torch.nn.LayerNorm(8),
                                         enable_nested_tensor=False)
    ours = _load_from_torch(
        nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, **kwargs), 2,
                              norm=nn.LayerNorm(8), enable_nested_tensor=False),
        theirs, device)
    x = rng.standard_normal((5, 3, 8)).astype(np.float32)
    padding = np.zeros((3, 5), bool)
    padding[1, 3:] = True
    mask = nn.Transformer.generate_square_subsequent_mask(5)
    their_mask = torch.nn.Transformer.generate_square_subsequent_mask(5)
    np.testing.assert_array_equal(mask.numpy(), their_mask.numpy())
    our_x = minigrad.tensor(x.transpose(1, 0, 2) if batch_first else x, device=device)
    their_x = torch.tensor(x.transpose(1, 0, 2) if batch_first else x)
    our_out = ours(our_x, mask.to(device),
                   src_key_padding_mask=minigrad.tensor(padding, device=device))
    their_out = theirs(their_x, their_mask, src_key_padding_mask=torch.tensor(padding))
    _compare(ours, theirs, our_out, their_out)


def test_decoder_and_transformer_match_torch(device):
    rng = np.random.default_rng(0)
    kwargs = dict(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=2,
                  dim_feedforward=10, dropout=0.0)
    torch.manual_seed(0)
    theirs = torch.nn.Transformer(**kwargs)
    ours = _load_from_torch(nn.Transformer(**kwargs), theirs, device)
    src = rng.standard_normal((4, 2, 8)).astype(np.float32)
    tgt = rng.standard_normal((3, 2, 8)).astype(np.float32)
    tgt_mask = nn.Transformer.generate_square_subsequent_mask(3, device=device)
    our_out = ours(minigrad.tensor(src, device=device), minigrad.tensor(tgt, device=device),
                   tgt_mask=tgt_mask)
    their_out = theirs(torch.tensor(src), torch.tensor(tgt),
                       tgt_mask=torch.nn.Transformer.generate_square_subsequent_mask(3))
    assert tuple(our_out.shape) == (3, 2, 8)
    _compare(ours, theirs, our_out, their_out)


def test_layers_are_independent_copies_and_errors():
    layer = nn.TransformerEncoderLayer(4, 2, dim_feedforward=6)
    encoder = nn.TransformerEncoder(layer, 2)
    first, second = encoder.layers[0].linear1.weight, encoder.layers[1].linear1.weight
    assert first is not second
    np.testing.assert_array_equal(first.detach().numpy(), second.detach().numpy())
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(4, 2, activation="tanh")
    model = nn.Transformer(d_model=4, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
                           dim_feedforward=6)
    with pytest.raises(RuntimeError, match="batch number of src and tgt must be equal"):
        model(minigrad.zeros(3, 2, 4), minigrad.zeros(3, 1, 4))
