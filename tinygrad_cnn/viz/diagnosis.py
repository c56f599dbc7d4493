"""The pictures of a diagnosis: each layer's activations and gradients over the first steps
(fastai's "colorful dimension"), the update ratios against the 1e-3 guide, and all of it, with
the learning-rate range test, on one page."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from tinygrad_cnn.explain.doctor import thresholds
from tinygrad_cnn.viz.figures import new_figure
from tinygrad_cnn.viz.lr_finder import draw_lr_find

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

    from tinygrad_cnn.explain.doctor.findings import Diagnosis
    from tinygrad_cnn.explain.doctor.record import Record
    from tinygrad_cnn.train.lr_finder import LRFinderResult

KINDS = ("activations", "gradients")
_BINS = 40
_DECADES = 12  # the gradients drawn: this many decades below the largest, the rest at the bottom


def _record(op: str, diagnosis: Diagnosis) -> Record:
    record = diagnosis.record
    if record is None or not record.layers:
        raise ValueError(f"{op}: the diagnosis recorded no optimiser step (its report says "
                         "why: a NaN input or loss, or labels that are not classes)")
    return record


def plot_histograms(diagnosis: Diagnosis, kind: str = "activations", columns: int = 4) -> Figure:
    """One panel per layer: a histogram of its values at each of the first steps, side by side
    (step across, value up, brighter for more values), as fastai's "colorful dimension".

    Activations are the outputs of each ReLU, sigmoid and tanh, on a linear scale per layer:
    a healthy layer keeps a steady spread, a dying one collapses to the bottom row, an
    exploding one climbs. Gradients are d loss / d output of each weight layer, as
    log10 |value| on one scale for all layers, so a gradient that fades on its way to the
    first layers shows as panels sinking down the page.

    Args:
        diagnosis: what `explain.diagnose` returned.
        kind: "activations" or "gradients".
        columns: panels per row.

    Returns:
        A matplotlib Figure; write it with `render(figure, "activations.png")`.

    Raises:
        ValueError: for another kind, or a diagnosis that recorded no step.
        ImportError: when matplotlib is not installed.

    Examples:
        >>> from tinygrad_cnn import models
        >>> from tinygrad_cnn.data import load_mnist
        >>> from tinygrad_cnn.explain import diagnose
        >>> (x, y), _ = load_mnist()
        >>> report = diagnose(models.lenet5(), x[:256], y[:256], steps=5)
        >>> figure = plot_histograms(report, "gradients")  # doctest: +SKIP
    """
    op = "plot_histograms"
    if kind not in KINDS:
        raise ValueError(f"{op}: kind must be one of {KINDS}, got {kind!r}")
    record = _record(op, diagnosis)
    count = len(record.units if kind == "activations" else record.layers)
    columns = max(1, min(columns, count))
    figure = new_figure(op, 2.6 * columns, 2.1 * math.ceil(count / columns) + 0.4)
    draw_histograms(figure, record, kind, columns)
    return figure


def draw_histograms(figure: Figure | SubFigure, record: Record, kind: str, columns: int
                    ) -> None:
    """Draw `plot_histograms`'s panels into `figure` (a Figure or a SubFigure)."""
    series = ({name: u.samples for name, u in record.units.items()} if kind == "activations"
              else {name: layer.samples for name, layer in record.layers.items()})
    if not series:
        figure.suptitle(f"{kind}: none recorded (no ReLU, sigmoid or tanh ran)", fontsize=10)
        return
    columns = max(1, min(columns, len(series)))
    axes = figure.subplots(math.ceil(len(series) / columns), columns, squeeze=False).ravel()
    shared = _log_range(series) if kind == "gradients" else None
    for panel, (name, samples) in zip(axes, series.items()):
        _histogram_panel(panel, name, samples, shared)
    for unused in axes[len(series):]:
        unused.set_axis_off()
    what = ("activations (the output of each ReLU, sigmoid, tanh)" if kind == "activations"
            else "gradients: log10 |d loss / d output| of each weight layer")
    figure.suptitle(f"{what}, step by step", fontsize=10)


def _log_range(series: dict[str, list[np.ndarray]]) -> tuple[float, float]:
    logs = [np.log10(np.abs(s[s != 0])) for samples in series.values() for s in samples]
    values = np.concatenate(logs) if logs else np.zeros(1)
    values = values[np.isfinite(values)]
    if not values.size:
        return -1.0, 0.0
    high = float(values.max())
    return max(float(values.min()), high - _DECADES), high


