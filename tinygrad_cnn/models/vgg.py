"""VGG as in torchvision: stacks of 3x3 convolutions (optionally with BatchNorm) and max pools."""

from __future__ import annotations

from tinygrad_cnn import nn
from tinygrad_cnn.models.classifier import ConvClassifier
from tinygrad_cnn.models.init import init_like_torchvision

# Output channels of each 3x3 conv, "M" for a 2x2 max pool (Simonyan & Zisserman, table 1).
CONFIGS: dict[str, list[int | str]] = {
    "vgg11": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "vgg13": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "vgg16": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
              512, 512, 512, "M"],
    "vgg19": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
              512, 512, 512, 512, "M"],
}


def make_features(config: list[int | str], batch_norm: bool = False,
                  in_channels: int = 3) -> nn.Sequential:
    """The conv stack: each number a 3x3 conv (padding 1) + [BatchNorm2d] + ReLU, "M" a pool."""
    layers: list[nn.Module] = []
    channels = in_channels
    for item in config:
        if item == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        layers.append(nn.Conv2d(channels, int(item), kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(int(item)))
        layers.append(nn.ReLU())
        channels = int(item)
    return nn.Sequential(*layers)


class VGG(ConvClassifier):
    """VGG (Simonyan & Zisserman, 2014): features, AdaptiveAvgPool2d((7, 7)), classifier.

    Args:
        features: the conv stack, e.g. from `make_features`.
        num_classes: the number of output scores.
        init_weights: torchvision's initialisation: Kaiming normal (fan_out, relu) convs,
            N(0, 0.01) linear weights, zero biases.
        dropout: the dropout probability in the classifier.
    """

    def __init__(self, features: nn.Sequential, num_classes: int = 1000,
                 init_weights: bool = True, dropout: float = 0.5):
        classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(),
            nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        super().__init__(features, classifier, avgpool=nn.AdaptiveAvgPool2d((7, 7)))
        if init_weights:
            init_like_torchvision(self)


def _vgg(name: str, num_classes: int, batch_norm: bool, dropout: float,
         in_channels: int) -> VGG:
    return VGG(make_features(CONFIGS[name], batch_norm, in_channels), num_classes,
               dropout=dropout)


def vgg11(num_classes: int = 1000, batch_norm: bool = False, dropout: float = 0.5,
          in_channels: int = 3) -> VGG:
    """VGG-11 (configuration A, 8 conv layers): 132,863,336 parameters without BatchNorm."""
    return _vgg("vgg11", num_classes, batch_norm, dropout, in_channels)


def vgg13(num_classes: int = 1000, batch_norm: bool = False, dropout: float = 0.5,
          in_channels: int = 3) -> VGG:
    """VGG-13 (configuration B, 10 conv layers): 133,047,848 parameters without BatchNorm."""
    return _vgg("vgg13", num_classes, batch_norm, dropout, in_channels)


def vgg16(num_classes: int = 1000, batch_norm: bool = False, dropout: float = 0.5,
          in_channels: int = 3) -> VGG:
    """VGG-16 (configuration D, 13 conv layers): 138,357,544 parameters without BatchNorm.

    Args:
        num_classes: the number of output scores.
        batch_norm: put a BatchNorm2d after every conv (torchvision's vgg16_bn).
        dropout: the dropout probability in the classifier.
        in_channels: image channels.
    """
    return _vgg("vgg16", num_classes, batch_norm, dropout, in_channels)


def vgg19(num_classes: int = 1000, batch_norm: bool = False, dropout: float = 0.5,
          in_channels: int = 3) -> VGG:
    """VGG-19 (configuration E, 16 conv layers): 143,667,240 parameters without BatchNorm."""
    return _vgg("vgg19", num_classes, batch_norm, dropout, in_channels)
