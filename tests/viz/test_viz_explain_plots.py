"""The pictures of `explain`: what each figure holds, its checks, and writing it with render."""

import numpy as np
import pytest
from extras import require

from tinygrad_cnn import manual_seed, models
from tinygrad_cnn.explain import TopErrors, confusion_matrix, feature_maps, grad_cam, saliency
from tinygrad_cnn.viz import (
    plot_confusion_matrix,
    plot_feature_maps,
    plot_filters,
    plot_heatmaps,
    plot_top_errors,
    render,
)

require("matplotlib", "plot")
from matplotlib.figure import Figure  # noqa: E402  (after the skip: needs the extra)


@pytest.fixture(scope="module")
def lenet():
    manual_seed(0)
    return models.lenet5()


def digits(n=3):
    return np.random.default_rng(0).random((n, 1, 28, 28), dtype=np.float32)


def texts(figure):
    """Every piece of text in the figure: titles, labels, tick labels, annotations."""
    return [t.get_text() for t in figure.findobj(lambda a: hasattr(a, "get_text"))]


def test_heatmaps_put_the_images_over_one_row_per_kind_of_map(lenet):
    x = digits()
    maps = {"saliency": saliency(lenet, x), "Grad-CAM": grad_cam(lenet, x)}
    figure = plot_heatmaps(x, maps, titles=["a", "b", "c"])
    assert isinstance(figure, Figure) and len(figure.axes) == 9
    assert [figure.axes[3 * i].get_ylabel() for i in range(3)] == ["input", "saliency",
                                                                  "Grad-CAM"]
    assert [figure.axes[j].get_title() for j in range(3)] == ["a", "b", "c"]
    single = plot_heatmaps(x, saliency(lenet, x))
    assert len(single.axes) == 6 and single.axes[3].get_ylabel() == "heat map"


def test_an_all_zero_map_is_marked():
    x = digits(2)
    figure = plot_heatmaps(x, np.stack([np.zeros((28, 28)), np.ones((28, 28))]))
    assert texts(figure).count("all zero") == 1


@pytest.mark.parametrize("maps, titles, message", [
    (np.zeros((3, 27, 28)), None, r"'heat map' maps must be \(3, 28, 28\)"),
    ({"x": np.zeros((2, 28, 28))}, None, r"'x' maps must be \(3, 28, 28\)"),
    (np.zeros((3, 28, 28)), ["a"], "1 titles for 3 images"),
])
def test_heatmaps_refuse_maps_of_other_images(maps, titles, message):
    with pytest.raises(ValueError, match=message):
        plot_heatmaps(digits(), maps, titles=titles)


def test_feature_maps_are_a_block_per_layer(lenet):
    maps = feature_maps(lenet, digits(2))
    figure = plot_feature_maps(maps, index=1, max_channels=4)
    words = texts(figure)
    assert "features.0: 6 channels of 24x24, the first 4" in words
    assert "features.3: 16 channels of 8x8, the first 4" in words
    assert len(figure.axes) == 8
    np.testing.assert_array_equal(figure.axes[0].images[0].get_array(),
                                  maps["features.0"][1, 0])


@pytest.mark.parametrize("maps, index, message", [
    ({}, 0, "no maps to draw"),
    ({"fc": np.zeros((2, 10))}, 0, r"'fc' has shape \(2, 10\), not feature maps"),
    ({"conv": np.zeros((2, 3, 4, 4))}, 2, "index 2 is not one of the 2 images"),
])
def test_feature_maps_refuse_what_is_not_one(maps, index, message):
    with pytest.raises(ValueError, match=message):
        plot_feature_maps(maps, index=index)


