"""The initialisation torchvision gives its classification models (VGG, MobileNetV2)."""

from __future__ import annotations

from tinygrad_cnn import nn


def init_like_torchvision(model: nn.Module) -> None:
    """Re-draw `model`'s weights in place, module by module in `modules()` order: each Conv2d
    He-normal for ReLU over its fan-out with a zero bias, each BatchNorm2d an identity
    (weight 1, bias 0), each Linear N(0, 0.01) with a zero bias."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0.0, 0.01)
            nn.init.zeros_(m.bias)
