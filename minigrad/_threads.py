"""Thread-pool settings that must be in place before Numba starts its OpenMP workers.

Numba's parallel kernels run on an OpenMP pool; GCC's OpenMP runtime keeps its workers
spinning for a while after each parallel loop (OMP_WAIT_POLICY=ACTIVE-like behaviour). A
training step alternates Numba kernels with BLAS calls that bring their own threads, so those
spinning workers take the cores BLAS needs: on a 2-core machine a small-CNN training step ran
3x slower. Passive workers sleep at once and wake in microseconds, which costs the
convolution kernels nothing measurable. The runtime reads the variable once, when it loads
(at the first parallel kernel), so it is set at import; a value the user set is kept. One copy
of the runtime serves the process: a library that loads it later (PyTorch imported after
minigrad) gets the same policy, and one that loaded it earlier keeps its own for both.
"""
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
