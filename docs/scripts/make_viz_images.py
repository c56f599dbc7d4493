"""Regenerate the pictures of docs/visualization.md in docs/images/ (needs Graphviz's `dot`).

Run from anywhere: ``python docs/scripts/make_viz_images.py [OUT_DIR]``. The drawings are
deterministic (fixed data, a fixed seed, node ids numbered in walk order), so rerunning it
changes the files only when the drawing code or the models change.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np

from tinygrad_cnn import Tensor, manual_seed, models
from tinygrad_cnn.nn import functional as F
from tinygrad_cnn.viz import draw_graph, draw_model, render

IMAGES = Path(__file__).resolve().parents[1] / "images"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def expression() -> Tensor:
    """(a * b + c).sum() with named leaves, after backward so the gradients show."""
    a = Tensor(np.arange(6, dtype=np.float32).reshape(2, 3), requires_grad=True, name="a")
    b = Tensor(np.full((2, 3), 0.5, dtype=np.float32), requires_grad=True, name="b")
    c = Tensor(np.ones(3, dtype=np.float32), requires_grad=True, name="c")
    loss = (a * b + c).sum()
    loss.backward()
    return loss


def lenet_loss(model: models.LeNet5) -> Tensor:
    """The cross-entropy loss of LeNet-5 on one (1, 1, 28, 28) image."""
    image = Tensor(np.random.default_rng(0).random((1, 1, 28, 28), dtype=np.float32))
    return F.cross_entropy(model(image), Tensor(np.array([7])))


def small_resnet() -> object:
    """The residual network of examples/resnet_block.py."""
    spec = importlib.util.spec_from_file_location("resnet_block", EXAMPLES / "resnet_block.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    return example.SmallResNet()


def main(out: Path = IMAGES) -> list[Path]:
    """Write the four pictures into `out` (made if missing) and return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    manual_seed(0)
    model = models.lenet5()
    return [
        render(draw_graph(expression(), show_grads=True), out / "viz_expression.svg"),
        render(draw_graph(lenet_loss(model), params=model), out / "viz_lenet_ops.svg"),
        render(draw_model(model, (1, 1, 28, 28)), out / "viz_lenet_model.svg"),
        render(draw_model(small_resnet(), (1, 1, 28, 28)), out / "viz_resnet_model.svg"),
    ]


if __name__ == "__main__":
    for path in main(Path(sys.argv[1]) if len(sys.argv) > 1 else IMAGES):
        print(f"wrote {path}")
