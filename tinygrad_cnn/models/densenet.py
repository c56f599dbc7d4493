"""DenseNet as in torchvision (DenseNet-121): dense blocks in which every layer reads the
concatenation of all the feature maps before it, joined by downsampling transitions."""

from __future__ import annotations

from tinygrad_cnn import nn
from tinygrad_cnn.creation import cat
from tinygrad_cnn.tensor import Tensor


class DenseLayer(nn.Module):
    """BN-ReLU-1x1 conv to bn_size · growth_rate channels, BN-ReLU-3x3 conv to growth_rate
    new channels, applied to the concatenation of every earlier feature map of the block.

    Args:
        num_input_features: the channels of the concatenated input.
        growth_rate: the channels this layer adds (k in the paper).
        bn_size: the bottleneck width as a multiple of growth_rate.
        drop_rate: dropout on the new features while training.
    """

    def __init__(self, num_input_features: int, growth_rate: int, bn_size: int,
                 drop_rate: float):
        super().__init__()
        self.norm1 = nn.BatchNorm2d(num_input_features)
        self.relu1 = nn.ReLU()
        self.conv1 = nn.Conv2d(num_input_features, bn_size * growth_rate, kernel_size=1,
                               bias=False)
        self.norm2 = nn.BatchNorm2d(bn_size * growth_rate)
        self.relu2 = nn.ReLU()
        self.conv2 = nn.Conv2d(bn_size * growth_rate, growth_rate, kernel_size=3, padding=1,
                               bias=False)
        self.drop_rate = float(drop_rate)

    def forward(self, features: list[Tensor]) -> Tensor:
        """The growth_rate new channels, from the list of the block's feature maps so far."""
        bottleneck = self.conv1(self.relu1(self.norm1(cat(features, 1))))
        new = self.conv2(self.relu2(self.norm2(bottleneck)))
        if self.drop_rate > 0:
            new = nn.functional.dropout(new, self.drop_rate, self.training)
        return new


class DenseBlock(nn.Module):
    """`num_layers` dense layers (`denselayer1`, ...); the output concatenates the input and
    every layer's new channels: num_input_features + num_layers · growth_rate channels."""

    def __init__(self, num_layers: int, num_input_features: int, bn_size: int,
                 growth_rate: int, drop_rate: float):
        super().__init__()
        for i in range(num_layers):
            layer = DenseLayer(num_input_features + i * growth_rate, growth_rate, bn_size,
                               drop_rate)
            self.add_module(f"denselayer{i + 1}", layer)

    def forward(self, init_features: Tensor) -> Tensor:
        """(N, C, H, W) -> (N, C + num_layers · growth_rate, H, W)."""
        features = [init_features]
        for layer in self.children():
            features.append(layer(features))
        return cat(features, 1)


def transition(num_input_features: int, num_output_features: int) -> nn.Sequential:
    """BN, ReLU, a 1x1 conv that halves the channels, a 2x2 average pool that halves the size."""
    return nn.Sequential({
        "norm": nn.BatchNorm2d(num_input_features),
        "relu": nn.ReLU(),
        "conv": nn.Conv2d(num_input_features, num_output_features, kernel_size=1, bias=False),
        "pool": nn.AvgPool2d(kernel_size=2, stride=2),
    })


class DenseNet(nn.Module):
    """DenseNet-BC (Huang et al., 2017) with torchvision's layout and names.

    `features`: a 7x7 stride-2 conv (`conv0`, `norm0`, `relu0`) and a 3x3 stride-2 max pool
    (`pool0`); dense blocks (`denseblock1`, ...) with transitions between them
    (`transition1`, ...); a last BatchNorm (`norm5`). Then ReLU, global average pooling and
    the linear `classifier`. Weights start as torchvision's: Kaiming-normal convolutions,
    BatchNorm 1 and 0, PyTorch's default linear weight with a zero bias.

    Args:
        growth_rate: the channels each dense layer adds.
        block_config: the number of layers in each dense block.
        num_init_features: the channels of the first convolution.
        bn_size: the bottleneck width of a dense layer, as a multiple of growth_rate.
        drop_rate: dropout after each dense layer.
        num_classes: the number of output scores.
        in_channels: image channels.
    """

    def __init__(self, growth_rate: int = 32, block_config: tuple[int, ...] = (6, 12, 24, 16),
                 num_init_features: int = 64, bn_size: int = 4, drop_rate: float = 0.0,
                 num_classes: int = 1000, in_channels: int = 3):
        super().__init__()
        self.features = nn.Sequential({
            "conv0": nn.Conv2d(in_channels, num_init_features, kernel_size=7, stride=2,
                               padding=3, bias=False),
            "norm0": nn.BatchNorm2d(num_init_features),
            "relu0": nn.ReLU(),
            "pool0": nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
        })
        channels = num_init_features
        for i, num_layers in enumerate(block_config):
            block = DenseBlock(num_layers, channels, bn_size, growth_rate, drop_rate)
            self.features.add_module(f"denseblock{i + 1}", block)
            channels += num_layers * growth_rate
            if i != len(block_config) - 1:
                self.features.add_module(f"transition{i + 1}", transition(channels, channels // 2))
                channels //= 2
        self.features.add_module("norm5", nn.BatchNorm2d(channels))
        self.classifier = nn.Linear(channels, num_classes)
        self._init_weights()

    def _init_weights(self) -> None:
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, x: Tensor) -> Tensor:
        """Class scores (logits), (N, num_classes), for images (N, C, H, W)."""
        out = nn.functional.adaptive_avg_pool2d(self.features(x).relu(), (1, 1))
        return self.classifier(out.flatten(1))


def densenet121(num_classes: int = 1000, in_channels: int = 3) -> DenseNet:
    """DenseNet-121: growth rate 32, blocks of 6, 12, 24 and 16 layers, 7,978,856 parameters
    (torchvision's).

    Examples:
        >>> from tinygrad_cnn import models
        >>> from tinygrad_cnn.nn.init import skip_init
        >>> with skip_init():
        ...     print(models.densenet121().num_parameters())
        7978856
    """
    return DenseNet(32, (6, 12, 24, 16), 64, num_classes=num_classes, in_channels=in_channels)
