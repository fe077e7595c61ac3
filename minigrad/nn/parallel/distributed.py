"""`DistributedDataParallel`: synchronous data-parallel training over a process group.

Every process holds a full replica of the module and feeds it its own shard of each batch.
The replicas start equal (parameters and buffers are broadcast from rank 0 at construction)
and stay equal because every process applies the same averaged gradient:

- The parameters are grouped into buckets of about `bucket_cap_mb` MiB, in reverse
  registration order (the order in which backward usually produces their gradients; the first
  bucket is capped at 1 MiB so that communication starts early, as PyTorch does).
- A post-accumulate-grad hook on each parameter copies its gradient into its bucket's flat
  buffer as soon as it is ready. When a bucket is full its all-reduce is started
  (non-blocking), while backward goes on computing the other gradients. Buckets are started
  in bucket order on every process, as MPI requires collectives to be issued in one order.
- When the last bucket has been started, all are completed and the averaged gradients
  (sum / world size) are written back into `.grad`.
- `no_sync()` skips this for gradient accumulation: the next synchronised backward all-reduces
  the accumulated gradients.
- With `broadcast_buffers` (the default), rank 0's buffers (batch-norm statistics) are
  broadcast to every process at each forward.

Each bucket also carries one "used" flag per parameter, so a parameter that got no gradient
on any process keeps `.grad` None (with `find_unused_parameters=True`, which walks the graph
of each forward's output to find the parameters backward will not reach).
"""
import contextlib

import numpy as np

from ...autograd.function import AccumulateGrad
from ...autograd.grad_mode import is_grad_enabled, no_grad
from ...tensor import Tensor
from ..module import Module

FIRST_BUCKET_BYTES = 1024 * 1024


class _Bucket:
    """A group of same-dtype parameters reduced with one all-reduce of a flat buffer laid out
    as [grad_0.ravel(), grad_1.ravel(), ..., used_0, used_1, ...]."""

    def __init__(self, params):
        self.params = params
        self.sizes = [p.numel() for p in params]
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)]).astype(np.int64)
        self.numel = int(self.offsets[-1])
        self.buffer = np.zeros(self.numel + len(params), dtype=params[0].dtype.numpy)
        self.remaining = len(params)
        self.request = None

    def reset(self):
        self.buffer[self.numel:] = 0  # the used flags; each gradient slot is written when ready
        self.remaining = len(self.params)
        self.request = None


def _assign_buckets(params, cap_bytes):
    """Lists of parameters (reverse registration order, one dtype and device per list), each
    list's byte size up to the cap (the first list's up to 1 MiB or the cap if smaller)."""
    buckets, current, current_key, current_bytes = [], [], None, 0
    for p in reversed(params):
        key = (p.dtype, str(p.device))
        nbytes = p.numel() * p.dtype.numpy.itemsize
        cap = min(FIRST_BUCKET_BYTES, cap_bytes) if not buckets else cap_bytes
        if current and (key != current_key or current_bytes + nbytes > cap):
            buckets.append(current)
            current, current_bytes = [], 0
        current.append(p)
        current_key = key
        current_bytes += nbytes
    if current:
        buckets.append(current)
    return buckets


class _Reducer:
    """Averages gradients across processes, bucket by bucket, during backward."""

    def __init__(self, params, cap_bytes, group):
        self.group = group
        self.buckets = [_Bucket(ps) for ps in _assign_buckets(params, cap_bytes)]
        self.slot = {}  # id(param) -> (bucket index, position in the bucket)
        for b, bucket in enumerate(self.buckets):
            for i, p in enumerate(bucket.params):
                self.slot[id(p)] = (b, i)
        self.armed = False  # True between a synchronised forward and the end of its backward
        self.next_bucket = 0  # the next bucket to start, in bucket order
        self.progressed = False  # some gradient arrived since arming

    def arm(self, unused_params=()):
        if self.armed and self.progressed:
            raise RuntimeError(
                "Expected to have finished reduction in the prior iteration before starting a "
                "new one. Some parameters did not receive a gradient in the previous backward "
                "(they were not used to compute the loss). Pass find_unused_parameters=True to "
                "DistributedDataParallel, or make sure every parameter takes part in the loss")
        for bucket in self.buckets:
            bucket.reset()
        self.next_bucket, self.armed, self.progressed = 0, True, False
        for p in unused_params:
            self._ready(p, None)

    def on_grad_ready(self, param):
        """The post-accumulate-grad hook of every parameter."""
        if self.armed and id(param) in self.slot:
            self._ready(param, param.grad)

    def _ready(self, param, grad):
        b, i = self.slot[id(param)]
        bucket = self.buckets[b]
        start, stop = bucket.offsets[i], bucket.offsets[i + 1]
        if grad is None:  # unused here: contributes nothing to the sum
            bucket.buffer[start:stop] = 0
        else:
            bucket.buffer[start:stop] = grad.numpy().reshape(-1)
            bucket.buffer[bucket.numel + i] = 1.0
        self.progressed = True
        bucket.remaining -= 1
        self._start_ready_buckets()
        if self.next_bucket == len(self.buckets):
            self._finish()

    def _start_ready_buckets(self):
        from mpi4py import MPI
        while self.next_bucket < len(self.buckets) and \
                self.buckets[self.next_bucket].remaining == 0:
            bucket = self.buckets[self.next_bucket]
            grads = bucket.buffer[:bucket.numel]
            np.divide(grads, self.group.size, out=grads)
            bucket.request = self.group.comm.Iallreduce(MPI.IN_PLACE, bucket.buffer, MPI.SUM)
            self.next_bucket += 1
        started = [b.request for b in self.buckets[:self.next_bucket]]
        MPI.Request.Testall(started)  # let the MPI library make progress on them

    def _finish(self):
        self.armed = False
        with no_grad():
            for bucket in self.buckets:
                self.group.wait(bucket.request, "DistributedDataParallel gradient all-reduce")
                for i, p in enumerate(bucket.params):
                    if bucket.buffer[bucket.numel + i] == 0:
                        continue  # no process produced a gradient for it
                    start, stop = bucket.offsets[i], bucket.offsets[i + 1]
                    values = Tensor._from_data(bucket.buffer[start:stop].reshape(tuple(p.shape)),
                                               dtype=p.dtype, device=p.device)
                    if p.grad is None:
                        p.grad = values
                    else:
                        p.grad.copy_(values)


