"""Reverse-mode automatic differentiation: Function, grad modes, backward/grad, gradcheck."""
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
