"""Draw the scaling results of a suite run: `python -m benchmarks.plot_scaling RESULTS.json`.

Writes docs/images/performance/scaling.png (and .svg): time per sample against batch size
and against image side, ours next to PyTorch's, on log-log axes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "docs" / "images" / "performance"


def plot(results: dict, out_dir: Path = OUT) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scaling = results["scaling"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    panels = [("batch", "batch size (LeNet-5 train step)"),
              ("side", "image side (VGG-style block fwd+bwd, batch 4)")]
    for ax, (key, label) in zip(axes, panels):
        rows = scaling[key]
        xs = [row[key] for row in rows]
        for who, style in (("ours", "o-"), ("torch", "s--")):
            if all(who in row for row in rows):
                name = "tinygrad_cnn" if who == "ours" else "PyTorch"
                ax.plot(xs, [row[who] * 1e3 for row in rows], style, label=name)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xticks(xs, [str(x) for x in xs])
        ax.set_xlabel(label)
        ax.set_ylabel("ms per sample")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    threads = results.get("threads")
    fig.suptitle(f"Time per sample, lower is better ({threads} BLAS thread(s), same for both)")
    fig.tight_layout()
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "scaling.png", out_dir / "scaling.svg"]
    for path in paths:
        fig.savefig(path, dpi=110)
    plt.close(fig)
    return paths


def main() -> None:
    results = json.loads(Path(sys.argv[1]).read_text())
    for path in plot(results):
        print(path)


if __name__ == "__main__":
    main()
