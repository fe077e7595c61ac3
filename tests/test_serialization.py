"""minigrad.save / minigrad.load: round trips, atomic writes, damaged and foreign files."""
import io
import json
import os
import pickle
import stat
import struct
import zipfile
import zlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad import optim, serialization
from minigrad.nn import Parameter
from minigrad.serialization import CheckpointError


def _nested(device):
    return {
        "weights": minigrad.randn(3, 4, device=device),
        "double": minigrad.tensor([[1.5, -2.0]], dtype=minigrad.float64, device=device),
        "ints": minigrad.arange(5, device=device),
        "mask": minigrad.tensor([True, False], device=device),
        "scalar": minigrad.tensor(2.5, device=device),
        "empty": minigrad.zeros(0, 3, device=device),
        "trainable": minigrad.randn(2, device=device, requires_grad=True),
        "param": Parameter(minigrad.ones(2, 2, device=device)),
        "frozen": Parameter(minigrad.ones(1, device=device), requires_grad=False),
        7: [1, 2.5, "text", None, True, False, -0.0, float("inf"), 10 ** 30],
        "tuple": (1, (2, [3, {"deep": ()}])),
        "arrays": [np.arange(6, dtype=np.int32).reshape(2, 3), np.float16([1.5, 2]),
                   np.array([1 + 2j], dtype=np.complex64), np.uint8([0, 255]),
                   np.array(3.25), np.arange(8.0)[::2], np.array([1, 2], dtype=">i4"),
                   np.zeros((2, 0), dtype=bool)],
        "numpy scalars": [np.float32(0.5), np.int64(3), np.bool_(True)],
        "": {},
    }


def _assert_same(loaded, original):
    assert type(loaded) is (minigrad.Tensor if isinstance(original, minigrad.Tensor)
                            and not isinstance(original, Parameter) else
                            Parameter if isinstance(original, Parameter) else
                            type(original.item()) if isinstance(original, np.generic) else
                            type(original))
    if isinstance(original, minigrad.Tensor):
        assert loaded.dtype == original.dtype and loaded.device.type == "cpu"
        assert loaded.requires_grad == original.requires_grad and loaded.is_leaf
        np.testing.assert_array_equal(loaded.numpy(), original.numpy())
    elif isinstance(original, np.ndarray):
        assert loaded.dtype == original.dtype.newbyteorder("<") and loaded.flags.writeable
        assert loaded.shape == original.shape
        np.testing.assert_array_equal(loaded, original)
    elif isinstance(original, dict):
        assert list(loaded) == list(original)
        for key in original:
            _assert_same(loaded[key], original[key])
    elif isinstance(original, (list, tuple)):
        assert len(loaded) == len(original)
        for a, b in zip(loaded, original):
            _assert_same(a, b)
    else:
        assert loaded == original or (loaded != loaded and original != original)
        assert str(loaded) == str(original)  # -0.0 keeps its sign


def test_round_trip_nested(tmp_path, device):
    obj = _nested(device)
    minigrad.save(obj, tmp_path / "nested.ckpt")
    _assert_same(minigrad.load(tmp_path / "nested.ckpt"), obj)


def test_round_trip_top_level_values(tmp_path):
    for value in (minigrad.ones(2), np.arange(3), 5, "x", None, [], ()):
        minigrad.save(value, str(tmp_path / "v"))
        _assert_same(minigrad.load(str(tmp_path / "v")), value)


def test_map_location(tmp_path):
    minigrad.save([minigrad.ones(2)], tmp_path / "m")
    for where in ("cpu", minigrad.device("cpu")):
        assert minigrad.load(tmp_path / "m", map_location=where)[0].device.type == "cpu"
    with pytest.raises(ValueError, match="unknown device"):
        minigrad.load(tmp_path / "m", map_location="tpu")


plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (st.lists(children, max_size=4)
                      | st.lists(children, max_size=4).map(tuple)
                      | st.dictionaries(st.text(max_size=5) | st.integers(), children,
                                        max_size=4)),
    max_leaves=20)


@given(plain)
def test_round_trip_plain_values(tmp_path_factory, value):
    path = tmp_path_factory.mktemp("plain") / "value"
    minigrad.save(value, path)
    loaded = minigrad.load(path)
    assert loaded == value
    assert repr(loaded) == repr(value)  # types (tuple vs list, int vs float, -0.0) kept


