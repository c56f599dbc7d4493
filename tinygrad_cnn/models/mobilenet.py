"""MobileNetV2 as in torchvision: inverted residual blocks of a 1x1 expansion, a depthwise 3x3
convolution and a linear 1x1 projection, with ReLU6."""

from __future__ import annotations

from tinygrad_cnn import nn
from tinygrad_cnn.models.init import init_like_torchvision
from tinygrad_cnn.tensor import Tensor

# expansion t, output channels c, blocks n, stride of the first block s (Sandler et al., table 2)
INVERTED_RESIDUAL_SETTING = [
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
]


def make_divisible(value: float, divisor: int = 8) -> int:
    """`value` rounded to a multiple of `divisor`, never below 90% of it (torchvision's rule)."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def conv_bn_relu6(in_channels: int, out_channels: int, kernel_size: int = 3, stride: int = 1,
                  groups: int = 1) -> nn.Sequential:
    """Convolution (padding keeps the size, no bias), BatchNorm2d, ReLU6: torchvision's
    Conv2dNormActivation, so its children are named 0, 1, 2."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride, (kernel_size - 1) // 2,
                  groups=groups, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU6(),
    )


class InvertedResidual(nn.Module):
    """Expand to inp · expand_ratio channels (1x1), filter each channel alone (depthwise 3x3,
    carrying the stride), project linearly to oup channels (1x1, no activation); add the
    input when the shape is kept.

    Narrow in, wide inside, narrow out: the reverse of a ResNet bottleneck, and cheap because
    the wide part is depthwise.

    Args:
        inp: input channels.
        oup: output channels.
        stride: 1 or 2.
        expand_ratio: the expansion factor t.
    """

    def __init__(self, inp: int, oup: int, stride: int, expand_ratio: int):
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f"InvertedResidual: stride must be 1 or 2, got {stride}")
        self.stride = stride
        hidden = round(inp * expand_ratio)
        self.use_res_connect = stride == 1 and inp == oup
        layers = [conv_bn_relu6(inp, hidden, kernel_size=1)] if expand_ratio != 1 else []
        layers += [
            conv_bn_relu6(hidden, hidden, stride=stride, groups=hidden),
            nn.Conv2d(hidden, oup, 1, 1, 0, bias=False),
            nn.BatchNorm2d(oup),
        ]
        self.conv = nn.Sequential(*layers)
        self.out_channels = oup

    def forward(self, x: Tensor) -> Tensor:
        """The block's output, (N, oup, H / stride, W / stride)."""
        return x + self.conv(x) if self.use_res_connect else self.conv(x)


class MobileNetV2(nn.Module):
    """MobileNetV2 (Sandler et al., 2018) with torchvision's layout and names.

    `features`: a stride-2 3x3 conv to 32 channels, 17 inverted residual blocks, a 1x1 conv to
    1280 channels; then global average pooling and `classifier` (dropout, linear). Weights
    start as torchvision's: Kaiming-normal convolutions (fan_out), BatchNorm 1 and 0, N(0, 0.01)
    linear weights with zero bias.

    Args:
        num_classes: the number of output scores.
        width_mult: scale every width by this factor (rounded to multiples of
            `round_nearest`).
        in_channels: image channels.
        dropout: the dropout probability before the classifier.
        round_nearest: channel counts are multiples of this.
    """

    def __init__(self, num_classes: int = 1000, width_mult: float = 1.0, in_channels: int = 3,
                 dropout: float = 0.2, round_nearest: int = 8):
        super().__init__()
        channels = make_divisible(32 * width_mult, round_nearest)
        self.last_channel = make_divisible(1280 * max(1.0, width_mult), round_nearest)
        features: list[nn.Module] = [conv_bn_relu6(in_channels, channels, stride=2)]
        for t, c, n, s in INVERTED_RESIDUAL_SETTING:
            out = make_divisible(c * width_mult, round_nearest)
            for i in range(n):
                features.append(InvertedResidual(channels, out, s if i == 0 else 1, t))
                channels = out
        features.append(conv_bn_relu6(channels, self.last_channel, kernel_size=1))
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(nn.Dropout(dropout),
                                        nn.Linear(self.last_channel, num_classes))
        init_like_torchvision(self)

    def forward(self, x: Tensor) -> Tensor:
        """Class scores (logits), (N, num_classes), for images (N, C, H, W)."""
        x = nn.functional.adaptive_avg_pool2d(self.features(x), (1, 1))
        return self.classifier(x.flatten(1))


def mobilenet_v2(num_classes: int = 1000, in_channels: int = 3, width_mult: float = 1.0,
                 dropout: float = 0.2) -> MobileNetV2:
    """MobileNetV2 at width 1.0: 3,504,872 parameters (torchvision's).

    Examples:
        >>> from tinygrad_cnn import models
        >>> from tinygrad_cnn.nn.init import skip_init
        >>> with skip_init():
        ...     print(models.mobilenet_v2().num_parameters())
        3504872
    """
    return MobileNetV2(num_classes, width_mult, in_channels, dropout)
