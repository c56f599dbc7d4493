"""draw_model: one box per layer in running order, with shapes and parameter counts, framed."""

import itertools
import re

import pytest
from define_by_run import CASES
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
    assert _text(g.labels["l6"]) == "flatten Flatten\nstart_dim=1, end_dim=-1\n(1, 256)"
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


# ---- any model -----------------------------------------------------------------------------


def _graph(name, **kwargs):
    make, shapes = CASES[name]
    return parse(draw_model(make(), shapes if len(shapes) > 1 else shapes[0], **kwargs).source)


def _box(g, name):
    return next(n for n, label in g.labels.items() if _text(label).startswith(name + " "))


def test_a_residual_add_is_drawn_with_both_of_its_inputs():
    g = _graph("residual")
    stem, conv1 = _box(g, "stem"), _box(g, "blocks.0.conv1")
    adds = [n for n, label in g.labels.items() if label.startswith("add")]
    assert len(adds) == 2
    first_add = adds[0]
    into_add = [a for a, b in g.edges if b == first_add]
    assert stem in into_add and _box(g, "blocks.0.bn2") in into_add  # the skip and the branch
    assert (stem, conv1) in g.edges
    block = g.cluster_named("blocks.0 (Residual)")
    assert g.home[conv1] == block and g.home[first_add] == block


def test_branches_meet_in_a_concatenation():
    g = _graph("inception")
    (cat_node,) = [n for n, label in g.labels.items() if label.startswith("cat")]
    sources = [a for a, b in g.edges if b == cat_node]
    assert len(sources) == 3
    assert sum(1 for a, _ in g.edges if a == "input") == 3  # the input feeds every branch


def test_two_inputs_a_second_call_and_a_dict_output():
    g = _graph("two_inputs")
    assert {"input0", "input1"} <= set(g.labels) and "output" in g.labels
    twice = _graph("twice")
    assert _text(twice.labels[_box(twice, "fc (call 2)")]).startswith("fc (call 2) Linear")
    assert (_box(twice, "fc"), "o0") in twice.edges  # the relu between the two calls
    out = _graph("dict")
    assert [out.labels[n] for n in ("output0", "output1")] == ["output[cls]\n(5, 3)",
                                                               "output[box]\n(5, 4)"]


def test_depth_folds_nested_calls_into_one_box():
    g = _graph("residual", depth=1)
    boxes = [_text(label).split("\n")[0] for n, label in g.labels.items() if n.startswith("l")]
    assert boxes == ["stem Conv2d", "blocks.0 Residual", "blocks.1 Residual", "pool "
                     "AdaptiveAvgPool2d", "fc Linear"]
    assert not g.cluster_labels
