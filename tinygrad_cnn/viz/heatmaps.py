"""Heat maps (saliency, Grad-CAM) drawn over the images they explain."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_cnn.explain.checks import images as checked_images
from tinygrad_cnn.viz.figures import array, new_figure, show_image

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def plot_heatmaps(x: Any, maps: Any, titles: Sequence[str] | None = None, alpha: float = 0.6,
                  cmap: str = "jet", wrong: Sequence[bool] | None = None) -> Figure:
    """Images in a row and, under each, its heat maps overlaid on it, one row per kind of map.

    Each map is scaled to peak at 1 and drawn with an opacity growing with its value over the
    image at half brightness, so the image shows through where the map is low; a map that is
    zero everywhere (Grad-CAM finding no positive evidence) is marked "all zero".

    Args:
        x: the images (N, C, H, W).
        maps: one kind of map (N, H, W), such as `saliency(model, x)`, or several as a dict
            row label -> (N, H, W), e.g. ``{"saliency": ..., "Grad-CAM": ...}``.
        titles: one title per image (e.g. its true and predicted class).
        alpha: the opacity where a map peaks.
        cmap: the matplotlib colour map of the heat maps.
        wrong: one flag per image; the titles of those flagged (wrong predictions, say) are
            drawn in dark red, as `plot_top_errors` draws its mistakes.

    Returns:
        A matplotlib Figure; write it with `render(figure, "maps.png")` or `figure.savefig`.

    Raises:
        ValueError: when x is not (N, C, H, W), a map is not (N, H, W) for the same images,
            or titles or wrong are not one per image.
        ImportError: when matplotlib is not installed.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import models
        >>> from tinygrad_cnn.explain import grad_cam, saliency
        >>> model = models.lenet5()
        >>> x = np.random.default_rng(0).random((3, 1, 28, 28), dtype=np.float32)
        >>> rows = {"saliency": saliency(model, x), "Grad-CAM": grad_cam(model, x)}
        >>> figure = plot_heatmaps(x, rows, titles=["a", "b", "c"])  # doctest: +SKIP
    """
    op = "plot_heatmaps"
    images = checked_images(op, x)
    n, _, height, width = images.shape
    rows = {name: array(m) for name, m in (maps.items() if isinstance(maps, Mapping)
                                            else [("heat map", maps)])}
    for name, m in rows.items():
        if m.shape != (n, height, width):
            raise ValueError(f"{op}: the {name!r} maps must be ({n}, {height}, {width}) for "
                             f"images {images.shape}, got {m.shape}")
    for name, given in (("titles", titles), ("wrong", wrong)):
        if given is not None and len(given) != n:
            raise ValueError(f"{op}: {len(given)} {name} for {n} images")
    figure = new_figure(op, 0.6 + 1.3 * n, 0.3 + 1.4 * (1 + len(rows)))
    axes = figure.subplots(1 + len(rows), n, squeeze=False)
    for j in range(n):
        show_image(axes[0, j], images[j])
        if titles is not None:
            axes[0, j].set_title(titles[j], fontsize=8,
                                 color="darkred" if wrong is not None and wrong[j] else "black")
        for i, m in enumerate(rows.values(), start=1):
            show_image(axes[i, j], images[j], brightness=0.5)
            peak = m[j].max()
            if peak <= 0:
                axes[i, j].text(0.5, 0.06, "all zero", transform=axes[i, j].transAxes,
                                ha="center", fontsize=7, color="white")
                continue
            shown = np.clip(m[j] / peak, 0, 1)
            axes[i, j].imshow(shown, cmap=cmap, alpha=alpha * shown, vmin=0, vmax=1,
                              interpolation="nearest")
    for i, name in enumerate(["input", *rows], start=0):
        axes[i, 0].set_ylabel(name)
    return figure
