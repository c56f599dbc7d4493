"""Small float64 models and images shared by the tests of `tinygrad_cnn.explain`."""

import numpy as np

from tinygrad_cnn import manual_seed, nn

F64 = np.float64


def small_cnn(classes: int = 3, seed: int = 0) -> nn.Sequential:
    """conv 2->4 (same size) - ReLU - maxpool 2 - conv 4->5 - ReLU - global avg - linear.

    Layer "3" is the last Conv2d (Grad-CAM's default), "4" its ReLU; both are (N, 5, h/2, w/2).
    """
    manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1, dtype=F64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 5, 3, padding=1, dtype=F64), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
        nn.Flatten(), nn.Linear(5, classes, dtype=F64),
    )


def images(n: int = 4, channels: int = 2, size: int = 8, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, channels, size, size))
