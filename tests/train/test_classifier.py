"""Classifier: learning, history, determinism, label formats, NaN detection, plots."""

import io
import signal
import sys

import numpy as np
import pytest
from extras import require
from training_runs import blobs, make_classifier

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn import Tensor, manual_seed, nn, optim
from tinygrad_cnn.train import Classifier, History
from tinygrad_cnn.viz import plot_history


def test_fit_learns_and_records_every_epoch():
    x, y = blobs()
    clf = make_classifier()
    history = clf.fit(x, y, validation_data=blobs(90, seed=1))
    assert isinstance(history, History)
    assert all(len(history[k]) == 5 for k in ("loss", "accuracy", "val_loss", "val_accuracy",
                                              "seconds"))
    assert history.loss[-1] < history.loss[0]
    assert clf.score(*blobs(90, seed=2)) > 0.9


def test_same_seed_gives_the_same_run_bit_for_bit():
    x, y = blobs()
    first = make_classifier(seed=3).fit(x, y).loss
    second = make_classifier(seed=3).fit(x, y).loss
    assert first == second
    assert make_classifier(seed=4).fit(x, y).loss != first


def test_one_hot_labels_train_like_integer_labels():
    x, y = blobs()
    by_index = make_classifier(seed=5).fit(x, y).loss
    by_one_hot = make_classifier(seed=5).fit(x, np.eye(3, dtype=np.float32)[y]).loss
    np.testing.assert_allclose(by_one_hot, by_index, rtol=1e-5)


def test_predict_and_predict_proba():
    x, y = blobs()
    clf = make_classifier()
    clf.fit(x, y)
    proba = clf.predict_proba(x[:10])
    assert proba.shape == (10, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(clf.predict(x[:10]), proba.argmax(axis=1))
    assert clf.predict(x[:10]).dtype == np.int64
    assert clf.model.training  # evaluation restores training mode


def test_a_diverging_run_stops_naming_epoch_and_batch():
    x, y = blobs()
    x[37] = np.inf  # lands in some batch of the first epoch
    with pytest.raises(FloatingPointError, match=r"epoch 1, batch \d+; ask the training "
                       r"doctor why: tinygrad_cnn.explain.diagnose\(model, X, y, optimizer\)"):
        make_classifier().fit(x, y)


def test_bad_arguments():
    model = nn.Linear(2, 3)
    opt = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="Classifier: loss must be one of"):
        Classifier(model, opt, loss="hinge")
    with pytest.raises(ValueError, match="Classifier: epochs"):
        Classifier(model, opt, epochs=0)
    with pytest.raises(ValueError, match=r"Classifier.fit: X has 3 samples but y has 2"):
        Classifier(model, opt, verbose=False).fit(np.zeros((3, 2)), np.zeros(2, dtype=int))


def test_plot_history_writes_png_and_svg(tmp_path):
    require("matplotlib", "plot")
    history = History(loss=[1.0, 0.5], accuracy=[0.5, 0.8], val_loss=[1.1, 0.7],
                      val_accuracy=[0.4, 0.7], seconds=[1.0, 1.0])
    png = plot_history(history, tmp_path / "curves.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = plot_history(history.as_dict(), tmp_path / "curves.svg", title="demo")
    assert b"<svg" in svg.read_bytes()[:1000]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["curves.png", "curves.svg"]
    with pytest.raises(ValueError, match="must end in one of"):
        plot_history(history, tmp_path / "curves.txt")
    with pytest.raises(ValueError, match="no epochs"):
        plot_history(History(), tmp_path / "empty.png")


@pytest.mark.parametrize("bad, problem", [(7, "is too large"), (-1, "is negative")])
def test_labels_outside_the_model_output_are_refused_before_any_step(bad, problem):
    x, y = blobs()
    y[100] = bad
    clf = make_classifier()
    before = [p.data.copy() for p in clf.model.parameters()]
    with pytest.raises(ValueError) as info:
        clf.fit(x, y)
    assert str(info.value) == (f"Classifier.fit: label {bad} at position 100 {problem}; labels "
                               "are class indices from 0 to 2 (the model's output has 3 classes)")
    for p, old in zip(clf.model.parameters(), before, strict=True):
        np.testing.assert_array_equal(p.data, old)  # refused before the first step
    assert clf.history.loss == []


def one_by_one_batch_norm():
    """A BatchNorm2d on 1x1 feature maps, as ResNet-18's last stage on 28x28 digits: in
    training mode it refuses a batch of one (one value per channel), as PyTorch's does."""
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.AdaptiveAvgPool2d(1), nn.BatchNorm2d(4),
                         nn.Flatten(), nn.Linear(4, 3))


def test_the_label_check_does_not_depend_on_batch_size_or_mode():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((40, 1, 6, 6)).astype(np.float32), rng.integers(0, 3, 40)
    manual_seed(0)
    model = one_by_one_batch_norm()
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        model(Tensor(x[:1]))  # what the check ran into when it used one image in training mode
    optimizer = optim.SGD(model.parameters(), lr=0.05)
    history = Classifier(model, optimizer, epochs=2, batch_size=8, verbose=False).fit(x, y)
    assert len(history.loss) == 2
    y[5] = 3
    with pytest.raises(ValueError, match="label 3 at position 5 is too large"):
        Classifier(model, optimizer, epochs=1, verbose=False).fit(x, y)


def test_the_model_the_check_passes_trains_in_a_hand_written_loop():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((16, 1, 6, 6)).astype(np.float32), rng.integers(0, 3, 16)
    manual_seed(0)
    model = one_by_one_batch_norm()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(20):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(Tensor(x)), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


