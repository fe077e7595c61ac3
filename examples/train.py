"""Train a CNN from minigrad's model zoo on XO, Digits, MNIST, Fashion-MNIST or MNIST-1D.

    python examples/train.py                        # small CNN on XO, to 100% test accuracy
    python examples/train.py --dataset digits       # LeNet-5 on scikit-learn's 8x8 digits
    python examples/train.py --dataset mnist --data-dir data --download --model resnet18
    python examples/train.py --dataset mnist1d      # a 1-D CNN on the MNIST-1D signals
    python examples/train.py --dataset fashion-mnist --data-dir data --download --device cuda
    python examples/train.py --dataset digits --checkpoint digits.ckpt   # save every epoch
    python examples/train.py --checkpoint digits.ckpt --resume --epochs 20   # continue

A progress bar on stderr shows the running loss and throughput; each epoch prints its train and
test accuracy. With --checkpoint the model, optimizer, scheduler, data-loader position, random
generator and history are saved after every epoch, and Ctrl-C (or SIGTERM) stops after the
current batch and saves too: --resume then continues exactly where the run stopped, with the
same losses an uninterrupted run would have had. Beside the checkpoint, a metrics file (the
checkpoint's name with ".metrics.jsonl") holds one JSON line per finished epoch, for
`minigrad.viz.plot_history`. On resume, settings not given on the command line come from the
checkpoint. Under `mpiexec -n N python -m mpi4py examples/train.py ...` the run is
data-parallel over N processes (DistributedDataParallel; see the README): each trains on its
shard of every epoch with --batch-size samples per step, rank 0 alone prints, checkpoints and
writes metrics, and --resume continues on the same number of processes exactly. Mistakes (an
option out of range, a checkpoint that cannot be written or does not
fit the run) stop the script before any training with one line and exit status 2. A model with
batch norm leaves out an epoch's last batch when it would hold a single sample. `main(argv)`
returns the history, one dict per epoch.
"""
import argparse
import json
import math
import os
import signal
import sys
import tempfile
import textwrap
import threading
import time


