"""draw_model: one box per layer in running order, with shapes and parameter counts, framed."""

import itertools
import re

import pytest
from dot_parse import parse

from tinygrad_cnn import models, nn
from tinygrad_cnn.viz import draw_model


def _text(label):
    """An HTML-like label as plain text, one line per <BR/>."""
    return re.sub(r"<[^>]+>", "", label.replace("<BR/>", "\n")).strip("<>").strip()


def test_lenet_one_box_per_layer_with_shape_and_parameters():
    source = draw_model(models.lenet5(), (1, 1, 28, 28)).source
    assert 'label="LeNet5: 44,426 parameters, (1, 1, 28, 28) input"' in source
    g = parse(source)
    layers = [n for n in g.labels if n.startswith("l")]
    assert len(layers) == 12  # 6 features, flatten, 5 classifier
    first = _text(g.labels["l0"]).split("\n")
    assert first[0] == "features.0 Conv2d"
    assert first[-2:] == ["(1, 6, 24, 24)", "156 params"]
    assert "kernel_size=(5, 5)" in _text(g.labels["l0"])
    assert _text(g.labels["l6"]) == "flatten Flatten\n(1, 256)"
    assert _text(g.labels["l11"]).endswith("(1, 10)\n850 params")
    assert "params" not in g.labels["l1"]  # ReLU has none
    assert g.labels["input"] == "input\n(1, 1, 28, 28)"
    assert g.labels["output"] == "output\n(1, 10)"


def test_lenet_layers_are_chained_in_running_order():
    g = parse(draw_model(models.lenet5(), (1, 1, 28, 28)).source)
    chain = ["input", *[f"l{i}" for i in range(12)], "output"]
    assert g.edges == list(itertools.pairwise(chain))


def test_containers_frame_their_layers_and_families_are_coloured():
    g = parse(draw_model(models.lenet5(), (1, 1, 28, 28)).source)
    features = g.cluster_named("features (Sequential)")
    classifier = g.cluster_named("classifier (Sequential)")
    assert [n for n, home in g.home.items() if home == features] == [f"l{i}" for i in range(6)]
    assert g.home["l7"] == classifier and g.home["l6"] is None and g.home["input"] is None
    conv, relu, pool, linear = (g.attrs[n] for n in ("l0", "l1", "l2", "l7"))
    assert len({conv, relu, pool, linear}) == 4
    assert conv == g.attrs["l3"]


def test_nested_containers_nest_their_frames():
    model = nn.Sequential(nn.Sequential(nn.Linear(4, 3), nn.ReLU()), nn.Linear(3, 2))
    g = parse(draw_model(model, (5, 4), rankdir="LR").source)
    inner = g.cluster_named("0 (Sequential)")
    assert g.cluster_parent[inner] is None
    assert g.home["l0"] == inner and g.home["l2"] is None
    assert _text(g.labels["l2"]).split("\n")[-2:] == ["(5, 2)", "8 params"]


def test_bad_input_shape_names_the_layer():
    with pytest.raises(ValueError, match=r"features\.0"):
        draw_model(models.lenet5(), (1, 3, 28, 28))
    with pytest.raises(ValueError, match="rankdir"):
        draw_model(models.lenet5(), (1, 1, 28, 28), rankdir="sideways")
