"""fit's validation_split: a seeded random share of the samples, scored after every epoch."""

import numpy as np
import pytest
from training_runs import blobs, make_classifier

from tinygrad_cnn.train.validation import split_validation


def test_the_split_is_seeded_disjoint_and_in_order():
    x, y = np.arange(100, dtype=np.float32)[:, None], np.arange(100)
    (xt, yt), (xv, yv) = split_validation(x, y, None, 0.25, seed=3)
    assert len(xv) == 25 and len(xt) == 75
    assert sorted([*yt, *yv]) == list(range(100))
    assert list(yv) == sorted(yv) and list(yt) == sorted(yt)
    again = split_validation(x, y, None, 0.25, seed=3)[1][1]
    np.testing.assert_array_equal(again, yv)
    assert not np.array_equal(split_validation(x, y, None, 0.25, seed=4)[1][1], yv)
    assert yv.max() > 75  # not Keras's last quarter: sorted data still validates every class


def test_fit_scores_the_held_out_share():
    clf = make_classifier(epochs=2)
    history = clf.fit(*blobs(), validation_split=0.25)
    assert len(history.val_loss) == 2 and clf.steps_per_epoch == 6  # 180 samples left
    _, (xv, yv) = split_validation(*blobs(), None, 0.25, seed=0)
    assert history.val_accuracy[-1] == clf.score(xv, yv)


@pytest.mark.parametrize("fraction, error, message", [
    (1.0, ValueError, r"validation_split must be in \[0, 1\), got 1.0"),
    (-0.1, ValueError, r"validation_split must be in \[0, 1\)"),
    (float("nan"), ValueError, r"validation_split must be in \[0, 1\)"),
    ("0.1", TypeError, "validation_split must be a number, got '0.1'"),
    (True, TypeError, "validation_split must be a number"),
])
def test_bad_fractions_are_refused(fraction, error, message):
    with pytest.raises(error, match=message):
        make_classifier().fit(*blobs(), validation_split=fraction)


def test_both_kinds_of_validation_are_refused():
    with pytest.raises(ValueError, match="give validation_data or validation_split, not both"):
        make_classifier().fit(*blobs(), validation_data=blobs(30), validation_split=0.1)
    with pytest.raises(ValueError, match="holds out all 1 samples"):
        make_classifier().fit(*blobs(1), validation_split=0.5)
