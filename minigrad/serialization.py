"""`save` / `load`: checkpoints of nested dicts, lists and tuples of tensors, numpy arrays and
plain values, in a format whose loading never runs code (no pickle).

File layout (integers little-endian):

    magic       8 bytes    b"\\x89MGCKPT\\n"
    version     uint32     FORMAT_VERSION
    header_len  uint64     size of the header in bytes
    header      UTF-8 JSON {"arrays": [{"dtype": "<f4", "shape": [2, 3]}, ...], "root": node}
    data        each array's raw little-endian C-order bytes, back to back, in "arrays" order
    checksum    uint32     CRC-32 of every byte before it

A node is JSON null, true/false, a number or a string for the same Python value, or an object
with one tag: {"list": [node...]}, {"tuple": [node...]}, {"dict": [[key, node]...]} (keys str or
int), {"ndarray": i} or {"tensor": i, "requires_grad": bool, "parameter": bool, "device": str}
(the device it was saved from; files without it were saved from the cpu), where i indexes
"arrays", or {"same_tensor": k}: the k-th tensor entry met so far, in the order the structure is
read (the same Tensor object saved again). Tensors that share their storage (a tensor and its
`detach()`, tied weights) share one array index, so the values are stored once and load as
tensors that share storage again; the same numpy array saved twice is stored once too. Loading
parses that JSON and copies bytes into arrays of allow-listed numeric dtypes, nothing else, and
checks the shapes, size and checksum, so a damaged or crafted file is reported, never half-read.
"""
import io
import json
import os
import re
import secrets
import stat
import struct
import zlib

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

import numpy as np

from . import dtypes
from .backend import get_backend
from .backend.reduced import bfloat16_values
from .device import Device
from .tensor import Tensor

MAGIC = b"\x89MGCKPT\n"
FORMAT_VERSION = 1
_PREAMBLE = struct.Struct("<8sIQ")
_CHECKSUM = struct.Struct("<I")

# Little-endian numeric dtypes a checkpoint may hold (numpy's dtype.str spelling).
_ARRAY_DTYPES = frozenset(["|b1", "|i1", "|u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8",
                           "<f2", "<f4", "<f8", "<c8", "<c16"])
_TENSOR_DTYPES = {d.numpy.newbyteorder("<").str: d for d in dtypes.ALL}
# Linux can create a file without a name and link it in once it is complete (O_TMPFILE).
_ANONYMOUS_FILES = hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd")
# Limits of what an array can be (numpy's): a header beyond them is damaged or crafted.
_MAX_DIMS = 64
_MAX_BYTES = 2 ** 63


class CheckpointError(ValueError, RuntimeError):
    """The file is not a minigrad checkpoint, or it is damaged (truncated, corrupt or crafted).
    A ValueError, and a RuntimeError as PyTorch raises for a file it cannot read."""


# ---- saving -------------------------------------------------------------------------------
def save(obj, f):
    """Write `obj` to the path `f` atomically, or into `f` if it is a binary file object
    (anything with `write`: an open file, `io.BytesIO`), as `torch.save` takes both.

    `obj` is a nested structure of dicts (str or int keys), lists, tuples, Tensors, numpy
    arrays, and int, float, str, bool or None (numpy scalars are stored as Python numbers).
    Tensors keep dtype, values, requires_grad and whether they are a `Parameter`; their
    gradients and autograd history are not saved. The file is written under a temporary name in
    the same directory, flushed to disk, then renamed over `f`, so an interrupted save leaves
    any previous file at `f` intact.
    """
    writable = hasattr(f, "write")
    path = None if writable else _as_path(f)
    arrays = []
    root = _Encoder(arrays).encode(obj, "obj")
    table = [{"dtype": a.dtype.str, "shape": list(a.shape)} for a in arrays]
    header = json.dumps({"arrays": table, "root": root}, separators=(",", ":")).encode("utf-8")
    if writable:  # a binary file object (an open file, io.BytesIO): written from its position
        _write_checkpoint(f, header, arrays)
        if hasattr(f, "flush"):
            f.flush()
        return
    _atomic_write(path, lambda out: _write_checkpoint(out, header, arrays))


