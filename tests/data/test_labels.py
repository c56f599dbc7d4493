"""check_labels: class indices in [0, classes), the first bad one named with its position."""

import numpy as np
import pytest

from tinygrad_cnn.data.labels import MAX_CLASSES, check_labels


def test_labels_within_the_declared_classes_pass():
    check_labels(np.array([0, 9, 3]), "y", classes=10)
    check_labels(np.array([MAX_CLASSES - 1]), "y")
    check_labels(np.zeros(0, np.int64), "y")


@pytest.mark.parametrize("labels, message", [
    ([0, 10, 11], "y: label 10 at position 1 is too large; labels are class indices from 0 to 9"),
    ([1, -1, 12], "y: label -1 at position 1 is negative; labels are class indices from 0 to 9"),
])
def test_the_first_bad_label_is_named(labels, message):
    with pytest.raises(ValueError) as info:
        check_labels(np.array(labels), "y", classes=10)
    assert str(info.value) == message