def _histogram_panel(axes: Axes, name: str, samples: list[np.ndarray],
                     shared: tuple[float, float] | None) -> None:
    from matplotlib.colors import LogNorm

    if shared is None:
        values = [s[np.isfinite(s)] for s in samples]
    else:
        values = [np.log10(np.abs(s[(s != 0) & np.isfinite(s)])) for s in samples]
    low, high = shared or _span(values)
    edges = np.linspace(low, high if high > low else low + 1, _BINS + 1)
    counts = np.stack([np.histogram(np.clip(v, edges[0], edges[-1]), edges)[0] for v in values])
    steps = len(samples)
    axes.imshow(counts.T + 1, origin="lower", aspect="auto", cmap="viridis", norm=LogNorm(),
                extent=(-0.5, steps - 0.5, edges[0], edges[-1]), interpolation="nearest")
    axes.set_title(name, fontsize=8)
    axes.set_xlabel("step", fontsize=7)
    axes.tick_params(labelsize=7)


def _span(values: list[np.ndarray]) -> tuple[float, float]:
    both = np.concatenate(values) if values else np.zeros(1)
    return (float(both.min()), float(both.max())) if both.size else (0.0, 1.0)


def plot_update_ratios(diagnosis: Diagnosis) -> Figure:
    """Each weight layer's |update| / |weight| at each of the first steps, on a log scale,
    against the guide of about 1e-3 (CS231n) and the doctor's thresholds.

    Args:
        diagnosis: what `explain.diagnose` returned.

    Returns:
        A matplotlib Figure.

    Raises:
        ValueError: for a diagnosis that recorded no step.
        ImportError: when matplotlib is not installed.
    """
    op = "plot_update_ratios"
    record = _record(op, diagnosis)
    figure = new_figure(op, 7.0, 4.0)
    draw_update_ratios(figure.subplots(), record)
    return figure


def draw_update_ratios(axes: Axes, record: Record) -> None:
    """Draw `plot_update_ratios`'s lines onto `axes`."""
    target = thresholds.UPDATE_RATIO_TARGET
    low, high = thresholds.UPDATE_RATIO_BAND
    axes.axhspan(target / 10, target * 10, color="tab:green", alpha=0.12,
                 label=f"{target:g}, within a decade")
    axes.axhline(target, color="tab:green", linewidth=1)
    for bound in (low, high):
        axes.axhline(bound, color="tab:red", linestyle="--", linewidth=1)
    for name, layer in record.layers.items():
        ratios = np.asarray(layer.update_ratios, dtype=float)
        shown = np.where(ratios > 0, ratios, np.nan)  # a log scale has no zero
        axes.plot(range(len(ratios)), shown, marker="o" if len(ratios) < 3 else None,
                  linewidth=1.2, label=name)
    axes.set_yscale("log")
    axes.set_xlabel("step")
    axes.set_ylabel("|update| / |weight|")
    axes.set_title(f"update ratios per layer (dashed: the doctor's thresholds {low:g} and "
                   f"{high:g})", fontsize=9)
    axes.grid(alpha=0.3, which="both")
    axes.legend(fontsize=7, ncols=2 if len(record.layers) > 8 else 1, loc="best")


def plot_diagnosis(diagnosis: Diagnosis, lr_finder: LRFinderResult | None = None,
                   columns: int = 5) -> Figure:
    """Every picture of a diagnosis on one page: the activation and gradient histograms, the
    update ratios, and, when given, the learning-rate range test beside them.

    Args:
        diagnosis: what `explain.diagnose` returned.
        lr_finder: what `train.lr_find` returned, or None.
        columns: histogram panels per row.

    Returns:
        A matplotlib Figure, titled with the diagnosis's counts.

    Raises:
        ValueError: for a diagnosis that recorded no step.
        ImportError: when matplotlib is not installed.
    """
    op = "plot_diagnosis"
    record = _record(op, diagnosis)
    rows = [math.ceil(max(len(record.units), 1) / columns),
            math.ceil(len(record.layers) / columns), 2]
    figure = new_figure(op, 2.4 * columns, 2.0 * sum(rows) + 1.0)
    top, middle, bottom = figure.subfigures(3, 1, height_ratios=rows)
    draw_histograms(top, record, "activations", columns)
    draw_histograms(middle, record, "gradients", columns)
    if lr_finder is None:
        draw_update_ratios(bottom.subplots(), record)
    else:
        left, right = bottom.subplots(1, 2)
        draw_update_ratios(left, record)
        draw_lr_find(right, lr_finder)
    figure.suptitle(str(diagnosis).splitlines()[0], fontsize=11)
    return figure