def limit_threads_per_process():
    """Under mpiexec, each process gets cores / (processes on this machine) threads for
    Numba, OpenMP and BLAS (unless set already): they must be set before numpy loads."""
    local = os.environ.get("MPI_LOCALNRANKS") or os.environ.get("OMPI_COMM_WORLD_LOCAL_SIZE")
    if local is None or not local.isdigit() or int(local) < 2:
        return
    threads = str(max(1, (os.cpu_count() or 1) // int(local)))
    for name in ("OMP_NUM_THREADS", "NUMBA_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                 "MKL_NUM_THREADS"):
        os.environ.setdefault(name, threads)


limit_threads_per_process()

import minigrad  # after the thread limits (E402 allowed here)
from minigrad import distributed, nn, optim
from minigrad.backend import is_available
from minigrad.data import DataLoader, DistributedSampler, Subset, transforms
from minigrad.data.datasets import MNIST, MNIST1D, XO, Digits, FashionMNIST
from minigrad.models import get_model, list_models
from minigrad.nn import functional as F

DATASETS = ("xo", "digits", "mnist", "fashion-mnist", "mnist1d")
OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop")
SCHEDULES = ("constant", "cosine")

# What each dataset trains with unless told otherwise (tuned: see the README's figures).
DEFAULTS = {
    "xo": dict(model="small-cnn", epochs=4, batch_size=32, lr=2e-3, optimizer="adam",
               schedule="constant", label_smoothing=0.0),
    "digits": dict(model="lenet5", epochs=25, batch_size=32, lr=2e-3, optimizer="adam",
                   schedule="cosine", label_smoothing=0.1),
    "mnist": dict(model="lenet5", epochs=5, batch_size=64, lr=1e-3, optimizer="adam",
                  schedule="constant", label_smoothing=0.0),
    "fashion-mnist": dict(model="lenet5", epochs=10, batch_size=64, lr=1e-3, optimizer="adam",
                          schedule="constant", label_smoothing=0.0),
    "mnist1d": dict(model="cnn1d", epochs=10, batch_size=128, lr=1e-2, optimizer="adamw",
                    schedule="cosine", label_smoothing=0.0),
}
# The settings that define a run: a resumed run must use the same ones.
RUN_SETTINGS = ("dataset", "data_dir", "model", "batch_size", "lr", "optimizer", "momentum",
                "weight_decay", "schedule", "label_smoothing", "seed", "train_size", "test_size")
# Pixel mean and standard deviation of the training images, for standardising them.
MEAN_STD = {"digits": (0.3055, 0.3761), "mnist": (0.1307, 0.3081),
            "fashion-mnist": (0.2860, 0.3530)}
CHECKPOINT_FORMAT = "minigrad-train-1"
EVAL_BATCH_SIZE = 256


class World:
    """The processes of this run: one, or N started by `mpiexec ... python -m mpi4py`.

    `rank`, `size` and `main` (rank 0, the one that prints and saves); `sum(values)` adds a
    list of numbers over all processes; `any(flag)` is True on every process if it is on one.
    """

    def __init__(self):
        launched = "mpi4py.MPI" in sys.modules or "PMI_SIZE" in os.environ \
            or "OMPI_COMM_WORLD_SIZE" in os.environ
        if launched and not distributed.is_initialized():
            distributed.init_process_group("mpi")
        self.active = launched and distributed.get_world_size() > 1
        self.rank = distributed.get_rank() if self.active else 0
        self.size = distributed.get_world_size() if self.active else 1
        self.main = self.rank == 0

    def sum(self, values):
        if not self.active:
            return list(values)
        t = minigrad.tensor([float(v) for v in values], dtype=minigrad.float64)
        distributed.all_reduce(t)
        return t.tolist()

    def any(self, flag):
        return self.sum([1.0 if flag else 0.0])[0] > 0 if self.active else bool(flag)


class OneLineErrorParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr (no usage block), status 2."""

    def error(self, message):
        one_line = " ".join(str(message).split())  # some library errors span several lines
        self.exit(2, f"{self.prog}: error: {one_line} (see --help)\n")


def build_parser():
    defaults = "\n".join(
        f"  {name}: {d['model']}, {d['epochs']} epochs, {d['optimizer']} lr {d['lr']:g} "
        f"({d['schedule']}), batch {d['batch_size']}, label smoothing {d['label_smoothing']:g}"
        for name, d in DEFAULTS.items())
    models = ", ".join(name.replace("_", "-") for name in list_models())
    parser = OneLineErrorParser(
        description="Train a CNN from minigrad's model zoo.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=f"defaults per dataset:\n{defaults}\n" + textwrap.fill(f"models: {models}", 79))
    parser.add_argument("--dataset", choices=DATASETS, help="default: xo (or the checkpoint's)")
    parser.add_argument("--data-dir", help="folder of the MNIST / Fashion-MNIST files "
                        "(default: data)")
    parser.add_argument("--download", action="store_true",
                        help="download missing MNIST / Fashion-MNIST files into --data-dir")
    parser.add_argument("--model", help="small-cnn (default for xo), cnn1d (for mnist1d), "
                        "lenet5 (otherwise), or any model listed below")
    parser.add_argument("--epochs", type=int, help="epochs to train in total")
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--lr", type=float, help="learning rate")
    parser.add_argument("--optimizer", choices=OPTIMIZERS)
    parser.add_argument("--momentum", type=float, help="for sgd and rmsprop (default: 0.9 for "
                        "sgd, 0 for rmsprop)")
    parser.add_argument("--weight-decay", type=float, help="default: the optimizer's own")
    parser.add_argument("--schedule", choices=SCHEDULES,
                        help="learning-rate schedule over the epochs")
    parser.add_argument("--label-smoothing", type=float,
                        help="mix this much of the uniform distribution into the targets")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"),
                        help="where the model and batches live: cpu (default) or cuda, an "
                        "NVIDIA GPU (needs the cuda extra)")
    parser.add_argument("--seed", type=int, help="seeds initialisation, shuffling and dropout "
                        "(default: 0)")
    parser.add_argument("--checkpoint", help="file to save the run to after every epoch (and "
                        "its per-epoch metrics to the same name with .metrics.jsonl)")
    parser.add_argument("--resume", action="store_true",
                        help="continue the run saved in --checkpoint")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    advanced = parser.add_argument_group("advanced")
    advanced.add_argument("--train-size", type=int, help="train on the first N samples only")
    advanced.add_argument("--test-size", type=int, help="test on the first N samples only")
    return parser


def parse_args(argv):
    """(parser, arguments with the dataset's or checkpoint's defaults filled in and checked,
    the checkpoint to resume or None). Errors exit with status 2 and a message."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.model is not None:
        args.model = args.model.strip().lower().replace("_", "-")
    check_numbers(parser, args)
    checkpoint = None
    if args.resume:
        checkpoint = load_checkpoint(parser, args.checkpoint)
        for name in RUN_SETTINGS:
            saved, given = checkpoint["settings"][name], getattr(args, name)
            if given is not None and given != saved:
                parser.error(f"--{name.replace('_', '-')} {given} differs from the "
                             f"checkpoint's {saved}; leave it out to resume that run")
            setattr(args, name, saved)
        if args.epochs is None:
            args.epochs = checkpoint["settings"]["epochs"]
    fill_defaults(args)
    check_checkpoint_path(parser, args)
    check_choices(parser, args)
    return parser, args, checkpoint


# The numeric options: (type, lowest, highest, whether the lowest is allowed, wording).
NUMBERS = {
    "epochs": (int, 1, None, True, "at least 1"),
    "batch_size": (int, 1, None, True, "at least 1"),
    "train_size": (int, 1, None, True, "at least 1"),
    "test_size": (int, 1, None, True, "at least 1"),
    "seed": (int, 0, 2 ** 64 - 1, True, "an integer in [0, 2**64 - 1]"),
    "lr": (float, 0.0, None, False, "a finite number > 0"),
    "momentum": (float, 0.0, 1.0, True, "a number in [0, 1)"),
    "weight_decay": (float, 0.0, None, True, "a finite number >= 0"),
    "label_smoothing": (float, 0.0, 1.0, True, "in [0, 1]"),
}


def number_problem(name, value):
    """What the numeric option `name` must be, if `value` is out of its range or of the wrong
    type (settings read from a checkpoint can be anything); None if it is fine or unset."""
    if value is None:
        return None
    kind, low, high, low_allowed, wording = NUMBERS[name]
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool) \
        and (kind is float or isinstance(value, int))
    ok = numeric and math.isfinite(value) and (value >= low if low_allowed else value > low)
    if ok and high is not None:
        ok = value <= high if name in ("seed", "label_smoothing") else value < high
    return None if ok else wording


def check_numbers(parser, args):
    """Exit with status 2 and one line naming the first numeric option out of its range."""
    for name in NUMBERS:
        value = getattr(args, name, None)
        wording = number_problem(name, value)
        if wording is not None:
            parser.error(f"--{name.replace('_', '-')} must be {wording}, got {value!r}")


def check_checkpoint_path(parser, args):
    """Before any training: the checkpoint (and metrics) file can be written where it goes."""
    if args.checkpoint is None:
        return
    path = os.path.abspath(args.checkpoint)
    if os.path.isdir(path):
        parser.error(f"--checkpoint {args.checkpoint!r} is a directory; give a file name")
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        problem = "is not a directory" if os.path.exists(directory) else "does not exist"
        parser.error(f"--checkpoint {args.checkpoint!r}: {directory!r} {problem}")
    try:
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as err:
        parser.error(f"--checkpoint {args.checkpoint!r}: cannot write into {directory!r} "
                     f"({err.strerror or err})")


def fill_defaults(args):
    args.dataset = args.dataset or "xo"
    for name, value in DEFAULTS[args.dataset].items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.momentum is None:
        args.momentum = 0.9 if args.optimizer == "sgd" else 0.0
    args.seed = 0 if args.seed is None else args.seed
    args.data_dir = args.data_dir or "data"


def check_choices(parser, args):
    known = [name.replace("_", "-") for name in list_models()]
    if args.model not in known:
        parser.error(f"unknown model {args.model!r}; known models: {', '.join(known)}")
    if (args.dataset == "mnist1d") != (args.model == "cnn1d"):  # 1-D signals or images
        parser.error(f"--model {args.model} does not fit --dataset {args.dataset}: cnn1d "
                     "trains on the 1-D signals of mnist1d, the other models on images")
    if args.device == "cuda" and not is_available("cuda"):
        parser.error("--device cuda: CUDA is not available on this machine")
    if args.dataset in ("mnist", "fashion-mnist") and not os.path.isdir(args.data_dir):
        if not args.download:
            parser.error(f"data directory {args.data_dir!r} does not exist; point --data-dir at "
                         "the folder with the IDX files, or add --download to fetch them")
        os.makedirs(args.data_dir)
    if args.checkpoint is not None and not args.resume and os.path.exists(args.checkpoint):
        parser.error(f"checkpoint {args.checkpoint!r} already exists; add --resume to continue "
                     "it, or choose another file")


def load_checkpoint(parser, path):
    if path is None:
        parser.error("--resume needs --checkpoint, the file to resume from")
    if not os.path.isfile(path):
        parser.error(f"--resume: checkpoint {path!r} does not exist")
    try:
        checkpoint = minigrad.load(path)
    except ValueError as err:
        parser.error(f"--resume: {err}")
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != CHECKPOINT_FORMAT:
        parser.error(f"--resume: {path!r} is not a checkpoint written by this script")
    problem = checkpoint_problem(checkpoint)
    if problem is not None:
        parser.error(f"--resume: {path!r} cannot be resumed: {problem}")
    return checkpoint


CHECKPOINT_ENTRIES = {"settings": dict, "model": dict, "optimizer": dict,
                      "scheduler": (dict, type(None)), "loader": dict, "rng": dict, "epoch": int,
                      "totals": (dict, type(None)), "history": list}


def checkpoint_problem(checkpoint):
    """What is wrong with the layout of a loaded checkpoint (entries, their types, the run
    settings), or None; the values are checked when they are restored."""
    for key, kind in CHECKPOINT_ENTRIES.items():
        if key not in checkpoint:
            return f"it has no {key!r} entry"
        if not isinstance(checkpoint[key], kind) or isinstance(checkpoint[key], bool):
            return f"its {key!r} entry is a {type(checkpoint[key]).__name__}"
    settings = checkpoint["settings"]
    missing = [name for name in (*RUN_SETTINGS, "epochs") if name not in settings]
    if missing:
        return f"its settings have no {', '.join(missing)}"
    for name in NUMBERS:
        wording = number_problem(name, settings.get(name))
        if wording is not None:
            return f"its setting {name} is {settings[name]!r}, which must be {wording}"
    for name in ("dataset", "model", "optimizer", "schedule", "data_dir"):
        if not isinstance(settings[name], str):
            return f"its setting {name} is {settings[name]!r}, which must be a string"
    if checkpoint["epoch"] < 0:
        return f"its epoch is {checkpoint['epoch']}"
    totals = checkpoint["totals"]
    if totals is not None and (set(totals) != set(fresh_totals()) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in totals.values())):
        return "its running totals are malformed"
    if not all(isinstance(record, dict) for record in checkpoint["history"]):
        return "its history is malformed"
    return None


def restore(parser, args, checkpoint, model, optimizer, scheduler, loader):
    """Load the checkpoint's states into the run's objects; a state that does not fit them
    (other model, mis-shaped tensors, a bad random-generator state, ...) exits with status 2
    and one line."""
    try:
        if (scheduler is None) != (checkpoint["scheduler"] is None):
            raise ValueError("its learning-rate schedule does not match the run's")
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        if scheduler is not None:
            expected = scheduler.state_dict()
            saved = checkpoint["scheduler"]
            if set(saved) != set(expected) or any(
                    type(saved[key]) is not type(value) for key, value in expected.items()):
                raise ValueError("its scheduler state is malformed")
            scheduler.load_state_dict(saved)
        loader.load_state_dict(checkpoint["loader"])
        minigrad.set_rng_state(checkpoint["rng"])
    except (KeyError, TypeError, ValueError, RuntimeError, OverflowError) as err:
        message = err.args[0] if isinstance(err, KeyError) and err.args else err
        parser.error(f"--resume: {args.checkpoint!r} does not fit this run: {message}")


def make_datasets(parser, args):
    """(train dataset, test dataset, number of classes)."""
    standardize = transforms.Normalize(*MEAN_STD[args.dataset]) \
        if args.dataset in MEAN_STD else None
    try:
        if args.dataset == "xo":  # pixels are already -1 / +1
            train, test = XO(train=True), XO(train=False)
        elif args.dataset == "mnist1d":  # signals are already standardised
            train, test = MNIST1D(train=True), MNIST1D(train=False)
        elif args.dataset == "digits":
            train = Digits(train=True, transform=standardize)
            test = Digits(train=False, transform=standardize)
        else:
            kind = MNIST if args.dataset == "mnist" else FashionMNIST
            train = kind(args.data_dir, train=True, download=args.download,
                         transform=standardize)
            test = kind(args.data_dir, train=False, download=args.download,
                        transform=standardize)
    except (ImportError, OSError, RuntimeError, ValueError) as err:
        parser.error(f"cannot load the {args.dataset} dataset: {err}")
    num_classes = len(train.classes)
    if args.train_size is not None:
        train = Subset(train, range(min(args.train_size, len(train))))
    if args.test_size is not None:
        test = Subset(test, range(min(args.test_size, len(test))))
    return train, test, num_classes


def needs_drop_last(parser, args, model, train_size, say=True):
    """Whether training drops each epoch's last batch: with batch norm, a batch of one sample
    cannot be normalised (PyTorch raises "Expected more than 1 value per channel when
    training"), so a last batch of one is dropped, and the run says so."""
    batch_norms = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.SyncBatchNorm)
    if not any(isinstance(m, batch_norms) for m in model.modules()):
        return False
    if train_size == 1:
        parser.error(f"--train-size 1: {args.model} has batch norm, which needs batches of at "
                     "least 2 samples in training")
    if train_size % args.batch_size != 1:
        return False
    if not say:
        return True
    print(f"note: {args.model} has batch norm, which cannot train on a batch of one sample; "
          f"the last sample of each shuffled epoch ({train_size} = {train_size // args.batch_size}"
          f" x {args.batch_size} + 1) is left out", file=sys.stderr)
    return True


