"""The confusion matrix drawn as a table of counts, rows the true classes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tinygrad_cnn.viz.figures import array, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_ANNOTATED = 30  # with more classes than this, the counts are left out of the cells


def plot_confusion_matrix(matrix: Any, class_names: Sequence[str] | None = None) -> Figure:
    """Draw a confusion matrix: darker cells hold more samples; the counts are written in.

    Args:
        matrix: counts (K, K), rows the true classes, as `explain.confusion_matrix` returns.
        class_names: K names for the axes (default the class numbers).

    Returns:
        A matplotlib Figure, titled with the accuracy (the diagonal's share); write it with
        `render(figure, "confusion.png")` or `figure.savefig`.

    Raises:
        ValueError: when the matrix is not square or the names are not one per class.
        ImportError: when matplotlib is not installed.

    Examples:
        >>> from tinygrad_cnn.explain import confusion_matrix
        >>> matrix = confusion_matrix([0, 1, 1], [0, 1, 0], 2)
        >>> figure = plot_confusion_matrix(matrix, ["cat", "dog"])  # doctest: +SKIP
    """
    op = "plot_confusion_matrix"
    counts = array(matrix)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or counts.shape[0] == 0:
        raise ValueError(f"{op}: the matrix must be square (K, K), got shape {counts.shape}")
    k = counts.shape[0]
    names = [str(i) for i in range(k)] if class_names is None else list(class_names)
    if len(names) != k:
        raise ValueError(f"{op}: {len(names)} class names for {k} classes")
    size = 2.5 + 0.45 * k
    figure = new_figure(op, size + 1.0, size)
    axes = figure.subplots()
    image = axes.imshow(counts, cmap="Blues")
    figure.colorbar(image, ax=axes, shrink=0.8, label="samples")
    axes.set_xticks(range(k), names, rotation=90 if max(map(len, names)) > 3 else 0)
    axes.set_yticks(range(k), names)
    axes.set_xlabel("predicted class")
    axes.set_ylabel("true class")
    total = counts.sum()
    accuracy = counts.trace() / total if total else 0.0
    axes.set_title(f"accuracy {accuracy:.1%} on {total:,} samples", fontsize=10)
    if k <= _ANNOTATED:
        middle = counts.max() / 2
        for i in range(k):
            for j in range(k):
                axes.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=8,
                          color="white" if counts[i, j] > middle else "black")
    return figure
