"""The most confident mistakes drawn as a grid of images with their true and predicted classes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tinygrad_cnn.explain import TopErrors
from tinygrad_cnn.explain.checks import images as checked_images
from tinygrad_cnn.viz.figures import class_name, grid, new_figure, show_image

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def plot_top_errors(x: Any, errors: TopErrors, class_names: Sequence[str] | None = None,
                    columns: int = 8) -> Figure:
    """Draw the mistakes `top_errors` found: each image titled with its true class, the
    predicted one and the model's confidence in it.

    Args:
        x: the whole data set's images (N, C, H, W), which `errors.index` points into.
        errors: from `explain.top_errors(model, x, y)`.
        class_names: names of the classes (default their numbers).
        columns: images per row.

    Returns:
        A matplotlib Figure (saying so when there is no mistake); write it with
        `render(figure, "errors.png")` or `figure.savefig`.

    Raises:
        ValueError: when x is not (N, C, H, W) or an index is not one of its images.
        ImportError: when matplotlib is not installed.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import models
        >>> from tinygrad_cnn.explain import top_errors
        >>> x = np.random.default_rng(0).random((20, 1, 28, 28), dtype=np.float32)
        >>> errors = top_errors(models.lenet5(), x, np.zeros(20, dtype=np.int64), k=8)
        >>> figure = plot_top_errors(x, errors)  # doctest: +SKIP
    """
    op = "plot_top_errors"
    images = checked_images(op, x)
    if len(errors.index) and not 0 <= errors.index.min() <= errors.index.max() < len(images):
        raise ValueError(f"{op}: the errors point past the {len(images)} images given; pass "
                         "the x that top_errors saw")
    count = len(errors.index)
    if count == 0:
        figure = new_figure(op, 4, 1)
        figure.text(0.5, 0.5, f"no mistakes on these {len(images):,} images", ha="center",
                    va="center")
        return figure
    columns = min(columns, count)
    figure = new_figure(op, 0.3 + 1.35 * columns, 0.2 + 1.6 * -(-count // columns))
    for axes, i, true, predicted, confidence in zip(grid(figure, count, columns), *errors):
        show_image(axes, images[i])
        axes.set_title(f"true {class_name(class_names, true)}\n"
                       f"predicted {class_name(class_names, predicted)} ({confidence:.0%})",
                       fontsize=8, color="darkred")
    return figure
