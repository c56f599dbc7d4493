"""SimpleCNN: one conv layer and a two-hidden-layer classifier, the quickest model to train."""

from __future__ import annotations

from tinygrad_cnn import nn
from tinygrad_cnn.models.classifier import ConvClassifier, fully_connected


class SimpleCNN(ConvClassifier):
    """conv 10@3x3 - ReLU - maxpool 2 - flatten 1690 - 200 - ReLU - 200 - ReLU - num_classes.

    Made for 28x28 images (380,510 parameters with 10 classes).

    Args:
        num_classes: the number of output scores.
        in_channels: image channels (1 for MNIST).
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 1):
        features = nn.Sequential(nn.Conv2d(in_channels, 10, kernel_size=3), nn.ReLU(),
                                 nn.MaxPool2d(2))
        super().__init__(features, fully_connected(10 * 13 * 13, 200, 200, num_classes))


def simple_cnn(num_classes: int = 10, in_channels: int = 1) -> SimpleCNN:
    """A freshly initialised SimpleCNN for (N, in_channels, 28, 28) images."""
    return SimpleCNN(num_classes, in_channels)