def _as_path(f):
    try:
        return os.fspath(f)
    except TypeError:
        raise TypeError(f"expected a file path (str or os.PathLike) or a binary file object, "
                        f"got {type(f).__name__}") from None


class _Encoder:
    """Turns `obj` into JSON nodes, appending its arrays to `arrays`: each storage once."""

    def __init__(self, arrays):
        self.arrays = arrays
        self.active = set()  # ids of the containers being encoded (to refuse cycles)
        self.storage_index = {}  # id of a tensor's storage or of an ndarray -> array index
        self.tensor_number = {}  # id of a Tensor saved already -> its number among tensors
        self.keep = []  # what the ids above refer to, alive until the save ends

    def encode(self, obj, where):
        """The JSON node for `obj`; `where` names it in errors."""
        if obj is None or isinstance(obj, (bool, int, float, str)):
            return obj
        if isinstance(obj, np.generic) and obj.dtype.kind in "biuf":
            return obj.item()
        if isinstance(obj, Tensor):
            return self._tensor(obj, where)
        if isinstance(obj, np.ndarray):
            return {"ndarray": self._array_index(obj, lambda: _little_endian(obj, where))}
        if not isinstance(obj, (dict, list, tuple)) \
                and callable(getattr(obj, "state_dict", None)):
            kind = type(obj).__name__
            raise TypeError(f"cannot save {where}: a whole {kind} is not saved (that would need "
                            "pickle, which runs code when loaded); save its state instead: "
                            "minigrad.save(model.state_dict(), path), and to load, build the "
                            "same model and call model.load_state_dict(minigrad.load(path))")
        if not isinstance(obj, (dict, list, tuple)):
            raise TypeError(f"cannot save {where}: objects of type {type(obj).__name__} are not "
                            "supported (use dicts, lists, tuples, Tensors, numpy arrays, int, "
                            "float, str, bool or None)")
        if id(obj) in self.active:
            raise ValueError(f"cannot save {where}: it contains itself")
        self.active.add(id(obj))
        if isinstance(obj, dict):
            items = []
            for key, value in obj.items():
                if isinstance(key, bool) or not isinstance(key, (str, int)):
                    raise TypeError(f"cannot save {where}: dict keys must be str or int, got "
                                    f"{type(key).__name__} key {key!r}")
                items.append([key, self.encode(value, f"{where}[{key!r}]")])
            node = {"dict": items}
        else:
            tag = "tuple" if isinstance(obj, tuple) else "list"
            node = {tag: [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]}
        self.active.discard(id(obj))
        return node

    def _tensor(self, t, where):
        from .nn.parameter import Parameter
        if id(t) in self.tensor_number:
            return {"same_tensor": self.tensor_number[id(t)]}
        self.tensor_number[id(t)] = len(self.tensor_number)
        self.keep.append(t)
        # the storage as it is: bfloat16 as its uint16 bit patterns
        index = self._array_index(t._data, lambda: _little_endian(
            t._backend.to_numpy(t._data), where))
        return {"tensor": index, "requires_grad": bool(t.requires_grad),
                "parameter": isinstance(t, Parameter), "device": str(t.device)}

    def _array_index(self, storage, host_copy):
        """The index in `arrays` of `storage` (a backend array), appending `host_copy()` the
        first time it is met."""
        if id(storage) not in self.storage_index:
            self.storage_index[id(storage)] = len(self.arrays)
            self.keep.append(storage)
            self.arrays.append(host_copy())
        return self.storage_index[id(storage)]


