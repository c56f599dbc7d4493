"""Regenerate the pictures and recorded training runs of docs/course.md in docs/images/course/.

Run from anywhere: ``python docs/scripts/make_course_images.py [OUT_DIR]`` (needs matplotlib
and Graphviz's `dot`; a few minutes, almost all of it training). It runs the course scripts in
examples/course/ with their full settings and writes:

- ``simple_cnn_curves.png``, ``inverted_relu.png``, ``lenet5_curves.png``: learning curves;
- ``lenet5_model.svg``, ``vgg_block_ops.svg``: the rendered graphs;
- ``results.json``: the per-epoch histories those curves show. The course quotes their
  numbers and tests/course/ checks the quotes against this file and against fresh runs.

Every run is seeded, so rerunning changes the files only when the library or the scripts do.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "examples" / "course"
IMAGES = ROOT / "docs" / "images" / "course"


def part(stem: str) -> ModuleType:
    """Import examples/course/<stem>.py (its name starts with a digit, so not by `import`)."""
    spec = importlib.util.spec_from_file_location(f"course_{stem}", COURSE / f"{stem}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def record(history) -> dict[str, list[float]]:
    """A history without its timings (which differ from run to run)."""
    return {k: v for k, v in history.as_dict().items() if k != "seconds"}


def main(out: Path = IMAGES) -> list[Path]:
    """Train, draw and plot with the full settings; return the files written."""
    from tinygrad_cnn.viz import plot_history

    out.mkdir(parents=True, exist_ok=True)
    small, wrong, lenet, big = (part(s) for s in ("05_small_cnn", "06_what_goes_wrong",
                                                   "07_lenet5", "08_alexnet_vgg"))
    histories = {
        "simple_cnn": small.train(epochs=10, train_images=None),
        "relu_sgd": wrong.train_relu(wrong.nn.ReLU, epochs=3, train_images=None),
        "inverted_relu_sgd": wrong.train_relu(wrong.InvertedReLU, epochs=3, train_images=None),
        "lenet5": lenet.train(epochs=10, train_images=None),
    }
    written = [
        plot_history(histories["simple_cnn"], out / "simple_cnn_curves.png",
                     title="SimpleCNN on the embedded MNIST subset"),
        wrong.plot_comparison(histories["relu_sgd"], histories["inverted_relu_sgd"],
                              out / "inverted_relu.png"),
        plot_history(histories["lenet5"], out / "lenet5_curves.png", title="LeNet-5"),
        lenet.draw(out / "lenet5_model.svg"),
        big.draw_block(out / "vgg_block_ops.svg"),
    ]
    results = out / "results.json"
    results.write_text(json.dumps({k: record(h) for k, h in histories.items()}, indent=1) + "\n")
    return [*written, results]


if __name__ == "__main__":
    for path in main(Path(sys.argv[1]) if len(sys.argv) > 1 else IMAGES):
        print(f"wrote {path}")
