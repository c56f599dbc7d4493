"""confusion_matrix counts (true, predicted) pairs; top_errors finds the most confident mistakes."""

import numpy as np
import pytest

from tinygrad_cnn import nn
from tinygrad_cnn.explain import confusion_matrix, top_errors


def test_counts_by_a_loop():
    rng = np.random.default_rng(0)
    true, predicted = rng.integers(0, 4, 200), rng.integers(0, 4, 200)
    expected = np.zeros((4, 4), dtype=np.int64)
    for t, p in zip(true, predicted):
        expected[t, p] += 1
    matrix = confusion_matrix(true, predicted, 4)
    np.testing.assert_array_equal(matrix, expected)
    np.testing.assert_array_equal(matrix.sum(axis=1), np.bincount(true, minlength=4))


def test_rows_are_true_classes_and_unseen_classes_give_zero_rows():
    # three samples of class 0: two right, one taken for class 2; class 1 never appears
    matrix = confusion_matrix([0, 0, 0, 2], [0, 2, 0, 2], num_classes=3)
    np.testing.assert_array_equal(matrix, [[2, 0, 1], [0, 0, 0], [0, 0, 1]])


@pytest.mark.parametrize("true, predicted, classes, message", [
    ([0, 1], [0], 2, r"y_pred must be one class index per image, \(2,\)"),
    ([0, 3], [0, 1], 3, "y_true 3 is not a class: there are 3"),
    ([0, -1], [0, 1], 3, "y_true -1 is not a class"),
    ([0.0, 1.0], [0, 1], 2, "y_true must hold integer class indices"),
    ([0, 1], [0, 1], 0, "num_classes must be a positive int"),
])
def test_bad_labels_are_refused(true, predicted, classes, message):
    with pytest.raises(ValueError, match=message):
        confusion_matrix(true, predicted, classes)


def identity_classifier() -> nn.Sequential:
    """Images (N, 1, 1, 3) whose three pixels are the logits themselves."""
    model = nn.Sequential(nn.Flatten(), nn.Linear(3, 3, bias=False, dtype=np.float64))
    model[1].weight.data[...] = np.eye(3)
    return model


def test_top_errors_are_the_mistakes_by_decreasing_confidence():
    logits = np.array([[5.0, 0, 0],    # 0: predicted 0, right
                       [0, 2.0, 0],    # 1: predicted 1, wrong (true 0)
                       [0, 0, 9.0],    # 2: predicted 2, wrong (true 1), most confident
                       [0, 2.0, 0],    # 3: a tie with 1: data-set order
                       [1.0, 0, 0]])   # 4: predicted 0, wrong (true 2), least confident
    true = np.array([0, 0, 1, 2, 2])
    errors = top_errors(identity_classifier(), logits[:, None, None, :], true, batch_size=2)
    np.testing.assert_array_equal(errors.index, [2, 1, 3, 4])
    np.testing.assert_array_equal(errors.true, [1, 0, 2, 2])
    np.testing.assert_array_equal(errors.predicted, [2, 1, 1, 0])
    softmax = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(errors.confidence, softmax[[2, 1, 3, 4], [2, 1, 1, 0]])
    assert len(top_errors(identity_classifier(), logits[:, None, None, :], true, k=2).index) == 2


def test_no_mistakes_gives_empty_arrays():
    logits = np.eye(3)[:, None, None, :]
    errors = top_errors(identity_classifier(), logits, np.arange(3))
    assert all(len(field) == 0 for field in errors)


@pytest.mark.parametrize("kwargs, message", [
    ({"k": 0}, "k must be a positive int"),
    ({"batch_size": 0}, "batch_size must be a positive int"),
    ({"y": np.zeros(2, dtype=np.int64)}, r"y must be one class index per image, \(3,\)"),
])
def test_top_errors_refuses_bad_arguments(kwargs, message):
    arguments = {"y": np.zeros(3, dtype=np.int64), **kwargs}
    with pytest.raises(ValueError, match=message):
        top_errors(identity_classifier(), np.zeros((3, 1, 1, 3)), **arguments)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_a_model_whose_scores_are_not_finite_is_refused_not_called_flawless(bad):
    logits = np.full((4, 1, 1, 3), bad)  # all NaN: argmax 0, "no mistakes" on class 0 before
    logits[1] = 1.0
    with pytest.raises(ValueError, match=r"^top_errors: the model's scores are NaN or infinite "
                                         r"for 3 of 4 images \(the first: image 0\)"):
        top_errors(identity_classifier(), logits, np.zeros(4, dtype=np.int64))


def test_a_matrix_that_cannot_fit_in_memory_is_refused_naming_num_classes():
    # a raw MemoryError before, after NumPy tried to allocate 800 TB
    with pytest.raises(ValueError, match=r"^confusion_matrix: num_classes=10000000 \(a 10000000 "
                                         r"x 10000000 matrix\) needs 1\.4 PiB, more than this "
                                         r"machine's"):
        confusion_matrix([0, 1], [1, 0], 10**7)
