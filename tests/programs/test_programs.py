"""PyTorch programs of the kinds people publish, written as PyTorch code whose only
minigrad-specific lines are the imports (each file names the program it stands for).

Each runs under minigrad. Where torch is installed it also runs under torch with the imports
swapped back, and for most the losses (or, for Grad-CAM, the maps) from torch's initial
weights, loaded into minigrad, match torch's step by step, as do the texts a program prints
where it collects them.
"""
import math
import os
import pathlib
import re
import types

import pytest

HERE = pathlib.Path(__file__).parent


# name: (whether the losses are compared with torch's, whether it is slow enough to run only
#        when asked with MINIGRAD_SLOW_PROGRAMS=1)
PROGRAMS = {
    "mnist_example": (False, False),
    "vae_example": (False, False),
    "dcgan_example": (False, False),
    "quickstart_tutorial": (True, False),
    "autograd_tutorial": (True, False),
    "neural_networks_tutorial": (True, False),
    "cifar10_tutorial": (True, False),
    "polynomial_custom_function": (True, False),
    "transfer_learning_tutorial": (False, True),
    "d2l_batch_norm": (True, False),
    "d2l_resnet": (True, False),
    "grad_cam": (True, False),
    "wgan_gp": (True, False),
    "conv_autoencoder": (True, False),
    "word_language_model": (True, False),
    "time_sequence_prediction": (True, False),
    "fast_neural_style": (True, False),
    "super_resolution": (True, False),
    "siamese_network": (True, False),
    "mnist_rnn": (False, False),
    "regression": (True, False),
    "mnist_forward_forward": (True, False),
    "nn_tutorial": (True, False),
    "d2l_modern_cnns": (True, False),
    "d2l_optimization": (True, False),
    "char_rnn": (True, False),
    "seq2seq_translation": (True, False),
    "spatial_transformer": (False, False),
    "saving_loading_models": (True, False),
    "data_loading_tutorial": (False, False),
    "text_classification": (True, False),
    "reinforce": (False, False),
    "chatbot_tutorial": (True, False),
    "fgsm_tutorial": (False, False),
    "classic_cnns": (True, False),
    "d2l_rnn_attention": (True, False),
    "neural_style_tutorial": (True, False),
    "unet_segmentation": (True, False),
    "gat": (True, False),
    "dqn_tutorial": (True, False),
    "mingpt": (True, False),
    "maml_sine": (True, False),
    "pinn_burgers": (True, False),
    "swa_ema": (True, False),
    "gradient_checkpointing": (True, False),
    "hessian_newton": (True, False),
    "simclr": (True, False),
    "tensors_tutorial": (True, False),
    "sngan": (True, False),
    "pruning_tutorial": (True, False),
    "lr_schedulers_finetune": (True, False),
    "knowledge_distillation": (True, False),
    "ppo_continuous": (True, False),
    "parametrizations_tutorial": (True, False),
}

# import lines whose torch form is not the minigrad path with "torch" put in
_IMPORT_RENAMES = {"from minigrad import models": "from torchvision import models"}


def _params(names):
    """The programs as parameters; the slow one is skipped unless asked for."""
    skip_slow = pytest.mark.skipif(not os.environ.get("MINIGRAD_SLOW_PROGRAMS"),
                                   reason="slow (a resnet18); set MINIGRAD_SLOW_PROGRAMS=1 to "
                                          "run it")
    return [pytest.param(name, marks=[skip_slow] if PROGRAMS[name][1] else [], id=name)
            for name in names]


def _to_torch(source):
    """The program with its imports swapped back to torch; nothing else may name minigrad."""
    lines = []
    for line in source.splitlines():
        if re.match(r"(import|from) minigrad\b", line):
            line = _IMPORT_RENAMES.get(line, line.replace("minigrad", "torch"))
        lines.append(line)
    converted = "\n".join(lines) + "\n"
    assert "minigrad" not in converted, "a line other than an import names minigrad"
    return converted


def _load(name, lib):
    path = HERE / f"{name}.py"
    source = path.read_text()
    if lib == "torch":
        pytest.importorskip("torch")
        if "torchvision" in _to_torch(source):
            pytest.importorskip("torchvision")
        source = _to_torch(source)
    module = types.ModuleType(f"program_{name}_{lib}")
    module.__file__ = str(path)
    exec(compile(source, str(path), "exec"), module.__dict__)
    return module


def _check_finite(losses):
    assert losses and all(isinstance(v, float) and math.isfinite(v) for v in losses), losses


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_only_the_imports_name_minigrad(name):
    _to_torch((HERE / f"{name}.py").read_text())


@pytest.mark.parametrize("name", _params(sorted(PROGRAMS)))
def test_program_runs_and_matches_torch(name):
    compared = PROGRAMS[name][0]
    try:
        import torch  # noqa: F401
    except ImportError:
        compared = False
    if not compared:
        _check_finite(_load(name, "minigrad").main()["losses"])
        return
    expected = _load(name, "torch").main()
    got = _load(name, "minigrad").main(state=expected["initial"])
    _check_finite(got["losses"])
    assert len(got["losses"]) == len(expected["losses"])
    for step, (g, e) in enumerate(zip(got["losses"], expected["losses"])):
        assert math.isclose(g, e, rel_tol=1e-4, abs_tol=1e-5), (step, got["losses"],
                                                               expected["losses"])
    # printed text, where a program collects it, reads as PyTorch's (less the library name)
    texts = [text.replace("minigrad", "torch") for text in got.get("texts", [])]
    assert texts == expected.get("texts", [])


@pytest.mark.parametrize("name", _params(sorted(n for n in PROGRAMS if not PROGRAMS[n][0])))
def test_program_runs_under_torch(name):
    """The programs whose numbers are random run under torch as they are (the others ran
    under torch in the comparison above)."""
    _check_finite(_load(name, "torch").main()["losses"])
