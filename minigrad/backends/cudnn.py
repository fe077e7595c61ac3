"""`minigrad.backends.cudnn`, as `torch.backends.cudnn`.

minigrad's cuda kernels are its own (numba.cuda), not cuDNN, so `is_available()` is False. The
flags programs set are kept and read back as in PyTorch: `enabled` (default True),
`benchmark` and `deterministic` (default False). minigrad's kernels pick their algorithm
without benchmarking, so the flags change nothing in what is computed; the few cuda kernels
that add with atomics are made deterministic by `minigrad.use_deterministic_algorithms(True)`.
"""
enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available():
    """False: minigrad does not use cuDNN."""
    return False


def version():
    """None: no cuDNN library is loaded (what PyTorch returns without one)."""
    return None
