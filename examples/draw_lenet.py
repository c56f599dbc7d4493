"""Draw LeNet-5 two ways: the op graph one training step records, and the layer architecture.

Writes into the current directory (or the directory given as the first argument, made if
missing): lenet_ops.dot always; lenet_ops.svg (with each parameter's gradient) and
lenet_model.svg when Graphviz's `dot` is installed. Without `dot` it says how to install it
and still exits 0.
"""

import shutil
import sys
from pathlib import Path

import numpy as np

from tinygrad_cnn import Tensor, manual_seed, models
from tinygrad_cnn.nn import functional as F
from tinygrad_cnn.viz import draw_graph, draw_model, render


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)  # the folder named on the command line
    manual_seed(0)
    model = models.lenet5()
    images = Tensor(np.random.default_rng(0).random((2, 1, 28, 28), dtype=np.float32))
    loss = F.cross_entropy(model(images), Tensor(np.array([3, 7])))
    loss.backward()

    ops = draw_graph(loss, params=model, show_grads=True)
    print(f"op graph: {ops.source.count(' -> ')} edges; wrote {render(ops, out / 'lenet_ops.dot')}")
    if shutil.which("dot") is None:
        print("Graphviz's `dot` is not installed, so no SVG: apt-get install graphviz, "
              "brew install graphviz or conda install -c conda-forge graphviz")
        return
    print(f"wrote {render(ops, out / 'lenet_ops.svg')}")
    print(f"wrote {render(draw_model(model, (1, 1, 28, 28)), out / 'lenet_model.svg')}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd())
