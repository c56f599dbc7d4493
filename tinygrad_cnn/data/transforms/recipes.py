"""The augmentation recipes `tinygrad-cnn train --augment` uses: one for digits, one for photos."""

from __future__ import annotations

from tinygrad_cnn.data.transforms.base import Compose
from tinygrad_cnn.data.transforms.crop import RandomCrop
from tinygrad_cnn.data.transforms.flip import RandomHorizontalFlip
from tinygrad_cnn.data.transforms.rotation import RandomRotation


def digit_augmentation(size: int | tuple[int, int] = 28) -> Compose:
    """Shifts of up to 2 pixels and turns of up to 10 degrees: for MNIST-like characters.

    No flips: a mirrored 2 is not a 2. This is the recipe measured on the Data page.

    Args:
        size: the images' `(H, W)`, or one int for squares.

    Examples:
        >>> [type(t).__name__ for t in digit_augmentation().transforms]
        ['RandomCrop', 'RandomRotation']
    """
    return Compose([RandomCrop(size, padding=2), RandomRotation(10)])


def photo_augmentation(size: int | tuple[int, int] = 32) -> Compose:
    """Random crops of the reflect-padded image and left-right flips: for photographs.

    The CIFAR-10 recipe of the ResNet paper (He et al., 2016), with padding of one eighth of
    the image's side (4 pixels at 32x32).

    Args:
        size: the images' `(H, W)`, or one int for squares.
    """
    h, w = (size, size) if isinstance(size, int) else size
    padding = (max(w // 8, 1), max(h // 8, 1))
    return Compose([RandomCrop((h, w), padding=padding, padding_mode="reflect"),
                    RandomHorizontalFlip()])
