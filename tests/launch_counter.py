"""Count the cuda kernel launches a piece of code makes: `launched = count_launches(monkeypatch)`
gives a list that collects the name of every kernel configured for a launch from then on (the
simulator's kernels under NUMBA_ENABLE_CUDASIM=1, numba's CUDA dispatchers on a GPU)."""
from numba.core import config


def count_launches(monkeypatch):
    if config.ENABLE_CUDASIM:
        from numba.cuda.simulator.kernel import FakeCUDAKernel as kernel_type

        def name(kernel):
            return kernel.fn.__name__
    else:
        from numba.cuda.dispatcher import CUDADispatcher as kernel_type

        def name(kernel):
            return kernel.py_func.__name__
    launched = []
    configure = kernel_type.__getitem__

    def counting(kernel, launch_configuration):
        launched.append(name(kernel))
        return configure(kernel, launch_configuration)

    monkeypatch.setattr(kernel_type, "__getitem__", counting)
    return launched
