"""Print the summaries of LeNet-5, AlexNet and VGG-16, and compare 1x1 with 3x3 filters.

Summaries come from shape inference, so even VGG-16 at 224x224 takes milliseconds. The
models are built under `skip_init`: a summary needs shapes, not 138 million random weights.
"""

import time

from tinygrad_cnn import models, nn
from tinygrad_cnn.nn.init import skip_init
from tinygrad_cnn.summary import summary


def filter_sizes() -> None:
    """Parameters and MACs of one layer mapping 256 to 256 channels on a 56x56 map."""
    print("\n256 -> 256 channels on (1, 256, 56, 56):")
    for kernel in (1, 3):
        conv = nn.Conv2d(256, 256, kernel, padding=kernel // 2)
        s = summary(conv, (1, 256, 56, 56), verbose=False)
        print(f"  {kernel}x{kernel} conv: {s.total_params:>9,} parameters, "
              f"{s.total_macs:>13,} MACs, receptive field {s.rows[0].receptive_field[0]}")
    stacked = nn.Sequential(nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(),
                            nn.Conv2d(256, 256, 3, padding=1))
    s = summary(stacked, (1, 256, 56, 56), verbose=False)
    print(f"  two 3x3 convs: {s.total_params:,} parameters, receptive field "
          f"{s.rows[-1].receptive_field[0]} (one 5x5 conv: {256 * 256 * 25 + 256:,})")


def main() -> None:
    for factory, shape in ((models.lenet5, (1, 1, 28, 28)), (models.alexnet, (1, 3, 224, 224)),
                           (models.vgg16, (1, 3, 224, 224))):
        with skip_init():
            model = factory()
        start = time.perf_counter()
        summary(model, shape)
        print(f"(summarised in {1000 * (time.perf_counter() - start):.1f} ms)\n")
    filter_sizes()


if __name__ == "__main__":
    main()