class ReadsValues(nn.Module):
    """A forward that reads values: a data-dependent scale (`.item()`) and a `.data` check."""

    def __init__(self):
        super().__init__()
        self.head = nn.Linear(2, 3)
        self.modes = []

    def forward(self, x):
        self.modes.append(self.training)
        scale = 1.0 / max(1.0, float(x.abs().max().item()))
        assert x.data.ndim == 2
        return self.head(x * scale)


@pytest.mark.parametrize("bad", [None, 7])
def test_a_forward_that_reads_values_is_checked_with_one_real_image_in_eval_mode(bad):
    x, y = blobs()
    if bad is not None:
        y[3] = bad
    manual_seed(0)
    model = ReadsValues()
    clf = Classifier(model, optim.SGD(model.parameters(), lr=0.05), epochs=1, batch_size=32,
                     verbose=False)
    if bad is None:
        assert len(clf.fit(x, y).loss) == 1  # refused before: the shape-only run needs values
        assert model.modes[:3] == [False, False, True]  # the shape-only try and one image in
        # eval mode, then training
    else:
        with pytest.raises(ValueError, match=r"label 7 at position 3 is too large; .*\(the "
                                             r"model's output has 3 classes\)"):
            clf.fit(x, y)


@pytest.mark.parametrize("call", ["fit", "evaluate", "score", "predict", "predict_proba"])
def test_zero_samples_are_refused(call):
    clf = make_classifier()
    x, y = np.zeros((0, 2), np.float32), np.zeros(0, np.int64)
    args = (x,) if call.startswith("predict") else (x, y)
    with pytest.raises(ValueError, match=r"Classifier\.\w+: no samples to \w+; X \(0, 2\)"):
        getattr(clf, call)(*args)


# ---- Ctrl-C: the step under way finishes, then KeyboardInterrupt --------------------------


class CtrlCInStep:
    """SGD by hand that gets Ctrl-C (`presses` SIGINTs) between two parameters' updates of
    step `at`, counting every parameter's updates."""

    def __init__(self, params, at, presses=1):
        self.params, self.at, self.presses = list(params), at, presses
        self.steps, self.updates = 0, [0] * len(self.params)

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        self.steps += 1
        for i, p in enumerate(self.params):
            p.data -= 0.01 * p.grad.data
            self.updates[i] += 1
            if self.steps == self.at and i == 0:
                for _ in range(self.presses):
                    signal.raise_signal(signal.SIGINT)


def _interrupted_fit(at, presses=1, epochs=3):
    manual_seed(0)
    model = nn.Linear(2, 3)
    optimizer = CtrlCInStep(model.parameters(), at, presses)
    clf = Classifier(model, optimizer, epochs=epochs, batch_size=32, verbose=False)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(*blobs())  # 240 samples: 8 batches per epoch
    return clf, optimizer


def test_ctrl_c_finishes_the_step_then_stops_with_the_finished_epochs():
    clf, optimizer = _interrupted_fit(at=11)  # epoch 2, batch 3
    assert optimizer.updates == [11, 11]  # the step under way was finished, no further one
    assert len(clf.history.loss) == 1 and len(clf.history.seconds) == 1
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_in_the_last_batch_of_an_epoch_keeps_that_epoch():
    clf, optimizer = _interrupted_fit(at=8)
    assert optimizer.updates == [8, 8] and len(clf.history.loss) == 1


def test_a_second_ctrl_c_stops_at_once():
    _, optimizer = _interrupted_fit(at=3, presses=2)
    assert optimizer.updates == [3, 2]


def test_a_keyboard_interrupt_from_the_loss_leaves_the_finished_batches():
    calls = []

    def loss(logits, target):
        calls.append(1)
        if len(calls) == 12:  # epoch 2, batch 4
            raise KeyboardInterrupt
        return F.cross_entropy(logits, target)

    clf = make_classifier(epochs=3, loss=loss)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(*blobs())
    assert len(clf.history.loss) == 1


def test_on_epoch_end_sees_each_recorded_epoch():
    seen = []
    make_classifier(epochs=3).fit(*blobs(), on_epoch_end=lambda e, h: seen.append((e, len(h.loss))))
    assert seen == [(1, 1), (2, 2), (3, 3)]


@pytest.mark.parametrize("call", ["predict", "predict_proba", "score", "evaluate"])
def test_outputs_that_are_not_finite_are_refused_not_read_as_class_0(call):
    x, y = blobs(n=8)
    clf = make_classifier()
    clf.model[3].bias.data[...] = np.nan  # a broken model: every output NaN
    arguments = (x,) if call.startswith("predict") else (x, y)
    with pytest.raises(ValueError, match=rf"^{call}: the model's outputs are NaN or infinite "
                                         r"for 8 of 8 samples \(the first: sample 0\)$"):
        getattr(clf, call)(*arguments)


def test_the_progress_bar_shows_the_rate_and_the_validation_numbers(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    clf = make_classifier(epochs=1)
    clf.verbose = True
    history = clf.fit(*blobs(), validation_data=blobs(60, seed=1))
    last = screen.getvalue().split("\r")[-1]
    assert "epoch 1/1" in last and "8/8" in last
    assert f"lr={history.lr[0]:.3g}" in last
    assert f"val_loss={history.val_loss[0]:.4f}" in last
    assert f"val_acc={history.val_accuracy[0]:.3f}" in last