def make_optimizer(args, params):
    extra = {} if args.weight_decay is None else {"weight_decay": args.weight_decay}
    if args.optimizer == "sgd":
        return optim.SGD(params, lr=args.lr, momentum=args.momentum, **extra)
    if args.optimizer == "rmsprop":
        return optim.RMSprop(params, lr=args.lr, momentum=args.momentum, **extra)
    kind = optim.Adam if args.optimizer == "adam" else optim.AdamW
    return kind(params, lr=args.lr, **extra)


class ProgressBar:
    """One line on stderr, redrawn in place (carriage return) at most 10 times a second."""

    def __init__(self, total, label, enabled=True, stream=None):
        self.total, self.label, self.enabled = total, label, enabled
        self.stream = sys.stderr if stream is None else stream
        self.last_draw, self.width = 0.0, 0

    def update(self, done, loss, images_per_s):
        now = time.perf_counter()
        if not self.enabled or (now - self.last_draw < 0.1 and done < self.total):
            return
        self.last_draw = now
        filled = 24 * done // self.total
        line = (f"{self.label} [{'#' * filled}{'.' * (24 - filled)}] {done}/{self.total}  "
                f"loss {loss:.4f}  {images_per_s:,.0f} img/s")
        self.width = max(self.width, len(line))
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()

    def close(self):
        if self.enabled and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()