def _little_endian(array, where):
    if array.dtype.str.startswith(">"):
        array = array.astype(array.dtype.newbyteorder("<"))
    if array.dtype.str not in _ARRAY_DTYPES:
        raise TypeError(f"cannot save {where}: numpy arrays of dtype {array.dtype} are not "
                        "supported (bool, integer, float and complex arrays are)")
    return array


def _write_checkpoint(out, header, arrays):
    """Write the whole file format to the binary file `out`."""
    writer = _ChecksumWriter(out)
    writer.write(_PREAMBLE.pack(MAGIC, FORMAT_VERSION, len(header)))
    writer.write(header)
    for array in arrays:
        _write_array(writer, array)
    out.write(_CHECKSUM.pack(writer.crc))


def _write_array(writer, array):
    writer.write(np.ascontiguousarray(array).reshape(-1).view(np.uint8))


class _ChecksumWriter:
    """Writes to a binary file while keeping the CRC-32 of everything written."""

    def __init__(self, out):
        self.out = out
        self.crc = 0

    def write(self, data):
        self.out.write(data)
        self.crc = zlib.crc32(data, self.crc)


def _atomic_write(path, write):
    """Run `write(binary_file)` on a new file in `path`'s directory, then rename it to `path`.

    Nothing a killed save leaves behind accumulates: on Linux the file is anonymous
    (O_TMPFILE) until it is complete, then linked in under a temporary name and at once renamed
    over `path`; elsewhere it has that temporary name from the start. Either way the writer
    holds a lock on it, and every save first removes the temporary files of the same target
    whose writer is gone (a killed process holds no lock). An existing file's permission bits
    are kept; a new file gets the umask's, as a plainly opened file would.
    """
    target = os.path.realpath(path)  # through a symlink, replace the file it points to
    directory = os.path.dirname(target)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = None
    _remove_abandoned_temporaries(target)
    fd, tmp = _open_temporary(target)
    try:
        if mode is not None:
            os.chmod(fd if os.chmod in os.supports_fd else tmp, mode)
        with os.fdopen(os.dup(fd), "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        if tmp is None:  # anonymous: give it a name only now that it is complete
            tmp = _link_anonymous(fd, target)
        os.replace(tmp, target)
    except BaseException:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        raise
    finally:
        os.close(fd)  # releases the lock
    _fsync_directory(directory)


def _temporary_name(target):
    """`.<name>.<16 hex digits>.tmp` beside `target`: derived from it, so that later saves of
    the same target can find and remove what a killed save left."""
    directory, name = os.path.split(target)
    return os.path.join(directory, f".{name}.{secrets.token_hex(8)}.tmp")


def _link_anonymous(fd, target):
    """Link the anonymous file `fd` in beside `target` under a temporary name; returns it.

    linkat(AT_SYMLINK_FOLLOW) on /proc/self/fd/N is how Linux names an O_TMPFILE file (os.link
    calls linkat, rather than link, when given a directory fd)."""
    tmp = _temporary_name(target)
    dir_fd = os.open(os.path.dirname(target), os.O_RDONLY)
    try:
        os.link(f"/proc/self/fd/{fd}", os.path.basename(tmp), dst_dir_fd=dir_fd,
                follow_symlinks=True)
    finally:
        os.close(dir_fd)
    return tmp


def _open_temporary(target):
    """(fd, temporary path or None if anonymous) of a new, locked file beside `target`."""
    directory = os.path.dirname(target)
    if _ANONYMOUS_FILES:
        try:
            # 0o666 so the process umask decides the permissions, as for a plainly opened file
            fd = os.open(directory, os.O_TMPFILE | os.O_WRONLY, 0o666)
        except OSError:  # a file system without O_TMPFILE: use a named file
            pass
        else:
            _lock(fd)
            return fd, None
    tmp = _temporary_name(target)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    _lock(fd)
    return fd, tmp


def _lock(fd):
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)