def _output_tensors(output):
    if isinstance(output, Tensor):
        yield output
    elif isinstance(output, (list, tuple)):
        for item in output:
            yield from _output_tensors(item)
    elif isinstance(output, dict):
        for item in output.values():
            yield from _output_tensors(item)


def _reachable_leaves(outputs):
    """ids of the leaf tensors whose gradients backward from `outputs` would accumulate."""
    seen, leaves = set(), set()
    stack = [t.grad_fn for t in outputs if t.grad_fn is not None]
    stack += [t._accumulator() for t in outputs if t.grad_fn is None and t.requires_grad]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, AccumulateGrad):
            leaf = node.variable()
            if leaf is not None:
                leaves.add(id(leaf))
            continue
        stack.extend(child for child, _ in node.next_functions if child is not None)
    return leaves


class DistributedDataParallel(Module):
    """`DistributedDataParallel(module, broadcast_buffers=True, bucket_cap_mb=25,
    find_unused_parameters=False, ...)`: `module` trained on every process of the default
    process group with gradients averaged across processes (see the module docstring).

    Needs `minigrad.distributed.init_process_group()` first. `device_ids`, `output_device`,
    `dim`, `check_reduction`, `gradient_as_bucket_view` and `static_graph` are accepted for
    PyTorch compatibility and change nothing (one device per process; buffers are separate).
    Save `ddp.module.state_dict()` (on rank 0) to get the plain module's keys.
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0,
                 broadcast_buffers=True, init_sync=True, process_group=None, bucket_cap_mb=None,
                 find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False):
        super().__init__()
        from ...distributed.process_group import default_group
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel expects a Module, got "
                            f"{type(module).__name__}")
        group = default_group()
        if bucket_cap_mb is None:
            bucket_cap_mb = 25
        if isinstance(bucket_cap_mb, bool) or not isinstance(bucket_cap_mb, (int, float)) \
                or not bucket_cap_mb > 0:
            raise ValueError(f"bucket_cap_mb must be a positive number, got {bucket_cap_mb!r}")
        params = [p for p in module.parameters() if p.requires_grad]
        if not params:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't "
                               "have any parameter that requires a gradient.")
        devices = {str(p.device) for p in params}
        if len(devices) > 1:
            raise ValueError(f"DistributedDataParallel expects the module's parameters on one "
                             f"device, got {sorted(devices)}")
        self.module = module
        self.broadcast_buffers = bool(broadcast_buffers)
        self.find_unused_parameters = bool(find_unused_parameters)
        self.bucket_bytes_cap = int(bucket_cap_mb * 1024 * 1024)
        self.require_backward_grad_sync = True
        object.__setattr__(self, "_group", group)
        object.__setattr__(self, "_reducer", _Reducer(params, self.bucket_bytes_cap, group))
        if init_sync:
            self._broadcast_state(include_parameters=True)
        # in a world of one the average is the gradient itself: no hooks, no copies
        handles = [] if group.size == 1 else [
            p.register_post_accumulate_grad_hook(self._reducer.on_grad_ready) for p in params]
        object.__setattr__(self, "_hook_handles", handles)

    def _broadcast_state(self, include_parameters):
        """Overwrite this process's parameters (if asked) and buffers with rank 0's."""
        if self._group.size == 1:
            return
        tensors = [b for b in self.module.buffers()]
        if include_parameters:
            tensors = list(self.module.parameters()) + tensors
        by_dtype = {}
        for t in tensors:
            by_dtype.setdefault(t.dtype, []).append(t)
        for dtype in sorted(by_dtype, key=str):  # the same order on every process
            group = by_dtype[dtype]
            flat = np.concatenate([t.numpy().reshape(-1) for t in group]) if group else None
            self._group.wait(self._group.comm.Ibcast(flat, root=0), "broadcast of module state")
            if self._group.rank == 0:
                continue
            offset = 0
            with no_grad():
                for t in group:
                    n = t.numel()
                    t.copy_(Tensor._from_data(flat[offset:offset + n].reshape(tuple(t.shape)),
                                              dtype=t.dtype))
                    offset += n

    def forward(self, *inputs, **kwargs):
        if self.broadcast_buffers and any(True for _ in self.module.buffers()):
            self._broadcast_state(include_parameters=False)
        output = self.module(*inputs, **kwargs)
        if is_grad_enabled() and self.require_backward_grad_sync:
            unused = ()
            if self.find_unused_parameters:
                reached = _reachable_leaves(list(_output_tensors(output)))
                unused = [p for b in self._reducer.buckets for p in b.params
                          if id(p) not in reached]
            self._reducer.arm(unused)
        return output

    @contextlib.contextmanager
    def no_sync(self):
        """Within the block, backward accumulates gradients locally without all-reducing
        them; the first synchronised backward after it averages the accumulated sums."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous
