"""Whether the data fits the model, before any work: an image size the model takes (found by
shape-only runs; `--image-size`), the images resized to it with `F.interpolate`, and room in
its output for the data's classes."""

from __future__ import annotations

from typing import Any

import numpy as np

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn.arguments import check_memory
from tinygrad_cnn.autograd import ShapeDtype, no_grad
from tinygrad_cnn.autograd.abstract import NeedsValuesError, eval_shape
from tinygrad_cnn.cli.shared import CommandError
from tinygrad_cnn.nn.modes import evaluating
from tinygrad_cnn.tensor import Tensor

# The largest side tried when looking for a size a model takes: past VGG's and ResNet's 224.
LARGEST_SIDE = 512

IMAGE_SIZE_HELP = (
    "resize the images to SIZE x SIZE with F.interpolate (bilinear) before training; "
    "default: the data's own size when the model takes it, else the nearest size it takes, "
    "found by shape-only runs (for the 28x28 digits: 63 for alexnet, 32 for vgg*, 29 for "
    "densenet121); a SIZE the model cannot take is refused at once, naming the smallest it can"
)


def _run(model: Any, shape: tuple[int, ...]) -> tuple[Any, str | None]:
    """The model's output shape for `shape` from a shape-only run in eval mode (so a batch of
    one passes BatchNorm), and why it failed; (None, None) when only values could tell."""
    try:
        with evaluating(model):
            return eval_shape(model, ShapeDtype(shape, np.float32)), None
    except (NotImplementedError, NeedsValuesError):
        return None, None  # an op without a shape rule, or a forward that reads values
    except ValueError as error:
        return None, str(error)


def _takes(model: Any, channels: int, side: int) -> bool:
    return _run(model, (1, channels, side, side))[1] is None


def smallest_side(model: Any, channels: int) -> int | None:
    """The smallest square image side the model takes, None when none up to `LARGEST_SIDE`."""
    return next((side for side in range(1, LARGEST_SIDE + 1) if _takes(model, channels, side)),
                None)


def choose_side(name: str, model: Any, shape: tuple[int, ...], requested: int | None) -> int:
    """The side the images are trained at: `--image-size` when given and the model takes it,
    else the data's own when the model takes it, else the nearest side it takes (larger
    first: enlarging loses nothing).

    Raises:
        CommandError: for an `--image-size` the model does not take (naming the smallest it
            does), or a model that takes none of the sides tried.
    """
    channels, side = shape[1], shape[-1]
    if requested is not None:  # a positive int: train checks its numbers first
        _, error = _run(model, (1, channels, requested, requested))
        if error is None:
            return requested
        smallest = smallest_side(model, channels)
        hint = (f"; the smallest it takes is {smallest} (--image-size {smallest})" if smallest
                else f"; it takes no size up to {LARGEST_SIDE}")
        raise CommandError(f"--image-size {requested}: {name} does not take "
                           f"{channels}x{requested}x{requested} images ({error}){hint}")
    _, error = _run(model, (1, *shape[1:]))
    if error is None:
        return side
    for candidate in (*range(side + 1, LARGEST_SIDE + 1), *range(side - 1, 0, -1)):
        if _takes(model, channels, candidate):
            return candidate
    raise CommandError(f"{name} takes no {channels}-channel images from 1x1 to "
                       f"{LARGEST_SIDE}x{LARGEST_SIDE}; at {shape[-2]}x{side}: {error}")


def check_classes(name: str, model: Any, shape: tuple[int, ...], classes: int) -> None:
    """Refuse a model whose output has no room for the data's classes, in one line.

    Raises:
        CommandError: when the output is not class scores (N, classes), or has fewer than
            `classes`.
    """
    out, error = _run(model, (1, *shape[1:]))
    if error is not None:
        raise CommandError(f"{name} does not take the data's images "
                           f"({'x'.join(map(str, shape[1:]))}): {error}")
    if out is None:
        return  # only a real run could tell: the training's own checks will
    if not (isinstance(out, tuple) and len(out) == 2):
        raise CommandError(f"{name} returns {out} for one image; training needs class scores "
                           "(N, classes)")
    if out[1] < classes:
        raise CommandError(f"{name} gives {out[1]} scores per image but the data has {classes} "
                           f"classes (labels 0 to {classes - 1}); let its factory take "
                           "num_classes, or give its last layer that many outputs")


def resized(images: np.ndarray, side: int | None) -> np.ndarray:
    """The images (N, C, H, W) at side x side, resized bilinearly with `F.interpolate`; as they
    are when `side` is None or already theirs.

    Raises:
        ValueError: when the resized images cannot fit in this machine's memory.
    """
    if side is None or images.shape[-2:] == (side, side):
        return images
    n, channels = images.shape[:2]
    check_memory("--image-size", f"{side} ({n:,} images of {channels}x{side}x{side})",
                 n * channels * side * side * images.itemsize)
    with no_grad():
        return F.interpolate(Tensor(images), size=(side, side), mode="bilinear").data


def fit_images(name: str, model: Any, splits: tuple[np.ndarray, ...], requested: int | None,
               recorded: int | None = None) -> tuple[tuple[np.ndarray, ...], int]:
    """The images of every split at the side the model is trained at, and that side: the
    checkpoint's (`recorded`) when resuming, else `choose_side`'s; says so when it resizes.

    Raises:
        CommandError: for an `--image-size` that is not the resumed checkpoint's, or one
            `choose_side` refuses.
    """
    shape = splits[0].shape
    if recorded is not None and requested not in (None, recorded):
        raise CommandError(f"--image-size {requested}, but the checkpoint resumed was trained "
                           f"at {recorded}x{recorded}; leave out --image-size to continue it")
    side = recorded or choose_side(name, model, shape, requested)
    if shape[-2:] != (side, side):
        print(f"resizing the {shape[-2]}x{shape[-1]} images to {side}x{side}"
              + ("" if requested else f", the nearest size {name} takes (see --image-size)"))
    return tuple(resized(images, side) for images in splits), side
