"""Course part 8: AlexNet and VGG-16, their sizes, and the op graph of one VGG block.

Summaries come from shape inference and the models are built under `skip_init` (a summary
needs shapes, not 138 million random numbers), so this runs in well under a second. Writes
`vgg_block_ops.svg` (if Graphviz's `dot` is installed) into the current directory.

Run: python examples/course/08_alexnet_vgg.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tinygrad_cnn import Tensor, manual_seed, models, nn
from tinygrad_cnn.nn.init import skip_init
from tinygrad_cnn.summary import summary


def sizes(name: str) -> dict:
    """Parameters and MACs of a 224x224 forward pass, split into conv part and classifier."""
    with skip_init():
        model = getattr(models, name)()
    table = summary(model, (1, 3, 224, 224), verbose=False)
    part = {"features": 0, "classifier": 0}
    macs = {"features": 0, "classifier": 0}
    for row in table.rows:
        key = row.name.split(".")[0]
        if key in part:
            part[key] += row.params
            macs[key] += row.macs
    return {"params": table.total_params, "macs": table.total_macs,
            "conv_params": part["features"], "classifier_params": part["classifier"],
            "conv_macs": macs["features"], "table": str(table)}


def vgg_block() -> nn.Sequential:
    """VGG-16's first block: two 3x3 convs (padding 1) with ReLUs, then a 2x2 max pool."""
    return nn.Sequential(nn.Conv2d(3, 64, 3, padding=1), nn.ReLU(),
                         nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))


def block_summary() -> dict:
    """The block's parameters and the receptive field after each layer."""
    table = summary(vgg_block(), (1, 3, 32, 32), verbose=False)
    return {"params": table.total_params,
            "receptive_fields": [row.receptive_field[0] for row in table.rows]}


def draw_block(path: Path) -> Path | None:
    """The ops one forward of the block records, boxed by module; None without `dot`."""
    from tinygrad_cnn.viz import draw_graph, render

    manual_seed(0)
    block = vgg_block()
    image = Tensor(np.random.default_rng(0).random((1, 3, 32, 32), dtype=np.float32))
    try:
        return render(draw_graph(block(image), params=block), path)
    except RuntimeError as error:  # no `dot` on PATH
        print(error)
        return None


def main(out: Path | None = None) -> dict:
    result = {name: sizes(name) for name in ("alexnet", "vgg16")}
    for name, s in result.items():
        print(s["table"])
        print(f"{name}: {s['params']:,} parameters ({s['classifier_params']:,} in the "
              f"classifier), {s['macs']:,} MACs ({s['conv_macs']:,} in the convolutions)\n")
    block = block_summary()
    print(f"VGG block: {block['params']:,} parameters, receptive field after each layer "
          f"{block['receptive_fields']}")
    picture = draw_block((out or Path.cwd()) / "vgg_block_ops.svg")
    if picture:
        print(f"wrote {picture}")
    result["block"] = block
    return result


if __name__ == "__main__":
    main()