def test_filters_of_the_first_conv_share_one_signed_scale(lenet):
    figure = plot_filters(lenet)
    assert "features.0: 6 filters of 1x5x5" in texts(figure)
    tiles = [axes for axes in figure.axes if axes.images]
    assert len(tiles) == 6
    limit = np.abs(lenet.features[0].weight.data).max()
    assert tiles[0].images[0].get_clim() == pytest.approx((-limit, limit))
    np.testing.assert_array_equal(tiles[2].images[0].get_array(),
                                  lenet.features[0].weight.data[2, 0])


def test_filters_of_a_named_layer_or_a_weight(lenet):
    second = plot_filters(lenet, layer="features.3")  # 16 filters of 6 channels: a row each
    assert len([axes for axes in second.axes if axes.images]) == 96
    colour = plot_filters(np.random.default_rng(0).standard_normal((4, 3, 3, 3)))
    assert "filters: 4 filters of 3x3x3" in texts(colour)
    assert colour.axes[0].images[0].get_array().shape == (3, 3, 3)  # an RGB picture


@pytest.mark.parametrize("layer, message", [
    ("classifier.1", "layer 'classifier.1' has no weight"),
    ("classifier.0", r"a conv weight is \(O, C, kH, kW\), got shape \(120, 256\)"),
    ("nope", "the model has no layer 'nope'"),
])
def test_filters_refuse_a_layer_without_conv_weights(lenet, layer, message):
    with pytest.raises(ValueError, match=message):
        plot_filters(lenet, layer=layer)


def test_the_confusion_matrix_names_its_classes_and_counts():
    matrix = confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0], 3)
    figure = plot_confusion_matrix(matrix, ["cat", "dog", "eel"])
    axes = figure.axes[0]
    assert [t.get_text() for t in axes.get_yticklabels()] == ["cat", "dog", "eel"]
    assert axes.get_ylabel() == "true class" and axes.get_xlabel() == "predicted class"
    assert axes.get_title() == "accuracy 66.7% on 6 samples"
    assert [t.get_text() for t in axes.texts] == ["1", "1", "0", "0", "1", "0", "1", "0", "2"]


@pytest.mark.parametrize("matrix, names, message", [
    (np.zeros((2, 3)), None, r"square \(K, K\), got shape \(2, 3\)"),
    (np.zeros((2, 2)), ["a"], "1 class names for 2 classes"),
])
def test_the_confusion_matrix_refuses_bad_shapes(matrix, names, message):
    with pytest.raises(ValueError, match=message):
        plot_confusion_matrix(matrix, names)


def test_top_errors_are_titled_with_both_classes():
    errors = TopErrors(np.array([2, 0]), np.array([1, 0]), np.array([0, 2]),
                       np.array([0.97, 0.6]))
    figure = plot_top_errors(digits(), errors, class_names=["zero", "one", "two"])
    titles = [axes.get_title() for axes in figure.axes if axes.images]
    assert titles == ["true one\npredicted zero (97%)", "true zero\npredicted two (60%)"]


def test_no_mistakes_says_so():
    nothing = TopErrors(*(np.array([], dtype=int) for _ in range(4)))
    assert "no mistakes on these 3 images" in texts(plot_top_errors(digits(), nothing))


def test_top_errors_must_point_into_the_images():
    errors = TopErrors(np.array([5]), np.array([1]), np.array([0]), np.array([0.9]))
    with pytest.raises(ValueError, match="point past the 3 images"):
        plot_top_errors(digits(), errors)


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml"),
                                           (".pdf", b"%PDF")])
def test_render_writes_a_figure(tmp_path, suffix, magic):
    figure = plot_confusion_matrix(np.eye(2, dtype=int))
    path = render(figure, tmp_path / f"matrix{suffix}")
    assert path.read_bytes().startswith(magic)


def test_render_refuses_a_figure_as_dot_and_checks_the_folder(tmp_path):
    figure = plot_confusion_matrix(np.eye(2, dtype=int))
    with pytest.raises(ValueError, match=r"a matplotlib figure is written as one of \.png"):
        render(figure, tmp_path / "matrix.dot")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        render(figure, tmp_path / "missing" / "matrix.png")
