"""TensorBoard: the event files read back with TensorBoard's own reader: per-epoch scalars of
train and validation, the learning rate, histograms of weights and gradients, the graph."""

import numpy as np
import pytest
from extras import require
from training_runs import blobs, make_classifier

require("tensorboardX", "tensorboard")
event_accumulator = require("tensorboard.backend.event_processing.event_accumulator",
                            "tensorboard")

from tinygrad_cnn.train.callbacks import TensorBoard  # noqa: E402


def read(folder):
    events = event_accumulator.EventAccumulator(str(folder), size_guidance={
        event_accumulator.HISTOGRAMS: 0, event_accumulator.SCALARS: 0})
    events.Reload()
    return events


def values(events, tag):
    return [(event.step, event.value) for event in events.Scalars(tag)]


def test_scalars_histograms_and_graph_read_back(tmp_path):
    require("onnx", "onnx")
    board = TensorBoard(tmp_path / "run", histogram_freq=2)
    clf = make_classifier(epochs=4)
    history = clf.fit(*blobs(), validation_split=0.25, callbacks=[board])
    train, validation = read(tmp_path / "run" / "train"), read(tmp_path / "run" / "validation")
    steps = [1, 2, 3, 4]
    for tag, name in (("epoch_loss", "loss"), ("epoch_accuracy", "accuracy"),
                      ("epoch_learning_rate", "lr")):
        assert values(train, tag) == [(s, pytest.approx(v, rel=1e-6))
                                      for s, v in zip(steps, history[name], strict=True)]
    for tag, name in (("epoch_loss", "val_loss"), ("epoch_accuracy", "val_accuracy")):
        assert values(validation, tag) == [(s, pytest.approx(v, rel=1e-6))
                                           for s, v in zip(steps, history[name], strict=True)]
    names = [name for name, _ in clf.model.named_parameters()]
    assert sorted(train.Tags()["histograms"]) == sorted(
        [f"weights/{n}" for n in names] + [f"gradients/{n}" for n in names])
    weights = train.Histograms("weights/0.weight")
    assert [h.step for h in weights] == [2, 4]
    last = clf.model.state_dict()["0.weight"]
    last = np.asarray(getattr(last, "data", last))
    assert weights[-1].histogram_value.num == last.size
    assert weights[-1].histogram_value.min == pytest.approx(last.min(), rel=1e-6)
    assert weights[-1].histogram_value.sum == pytest.approx(last.sum(), rel=1e-4, abs=1e-5)
    ops = [node.op for node in train.Graph().node]
    assert ops.count("Gemm") == 2 and "Relu" in ops


def test_batch_losses_every_n_batches(tmp_path):
    board = TensorBoard(tmp_path, write_graph=False, update_freq=3)
    make_classifier(epochs=2).fit(*blobs(), callbacks=[board])
    assert [s for s, _ in values(read(tmp_path / "train"), "batch_loss")] == [3, 6, 9, 12, 15]
    assert read(tmp_path / "train").Tags()["histograms"] == []


def test_logging_does_not_change_the_run(tmp_path):
    plain = make_classifier(seed=2).fit(*blobs(), validation_split=0.25)
    logged = make_classifier(seed=2).fit(*blobs(), validation_split=0.25,
                                         callbacks=[TensorBoard(tmp_path, histogram_freq=1)])
    assert plain.loss == logged.loss and plain.val_loss == logged.val_loss


def test_a_graph_the_exporter_cannot_write_is_a_warning(tmp_path, monkeypatch):
    import tinygrad_cnn.onnx

    def refuse(*args, **kwargs):
        raise NotImplementedError("onnx.export: no converter for MyOp")

    monkeypatch.setattr(tinygrad_cnn.onnx, "export", refuse)
    with pytest.warns(UserWarning, match=r"TensorBoard: the model's graph is not written "
                      r"\(onnx.export: no converter for MyOp\)"):
        history = make_classifier(epochs=1).fit(*blobs(), callbacks=[TensorBoard(tmp_path)])
    assert len(history.loss) == 1 and values(read(tmp_path / "train"), "epoch_loss")


def test_bad_arguments_and_folders_are_refused(tmp_path):
    with pytest.raises(ValueError, match="update_freq must be 'epoch', 'batch' or a positive"):
        TensorBoard(tmp_path, update_freq="step")
    with pytest.raises(ValueError, match="TensorBoard: histogram_freq"):
        TensorBoard(tmp_path, histogram_freq=-1)
    (tmp_path / "file").write_text("")
    clf = make_classifier()
    with pytest.raises(NotADirectoryError, match=r"TensorBoard: log_dir .*file is a file"):
        clf.fit(*blobs(), callbacks=[TensorBoard(tmp_path / "file")])
    assert clf.history.loss == []


def test_the_run_folder_is_made_with_its_parents(tmp_path):
    make_classifier(epochs=1).fit(*blobs(), callbacks=[TensorBoard(tmp_path / "runs" / "a",
                                                                   write_graph=False)])
    assert sorted(p.name for p in (tmp_path / "runs" / "a").iterdir()) == ["train",
                                                                          "validation"]
