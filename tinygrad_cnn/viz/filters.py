"""A conv layer's filters drawn as small pictures: what the first layer looks for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_cnn.explain import checks
from tinygrad_cnn.nn import Module
from tinygrad_cnn.viz.figures import array, grid, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def plot_filters(source: Any, layer: str | None = None, columns: int = 8) -> Figure:
    """Draw the filters of a conv layer, one picture per filter and input channel.

    Three-channel filters are drawn in colour (each scaled into [0, 1], as an image); others
    one picture per channel on one shared blue-white-red scale, so the sign and size of the
    weights compare across filters: red pixels excite the filter, blue ones inhibit it.

    Args:
        source: a model (then the first Conv2d, or `layer`, is drawn) or a weight
            (O, C, kH, kW) as a Tensor or array.
        layer: the dotted name of the conv layer in the model; default the first Conv2d.
        columns: pictures per row (for one-channel or colour filters; otherwise one row per
            filter, one column per channel).

    Returns:
        A matplotlib Figure; write it with `render(figure, "filters.png")` or
        `figure.savefig`.

    Raises:
        ValueError: when the model has no such layer or the weight is not 4-D.
        ImportError: when matplotlib is not installed.

    Examples:
        >>> from tinygrad_cnn import models
        >>> figure = plot_filters(models.lenet5())  # doctest: +SKIP
    """
    op = "plot_filters"
    name, weight = _weight(op, source, layer)
    out_channels, in_channels, kh, kw = weight.shape
    colour = in_channels == 3
    count = out_channels if colour or in_channels == 1 else out_channels * in_channels
    columns = columns if colour or in_channels == 1 else in_channels
    rows = -(-count // max(1, min(columns, count)))
    figure = new_figure(op, 0.6 + 0.9 * min(columns, count), 0.5 + 0.9 * rows)
    figure.suptitle(f"{name}: {out_channels} filters of {in_channels}x{kh}x{kw}", fontsize=10)
    cells = grid(figure, count, columns)
    if colour:
        for axes, w in zip(cells, weight):
            low, high = w.min(), w.max()
            axes.imshow(((w - low) / (high - low if high > low else 1)).transpose(1, 2, 0),
                        interpolation="nearest")
        return figure
    scale = float(np.abs(weight).max()) or 1.0
    for axes, w in zip(cells, weight.reshape(-1, kh, kw)):
        image = axes.imshow(w, cmap="RdBu_r", vmin=-scale, vmax=scale, interpolation="nearest")
    figure.colorbar(image, ax=cells, shrink=0.8, label="weight")
    return figure


def _weight(op: str, source: Any, layer: str | None) -> tuple[str, np.ndarray]:
    """The layer's name and its weight array."""
    if isinstance(source, Module):
        name = checks.conv_layers(op, source)[0] if layer is None else layer
        source = getattr(checks.layer(op, source, name), "weight", None)
        if source is None:
            raise ValueError(f"{op}: layer {name!r} has no weight")
    else:
        name = "filters"
    weight = array(source)
    if weight.ndim != 4:
        raise ValueError(f"{op}: a conv weight is (O, C, kH, kW), got shape {weight.shape}")
    return name, weight
