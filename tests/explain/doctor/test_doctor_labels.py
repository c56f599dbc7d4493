"""The label checks: class indices against the model's outputs (`label-range`) and the class
frequencies (`class-imbalance`)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_cnn.explain.doctor import labels


@given(counts=st.lists(st.integers(0, 60), min_size=2, max_size=6))
def test_imbalance_is_a_warning_exactly_past_ten_to_one(counts):
    y = np.repeat(np.arange(len(counts)), counts)
    found = labels.imbalance(y, len(counts))
    present = [c for c in counts if c]
    flagged = len(present) >= 2 and max(present) > 10 * min(present)
    assert [f.code for f in found] == (["class-imbalance"] if flagged else [])
    if flagged:
        assert f"class {int(np.argmax(counts))} has {max(counts):,} samples" in found[0].evidence


def test_a_95_percent_majority_names_the_accuracy_of_always_guessing_it():
    y = np.array([3] * 95 + [0, 1, 2, 4, 5])
    (report,) = labels.imbalance(y, 10)
    assert "always answering 3 scores 95.0% accuracy" in report.evidence


@pytest.mark.parametrize("y, hint", [
    (np.arange(1, 11), "1-based"),
    (np.array([0, 12, 3]), "give the model 13 outputs"),
    (np.array([-1, 0, 3]), "label -1 at position 0"),
    (np.array([0.0, 1.0]), "integer class indices"),
    (np.eye(3), "rows of 3 columns for a model with 10 outputs"),
    (np.full((2, 10), 0.5), "must be probabilities"),
])
def test_labels_that_are_not_classes_are_an_error(y, hint):
    (report,), classes = labels.classes_of(y, 10)
    assert classes is None
    assert report.code == "label-range" and report.severity == "error"
    assert hint in report.evidence + report.advice


def test_one_hot_rows_give_their_classes():
    found, classes = labels.classes_of(np.eye(4)[[2, 0, 3, 1]], 4)
    assert found == []
    np.testing.assert_array_equal(classes, [2, 0, 3, 1])


def test_unused_outputs_are_a_note():
    (report,), classes = labels.classes_of(np.array([0, 1, 1]), 10)
    assert report.severity == "info" and "use 2 of the model's 10 outputs" in report.title
    assert classes.dtype == np.int64