def _remove_abandoned_temporaries(target):
    """Remove the temporary files of earlier saves of `target` that no process is writing:
    those whose lock can be taken (where locks are unavailable, those that can be deleted;
    Windows refuses to delete a file another process has open)."""
    directory, name = os.path.split(target)
    pattern = re.compile(rf"\.{re.escape(name)}\.[0-9a-f]{{16}}\.tmp")
    try:
        entries = os.listdir(directory)
    except OSError:
        return
    for entry in entries:
        if pattern.fullmatch(entry):
            _remove_if_abandoned(os.path.join(directory, entry))


def _remove_if_abandoned(path):
    try:
        if fcntl is None:
            os.unlink(path)
            return
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while its writer is alive
        if os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False)):
            os.unlink(path)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fsync_directory(directory):
    """Make the rename durable; skipped where directories cannot be opened (Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---- loading ------------------------------------------------------------------------------
def load(f, map_location=None, *, weights_only=True):
    """Read a checkpoint written by `save`.

    Tensors keep the saved dtype and requires_grad; numpy arrays come back as numpy arrays.
    Where tensors are created follows `map_location`, with PyTorch's meanings:
    None: on the cpu; a device or device name: there; a dict {saved device: device}: saved
    devices it names are mapped, others kept; a callable `fn(tensor, saved_device)`: called
    with each tensor (on the cpu) and the name of the device it was saved from, its returned
    Tensor is used, or None keeps the saved device.

    `f` is a path or a binary file object (anything with `read`: an open file, `io.BytesIO`),
    read from its position to its end. `weights_only` is accepted for PyTorch's signature;
    loading never runs code, whatever its value. Raises CheckpointError (a ValueError) if the
    file is not a minigrad checkpoint or is damaged.
    """
    readable = hasattr(f, "read")
    path = getattr(f, "name", "the file object") if readable else _as_path(f)
    if not isinstance(weights_only, bool) and weights_only is not None:
        raise TypeError(f"load: weights_only must be a bool, got {type(weights_only).__name__}")
    placement = _Placement(map_location)
    if readable:  # a binary file object: the checkpoint is the rest of it
        data = b"" if isinstance(f, io.TextIOBase) else f.read()
        if isinstance(f, io.TextIOBase) or not isinstance(data, bytes):
            raise TypeError("load: the file object must be opened in binary mode ('rb'), as "
                            f"checkpoints are bytes; got {type(f).__name__}")
        return _load_from(io.BytesIO(data), len(data), path, placement)
    with open(path, "rb") as fh:
        return _load_from(fh, os.fstat(fh.fileno()).st_size, path, placement)


def _load_from(fh, size, path, placement):
    """Read a checkpoint of `size` bytes from the binary file `fh` (`path` names it)."""
    reader = _ChecksumReader(fh, path)
    header_len = _read_preamble(reader, path, size)
    header = _parse_header(reader.read(header_len), path)
    table = _array_table(header, path)
    data_len = sum(_nbytes(dtype, shape) for dtype, shape in table)
    expected = _PREAMBLE.size + header_len + data_len + _CHECKSUM.size
    if size != expected:
        raise _damaged(path, f"it is {size} bytes long but its header describes {expected} "
                             "bytes" + (" (the file is truncated)" if size < expected else ""))
    arrays = [reader.read_array(dtype, shape) for dtype, shape in table]
    crc = reader.crc
    (stored,) = _CHECKSUM.unpack(reader.read(_CHECKSUM.size))
    if stored != crc:
        raise _damaged(path, "its checksum does not match its contents")
    try:
        return _Decoder(arrays, placement, path).decode(header["root"])
    except RecursionError:
        raise _damaged(path, "its structure is nested too deeply") from None


class _Placement:
    """Where a loaded tensor goes, from `load`'s `map_location` and its saved device."""

    def __init__(self, map_location):
        self.function = None
        self.mapping = {}
        self.device = None
        if callable(map_location) and not isinstance(map_location, (str, Device)):
            self.function = map_location
        elif isinstance(map_location, dict):
            for key, value in map_location.items():
                self.mapping[str(Device(key))] = Device(value)
        else:
            self.device = Device("cpu" if map_location is None else map_location)
            get_backend(self.device)  # an unavailable device fails here, before any reading

    def place(self, array, dtype, saved):
        """A Tensor of `array` on the device the rules give for one saved on `saved`."""
        if self.function is not None:
            result = self.function(Tensor._from_data(array, dtype=dtype), saved)
            if result is None:
                return Tensor._from_data(array, dtype=dtype, device=saved)
            if not isinstance(result, Tensor):
                raise TypeError(f"load: map_location returned {type(result).__name__}; it "
                                "must return a Tensor or None")
            return result
        device = self.device or self.mapping.get(saved, saved)
        return Tensor._from_data(array, dtype=dtype, device=device)


