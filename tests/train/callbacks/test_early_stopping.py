"""EarlyStopping on runs whose outcome is known: a learning rate of 0 cannot improve, and
planned validation losses."""

import numpy as np
import pytest
from scripted import Scripted
from training_runs import blobs, make_classifier

from tinygrad_cnn.train.callbacks import EarlyStopping


def test_lr_zero_with_patience_two_stops_after_three_epochs():
    stop = EarlyStopping(monitor="val_loss", patience=2)
    clf = make_classifier(epochs=10, lr=0.0)
    history = clf.fit(*blobs(), validation_data=blobs(60, seed=1), callbacks=[stop])
    assert len(history.loss) == 3 and stop.stopped_epoch == 3 and stop.best_epoch == 1
    assert history.val_loss[0] == history.val_loss[1] == history.val_loss[2]


@pytest.mark.parametrize("patience", [0, 1, 4])
def test_patience_counts_the_epochs_without_improvement(patience):
    losses = [1.0, 0.9, 0.95, 0.93, 0.92, 0.91, 0.96, 0.97, 0.98, 0.99]
    stop = EarlyStopping(patience=patience)
    history = make_classifier(epochs=10).fit(
        *blobs(), validation_split=0.25, callbacks=[Scripted("val_loss", losses), stop])
    # the best is epoch 2; each later epoch adds one, and the run stops when it reaches patience
    assert len(history.loss) == max(2 + patience, 3)
    assert stop.best_epoch == 2


def test_min_delta_and_mode_auto_for_accuracies():
    accuracies = [0.5, 0.6, 0.605, 0.606, 0.9]
    stop = EarlyStopping(monitor="val_accuracy", min_delta=0.01, patience=2)
    assert stop.monitor.mode == "max"
    history = make_classifier(epochs=5).fit(
        *blobs(), validation_split=0.25, callbacks=[Scripted("val_accuracy", accuracies), stop])
    assert len(history.loss) == 4 and stop.best_epoch == 2  # 0.605 and 0.606 are within 0.01


def test_restore_best_weights_puts_back_the_best_epochs_weights():
    snapshots = []

    class Snapshot(Scripted):
        def on_epoch_end(self, classifier, epoch, logs):
            super().on_epoch_end(classifier, epoch, logs)
            snapshots.append([p.data.copy() for p in classifier.model.parameters()])

    stop = EarlyStopping(patience=2, restore_best_weights=True)
    clf = make_classifier(epochs=10)
    clf.fit(*blobs(), validation_split=0.25,
            callbacks=[Snapshot("val_loss", [3.0, 1.0, 2.0, 2.0, 2.0]), stop])
    assert stop.stopped_epoch == 4 and stop.best_epoch == 2
    for now, best in zip(clf.model.parameters(), snapshots[1], strict=True):
        np.testing.assert_array_equal(now.data, best)
    assert not np.array_equal(snapshots[1][0], snapshots[3][0])


def test_baseline_must_be_beaten_before_the_count_resets():
    losses = [0.9, 0.8, 0.7] + [0.7] * 7
    stopped = []
    for baseline in (None, 0.5):
        stop = EarlyStopping(patience=2, baseline=baseline)
        make_classifier(epochs=10).fit(*blobs(), validation_split=0.25,
                                       callbacks=[Scripted("val_loss", losses), stop])
        stopped.append(stop.stopped_epoch)
    # improving from 0.9 to 0.7 resets the count only while 0.7 beats the baseline
    assert stopped == [5, 4]


def test_start_from_epoch_waits_before_watching():
    stop = EarlyStopping(monitor="loss", patience=1, start_from_epoch=3)
    history = make_classifier(epochs=10, lr=0.0).fit(*blobs(), callbacks=[stop])
    assert len(history.loss) == 5  # epoch 4 sets the best, epoch 5 fails to beat it


def test_a_monitor_the_logs_will_not_have_is_refused_before_training():
    clf = make_classifier()
    with pytest.raises(ValueError, match=r"EarlyStopping: monitor='val_loss' is not logged "
                       r"\(val_\* needs validation_data or validation_split\); the logs hold "
                       r"loss, accuracy, lr, seconds"):
        clf.fit(*blobs(), callbacks=[EarlyStopping()])
    assert clf.history.loss == []


@pytest.mark.parametrize("kwargs, error, message", [
    ({"patience": -1}, ValueError, "EarlyStopping: patience"),
    ({"patience": 1.5}, TypeError, "EarlyStopping: patience"),
    ({"mode": "best"}, ValueError, "EarlyStopping: mode must be one of auto, min, max"),
    ({"min_delta": -0.1}, ValueError, "min_delta must be a finite number >= 0"),
    ({"monitor": 3}, TypeError, "monitor must be the name of a logged value"),
])
def test_bad_arguments_are_refused(kwargs, error, message):
    with pytest.raises(error, match=message):
        EarlyStopping(**kwargs)
