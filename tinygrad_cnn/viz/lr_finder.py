"""The learning-rate range test drawn: the smoothed loss against the rate, the suggestion
marked."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_cnn.viz.figures import new_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from tinygrad_cnn.train.lr_finder import LRFinderResult


def plot_lr_find(result: LRFinderResult) -> Figure:
    """Draw what `train.lr_find` measured: the smoothed loss against the learning rate (log
    scale), the lowest loss and the suggested rate marked.

    Args:
        result: an `LRFinderResult`.

    Returns:
        A matplotlib Figure; write it with `render(figure, "lr_find.png")`.

    Raises:
        ValueError: when the result holds no step.
        ImportError: when matplotlib is not installed.

    Examples:
        >>> from tinygrad_cnn import models, optim
        >>> from tinygrad_cnn.data import load_mnist
        >>> from tinygrad_cnn.train import lr_find
        >>> (x, y), _ = load_mnist()
        >>> model = models.lenet5()
        >>> result = lr_find(model, optim.Adam(model.parameters()), x[:640], y[:640], steps=30)
        >>> figure = plot_lr_find(result)  # doctest: +SKIP
    """
    op = "plot_lr_find"
    if len(result.lrs) == 0:
        raise ValueError(f"{op}: the range test recorded no step")
    figure = new_figure(op, 6.0, 4.0)
    draw_lr_find(figure.subplots(), result)
    return figure


def draw_lr_find(axes: Axes, result: LRFinderResult) -> None:
    """Draw `plot_lr_find`'s curve onto `axes`."""
    lrs, losses = np.asarray(result.lrs), np.asarray(result.losses, dtype=float)
    finite = np.isfinite(losses)
    axes.plot(lrs[finite], losses[finite], color="tab:blue", label="smoothed loss")
    if finite.any():
        best = int(np.nanargmin(np.where(finite, losses, np.nan)))
        axes.plot(lrs[best], losses[best], "o", color="tab:orange",
                  label=f"lowest at {lrs[best]:.2g}")
    if result.suggestion is not None:
        axes.axvline(result.suggestion, color="tab:green", linestyle="--",
                     label=f"suggestion {result.suggestion:.2g}")
    axes.set_xscale("log")
    axes.set_xlabel("learning rate")
    axes.set_ylabel("loss (smoothed)")
    axes.set_title("learning-rate range test", fontsize=9)
    axes.grid(alpha=0.3, which="both")
    axes.legend(fontsize=8)
