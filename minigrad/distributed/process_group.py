"""The default process group: one private MPI communicator shared by every collective.

`init_process_group(backend="mpi")` duplicates `MPI.COMM_WORLD`, so minigrad's messages never
mix with the user's own mpi4py traffic. mpi4py is imported here, lazily, and only when a group
is created: `import minigrad` never loads MPI. A script started without `mpiexec` is a world
of one process (MPI's singleton start), where every collective is a copy.
"""
import datetime
import time

_group = None  # the _ProcessGroup in force, or None


class DistributedTimeoutError(RuntimeError):
    """A collective did not complete within the process group's timeout."""


class _ProcessGroup:
    def __init__(self, comm, timeout):
        self.comm = comm
        self.rank = comm.Get_rank()
        self.size = comm.Get_size()
        self.timeout = timeout  # seconds (float) or None: wait forever

    def wait(self, request, what):
        """Complete a non-blocking MPI request, raising DistributedTimeoutError past the
        group's timeout instead of hanging forever (a peer that died or never joined)."""
        if self.timeout is None:
            request.Wait()
            return
        deadline = time.monotonic() + self.timeout
        pause = 1e-5
        while not request.Test():
            if time.monotonic() > deadline:
                raise DistributedTimeoutError(
                    f"{what} did not complete within the process group's timeout of "
                    f"{self.timeout:g} s on rank {self.rank} of {self.size}: a peer process "
                    "may have failed or not reached the same collective. The group cannot be "
                    "used any further; end the job")
            time.sleep(pause)
            pause = min(2 * pause, 1e-3)  # poll often at first, cheaply once it is slow


def _mpi():
    try:
        from mpi4py import MPI
    except ImportError as err:
        raise ImportError("minigrad.distributed needs mpi4py and an MPI library: "
                          "pip install 'minigrad[distributed]' (mpi4py and the mpich wheel)") \
            from err
    return MPI


def _timeout_seconds(timeout):
    if timeout is None:
        return None
    if isinstance(timeout, datetime.timedelta):
        seconds = timeout.total_seconds()
    elif isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        seconds = float(timeout)
    else:
        raise TypeError(f"init_process_group: timeout must be a datetime.timedelta, a number of "
                        f"seconds or None, got {type(timeout).__name__}")
    if not seconds > 0:
        raise ValueError(f"init_process_group: timeout must be positive, got {seconds} s")
    return seconds


def init_process_group(backend="mpi", init_method=None, timeout=None, world_size=-1, rank=-1):
    """Join the job's processes into the default group (PyTorch's name and arguments).

    Only the "mpi" backend exists: start the job with `mpiexec -n N python -m mpi4py script.py`
    (or plain `python script.py` for a world of one). `timeout` (a timedelta or seconds; None
    waits forever) turns a collective that hangs into DistributedTimeoutError. `world_size` and
    `rank`, when given, must agree with what MPI assigned; `init_method` is not used by MPI.
    """
    global _group
    if backend is None:
        backend = "mpi"
    if not isinstance(backend, str) or backend.lower() != "mpi":
        raise ValueError(f"init_process_group: backend must be 'mpi' (minigrad communicates "
                         f"through MPI), got {backend!r}")
    if _group is not None:
        raise RuntimeError("trying to initialize the default process group twice; call "
                           "destroy_process_group() first")
    seconds = _timeout_seconds(timeout)
    MPI = _mpi()
    comm = MPI.COMM_WORLD.Dup()
    group = _ProcessGroup(comm, seconds)
    for name, given, actual in (("world_size", world_size, group.size),
                                ("rank", rank, group.rank)):
        if given not in (-1, None) and given != actual:
            comm.Free()
            raise ValueError(f"init_process_group: {name}={given} was given but MPI started "
                             f"this process with {name} {actual}")
    _group = group


def destroy_process_group(group=None):
    """Leave the default group; a new one can be created afterwards."""
    global _group
    if _group is not None:
        _group.comm.Free()
        _group = None


def is_available():
    """True when mpi4py can be imported (the MPI library is installed)."""
    try:
        _mpi()
    except ImportError:
        return False
    return True


def is_initialized():
    return _group is not None


def default_group():
    """The default group, or PyTorch's ValueError when none was created."""
    if _group is None:
        raise ValueError("Default process group has not been initialized, please make sure to "
                         "call init_process_group.")
    return _group


def get_rank(group=None):
    return default_group().rank


def get_world_size(group=None):
    return default_group().size


def get_backend(group=None):
    default_group()
    return "mpi"


def barrier(group=None):
    """Wait until every process of the group has reached this call."""
    g = default_group()
    g.wait(g.comm.Ibarrier(), "barrier")
