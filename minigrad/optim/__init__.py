"""Optimizers (PyTorch's update rules) and learning-rate schedulers (`optim.lr_scheduler`)."""
from . import lr_scheduler
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD
