"""AlexNet as in torchvision: five conv layers, ReLU, overlapping max pooling, dropout."""

from __future__ import annotations

from tinygrad_cnn import nn
from tinygrad_cnn.models.classifier import ConvClassifier


class AlexNet(ConvClassifier):
    """AlexNet (Krizhevsky et al., 2012), torchvision's single-GPU layout: 61,100,840 params.

    Made for (N, 3, 224, 224) images; the adaptive pooling to 6x6 also takes other sizes
    from about 63x63 up.

    Args:
        num_classes: the number of output scores.
        dropout: the dropout probability before each of the first two linear layers.
        in_channels: image channels.
    """

    def __init__(self, num_classes: int = 1000, dropout: float = 0.5, in_channels: int = 3):
        features = nn.Sequential(
            nn.Conv2d(in_channels, 64, kernel_size=11, stride=4, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(384, 256, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(256, 256, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        classifier = nn.Sequential(
            nn.Dropout(p=dropout),
            nn.Linear(256 * 6 * 6, 4096),
            nn.ReLU(),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(),
            nn.Linear(4096, num_classes),
        )
        super().__init__(features, classifier, avgpool=nn.AdaptiveAvgPool2d((6, 6)))


def alexnet(num_classes: int = 1000, dropout: float = 0.5, in_channels: int = 3) -> AlexNet:
    """A freshly initialised AlexNet (PyTorch's default initialisation, as torchvision's)."""
    return AlexNet(num_classes, dropout, in_channels)
