"""What the matplotlib pictures share: a Figure made on demand, images drawn in a grid of axes.

matplotlib is the optional extra `plot`: it is imported when a picture is asked for, never
when `viz` is, and its absence is an ImportError saying what to install.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_cnn.tensor import Tensor

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure


def new_figure(op: str, width: float, height: float) -> Figure:
    """An empty matplotlib Figure of `width` x `height` inches with constrained layout.

    Raises:
        ImportError: when matplotlib is not installed, naming the extra to install.
    """
    try:
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ImportError(f'{op} needs matplotlib: pip install "tinygrad_cnn[plot]"') from error
    return Figure(figsize=(width, height), layout="constrained")


def array(data: Any) -> np.ndarray:
    """An ndarray from a Tensor or anything NumPy takes."""
    return np.asarray(data.data if isinstance(data, Tensor) else data)


def grid(figure: Figure | SubFigure, count: int, columns: int) -> list[Axes]:
    """`count` axes in rows of `columns`, without ticks; the unused cells of the last row hidden."""
    columns = max(1, min(columns, count))
    axes = figure.subplots(math.ceil(count / columns), columns, squeeze=False).ravel()
    for unused in axes[count:]:
        unused.set_axis_off()
    for used in axes[:count]:
        used.set_xticks([])
        used.set_yticks([])
    return list(axes[:count])


def show_image(axes: Axes, image: np.ndarray, brightness: float = 1.0) -> None:
    """Draw one image (C, H, W): grey for one channel, colour for three (scaled into [0, 1]),
    and the channels' mean in grey for any other count; `brightness` < 1 dims it (under a
    heat map)."""
    low, high = float(image.min()), float(image.max())
    span = high - low if high > low else 1.0
    if image.shape[0] == 3:
        rgb = (image - low) / span * brightness
        axes.imshow(rgb.transpose(1, 2, 0), interpolation="nearest")
    else:
        axes.imshow(image.mean(axis=0), cmap="gray", vmin=low, vmax=low + span / brightness,
                    interpolation="nearest")
    axes.set_xticks([])
    axes.set_yticks([])


def class_name(names: list[str] | None, label: int) -> str:
    """The name of class `label`, or the number itself without names."""
    return str(label) if names is None else str(names[label])
