"""Reverse-mode automatic differentiation: Function, grad modes, backward/grad, gradcheck, and
`autograd.functional` (jacobian, hessian, vjp, jvp, hvp, vhp), loaded when first used: it
builds on the ops, which import this package."""
from .api import backward, grad
from .errors import AutogradError, InplaceModificationError
from .function import BackwardNode, Function, KernelFunction
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                        set_grad_enabled)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .variable import Variable

__all__ = ["AutogradError", "BackwardNode", "Function", "KernelFunction", "GradcheckError",
           "InplaceModificationError", "backward", "enable_grad", "grad", "gradcheck",
           "gradgradcheck", "inference_mode", "is_grad_enabled", "no_grad", "set_grad_enabled",
           "Variable"]

# anomaly detection: the NaN check of each node's gradients while it is on
from .anomaly import detect_anomaly, set_detect_anomaly  # noqa: E402

__all__ += ["detect_anomaly", "set_detect_anomaly"]


def __getattr__(name):
    if name == "functional":
        import importlib
        return importlib.import_module(f"{__name__}.functional")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
