"""Feature maps drawn as a grid of channels per layer, for one image."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tinygrad_cnn.viz.figures import array, grid, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def plot_feature_maps(maps: Mapping[str, Any], index: int = 0, max_channels: int = 16,
                      columns: int = 8) -> Figure:
    """One block per layer, one small picture per channel, of the maps of image `index`.

    Each channel has its own colour scale (viridis: dark is low, yellow high), so a weak
    channel shows its pattern as clearly as a strong one.

    Args:
        maps: layer name -> activations (N, C, H, W), as `explain.feature_maps` returns.
        index: which image of the batch to draw.
        max_channels: draw at most this many channels of a layer (the first ones).
        columns: channels per row.

    Returns:
        A matplotlib Figure; write it with `render(figure, "maps.png")` or `figure.savefig`.

    Raises:
        ValueError: when there are no maps, one is not (N, C, H, W), or `index` is not one
            of the images.
        ImportError: when matplotlib is not installed.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import models
        >>> from tinygrad_cnn.explain import feature_maps
        >>> maps = feature_maps(models.lenet5(), np.zeros((1, 1, 28, 28), np.float32))
        >>> figure = plot_feature_maps(maps)  # doctest: +SKIP
    """
    op = "plot_feature_maps"
    if not maps:
        raise ValueError(f"{op}: no maps to draw")
    arrays = {name: array(m) for name, m in maps.items()}
    for name, m in arrays.items():
        if m.ndim != 4:
            raise ValueError(f"{op}: {name!r} has shape {m.shape}, not feature maps "
                             "(N, C, H, W)")
        if not -len(m) <= index < len(m):
            raise ValueError(f"{op}: index {index} is not one of the {len(m)} images")
    counts = {name: min(m.shape[1], max_channels) for name, m in arrays.items()}
    heights = [math.ceil(count / columns) for count in counts.values()]
    figure = new_figure(op, 1.1 * min(columns, max(counts.values())), 1.1 * sum(heights)
                        + 0.35 * len(arrays))
    blocks = figure.subfigures(len(arrays), 1, height_ratios=heights, squeeze=False).ravel()
    for block, (name, m) in zip(blocks, arrays.items()):
        channels, height, width = m.shape[1:]
        shown = counts[name]
        more = f", the first {shown}" if shown < channels else ""
        block.suptitle(f"{name}: {channels} channels of {height}x{width}{more}", fontsize=9)
        for k, axes in enumerate(grid(block, shown, columns)):
            axes.imshow(m[index, k], cmap="viridis", interpolation="nearest")
            axes.set_title(str(k), fontsize=7)
    return figure
