"""Small, fast training runs for the tests of Classifier and its callbacks: three Gaussian
blobs in 2-D and a classifier of them whose every number is repeatable."""

import numpy as np

from tinygrad_cnn import manual_seed, nn, optim
from tinygrad_cnn.train import Classifier


def blobs(n=240, seed=0):
    """Three well-separated Gaussian blobs in 2-D: (X (n, 2) float32, y (n,) int64)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centres = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
    return (centres[y] + rng.standard_normal((n, 2))).astype(np.float32), y


def make_classifier(seed=0, epochs=5, lr=0.05, dropout=0.1, momentum=0.9, **kwargs):
    """An MLP on the blobs under SGD, 32 samples a batch (240 samples: 8 batches an epoch)."""
    manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Dropout(dropout), nn.Linear(16, 3))
    return Classifier(model, optim.SGD(model.parameters(), lr=lr, momentum=momentum),
                      epochs=epochs, batch_size=32, seed=seed, verbose=False, **kwargs)
