"""The pictures of the training doctor: histograms over the first steps, update ratios, the
learning-rate range test, and all of them on one page."""

import numpy as np
import pytest
from extras import require

from tinygrad_cnn import manual_seed, models, optim
from tinygrad_cnn.data import load_mnist
from tinygrad_cnn.explain import Diagnosis, diagnose
from tinygrad_cnn.train import lr_find
from tinygrad_cnn.viz import (
    plot_diagnosis,
    plot_histograms,
    plot_lr_find,
    plot_update_ratios,
    render,
)

require("matplotlib", "plot")
from matplotlib.figure import Figure  # noqa: E402  (after the skip: needs the extra)


@pytest.fixture(scope="module")
def measured():
    """A diagnosis of LeNet-5 over 4 steps, and a short range test."""
    (x, y), _ = load_mnist()
    manual_seed(0)
    model = models.lenet5()
    adam = optim.Adam(model.parameters())
    report = diagnose(model, x[:256], y[:256], adam, steps=4, batch_size=32, overfit_steps=2)
    return report, lr_find(model, adam, x[:256], y[:256], steps=20, batch_size=32)


def titles(figure):
    return [axes.get_title() for axes in figure.axes]


def test_activation_histograms_have_a_panel_per_relu(measured):
    report, _ = measured
    figure = plot_histograms(report, "activations", columns=2)
    assert isinstance(figure, Figure)
    assert titles(figure) == ["features.1", "features.4", "classifier.1", "classifier.3"]
    image = figure.axes[0].images[0].get_array()
    assert image.shape == (40, 4)  # bins up, steps across


def test_gradient_histograms_share_one_log_scale(measured):
    report, _ = measured
    figure = plot_histograms(report, "gradients")
    assert titles(figure)[:5] == list(report.record.layers)
    limits = {tuple(axes.images[0].get_extent()[2:]) for axes in figure.axes if axes.images}
    assert len(limits) == 1


def test_update_ratios_draw_a_line_per_layer_and_the_guide(measured):
    report, _ = measured
    axes = plot_update_ratios(report).axes[0]
    assert axes.get_yscale() == "log"
    labels = [line.get_label() for line in axes.get_lines()]
    assert [name for name in labels if not name.startswith("_")] == list(report.record.layers)


def test_the_range_test_marks_the_lowest_loss_and_the_suggestion(measured):
    _, result = measured
    axes = plot_lr_find(result).axes[0]
    labels = [line.get_label() for line in axes.get_lines()]
    assert axes.get_xscale() == "log" and "smoothed loss" in labels
    assert f"suggestion {result.suggestion:.2g}" in labels


def test_one_page_holds_them_all_and_renders(measured, tmp_path):
    report, result = measured
    figure = plot_diagnosis(report, result)
    assert figure.get_suptitle() == str(report).splitlines()[0]
    assert "learning-rate range test" in titles(figure)
    path = render(figure, tmp_path / "diagnosis.png")
    assert path.read_bytes().startswith(b"\x89PNG")
    assert "learning-rate range test" not in titles(plot_diagnosis(report))


def test_a_diagnosis_without_steps_is_refused():
    with pytest.raises(ValueError, match="plot_diagnosis: the diagnosis recorded no optimiser"):
        plot_diagnosis(Diagnosis([]))
    with pytest.raises(ValueError, match="kind must be one of"):
        plot_histograms(Diagnosis([]), "weights")


def test_a_range_test_without_steps_is_refused():
    from tinygrad_cnn.train import LRFinderResult

    with pytest.raises(ValueError, match="recorded no step"):
        plot_lr_find(LRFinderResult(np.array([]), np.array([]), None))
