"""torchvision's ResNet, MobileNetV2 and DenseNet rebuilt in plain torch.nn (torchvision is not
needed): the same modules, names and forward passes, so their state dicts are torchvision's and
weights move to our models and back. Benchmarks time them; tests compare against them."""

from __future__ import annotations

from collections import OrderedDict


def _modules(torch):
    nn = torch.nn

    def conv3x3(cin, cout, stride=1):
        return nn.Conv2d(cin, cout, 3, stride, 1, bias=False)

    def conv1x1(cin, cout, stride=1):
        return nn.Conv2d(cin, cout, 1, stride, bias=False)

    class BasicBlock(nn.Module):
        expansion = 1

        def __init__(self, inplanes, planes, stride=1, downsample=None):
            super().__init__()
            self.conv1 = conv3x3(inplanes, planes, stride)
            self.bn1 = nn.BatchNorm2d(planes)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = conv3x3(planes, planes)
            self.bn2 = nn.BatchNorm2d(planes)
            self.downsample = downsample

        def forward(self, x):
            out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
            identity = x if self.downsample is None else self.downsample(x)
            return self.relu(out + identity)

    class Bottleneck(nn.Module):
        expansion = 4

        def __init__(self, inplanes, planes, stride=1, downsample=None):
            super().__init__()
            self.conv1 = conv1x1(inplanes, planes)
            self.bn1 = nn.BatchNorm2d(planes)
            self.conv2 = conv3x3(planes, planes, stride)
            self.bn2 = nn.BatchNorm2d(planes)
            self.conv3 = conv1x1(planes, planes * 4)
            self.bn3 = nn.BatchNorm2d(planes * 4)
            self.relu = nn.ReLU(inplace=True)
            self.downsample = downsample

        def forward(self, x):
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.relu(self.bn2(self.conv2(out)))
            out = self.bn3(self.conv3(out))
            identity = x if self.downsample is None else self.downsample(x)
            return self.relu(out + identity)

    class ResNet(nn.Module):
        def __init__(self, block, layers, num_classes=1000, in_channels=3, cifar=False):
            super().__init__()
            width = 16 if cifar else 64
            self.inplanes = width
            self.conv1 = (conv3x3(in_channels, width) if cifar
                          else nn.Conv2d(in_channels, width, 7, 2, 3, bias=False))
            self.bn1 = nn.BatchNorm2d(width)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.Identity() if cifar else nn.MaxPool2d(3, 2, 1)
            self.stages = len(layers)
            for i, blocks in enumerate(layers):
                self.add_module(f"layer{i + 1}",
                                self._make_layer(block, width * 2**i, blocks, 1 if i == 0 else 2))
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(self.inplanes, num_classes)

        def _make_layer(self, block, planes, blocks, stride):
            downsample = None
            if stride != 1 or self.inplanes != planes * block.expansion:
                downsample = nn.Sequential(conv1x1(self.inplanes, planes * block.expansion,
                                                   stride),
                                           nn.BatchNorm2d(planes * block.expansion))
            layers = [block(self.inplanes, planes, stride, downsample)]
            self.inplanes = planes * block.expansion
            layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
            return nn.Sequential(*layers)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            for i in range(1, self.stages + 1):
                x = getattr(self, f"layer{i}")(x)
            return self.fc(torch.flatten(self.avgpool(x), 1))

    def conv_norm_activation(cin, cout, kernel_size=3, stride=1, groups=1):
        return nn.Sequential(nn.Conv2d(cin, cout, kernel_size, stride, (kernel_size - 1) // 2,
                                       groups=groups, bias=False),
                             nn.BatchNorm2d(cout), nn.ReLU6(inplace=True))

    class InvertedResidual(nn.Module):
        def __init__(self, inp, oup, stride, expand_ratio):
            super().__init__()
            hidden = round(inp * expand_ratio)
            self.use_res_connect = stride == 1 and inp == oup
            layers = [conv_norm_activation(inp, hidden, 1)] if expand_ratio != 1 else []
            layers += [conv_norm_activation(hidden, hidden, stride=stride, groups=hidden),
                       nn.Conv2d(hidden, oup, 1, 1, 0, bias=False), nn.BatchNorm2d(oup)]
            self.conv = nn.Sequential(*layers)

        def forward(self, x):
            return x + self.conv(x) if self.use_res_connect else self.conv(x)

    class MobileNetV2(nn.Module):
        setting = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                   (6, 160, 3, 2), (6, 320, 1, 1))

        def __init__(self, num_classes=1000, in_channels=3):
            super().__init__()
            channels = 32
            features = [conv_norm_activation(in_channels, channels, stride=2)]
            for t, c, n, s in self.setting:
                for i in range(n):
                    features.append(InvertedResidual(channels, c, s if i == 0 else 1, t))
                    channels = c
            features.append(conv_norm_activation(channels, 1280, 1))
            self.features = nn.Sequential(*features)
            self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, num_classes))

        def forward(self, x):
            x = nn.functional.adaptive_avg_pool2d(self.features(x), (1, 1))
            return self.classifier(torch.flatten(x, 1))

    class _DenseLayer(nn.Module):
        def __init__(self, cin, growth_rate, bn_size):
            super().__init__()
            self.norm1 = nn.BatchNorm2d(cin)
            self.relu1 = nn.ReLU(inplace=True)
            self.conv1 = nn.Conv2d(cin, bn_size * growth_rate, 1, 1, bias=False)
            self.norm2 = nn.BatchNorm2d(bn_size * growth_rate)
            self.relu2 = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(bn_size * growth_rate, growth_rate, 3, 1, 1, bias=False)

        def forward(self, features):
            bottleneck = self.conv1(self.relu1(self.norm1(torch.cat(features, 1))))
            return self.conv2(self.relu2(self.norm2(bottleneck)))

    class _DenseBlock(nn.ModuleDict):
        def __init__(self, num_layers, cin, bn_size, growth_rate):
            super().__init__()
            for i in range(num_layers):
                self.add_module(f"denselayer{i + 1}",
                                _DenseLayer(cin + i * growth_rate, growth_rate, bn_size))

        def forward(self, init_features):
            features = [init_features]
            for _, layer in self.items():
                features.append(layer(features))
            return torch.cat(features, 1)

    class DenseNet(nn.Module):
        def __init__(self, growth_rate=32, block_config=(6, 12, 24, 16), num_init_features=64,
                     bn_size=4, num_classes=1000, in_channels=3):
            super().__init__()
            self.features = nn.Sequential(OrderedDict([
                ("conv0", nn.Conv2d(in_channels, num_init_features, 7, 2, 3, bias=False)),
                ("norm0", nn.BatchNorm2d(num_init_features)), ("relu0", nn.ReLU(inplace=True)),
                ("pool0", nn.MaxPool2d(3, 2, 1))]))
            channels = num_init_features
            for i, num_layers in enumerate(block_config):
                self.features.add_module(f"denseblock{i + 1}",
                                         _DenseBlock(num_layers, channels, bn_size, growth_rate))
                channels += num_layers * growth_rate
                if i != len(block_config) - 1:
                    self.features.add_module(f"transition{i + 1}", nn.Sequential(OrderedDict([
                        ("norm", nn.BatchNorm2d(channels)), ("relu", nn.ReLU(inplace=True)),
                        ("conv", nn.Conv2d(channels, channels // 2, 1, 1, bias=False)),
                        ("pool", nn.AvgPool2d(2, 2))])))
                    channels //= 2
            self.features.add_module("norm5", nn.BatchNorm2d(channels))
            self.classifier = nn.Linear(channels, num_classes)

        def forward(self, x):
            out = nn.functional.adaptive_avg_pool2d(torch.relu(self.features(x)), (1, 1))
            return self.classifier(torch.flatten(out, 1))

    return BasicBlock, Bottleneck, ResNet, MobileNetV2, DenseNet


def build(torch, name: str, num_classes: int = 1000, in_channels: int = 3):
    """The torchvision model `name` (resnet18/34/50, resnet20, mobilenet_v2, densenet121)."""
    basic, bottleneck, resnet, mobilenet, densenet = _modules(torch)
    factories = {
        "resnet18": lambda: resnet(basic, [2, 2, 2, 2], num_classes, in_channels),
        "resnet34": lambda: resnet(basic, [3, 4, 6, 3], num_classes, in_channels),
        "resnet50": lambda: resnet(bottleneck, [3, 4, 6, 3], num_classes, in_channels),
        "resnet20": lambda: resnet(basic, [3, 3, 3], num_classes, in_channels, cifar=True),
        "mobilenet_v2": lambda: mobilenet(num_classes, in_channels),
        "densenet121": lambda: densenet(num_classes=num_classes, in_channels=in_channels),
    }
    return factories[name]()