def _damaged(path, reason):
    return CheckpointError(f"{path!s} is damaged and cannot be loaded as a minigrad checkpoint: "
                           f"{reason}")


def _read_preamble(reader, path, size):
    head = reader.read_available(_PREAMBLE.size)
    if len(head) < len(MAGIC) and head and MAGIC.startswith(head):
        raise _damaged(path, "the file is truncated")
    if not head.startswith(MAGIC):
        raise CheckpointError(f"{path!s} is not a minigrad checkpoint (it does not start with "
                              "the minigrad checkpoint signature; files written by pickle, "
                              "torch.save or numpy.save cannot be loaded)")
    if len(head) < _PREAMBLE.size:
        raise _damaged(path, "the file is truncated")
    _, version, header_len = _PREAMBLE.unpack(head)
    if version != FORMAT_VERSION:
        raise CheckpointError(f"{path!s} is a minigrad checkpoint of format version {version}, "
                              f"but this version of minigrad reads version {FORMAT_VERSION}")
    if header_len > size - _PREAMBLE.size - _CHECKSUM.size:
        raise _damaged(path, "the file is truncated (it is shorter than its header)")
    return header_len


def _parse_header(raw, path):
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _damaged(path, "its header is not valid JSON") from None
    if not isinstance(header, dict) or set(header) != {"arrays", "root"}:
        raise _damaged(path, "its header does not have the expected entries")
    return header


def _array_table(header, path):
    """[(numpy dtype, shape tuple)] for each array entry, validated."""
    table = header["arrays"]
    if not isinstance(table, list):
        raise _damaged(path, "its array table is malformed")
    out = []
    for i, entry in enumerate(table):
        ok = isinstance(entry, dict) and set(entry) == {"dtype", "shape"} \
            and entry["dtype"] in _ARRAY_DTYPES and isinstance(entry["shape"], list) \
            and all(type(s) is int and s >= 0 for s in entry["shape"])
        if not ok:
            raise _damaged(path, f"array entry {i} is malformed: {str(entry)[:200]}")
        dtype, shape = np.dtype(entry["dtype"]), tuple(entry["shape"])
        if len(shape) > _MAX_DIMS:
            raise _damaged(path, f"array entry {i} has {len(shape)} dimensions (at most "
                                 f"{_MAX_DIMS} are supported)")
        if _nbytes(dtype, tuple(max(s, 1) for s in shape)) >= _MAX_BYTES:
            raise _damaged(path, f"array entry {i} has the impossible shape "
                                 f"{str(shape)[:200]} (larger than any array can be)")
        out.append((dtype, shape))
    return out


def _nbytes(dtype, shape):
    count = 1
    for s in shape:
        count *= s
    return count * dtype.itemsize


