"""Learning curves: loss and accuracy per epoch, train and validation, drawn with matplotlib."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tinygrad_cnn.files import atomic_write, check_output

PLOT_FORMATS = (".png", ".svg", ".pdf")  # what plot_history writes, checked early by the CLI


def plot_history(history: Any, path: str | os.PathLike[str], title: str | None = None) -> Path:
    """Draw the learning curves of a `Classifier` history to PNG, SVG or PDF.

    Args:
        history: a `train.History` (or a dict with lists under "loss", "accuracy" and,
            optionally, "val_loss", "val_accuracy").
        path: the file to write, in an existing folder; its extension picks the format.
        title: a title over both panels.

    Returns:
        The path written.

    Raises:
        ValueError: for an unsupported extension or an empty history.
        ImportError: when matplotlib is not installed (`pip install "tinygrad_cnn[plot]"`).
        OSError: when `path` is a folder or its folder does not exist, naming `path`.
    """
    path = Path(path)
    if path.suffix.lower() not in PLOT_FORMATS:
        raise ValueError(f"plot_history: {path} must end in one of {', '.join(PLOT_FORMATS)}")
    record = history.as_dict() if hasattr(history, "as_dict") else dict(history)
    if not record.get("loss"):
        raise ValueError("plot_history: the history has no epochs to plot")
    check_output(path, "plot_history")
    try:
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator
    except ImportError as error:
        raise ImportError(
            'plot_history needs matplotlib: pip install "tinygrad_cnn[plot]"'
        ) from error
    figure = Figure(figsize=(9, 3.5), layout="constrained")
    for axes, metric in zip(figure.subplots(1, 2), ("loss", "accuracy")):
        epochs = range(1, len(record[metric]) + 1)
        axes.plot(epochs, record[metric], marker="o", label="train")
        if record.get(f"val_{metric}"):
            axes.plot(epochs, record[f"val_{metric}"], marker="s", label="validation")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel("epoch")
        axes.set_ylabel(metric)
        axes.grid(alpha=0.3)
        axes.legend()
    if title:
        figure.suptitle(title)
    atomic_write(path, lambda file: figure.savefig(file, format=path.suffix.lower()[1:]),
                 "plot_history")
    return path
