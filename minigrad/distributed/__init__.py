"""Data-parallel training across processes and machines, on MPI (PyTorch's
`torch.distributed` names).

    # mpiexec -n 4 python -m mpi4py train.py
    import minigrad.distributed as dist
    dist.init_process_group("mpi")
    model = minigrad.nn.parallel.DistributedDataParallel(model)
    sampler = minigrad.data.DistributedSampler(dataset)

mpi4py (the `distributed` extra) is imported only when a process group is created.
"""
from .collectives import (ReduceOp, Work, all_gather, all_gather_object, all_reduce, broadcast,
                          broadcast_object_list, reduce_scatter)
from .process_group import (DistributedTimeoutError, barrier, destroy_process_group, get_backend,
                            get_rank, get_world_size, init_process_group, is_available,
                            is_initialized)

__all__ = ["DistributedTimeoutError", "ReduceOp", "Work", "all_gather", "all_gather_object",
           "all_reduce", "barrier", "broadcast", "broadcast_object_list", "destroy_process_group",
           "get_backend", "get_rank", "get_world_size", "init_process_group", "is_available",
           "is_initialized", "reduce_scatter"]
