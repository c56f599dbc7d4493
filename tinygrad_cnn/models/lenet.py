"""LeNet-5: two conv-pool stages and three fully connected layers, for 28x28 digits."""

from __future__ import annotations

from tinygrad_cnn import nn
from tinygrad_cnn.models.classifier import ConvClassifier, fully_connected


class LeNet5(ConvClassifier):
    """LeNet-5 (LeCun et al., 1998) with ReLU and max pooling: 44,426 parameters on 28x28.

    conv 6@5x5 - ReLU - maxpool 2 - conv 16@5x5 - ReLU - maxpool 2 - flatten 256 -
    120 - ReLU - 84 - ReLU - num_classes.

    Args:
        num_classes: the number of output scores.
        in_channels: image channels (1 for MNIST).
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 1):
        features = nn.Sequential(
            nn.Conv2d(in_channels, 6, kernel_size=5),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(6, 16, kernel_size=5),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        super().__init__(features, fully_connected(16 * 4 * 4, 120, 84, num_classes))


def lenet5(num_classes: int = 10, in_channels: int = 1) -> LeNet5:
    """A freshly initialised LeNet-5 for (N, in_channels, 28, 28) images.

    Examples:
        >>> from tinygrad_cnn import models
        >>> models.lenet5().num_parameters()
        44426
    """
    return LeNet5(num_classes, in_channels)
