"""Course part 9: 3x3 versus 1x1 filters: parameters, receptive field, what 1x1 convs are for.

A k x k conv from C_in to C_out channels has (k * k * C_in + 1) * C_out parameters and sees
k x k pixels. A 1x1 conv sees one pixel: it is a linear layer applied at every position,
mixing channels only, which makes it the cheap way to change the channel count (the
"bottleneck" of Network in Network, GoogLeNet and ResNet).

Run: python examples/course/09_filter_sizes.py
"""

from __future__ import annotations

import numpy as np

from tinygrad_cnn import Tensor, manual_seed, nn
from tinygrad_cnn.nn import functional as F
from tinygrad_cnn.summary import summary

SHAPE = (1, 256, 56, 56)  # a VGG/ResNet-sized feature map


def layer(*convs: tuple[int, int, int]) -> dict:
    """Parameters, MACs and receptive field of a stack of (in, out, kernel) convs with ReLUs."""
    layers: list[nn.Module] = []
    for c_in, c_out, k in convs:
        layers += [nn.Conv2d(c_in, c_out, k, padding=k // 2), nn.ReLU()]
    table = summary(nn.Sequential(*layers[:-1]), SHAPE, verbose=False)
    return {"params": table.total_params, "macs": table.total_macs,
            "receptive_field": table.rows[-1].receptive_field[0]}


def comparison() -> dict[str, dict]:
    """256 -> 256 channels on a 56x56 map, five ways."""
    return {
        "1x1": layer((256, 256, 1)),
        "3x3": layer((256, 256, 3)),
        "two 3x3": layer((256, 256, 3), (256, 256, 3)),
        "one 5x5": layer((256, 256, 5)),
        "bottleneck 1x1-3x3-1x1": layer((256, 64, 1), (64, 64, 3), (64, 256, 1)),
    }


def one_by_one_is_linear(seed: int = 0) -> float:
    """Largest |conv1x1(x) - linear(x at each pixel)|: a 1x1 conv is a per-pixel linear layer."""
    manual_seed(seed)
    conv = nn.Conv2d(8, 4, 1)
    x = Tensor(np.random.default_rng(seed).standard_normal((2, 8, 5, 5)).astype(np.float32))
    pixels = x.permute(0, 2, 3, 1)                                      # (N, H, W, C_in)
    linear = F.linear(pixels, conv.weight.reshape(4, 8), conv.bias)     # (N, H, W, C_out)
    return float(np.abs(conv(x).data - linear.permute(0, 3, 1, 2).data).max())


def main() -> dict:
    rows = comparison()
    print(f"256 -> 256 channels on {SHAPE}:")
    for name, r in rows.items():
        print(f"  {name:24} {r['params']:>10,} parameters {r['macs']:>15,} MACs "
              f"receptive field {r['receptive_field']}")
    difference = one_by_one_is_linear()
    print(f"\na 1x1 conv is a linear layer at every pixel: largest difference {difference:.1e}")
    return {"rows": rows, "linear_difference": difference}


if __name__ == "__main__":
    main()