def test_optimizer_state_dict_round_trip(tmp_path):
    def make():
        params = [minigrad.tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True),
                  minigrad.tensor([0.5, -0.25], requires_grad=True)]
        opt = optim.Adam([{"params": params[:1]}, {"params": params[1:], "lr": 0.01}],
                         lr=0.1, amsgrad=True)
        return params, opt

    def train(params, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            sum((p * p * p).sum() for p in params).backward()
            opt.step()

    params, opt = make()
    train(params, opt, 3)
    minigrad.save({"params": params, "optimizer": opt.state_dict()}, tmp_path / "opt")
    loaded = minigrad.load(tmp_path / "opt")
    assert loaded["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)
    assert set(loaded["optimizer"]["state"]) == {0, 1}
    train(params, opt, 3)

    new_params, new_opt = make()
    with minigrad.no_grad():
        for p, saved in zip(new_params, loaded["params"]):
            p.copy_(saved)
    new_opt.load_state_dict(loaded["optimizer"])
    train(new_params, new_opt, 3)
    for p, q in zip(new_params, params):
        np.testing.assert_array_equal(p.numpy(), q.numpy())


def test_unsupported_objects_are_rejected(tmp_path):
    path = tmp_path / "bad"
    cases = [({"a": {1, 2}}, TypeError, r"obj\['a'\].*set"),
             ([object()], TypeError, r"obj\[0\]"),
             ({(1, 2): 3}, TypeError, "dict keys must be str or int"),
             ({True: 3}, TypeError, "dict keys must be str or int"),
             (np.array(["a"]), TypeError, "dtype"),
             (np.array([None], dtype=object), TypeError, "dtype")]
    cyclic = []
    cyclic.append(cyclic)
    cases.append((cyclic, ValueError, "contains itself"))
    for obj, error, match in cases:
        with pytest.raises(error, match=match):
            minigrad.save(obj, path)
        assert not path.exists() and os.listdir(tmp_path) == []
    with pytest.raises(TypeError, match="file path"):
        minigrad.save([], 42)  # neither a path nor a file object


# ---- atomic writes ----------------------------------------------------------------------------
def _fail_on_second_array(monkeypatch):
    real = serialization._write_array
    calls = []

    def flaky(writer, array):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        real(writer, array)

    monkeypatch.setattr(serialization, "_write_array", flaky)


def test_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "model.ckpt"
    minigrad.save({"version": 1, "w": minigrad.ones(3)}, path)
    old_bytes = path.read_bytes()
    _fail_on_second_array(monkeypatch)
    with pytest.raises(OSError, match="disk full"):
        minigrad.save({"version": 2, "w": minigrad.zeros(1000), "b": minigrad.zeros(3)}, path)
    assert path.read_bytes() == old_bytes
    assert minigrad.load(path)["version"] == 1
    assert os.listdir(tmp_path) == ["model.ckpt"]  # no temporary file left behind


def test_failed_fsync_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "model.ckpt"
    minigrad.save([1], path)

    def broken_fsync(fd):
        raise OSError("I/O error")

    monkeypatch.setattr(serialization.os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="I/O error"):
        minigrad.save([2], path)
    monkeypatch.undo()
    assert minigrad.load(path) == [1]
    assert os.listdir(tmp_path) == ["model.ckpt"]


def test_failed_first_save_leaves_nothing(tmp_path, monkeypatch):
    _fail_on_second_array(monkeypatch)
    with pytest.raises(OSError):
        minigrad.save([minigrad.ones(2), minigrad.ones(2)], tmp_path / "new.ckpt")
    assert os.listdir(tmp_path) == []


def test_save_replaces_the_file_a_symlink_points_to(tmp_path):
    target = tmp_path / "real.ckpt"
    minigrad.save("old", target)
    (tmp_path / "link.ckpt").symlink_to(target)
    minigrad.save("new", tmp_path / "link.ckpt")
    assert (tmp_path / "link.ckpt").is_symlink()
    assert minigrad.load(target) == "new"


# ---- damaged, foreign and crafted files ---------------------------------------------------------
@pytest.fixture
def checkpoint(tmp_path):
    path = tmp_path / "good.ckpt"
    minigrad.save({"w": minigrad.arange(12.0).reshape(3, 4), "step": 3, "name": "net"}, path)
    return path


def _write(tmp_path, data, name="bad.ckpt"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_truncated_files_are_reported(checkpoint, tmp_path):
    data = checkpoint.read_bytes()
    for size in sorted({1, 5, 8, 12, 19, 20, 30, len(data) // 2, len(data) - 5, len(data) - 1}):
        path = _write(tmp_path, data[:size])
        with pytest.raises(CheckpointError, match="damaged.*truncated") as info:
            minigrad.load(path)
        assert isinstance(info.value, ValueError)


def test_corrupted_bytes_are_reported(checkpoint, tmp_path):
    data = checkpoint.read_bytes()
    header_len = struct.unpack_from("<Q", data, 12)[0]
    data_start = 20 + header_len
    for offset in (data_start + 5, len(data) - 2, 25):  # array bytes, checksum, header
        corrupt = bytearray(data)
        corrupt[offset] ^= 0x10
        with pytest.raises(CheckpointError, match="damaged"):
            minigrad.load(_write(tmp_path, bytes(corrupt)))
    with pytest.raises(CheckpointError, match="damaged"):
        minigrad.load(_write(tmp_path, data + b"extra"))


def _pickle_payload(marker):
    class Exploit:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    return pickle.dumps(Exploit())


def test_foreign_files_are_rejected(tmp_path):
    npz = io.BytesIO()
    np.savez(npz, a=np.arange(3))
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("data.pkl", b"")
    foreign = {"empty": b"", "text": b"hello world\n", "npz": npz.getvalue(),
               "zip": zipped.getvalue(), "pickle": pickle.dumps({"a": [1, 2]})}
    for name, data in foreign.items():
        with pytest.raises(CheckpointError, match="not a minigrad checkpoint"):
            minigrad.load(_write(tmp_path, data, name))


def test_pickle_payload_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    path = _write(tmp_path, _pickle_payload(marker))
    with pytest.raises(CheckpointError, match="not a minigrad checkpoint"):
        minigrad.load(path)
    # The same payload behind a valid signature and checksum is still only data.
    forged = _forge({"arrays": [], "root": {"pickle": _pickle_payload(marker).hex()}})
    with pytest.raises(CheckpointError, match="unknown entry"):
        minigrad.load(_write(tmp_path, forged))
    assert not marker.exists()


def _forge(header, data=b""):
    """A file with a valid signature and checksum around an arbitrary header and data."""
    raw = json.dumps(header).encode()
    body = struct.pack("<8sIQ", serialization.MAGIC, serialization.FORMAT_VERSION,
                       len(raw)) + raw + data
    return body + struct.pack("<I", zlib.crc32(body))


@pytest.mark.parametrize("header,data,match", [
    ({"arrays": [{"dtype": "|O", "shape": [1]}], "root": {"ndarray": 0}}, b"\0" * 8, "array"),
    ({"arrays": [{"dtype": "<f8", "shape": [10 ** 12]}], "root": {"ndarray": 0}}, b"",
     "truncated"),
    ({"arrays": [{"dtype": "<f8", "shape": [-1]}], "root": None}, b"", "array entry 0"),
    ({"arrays": [], "root": {"ndarray": 0}}, b"", "missing array"),
    ({"arrays": [{"dtype": "<u4", "shape": [1]}], "root": {
        "tensor": 0, "requires_grad": False, "parameter": False}}, b"\0" * 4, "tensor"),
    ({"arrays": [{"dtype": "<i8", "shape": [1]}], "root": {
        "tensor": 0, "requires_grad": True, "parameter": False}}, b"\0" * 8, "tensor"),
    ({"arrays": [{"dtype": "<f4", "shape": [1]}], "root": {"list": [
        {"ndarray": 0}, {"tensor": 0, "requires_grad": False, "parameter": False}]}},
     b"\0" * 4, "both as a numpy array and as a tensor"),
    ({"arrays": [], "root": {"same_tensor": 0}}, b"", "missing tensor"),
    ({"arrays": [{"dtype": "<f4", "shape": [1]}], "root": {"list": [
        {"same_tensor": 0}, {"tensor": 0, "requires_grad": False, "parameter": False}]}},
     b"\0" * 4, "missing tensor"),
    # absurd shapes whose byte count still agrees with the file length
    ({"arrays": [{"dtype": "<f4", "shape": [2 ** 70, 0]}], "root": None}, b"",
     "array entry 0 has the impossible shape"),
    ({"arrays": [{"dtype": "<f4", "shape": [2 ** 40, 2 ** 40, 0]}], "root": None}, b"",
     "impossible shape"),
    ({"arrays": [{"dtype": "<f4", "shape": [1] * 100}], "root": None}, b"\0" * 4,
     "array entry 0 has 100 dimensions"),
    ({"arrays": [{"dtype": "<f4", "shape": [2 ** 70]}], "root": None}, b"", "impossible shape"),
    ({"arrays": [{"dtype": "<f4", "shape": [3, -2]}], "root": None}, b"", "array entry 0"),
    ({"arrays": [{"dtype": "<f4", "shape": [3]}], "root": None}, b"\0" * 4, "bytes long"),
    ({"arrays": [], "root": {"dict": [[[1], 2]]}}, b"", "dict item"),
    ({"arrays": [], "root": [1, 2]}, b"", "unknown entry"),
    ({"arrays": [], "root": None, "code": "print(1)"}, b"", "header"),
])
def test_forged_structures_are_rejected(tmp_path, header, data, match):
    path = _write(tmp_path, _forge(header, data))
    with pytest.raises(CheckpointError, match=match) as info:
        minigrad.load(path)
    assert str(path) in str(info.value)  # the error names the file
    assert isinstance(info.value, RuntimeError)  # what PyTorch raises for an unreadable file


def test_newer_format_version_is_reported(checkpoint, tmp_path):
    data = bytearray(checkpoint.read_bytes())
    struct.pack_into("<I", data, 8, serialization.FORMAT_VERSION + 1)
    with pytest.raises(CheckpointError, match="format version"):
        minigrad.load(_write(tmp_path, bytes(data)))


# ---- shared tensors ------------------------------------------------------------------------
def test_a_tensor_saved_under_two_names_is_stored_once_and_loads_shared(tmp_path, device):
    """As torch.save: one storage in the file, and the same tensor object after loading."""
    torch = pytest.importorskip("torch")
    big = minigrad.randn(1000, device=device)
    path = tmp_path / "shared.ckpt"
    minigrad.save({"a": big, "b": big, "c": [big]}, path)
    once = tmp_path / "once.ckpt"
    minigrad.save({"a": big}, once)
    assert path.stat().st_size < once.stat().st_size + 200
    loaded = minigrad.load(path)
    assert loaded["a"] is loaded["b"] and loaded["c"][0] is loaded["a"]
    t = torch.randn(10)
    buffer = io.BytesIO()
    torch.save({"a": t, "b": t}, buffer)
    buffer.seek(0)
    theirs = torch.load(buffer)
    assert theirs["a"] is theirs["b"]


def test_tensors_sharing_storage_load_sharing_storage(tmp_path):
    """A parameter and its detach() (what state_dict holds), or tied weights: one copy in the
    file, and after loading a write through one shows in the other, as with torch.load."""
    p = Parameter(minigrad.randn(50))
    path = tmp_path / "tied.ckpt"
    minigrad.save({"param": p, "plain": p.detach(), "arr": [np.ones(3)] * 2}, path)
    loaded = minigrad.load(path)
    assert isinstance(loaded["param"], Parameter) and loaded["param"].requires_grad
    assert not isinstance(loaded["plain"], Parameter) and not loaded["plain"].requires_grad
    assert loaded["plain"] is not loaded["param"]
    with minigrad.no_grad():
        loaded["plain"].fill_(7.0)
    np.testing.assert_array_equal(loaded["param"].numpy(), np.full(50, 7.0, np.float32))
    assert loaded["arr"][0] is loaded["arr"][1]
    single = tmp_path / "single.ckpt"
    minigrad.save({"param": p}, single)
    assert path.stat().st_size < single.stat().st_size + 200


def test_a_whole_module_is_refused_with_the_state_dict_recipe(tmp_path):
    from minigrad import nn
    with pytest.raises(TypeError, match=r"save its state instead.*state_dict\(\).*"
                                        r"load_state_dict\(minigrad.load\(path\)\)"):
        minigrad.save(nn.Linear(2, 3), tmp_path / "model.ckpt")
    assert not os.listdir(tmp_path)


# ---- permissions and debris ------------------------------------------------------------------
@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_resaving_keeps_the_files_permissions(tmp_path):
    path = tmp_path / "private.ckpt"
    minigrad.save([1], path)
    os.chmod(path, 0o600)
    minigrad.save([2], path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    os.chmod(path, 0o640)
    minigrad.save([3], path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert minigrad.load(path) == [3]


@pytest.mark.skipif(os.name != "posix", reason="POSIX umask")
def test_a_new_file_gets_the_umasks_permissions(tmp_path):
    old = os.umask(0o027)
    try:
        minigrad.save([1], tmp_path / "new.ckpt")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new.ckpt").st_mode) == 0o640


def _temporaries(directory):
    return [name for name in os.listdir(directory) if name.endswith(".tmp")]


@pytest.mark.parametrize("anonymous", [True, False])
def test_temporaries_of_a_dead_save_are_removed_by_the_next_save(tmp_path, monkeypatch,
                                                                   anonymous):
    """What a killed named-file save leaves (no process holds its lock) goes at the next save
    of the same target; another target's temporaries and other files are left alone."""
    if not anonymous:
        monkeypatch.setattr(serialization, "_ANONYMOUS_FILES", False)
    path = tmp_path / "run.ckpt"
    for name in (".run.ckpt.0123456789abcdef.tmp", ".run.ckpt.fedcba9876543210.tmp",
                 ".other.ckpt.0123456789abcdef.tmp", ".run.ckpt.keep.tmp"):
        (tmp_path / name).write_bytes(b"x" * 100)
    minigrad.save({"w": minigrad.ones(3)}, path)
    assert sorted(_temporaries(tmp_path)) == [".other.ckpt.0123456789abcdef.tmp",
                                             ".run.ckpt.keep.tmp"]
    assert minigrad.load(path)["w"].shape == (3,)


_KILLED_SAVES = """
import json, os, random, signal, sys, time
import minigrad
from minigrad import serialization
path, directory = sys.argv[1], os.path.dirname(sys.argv[1])
big = {"w%d" % i: minigrad.ones(1_000_000) for i in range(3)}
report = []
for mode in ("anonymous", "named"):
    serialization._ANONYMOUS_FILES = mode == "anonymous" and os.path.isdir("/proc/self/fd")
    for attempt in range(4):
        pid = os.fork()
        if pid == 0:  # the saving process: saves in a loop until it is killed
            while True:
                minigrad.save(big, path)
        time.sleep(random.uniform(0.02, 0.3))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        temporaries = [n for n in os.listdir(directory) if n.endswith(".tmp")]
        loads = os.path.exists(path) and isinstance(minigrad.load(path), dict)
        report.append([mode, os.WIFSIGNALED(status), len(temporaries), loads])
minigrad.save({"w": minigrad.ones(1)}, path)
report.append(["after", True, len([n for n in os.listdir(directory) if n.endswith(".tmp")]),
               True])
print(json.dumps(report))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="kill -9 of a forked saving process")
def test_kill_9_during_saves_leaves_no_debris_that_accumulates(tmp_path):
    """Processes that save a 12 MB checkpoint in a loop are killed with SIGKILL at random
    moments, with anonymous and with named temporary files: the checkpoint always loads, and
    temporaries never pile up (anonymous ones leave nothing; a named one is removed by the next
    save of the same target)."""
    import subprocess
    import sys
    path = tmp_path / "loop.ckpt"
    minigrad.save({"w": minigrad.ones(1)}, path)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    result = subprocess.run([sys.executable, "-c", _KILLED_SAVES, str(path)], env=dict(
        os.environ, PYTHONPATH=root), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    for mode, killed, temporaries, loads in report:
        assert killed and loads, (mode, report)
        assert temporaries <= (1 if mode == "named" else 0), (mode, report)
    assert report[-1][2] == 0


def test_save_and_load_through_file_objects(tmp_path):
    # torch.save(obj, buffer) / torch.load(buffer), and open files, as PyTorch takes them
    state = {"w": minigrad.tensor([[1.0, 2.0]], requires_grad=True), "step": 3}
    buffer = io.BytesIO()
    minigrad.save(state, buffer)
    assert buffer.tell() > 0
    buffer.seek(0)
    loaded = minigrad.load(buffer)
    assert loaded["step"] == 3 and loaded["w"].tolist() == [[1.0, 2.0]]
    assert loaded["w"].requires_grad
    path = tmp_path / "ckpt.pt"
    with open(path, "wb") as f:
        minigrad.save(state, f)
    with open(path, "rb") as f:
        assert minigrad.load(f)["w"].tolist() == [[1.0, 2.0]]
    assert minigrad.load(path)["step"] == 3  # the same bytes as a path-saved file
    with pytest.raises(CheckpointError, match="not a minigrad checkpoint"):
        minigrad.load(io.BytesIO(b"not a checkpoint at all"))
    with open(path, "r") as text:
        with pytest.raises(TypeError, match="binary mode"):
            minigrad.load(text)