class _ChecksumReader:
    """Reads exact byte counts from a binary file while keeping their CRC-32."""

    def __init__(self, fh, path):
        self.fh = fh
        self.path = path
        self.crc = 0

    def read_available(self, n):
        data = self.fh.read(n)
        self.crc = zlib.crc32(data, self.crc)
        return data

    def read(self, n):
        data = self.read_available(n)
        if len(data) != n:
            raise _damaged(self.path, "the file is truncated")
        return data

    def read_array(self, dtype, shape):
        try:
            array = np.empty(shape, dtype=dtype)
        except (ValueError, MemoryError) as err:
            raise _damaged(self.path, f"an array of shape {str(shape)[:200]} cannot be made "
                                      f"({err})") from None
        buffer = array.reshape(-1).view(np.uint8)
        if self.fh.readinto(buffer) != buffer.size:
            raise _damaged(self.path, "the file is truncated")
        self.crc = zlib.crc32(buffer, self.crc)
        return array


class _Decoder:
    """Turns validated JSON nodes back into Python objects. An array index met again gives the
    same numpy array, or a tensor sharing the storage of the first tensor made from it."""

    def __init__(self, arrays, placement, path):
        self.arrays = arrays
        self.placement = placement
        self.path = path
        self.kinds = {}  # array index -> "ndarray" or the first Tensor made from it
        self.tensors = []  # tensor entries in the order they were read, for "same_tensor"

    def decode(self, node):
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, dict) and len(node) == 1:
            (tag, value), = node.items()
            if tag in ("list", "tuple") and isinstance(value, list):
                items = [self.decode(v) for v in value]
                return items if tag == "list" else tuple(items)
            if tag == "dict" and isinstance(value, list):
                return dict(self._item(pair) for pair in value)
            if tag == "ndarray":
                return self._ndarray(value)
            if tag == "same_tensor":
                if type(value) is not int or not 0 <= value < len(self.tensors):
                    raise _damaged(self.path, f"its structure refers to a missing tensor "
                                              f"{value!r}")
                return self.tensors[value]
        if isinstance(node, dict) and set(node) - {"device"} == {"tensor", "requires_grad",
                                                                "parameter"}:
            t = self._tensor(node)
            self.tensors.append(t)
            return t
        raise _damaged(self.path, f"its structure holds an unknown entry {str(node)[:200]}")

    def _item(self, pair):
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], (str, int))
                and not isinstance(pair[0], bool)):
            raise _damaged(self.path, f"its structure holds a malformed dict item "
                                      f"{str(pair)[:200]}")
        return pair[0], self.decode(pair[1])

    def _check_index(self, index, kind):
        if type(index) is not int or not 0 <= index < len(self.arrays):
            raise _damaged(self.path, f"its structure refers to a missing array {index!r}")
        seen = self.kinds.get(index)
        if seen is not None and (seen == "ndarray") != (kind == "ndarray"):
            raise _damaged(self.path, f"its structure uses array {index} both as a numpy "
                                      "array and as a tensor")
        return seen

    def _ndarray(self, index):
        self._check_index(index, "ndarray")
        self.kinds[index] = "ndarray"
        return self.arrays[index]

    def _tensor(self, node):
        index = node["tensor"]
        first = self._check_index(index, "tensor")
        array = self.arrays[index]
        dtype = _TENSOR_DTYPES.get(array.dtype.str)
        flags = (node["requires_grad"], node["parameter"])
        saved = node.get("device", "cpu")
        if dtype is None or not all(isinstance(f, bool) for f in flags) \
                or (node["requires_grad"] and not dtype.is_floating_point) \
                or not isinstance(saved, str):
            raise _damaged(self.path, f"its structure holds a malformed tensor entry {node}")
        try:
            saved = str(Device(saved))
        except (TypeError, ValueError):
            raise _damaged(self.path, f"its structure names an unknown device {saved!r}") \
                from None
        if first is None:
            if dtype is dtypes.bfloat16:  # bit patterns: handed on as their (exact) values
                array = bfloat16_values(array)
            t = self.placement.place(array, dtype, saved)
            self.kinds[index] = t
        else:  # another tensor over the same storage: share it
            t = first.detach()
        if node["parameter"]:
            from .nn.parameter import Parameter
            return Parameter(t, requires_grad=node["requires_grad"])
        return t.requires_grad_(node["requires_grad"])
