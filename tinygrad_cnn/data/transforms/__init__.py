"""Batch augmentation: transforms of whole batches (N, C, H, W), random per image, seeded."""

from tinygrad_cnn.data.transforms.base import Compose, Transform
from tinygrad_cnn.data.transforms.crop import RandomCrop
from tinygrad_cnn.data.transforms.erasing import RandomErasing
from tinygrad_cnn.data.transforms.flip import RandomHorizontalFlip, RandomVerticalFlip
from tinygrad_cnn.data.transforms.normalize import Normalize
from tinygrad_cnn.data.transforms.recipes import digit_augmentation, photo_augmentation
from tinygrad_cnn.data.transforms.rotation import RandomRotation

__all__ = [
    "Compose",
    "Normalize",
    "RandomCrop",
    "RandomErasing",
    "RandomHorizontalFlip",
    "RandomRotation",
    "RandomVerticalFlip",
    "Transform",
    "digit_augmentation",
    "photo_augmentation",
]
