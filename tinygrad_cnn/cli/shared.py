"""What the commands share: the one-line error, the --model help, the optimisers by name,
input shapes, and the data and pictures they read or write (MNIST-format folders, image
folders, matplotlib pictures)."""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tinygrad_cnn import optim
from tinygrad_cnn.arguments import check_memory
from tinygrad_cnn.cli.datasets import is_cifar10_dir, load_named
from tinygrad_cnn.data import DataLoader, ImageFolder, load_cifar10, load_mnist, random_split
from tinygrad_cnn.data.labels import MAX_CLASSES
from tinygrad_cnn.data.mnist import FILES as IDX_FILES
from tinygrad_cnn.files import check_output
from tinygrad_cnn.kernels.threads import get_num_threads
from tinygrad_cnn.models import MODELS
from tinygrad_cnn.viz.history import PLOT_FORMATS

DEFAULT_INPUT = {"lenet5": (1, 1, 28, 28), "simple-cnn": (1, 1, 28, 28),
                 "resnet20": (1, 3, 32, 32)}

MODEL_HELP = (f"a built-in model ({', '.join(MODELS)}) or your own as "
              "package.module:factory, a callable returning a Module")
CHECKPOINT_MODEL_HELP = ("the model the checkpoint was saved from: needed for your own "
                         "(package.module:factory), whose module is then imported; a "
                         "checkpoint never imports code by itself")

OPTIMIZERS: dict[str, Callable[..., Any]] = {
    "adam": optim.Adam,
    "adamw": optim.AdamW,
    "sgd": optim.SGD,
    "rmsprop": optim.RMSprop,
    "adagrad": optim.Adagrad,
}


class CommandError(Exception):
    """A problem to report in one line, without a traceback."""


def check_numbers(counts: dict[str, int | None], lr: float) -> None:
    """Refuse, before any work, a count below 1 (`counts`: flag -> value, None when not
    given) or a learning rate that is not a positive finite number."""
    for flag, value in counts.items():
        if value is not None and value < 1:
            raise CommandError(f"{flag} must be a positive integer, got {value}")
    if not (math.isfinite(lr) and lr > 0):
        raise CommandError(f"--lr must be a positive finite number, got {lr}")


def input_shape(text: str | None, model: str) -> tuple[int, ...]:
    """The (N, C, H, W) of `--input-shape` ("1,3,224,224"), or the model's usual size."""
    if text is None:
        return DEFAULT_INPUT.get(model, (1, 3, 224, 224))
    try:
        shape = tuple(int(n) for n in text.replace("x", ",").split(","))
    except ValueError:
        raise CommandError(f"--input-shape {text!r} must look like 1,3,224,224") from None
    if len(shape) != 4 or min(shape) < 1:
        raise CommandError(f"--input-shape {text!r} must be four positive sizes N,C,H,W")
    return shape


def is_idx_dir(directory: str | None) -> bool:
    """True for the embedded subset and for a directory holding any MNIST-format file."""
    if directory is None:
        return True
    root = Path(directory)
    return not root.is_dir() or any(
        (root / f"{name}{suffix}").is_file() for name in IDX_FILES for suffix in ("", ".gz"))


def num_classes(value: int | None) -> int | None:
    """`--num-classes`, when given, from 1 to `labels.MAX_CLASSES` (the bound `fit` keeps)."""
    if value is not None and not 1 <= value <= MAX_CLASSES:
        raise CommandError(f"--num-classes {value}: a model has 1 to {MAX_CLASSES:,} classes")
    return value


def check_example_input(shape: tuple[int, ...], flag: str = "--input-shape") -> None:
    """Refuse an example input (float32) that this machine could not hold."""
    check_memory(flag, f"{','.join(map(str, shape))} (the example input)",
                 math.prod(shape) * 4)


def _read(dataset: Any) -> tuple[np.ndarray, np.ndarray]:
    """Every `(image, label)` of `dataset` as two arrays, the pictures read in batches by
    background threads (Pillow decodes outside the GIL)."""
    batches = list(DataLoader(dataset, batch_size=64, num_workers=get_num_threads()))
    return (np.concatenate([x.numpy() for x, _ in batches]),
            np.concatenate([y.numpy() for _, y in batches]))


def _image_folder_splits(root: Path, size: tuple[int, int], seed: int) -> tuple[Any, Any]:
    """root/train and root/test as the two splits when both exist, else a seeded 80/20 split.

    The two splits share one class list, the training split's: a test picture is labelled by
    its class's place among the training classes, and a test class that training never saw
    is refused by name.
    """
    if (root / "train").is_dir() and (root / "test").is_dir():
        train, test = ImageFolder(root / "train", size), ImageFolder(root / "test", size)
        unseen = [name for name in test.classes if name not in train.class_to_idx]
        if unseen:
            raise CommandError(
                f"--data {root}: the test split has classes the training split has not: "
                f"{', '.join(unseen)} (training classes: {', '.join(train.classes)})"
            )
        x_test, y_test = _read(test)
        to_train = np.array([train.class_to_idx[name] for name in test.classes], np.int64)
        return _read(train), (x_test, to_train[y_test])
    folder = ImageFolder(root, size)
    held_out = len(folder) // 5
    test, train = random_split(folder, [held_out, len(folder) - held_out],
                               generator=np.random.default_rng(seed))
    return _read(train), _read(test)


def load_data(directory: str | None, limit: int | None, model: str = "lenet5",
              seed: int = 0, dataset: str | None = None,
              download: bool = False) -> tuple[tuple[Any, Any], ...]:
    """`(x_train, y_train), (x_test, y_test)` of `--dataset` (from `--data` or the cache) or
    of `--data` (the embedded subset, an IDX folder, a CIFAR-10 binary folder or an image
    folder at the model's size), cut to `--limit` images when given."""
    if dataset is not None:
        (x_train, y_train), (x_test, y_test) = load_named(dataset, directory, download)
    elif is_idx_dir(directory):
        (x_train, y_train), (x_test, y_test) = load_mnist(directory)
    elif is_cifar10_dir(directory):
        (x_train, y_train), (x_test, y_test) = load_cifar10(directory)
    else:
        size = input_shape(None, model)[2:]
        (x_train, y_train), (x_test, y_test) = _image_folder_splits(Path(directory), size, seed)
    for split, x in (("training", x_train), ("test", x_test)):
        if len(x) == 0:
            raise CommandError(f"--data {directory}: the {split} set has no images")
    if limit:
        x_train, y_train = x_train[:limit], y_train[:limit]
        x_test, y_test = x_test[: max(limit // 4, 1)], y_test[: max(limit // 4, 1)]
    return (x_train, y_train), (x_test, y_test)


def check_picture(path: str, flag: str, what: str) -> None:
    """Refuse, before any work, a matplotlib picture that could only fail once drawn: its
    folder, its extension, matplotlib itself."""
    check_output(path, flag)
    if Path(path).suffix.lower() not in PLOT_FORMATS:
        raise CommandError(f"{flag}: {what} are written as .png, .svg or .pdf, got {path}")
    if importlib.util.find_spec("matplotlib") is None:
        raise CommandError(f'{flag} needs matplotlib: pip install "tinygrad_cnn[plot]"')
