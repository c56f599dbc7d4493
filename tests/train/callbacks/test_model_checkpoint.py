"""ModelCheckpoint: files each epoch or at the best ones, Keras's name fields, atomic writes,
and training checkpoints that the command line evaluates."""

import subprocess
import sys

import numpy as np
import pytest
from checkout import checkout_env
from scripted import Scripted
from training_runs import blobs, make_classifier

from tinygrad_cnn import load, manual_seed, models, optim
from tinygrad_cnn.data import load_mnist
from tinygrad_cnn.train import Classifier
from tinygrad_cnn.train.callbacks import ModelCheckpoint
from tinygrad_cnn.train.callbacks.early_stopping import copy_weights
from tinygrad_cnn.train.checkpoint import load_checkpoint


def test_every_epoch_gets_a_file_named_from_its_logs(tmp_path):
    save = ModelCheckpoint(tmp_path / "w-{epoch:02d}-{val_loss:.1f}.npz", save_weights_only=True)
    make_classifier(epochs=3).fit(*blobs(), validation_split=0.25,
                                  callbacks=[Scripted("val_loss", [0.9, 0.5, 0.7]), save])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "w-01-0.9.npz", "w-02-0.5.npz", "w-03-0.7.npz"]
    assert save.last_saved == str(tmp_path / "w-03-0.7.npz")


def test_save_best_only_writes_at_improvements_and_keeps_those_weights(tmp_path):
    weights = {}

    class Keep(Scripted):
        def on_epoch_end(self, classifier, epoch, logs):
            super().on_epoch_end(classifier, epoch, logs)
            weights[epoch] = copy_weights(classifier.model)

    written = []
    save = ModelCheckpoint(tmp_path / "best.npz", save_best_only=True, save_weights_only=True)
    original = save.on_epoch_end

    def spy(classifier, epoch, logs):
        original(classifier, epoch, logs)
        if save.saved_epoch == epoch:
            written.append(epoch)

    save.on_epoch_end = spy
    make_classifier(epochs=5).fit(*blobs(), validation_split=0.25,
                                  callbacks=[Keep("val_loss", [0.9, 0.5, 0.7, 0.4, 0.6]), save])
    assert written == [1, 2, 4] and save.saved_epoch == 4
    saved = load(tmp_path / "best.npz")
    for name, value in weights[4].items():
        np.testing.assert_array_equal(saved[name], value)
    assert [p.name for p in tmp_path.iterdir()] == ["best.npz"]  # no temporary file left


def test_initial_value_threshold_must_be_beaten_first(tmp_path):
    save = ModelCheckpoint(tmp_path / "best.npz", save_best_only=True, save_weights_only=True,
                           initial_value_threshold=0.45)
    make_classifier(epochs=3).fit(*blobs(), validation_split=0.25,
                                  callbacks=[Scripted("val_loss", [0.9, 0.5, 0.4]), save])
    assert save.saved_epoch == 3


def test_a_training_checkpoint_resumes_and_the_command_line_evaluates_it(tmp_path):
    manual_seed(0)
    (x, y), _ = load_mnist()
    net = models.lenet5()
    opt = optim.Adam(net.parameters(), lr=1e-3)
    save = ModelCheckpoint(tmp_path / "lenet5.npz", monitor="val_accuracy", save_best_only=True,
                           model_name="lenet5")
    clf = Classifier(net, opt, epochs=2, batch_size=64, seed=0, verbose=False)
    history = clf.fit(x[:512], y[:512], validation_split=0.25, callbacks=[save])
    state = load_checkpoint(tmp_path / "lenet5.npz")
    assert state["model_name"] == "lenet5" and state["num_classes"] == 10
    assert state["epoch"] == save.saved_epoch == 1 + int(np.argmax(history.val_accuracy))
    assert state["optimizer"]["state"]  # Adam's moments travel with it
    result = subprocess.run([sys.executable, "-m", "tinygrad_cnn", "evaluate", "lenet5.npz"],
                            cwd=tmp_path, env=checkout_env(), capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert f"lenet5 (epoch {save.saved_epoch}): test loss" in result.stdout


def test_a_failed_save_leaves_the_previous_file_whole(tmp_path, monkeypatch):
    save = ModelCheckpoint(tmp_path / "w.npz", save_weights_only=True)
    clf = make_classifier(epochs=2)
    clf.fit(*blobs(), callbacks=[save])
    before = (tmp_path / "w.npz").read_bytes()

    def write_half(member, array, **kwargs):
        member.write(b"half an array")
        raise OSError("disk full")

    monkeypatch.setattr(np.lib.format, "write_array", write_half)
    with pytest.raises(OSError, match="disk full"):
        clf.fit(*blobs(), callbacks=[save])
    assert (tmp_path / "w.npz").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["w.npz"]


@pytest.mark.parametrize("kwargs, message", [
    ({}, "ModelCheckpoint: a training checkpoint records the model's name"),
    ({"model_name": "lenet5", "filepath": "x.safetensors"}, "a training checkpoint is a .npz"),
])
def test_a_training_checkpoint_needs_a_name_and_npz(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ModelCheckpoint(**{"filepath": "x.npz", **kwargs})


def test_problems_are_found_before_the_first_step(tmp_path):
    clf = make_classifier()
    with pytest.raises(FileNotFoundError, match="ModelCheckpoint: cannot write"):
        clf.fit(*blobs(), callbacks=[ModelCheckpoint(tmp_path / "no" / "w.npz",
                                                     save_weights_only=True)])
    with pytest.raises(ValueError, match=r"filepath '.*\{val_loss\}.npz' has a field"):
        clf.fit(*blobs(), callbacks=[ModelCheckpoint(str(tmp_path / "{val_loss}.npz"),
                                                     save_weights_only=True)])
    with pytest.raises(ValueError, match="ModelCheckpoint: monitor='val_loss' is not logged"):
        clf.fit(*blobs(), callbacks=[ModelCheckpoint(tmp_path / "w.npz", save_best_only=True,
                                                     save_weights_only=True)])
    assert clf.history.loss == [] and list(tmp_path.iterdir()) == []
