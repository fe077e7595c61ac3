"""Convert a torchvision model's weights, saved by PyTorch, into a minigrad checkpoint.

    # with torch and torchvision installed:
    #   torch.save(torchvision.models.resnet18(weights="DEFAULT").state_dict(), "resnet18.pth")
    python examples/convert_torchvision.py resnet18.pth resnet18.mg --model resnet18

    # then, without torch:
    model = minigrad.models.resnet18(weights="resnet18.mg")

minigrad's zoo models (AlexNet, VGG, ResNet, GoogLeNet) have torchvision's module trees, so
their state_dict keys and shapes are torchvision's: the conversion turns each torch tensor into
a minigrad tensor of the same dtype and checks the result by loading it into the model (every
key present, none left over, every shape equal). The number of classes and input channels are
read from the weights. GoogLeNet's auxiliary classifiers (`aux1`, `aux2`, training-time only)
have no counterpart in minigrad and are dropped, with a note. Needs torch
(`pip install minigrad[torch]`); torchvision itself is not needed.
"""
import argparse
import sys

import numpy as np

import minigrad
from minigrad.models import get_model, list_models

DROPPABLE_PREFIXES = ("aux1.", "aux2.")  # GoogLeNet's auxiliary classifiers


def read_torch_state_dict(path):
    """The state_dict saved at `path` by `torch.save(model.state_dict(), path)` (a checkpoint
    dict with a "state_dict" or "model" entry also works), as {key: numpy array}."""
    try:
        import torch
    except ImportError:
        raise ImportError("reading PyTorch files needs torch; install it with "
                          "`pip install minigrad[torch]`") from None
    loaded = torch.load(path, map_location="cpu", weights_only=True)
    if isinstance(loaded, dict) and not any(torch.is_tensor(v) for v in loaded.values()):
        for key in ("state_dict", "model"):
            if isinstance(loaded.get(key), dict):
                loaded = loaded[key]
                break
    if not isinstance(loaded, dict) or not all(torch.is_tensor(v) for v in loaded.values()):
        raise ValueError(f"{path!r} does not hold a state_dict (a dict of tensors); save one "
                         f"with torch.save(model.state_dict(), path)")
    return {key: value.detach().cpu().numpy() for key, value in loaded.items()}


def _first_key(state_dict, ndim):
    return next(key for key, value in state_dict.items() if value.ndim == ndim)


def convert(arrays, model_name):
    """{key: numpy array} of a torchvision `model_name` -> (minigrad model with those weights,
    notes). Raises ValueError naming the keys or shapes that do not fit."""
    key = model_name.strip().lower().replace("-", "_")
    if key not in list_models():
        raise ValueError(f"unknown model {model_name!r}; known models: "
                         f"{', '.join(list_models())}")
    model = get_model(key)  # built once with the defaults; again only if the weights differ
    template = model.state_dict()
    classifier, stem = _last_matrix_key(template), _first_key(template, 4)
    notes = []
    dropped = [k for k in arrays if k.startswith(DROPPABLE_PREFIXES) and k not in template]
    if dropped:
        notes.append(f"dropped {len(dropped)} tensors of the auxiliary classifiers "
                     f"(aux1, aux2), which minigrad's {key} does not have")
    arrays = {k: v for k, v in arrays.items() if k not in dropped}
    for needed in (classifier, stem):
        if needed not in arrays or arrays[needed].ndim != template[needed].ndim:
            raise ValueError(f"the weights have no {needed!r} of {template[needed].ndim} "
                             f"dimensions: they are not those of a torchvision {key}")
    num_classes, in_channels = arrays[classifier].shape[0], arrays[stem].shape[1]
    if (num_classes, in_channels) != (template[classifier].shape[0], template[stem].shape[1]):
        model = get_model(key, num_classes=int(num_classes), in_channels=int(in_channels))
    expected = model.state_dict()
    missing = sorted(set(expected) - set(arrays))
    unexpected = sorted(set(arrays) - set(expected))
    if missing or unexpected:
        raise ValueError(f"the weights do not fit minigrad's {key}: missing {missing[:8]}"
                         f"{' ...' if len(missing) > 8 else ''}, unexpected {unexpected[:8]}"
                         f"{' ...' if len(unexpected) > 8 else ''}")
    wrong = [f"{k}: {arrays[k].shape} for {tuple(expected[k].shape)}" for k in expected
             if tuple(arrays[k].shape) != tuple(expected[k].shape)]
    if wrong:
        raise ValueError(f"shapes differ from minigrad's {key}: {'; '.join(wrong[:5])}")
    model.load_state_dict({k: minigrad.tensor(np.array(v))
                           for k, v in arrays.items()})
    return model, notes


def _last_matrix_key(state_dict):
    return [key for key, value in state_dict.items() if value.ndim == 2][-1]


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Convert a torchvision state_dict (saved by torch) to a minigrad "
                    "checkpoint that minigrad.models.<name>(weights=PATH) loads.")
    parser.add_argument("source", help="the .pth file written by torch.save(state_dict)")
    parser.add_argument("destination", help="the minigrad checkpoint to write")
    parser.add_argument("--model", required=True,
                        help="the zoo model the weights belong to, e.g. resnet18")
    args = parser.parse_args(argv)
    try:
        arrays = read_torch_state_dict(args.source)
        model, notes = convert(arrays, args.model)
    except (ImportError, OSError, ValueError, RuntimeError) as err:
        parser.error(str(err))
    minigrad.save(model.state_dict(), args.destination)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    params = sum(p.numel() for p in model.parameters())
    print(f"wrote {args.destination}: {args.model} with {params:,} parameters; load it with "
          f"minigrad.models.{args.model.strip().lower().replace('-', '_')}("
          f"weights={args.destination!r})")
    return model


if __name__ == "__main__":
    main()
