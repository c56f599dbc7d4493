"""Callback's hooks as fit calls them: order, numbers, stopping, LambdaCallback, on_epoch_end."""

import numpy as np
import pytest
from training_runs import blobs, make_classifier

from tinygrad_cnn.train.callbacks import Callback, LambdaCallback


class Recorder(Callback):
    """Writes down every call it gets."""

    def __init__(self):
        self.calls = []

    def on_train_begin(self, classifier):
        self.calls.append(("train_begin", classifier.log_names, classifier.steps_per_epoch))

    def on_epoch_begin(self, classifier, epoch):
        self.calls.append(("epoch_begin", epoch))

    def on_batch_end(self, classifier, epoch, batch, logs):
        self.calls.append(("batch_end", epoch, batch, sorted(logs)))

    def on_epoch_end(self, classifier, epoch, logs):
        self.calls.append(("epoch_end", epoch, dict(logs)))

    def on_train_end(self, classifier, logs):
        self.calls.append(("train_end", dict(logs)))


def test_the_hooks_come_in_order_with_their_numbers():
    recorder = Recorder()
    clf = make_classifier(epochs=2)
    history = clf.fit(*blobs(), validation_data=blobs(60, seed=1), callbacks=[recorder])
    names = ("loss", "accuracy", "val_loss", "val_accuracy", "lr", "seconds")
    assert recorder.calls[0] == ("train_begin", names, 8)
    kinds = [call[0] for call in recorder.calls]
    assert kinds == ["train_begin", *(["epoch_begin", *["batch_end"] * 8, "epoch_end"] * 2),
                     "train_end"]
    batches = [call[1:3] for call in recorder.calls if call[0] == "batch_end"]
    assert batches == [(e, b) for e in (1, 2) for b in range(1, 9)]
    assert recorder.calls[1][1:] == (1,)
    assert recorder.calls[2][3] == ["accuracy", "loss", "lr", "size"]
    ends = [call[2] for call in recorder.calls if call[0] == "epoch_end"]
    for i, logs in enumerate(ends):
        assert tuple(logs) == names
        assert [logs[name] for name in names] == [history[name][i] for name in names]
    assert recorder.calls[-1] == ("train_end", ends[-1])


def test_batch_logs_are_each_steps_numbers_and_the_epoch_is_their_mean():
    seen = []
    keep = LambdaCallback(on_batch_end=lambda clf, epoch, batch, logs: seen.append(dict(logs)))
    history = make_classifier(epochs=1).fit(*blobs(), callbacks=[keep])
    sizes = np.array([logs["size"] for logs in seen])
    assert sizes.sum() == 240 and len(seen) == 8
    mean = sum(logs["loss"] * logs["size"] for logs in seen) / 240
    assert history.loss[0] == pytest.approx(mean, rel=1e-12)
    assert history.accuracy[0] == pytest.approx(
        sum(logs["accuracy"] * logs["size"] for logs in seen) / 240)
    assert all(logs["lr"] == 0.05 for logs in seen) and history.lr == [0.05]


def test_a_callback_stops_the_run_after_the_epoch_under_way():
    def stop_at_two(clf, epoch, logs):
        if epoch == 2:
            clf.stop_training = True

    clf = make_classifier(epochs=5)
    history = clf.fit(*blobs(), callbacks=[LambdaCallback(on_epoch_end=stop_at_two)])
    assert len(history.loss) == 2
    again = clf.fit(*blobs())  # a new fit starts without the stop
    assert len(again.loss) == 2 + 5


def test_on_train_end_runs_when_training_fails():
    ended = []
    x, y = blobs()
    x[37] = np.inf
    with pytest.raises(FloatingPointError):
        make_classifier().fit(x, y, callbacks=[
            LambdaCallback(on_train_end=lambda clf, logs: ended.append(dict(logs)))])
    assert ended == [{}]


def test_on_epoch_end_keeps_working_after_the_callbacks():
    order = []
    make_classifier(epochs=2).fit(
        *blobs(), callbacks=[LambdaCallback(on_epoch_end=lambda c, e, logs: order.append(e))],
        on_epoch_end=lambda epoch, history: order.append((epoch, len(history.loss))))
    assert order == [1, (1, 1), 2, (2, 2)]


def test_initial_epoch_continues_the_count():
    epochs = []
    clf = make_classifier(epochs=4)
    history = clf.fit(*blobs(), initial_epoch=2,
                      callbacks=[LambdaCallback(on_epoch_begin=lambda c, e: epochs.append(e))])
    assert epochs == [3, 4] and len(history.loss) == 2
    with pytest.raises(ValueError, match="initial_epoch=4 leaves no epoch to train"):
        clf.fit(*blobs(), initial_epoch=4)


def test_callbacks_do_not_change_the_numbers():
    plain = make_classifier(seed=3).fit(*blobs(), validation_data=blobs(60, seed=1))
    watched = make_classifier(seed=3).fit(*blobs(), validation_data=blobs(60, seed=1),
                                          callbacks=[Recorder()])
    for name in ("loss", "accuracy", "val_loss", "val_accuracy", "lr"):
        assert plain[name] == watched[name]


@pytest.mark.parametrize("bad, message", [
    ([print], "callbacks must be Callback instances, got builtin_function_or_method"),
    ([Callback, Callback()], "got type"),
])
def test_what_is_not_a_callback_is_refused(bad, message):
    with pytest.raises(TypeError, match=message):
        make_classifier().fit(*blobs(), callbacks=bad)


def test_lambda_callback_refuses_what_it_cannot_call():
    with pytest.raises(TypeError, match="LambdaCallback: on_epoch_end must be callable"):
        LambdaCallback(on_epoch_end=3)
    with pytest.raises(TypeError, match="on_epoch_end must be callable"):
        make_classifier().fit(*blobs(), on_epoch_end="print")