class StopOnInterrupt:
    """Within the `with` block, the first Ctrl-C (SIGINT) or SIGTERM only records the request
    (`requested`, and `exit_code`: 130 or 143, as a shell reports those signals), so training
    can stop between batches with a consistent state to save; a second one interrupts at once.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self):
        self.requested = False
        self.exit_code = None
        self.previous = {}

    def handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        self.exit_code = 128 + signum
        how = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
        print(f"\n{how}: stopping after this batch (again to abort at once)", file=sys.stderr)

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for signum in self.SIGNALS:
                self.previous[signum] = signal.signal(signum, self.handle)
        return self

    def __exit__(self, *exc):
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)


def fresh_totals():
    """Running sums of one epoch's training: summed loss, correct predictions, samples,
    seconds."""
    return {"loss_sum": 0.0, "correct": 0, "seen": 0, "seconds": 0.0}


def train_epoch(model, loader, optimizer, args, totals, stop, bar, world):
    """Train until the loader's epoch ends or a stop is requested (on any process); updates
    `totals` (this process's sums) in place. Returns the loader state after the last completed
    batch."""
    model.train()
    started = time.perf_counter() - totals["seconds"]
    loader_state = loader.state_dict()
    if isinstance(loader.sampler, DistributedSampler):
        loader.sampler.set_epoch(loader.epoch)  # the epoch's shuffle, the same on every process
    for images, labels in loader:
        images, labels = images.to(args.device), labels.to(args.device)
        logits = model(images)
        loss = F.cross_entropy(logits, labels, label_smoothing=args.label_smoothing)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        batch = labels.shape[0]
        totals["loss_sum"] += loss.item() * batch
        totals["correct"] += int((logits.argmax(1) == labels).sum().item())
        totals["seen"] += batch
        totals["seconds"] = time.perf_counter() - started
        loader_state = loader.state_dict()
        bar.update(loader_state["batch"] or len(loader), totals["loss_sum"] / totals["seen"],
                   totals["seen"] / max(totals["seconds"], 1e-9))
        if world.any(stop.requested):  # every process stops after the same batch
            break
    bar.close()
    return loader_state


def evaluate(model, loader, device, world):
    """(mean loss, accuracy) of `model` on every batch of `loader` (this process's share of
    the test set), over all processes, in eval mode."""
    model.eval()
    loss_sum, correct, seen = 0.0, 0, 0
    with minigrad.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            logits = model(images)
            loss_sum += F.cross_entropy(logits, labels, reduction="sum").item()
            correct += int((logits.argmax(1) == labels).sum().item())
            seen += labels.shape[0]
    loss_sum, correct, seen = world.sum([loss_sum, correct, seen])
    return loss_sum / seen, correct / seen


def save_checkpoint(path, args, model, optimizer, scheduler, loader_state, epoch, totals,
                    history, processes=1):
    """Everything needed to continue the run exactly: `epoch` epochs are complete, and
    `totals` holds the sums of the one under way (None at an epoch boundary)."""
    settings = {name: getattr(args, name) for name in RUN_SETTINGS}
    settings["epochs"] = args.epochs
    settings["processes"] = processes
    minigrad.save({"format": CHECKPOINT_FORMAT, "settings": settings,
                   "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                   "scheduler": None if scheduler is None else scheduler.state_dict(),
                   "loader": loader_state, "rng": minigrad.get_rng_state(),
                   "epoch": epoch, "totals": totals, "history": history}, path)


def metrics_path(checkpoint):
    """The per-epoch metrics file beside `checkpoint`: "run.mg" -> "run.metrics.jsonl"."""
    return os.path.splitext(checkpoint)[0] + ".metrics.jsonl"


def write_metrics(path, history):
    """Write `history` as JSON lines, one object per epoch, replacing the file as a whole so
    that a resumed run never duplicates an epoch."""
    partial = path + ".partial"
    with open(partial, "w") as f:
        f.writelines(json.dumps(record) + "\n" for record in history)
    os.replace(partial, path)


def global_totals(world, totals):
    """This epoch's running sums over all processes (the seconds are this process's)."""
    loss_sum, correct, seen = world.sum([totals["loss_sum"], totals["correct"], totals["seen"]])
    return {"loss_sum": loss_sum, "correct": int(correct), "seen": int(seen),
            "seconds": totals["seconds"]}


def main(argv=None):
    """Run the training described by the command-line arguments `argv` (default: sys.argv);
    returns the history, one dict per epoch (train/test loss and accuracy, time, images/s)."""
    parser, args, checkpoint = parse_args(argv)
    world = World()
    if checkpoint is not None and checkpoint["settings"].get("processes", 1) != world.size:
        parser.error(f"--resume: {args.checkpoint!r} was written by a run on "
                     f"{checkpoint['settings'].get('processes', 1)} processes; resume it on "
                     f"as many (this run has {world.size}) to continue exactly")
    if not world.main:
        args.quiet = True
    train_set, test_set, num_classes = make_datasets(parser, args)
    in_channels = train_set[0][0].shape[0]
    minigrad.manual_seed(args.seed)
    net = get_model(args.model, num_classes=num_classes, in_channels=in_channels)
    net.to(args.device)
    optimizer = make_optimizer(args, net.parameters())
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs) \
        if args.schedule == "cosine" else None
    if world.active:
        # each process reads its own shard of every epoch, and of the test set
        sampler = DistributedSampler(train_set, world.size, world.rank, seed=args.seed)
        drop_last = needs_drop_last(parser, args, net, len(sampler), say=world.main)
        train_loader = DataLoader(train_set, batch_size=args.batch_size, sampler=sampler,
                                  drop_last=drop_last, seed=args.seed)
        test_part = Subset(test_set, range(world.rank, len(test_set), world.size))
    else:
        drop_last = needs_drop_last(parser, args, net, len(train_set))
        train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                                  seed=args.seed, drop_last=drop_last)
        test_part = test_set
    test_loader = DataLoader(test_part, batch_size=EVAL_BATCH_SIZE)
    epoch, totals, history = 0, None, []
    if checkpoint is not None:
        restore(parser, args, checkpoint, net, optimizer, scheduler, train_loader)
        epoch, totals, history = checkpoint["epoch"], checkpoint["totals"], checkpoint["history"]
        if totals is not None and not world.main:  # the saved sums are all processes' already
            totals = dict(fresh_totals(), seconds=totals["seconds"])
    model = nn.parallel.DistributedDataParallel(net) if world.active else net
    params = sum(p.numel() for p in net.parameters())
    if world.main:
        print(f"{args.model} ({params:,} parameters) on {args.dataset}: {len(train_set)} train "
              f"/ {len(test_set)} test images, {args.optimizer} lr {args.lr:g}, batch "
              f"{args.batch_size}" + (f" x {world.size} processes" if world.active else "") +
              f", {args.device}" + (f", resuming after epoch {epoch}"
                                    if checkpoint is not None else ""))
        if epoch >= args.epochs:
            print(f"the checkpoint has all {epoch} epochs already; pass a larger --epochs to "
                  "train on")

    def save(loader_state, epoch, totals):
        if world.main and args.checkpoint is not None:
            save_checkpoint(args.checkpoint, args, net, optimizer, scheduler, loader_state,
                            epoch, totals, history, world.size)

    with StopOnInterrupt() as stop:
        while epoch < args.epochs:
            totals = totals or fresh_totals()
            bar = ProgressBar(len(train_loader), f"epoch {epoch + 1}/{args.epochs}",
                              enabled=not args.quiet)
            loader_state = train_epoch(model, train_loader, optimizer, args, totals, stop, bar,
                                       world)
            if loader_state["batch"] != 0:  # stopped inside the epoch
                save(loader_state, epoch, global_totals(world, totals))
                if world.main and args.checkpoint is not None:
                    print(f"stopped during epoch {epoch + 1}; saved to {args.checkpoint}, "
                          "continue with --resume", file=sys.stderr)
                raise SystemExit(stop.exit_code or 130)
            epoch += 1
            test_loss, test_acc = evaluate(model, test_loader, args.device, world)
            if scheduler is not None:
                scheduler.step()
            done = global_totals(world, totals)
            record = {"epoch": epoch, "train_loss": done["loss_sum"] / done["seen"],
                      "train_acc": done["correct"] / done["seen"], "test_loss": test_loss,
                      "test_acc": test_acc, "seconds": done["seconds"],
                      "images_per_s": done["seen"] / max(done["seconds"], 1e-9)}
            history.append(record)
            totals = None
            if world.main:
                print(f"epoch {epoch:3d}/{args.epochs}  loss {record['train_loss']:.4f}  "
                      f"train acc {100 * record['train_acc']:6.2f}%  "
                      f"test acc {100 * test_acc:6.2f}%  {record['seconds']:.1f} s  "
                      f"{record['images_per_s']:,.0f} img/s", flush=True)
            save(train_loader.state_dict(), epoch, None)
            if world.main and args.checkpoint is not None:
                write_metrics(metrics_path(args.checkpoint), history)
            if world.any(stop.requested):
                if world.main and args.checkpoint is not None:
                    print(f"stopped; saved to {args.checkpoint}, continue with --resume",
                          file=sys.stderr)
                raise SystemExit(stop.exit_code or 130)
    return history


if __name__ == "__main__":
    main()
