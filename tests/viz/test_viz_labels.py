"""Node text: attribute values, window attributes as PyTorch writes them, shapes, escaping."""

import numpy as np
import pytest

from tinygrad_cnn.viz import labels


@pytest.mark.parametrize(("value", "text"), [
    (3, "3"), (np.int64(3), "3"), (0.5, "0.5"), (1e-8, "1e-08"), (True, "True"), (None, "None"),
    ((0, 1), "(0,1)"), ((2,), "(2,)"), ([1, 2], "[1,2]"), (slice(1, None, 2), "1::2"),
    (slice(None), ":"), (Ellipsis, "..."), (np.zeros((300, 2), dtype=bool), "bool[300,2]"),
    (np.array(7), "7"), (np.dtype("float64"), "float64"), (np.float32, "float32"),
    ("same", "same"), (len, "len"),
])
def test_format_value(value, text):
    assert labels.format_value(value) == text


@pytest.mark.parametrize(("attrs", "text"), [
    ({"stride": (1, 1), "padding": ((0, 0), (0, 0)), "dilation": (1, 1), "groups": 1},
     "conv2d stride=1 pad=0"),
    ({"stride": (1, 2), "padding": ((1, 1), (2, 2)), "dilation": (2, 2), "groups": 1},
     "conv2d stride=(1,2) pad=(1,2) dil=2"),
    ({"stride": 1, "padding": ((0, 1), (0, 1)), "groups": 2},
     "conv2d\\nstride=1 pad=((0,1),(0,1)) groups=2"),
])
def test_conv_attributes_read_like_pytorch(attrs, text):
    assert labels.op_label("conv2d", attrs) == text


def test_none_and_false_are_left_out_and_index_reads_as_a_subscript():
    assert labels.op_label("sum", {"dims": (0,), "keepdim": False}) == "sum dims=(0,)"
    assert labels.op_label("clip", {"low": 0.0, "high": None}) == "clip low=0"
    index = (slice(None), np.arange(10), None)
    assert labels.op_label("index", {"index": index}) == "index [:,int64[10],None]"


def test_long_values_are_cut():
    label = labels.op_label("reshape", {"shape": tuple(range(40))})
    assert label.endswith("...") and len(label.split("\\n")[-1]) <= 40 + len("shape=")


def test_shapes_and_escaping():
    assert labels.format_shape(()) == "()" and labels.format_shape((3,)) == "(3,)"
    assert labels.format_shape((1, 6, 28, 28)) == "(1, 6, 28, 28)"
    assert labels.join_lines(['a\\b"', "(2,)"]) == 'a\\\\b"\\n(2,)'
