"""ResNet as in torchvision (ResNet-18, 34 and 50) and the CIFAR-style ResNet-20: stages of
residual blocks, each adding its input back to its output."""

from __future__ import annotations

from tinygrad_cnn import nn
from tinygrad_cnn.tensor import Tensor


def conv3x3(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    """A 3x3 convolution with padding 1 and no bias (a BatchNorm follows)."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


def conv1x1(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    """A 1x1 convolution without bias: mixes channels, and subsamples with a stride."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    """relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), two 3x3 convolutions.

    Args:
        inplanes: input channels.
        planes: output channels.
        stride: the stride of the first convolution (2 halves the size).
        downsample: the shortcut when the shape changes (a strided 1x1 conv and a
            BatchNorm), else None for the identity.
    """

    expansion = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1,
                 downsample: nn.Module | None = None):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU()
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: Tensor) -> Tensor:
        """The block's output, (N, planes, H / stride, W / stride)."""
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    """A 1x1 convolution down to `planes` channels, a 3x3 (carrying the stride, as
    torchvision's ResNet v1.5), a 1x1 back up to 4 · planes, plus the shortcut.

    Args as `BasicBlock`; the output has planes · 4 channels.
    """

    expansion = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1,
                 downsample: nn.Module | None = None):
        super().__init__()
        self.conv1 = conv1x1(inplanes, planes)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = conv1x1(planes, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU()
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: Tensor) -> Tensor:
        """The block's output, (N, 4 · planes, H / stride, W / stride)."""
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


Block = type[BasicBlock] | type[Bottleneck]


class ResNet(nn.Module):
    """A residual network (He et al., 2016) with torchvision's module names.

    A stem (`conv1`, `bn1`, `relu`, `maxpool`), stages `layer1`, `layer2`, ... of residual
    blocks whose widths double while the first block of each later stage halves the size,
    global average pooling (`avgpool`) and a linear classifier (`fc`). The ImageNet stem is a
    7x7 stride-2 convolution and a 3x3 stride-2 max pool, widths 64, 128, 256, 512; the CIFAR
    stem (`cifar=True`) a 3x3 convolution and no pooling (`maxpool` is an Identity), widths
    16, 32, 64. A shortcut whose shape changes is a strided 1x1 convolution and a BatchNorm
    (`downsample`).

    Weights start as torchvision's: Kaiming-normal convolutions (fan_out, ReLU gain),
    BatchNorm scale 1 and shift 0, PyTorch's default for `fc`.

    Args:
        block: `BasicBlock` or `Bottleneck`.
        layers: the number of blocks in each stage.
        num_classes: the number of output scores.
        in_channels: image channels.
        zero_init_residual: start each block's last BatchNorm scale at 0, so every block
            starts as the identity.
        cifar: the CIFAR stem and widths instead of the ImageNet ones.
    """

    def __init__(self, block: Block, layers: list[int], num_classes: int = 1000,
                 in_channels: int = 3, zero_init_residual: bool = False, cifar: bool = False):
        super().__init__()
        width = 16 if cifar else 64
        self.inplanes = width
        if cifar:
            self.conv1 = conv3x3(in_channels, width)
        else:
            self.conv1 = nn.Conv2d(in_channels, width, kernel_size=7, stride=2, padding=3,
                                   bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU()
        self.maxpool = nn.Identity() if cifar else nn.MaxPool2d(kernel_size=3, stride=2,
                                                                padding=1)
        self.num_stages = len(layers)
        for i, blocks in enumerate(layers):
            stage = self._make_layer(block, width * 2**i, blocks, stride=1 if i == 0 else 2)
            self.add_module(f"layer{i + 1}", stage)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(self.inplanes, num_classes)
        self._init_weights(zero_init_residual)

    def _make_layer(self, block: Block, planes: int, blocks: int, stride: int) -> nn.Sequential:
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(conv1x1(self.inplanes, planes * block.expansion, stride),
                                       nn.BatchNorm2d(planes * block.expansion))
        stage = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        stage += [block(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*stage)

    def _init_weights(self, zero_init_residual: bool) -> None:
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, Bottleneck):
                    nn.init.zeros_(m.bn3.weight)
                elif isinstance(m, BasicBlock):
                    nn.init.zeros_(m.bn2.weight)

    def forward(self, x: Tensor) -> Tensor:
        """Class scores (logits), (N, num_classes), for images (N, C, H, W)."""
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for i in range(1, self.num_stages + 1):
            x = getattr(self, f"layer{i}")(x)
        return self.fc(self.avgpool(x).flatten(1))


def resnet18(num_classes: int = 1000, in_channels: int = 3) -> ResNet:
    """ResNet-18: BasicBlocks [2, 2, 2, 2], 11,689,512 parameters (torchvision's).

    Examples:
        >>> from tinygrad_cnn import models
        >>> from tinygrad_cnn.nn.init import skip_init
        >>> with skip_init():
        ...     print(models.resnet18().num_parameters())
        11689512
    """
    return ResNet(BasicBlock, [2, 2, 2, 2], num_classes, in_channels)


def resnet34(num_classes: int = 1000, in_channels: int = 3) -> ResNet:
    """ResNet-34: BasicBlocks [3, 4, 6, 3], 21,797,672 parameters (torchvision's)."""
    return ResNet(BasicBlock, [3, 4, 6, 3], num_classes, in_channels)


def resnet50(num_classes: int = 1000, in_channels: int = 3) -> ResNet:
    """ResNet-50: Bottlenecks [3, 4, 6, 3], 25,557,032 parameters (torchvision's)."""
    return ResNet(Bottleneck, [3, 4, 6, 3], num_classes, in_channels)


def resnet20(num_classes: int = 10, in_channels: int = 3) -> ResNet:
    """ResNet-20 for 32x32 images (He et al., 2016, section 4.2): a 3x3 stem, three stages of
    three BasicBlocks with 16, 32 and 64 channels, 1x1 projection shortcuts where the shape
    changes (the paper's option B), global average pooling.

    272,474 parameters for 10 classes and 3 channels (272,186 with one channel); the paper's
    option A (zero-padded identity shortcuts) would have 269,722.

    Examples:
        >>> from tinygrad_cnn import models
        >>> models.resnet20().num_parameters()
        272474
    """
    return ResNet(BasicBlock, [3, 3, 3], num_classes, in_channels, cifar=True)
