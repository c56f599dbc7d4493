"""TensorBoard: per-epoch scalars, weight and gradient histograms and the model's graph, as
event files that `tensorboard --logdir` shows while training runs."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_cnn.arguments import is_int, non_negative_int
from tinygrad_cnn.train.callbacks.base import Callback, Logs

if TYPE_CHECKING:
    from tinygrad_cnn.train.classifier import Classifier

# Keras's tags: train and validation are two runs with the same tags, so TensorBoard draws
# each number's two curves on one chart.
SCALARS = {"loss": "epoch_loss", "accuracy": "epoch_accuracy", "lr": "epoch_learning_rate"}


def _writer_class() -> Any:
    try:
        from tensorboardX import SummaryWriter
    except ImportError:
        raise ImportError('TensorBoard needs tensorboardX: pip install "tinygrad_cnn[tensorboard]"'
                          ) from None
    return SummaryWriter


class TensorBoard(Callback):
    """Log a run for TensorBoard (Keras's `TensorBoard` callback): ``tensorboard --logdir
    LOG_DIR`` shows it, live, at http://localhost:6006.

    Written under `log_dir`, as Keras lays it out: `train/` holds `epoch_loss`,
    `epoch_accuracy` and `epoch_learning_rate` per epoch, and `validation/` the same loss and
    accuracy from the validation data, so each chart shows both curves; every `histogram_freq`
    epochs, a histogram of each parameter (`weights/features.0.weight`) and of its gradient in
    the epoch's last batch (`gradients/features.0.weight`); with `write_graph`, the model's
    graph, exported through `tinygrad_cnn.onnx` (TensorBoard's Graphs tab reads it; a model the
    exporter cannot convert is trained all the same, with a warning). The event files are
    written by tensorboardX (optional extra `tensorboard`, which also installs TensorBoard).

    Args:
        log_dir: the run's folder, created with its parents if needed (as Keras and
            PyTorch's SummaryWriter do: `runs/<name>` is the custom), so runs side by side
            share a parent that `tensorboard --logdir` shows together.
        histogram_freq: write the histograms every this many epochs; 0 for never.
        write_graph: write the model's graph (needs the `onnx` package, in the same extra).
        update_freq: "epoch", or "batch" / an int N to also log `batch_loss` every N batches.

    Raises:
        ImportError: when tensorboardX is not installed.
        TypeError: for a histogram_freq that is not an int.
        ValueError: for a negative histogram_freq or an unknown update_freq.
        OSError: at the start of `fit`, when `log_dir` is a file.

    Examples:
        >>> board = TensorBoard("runs/lenet5", histogram_freq=1)  # doctest: +SKIP
    """

    def __init__(self, log_dir: str | os.PathLike[str] = "logs", histogram_freq: int = 0,
                 write_graph: bool = True, update_freq: str | int = "epoch"):
        self._SummaryWriter = _writer_class()
        self.log_dir = Path(log_dir)
        self.histogram_freq = non_negative_int("TensorBoard", "histogram_freq", histogram_freq)
        self.write_graph = write_graph
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch" and not (is_int(update_freq) and update_freq >= 1):
            raise ValueError(f"TensorBoard: update_freq must be 'epoch', 'batch' or a positive "
                             f"int, got {update_freq!r}")
        self.update_freq = update_freq
        self._writers: dict[str, Any] = {}
        self._batches = 0

    def on_train_begin(self, classifier: Classifier) -> None:
        """Open the event files and write the graph."""
        if self.log_dir.exists() and not self.log_dir.is_dir():
            raise NotADirectoryError(f"TensorBoard: log_dir {self.log_dir} is a file; name a "
                                     "folder for the run")
        self._writers = {run: self._SummaryWriter(logdir=str(self.log_dir / run))
                         for run in ("train", "validation")}
        self._batches = 0
        if self.write_graph:
            self._graph(classifier)

    def _graph(self, classifier: Classifier) -> None:
        try:
            from tinygrad_cnn import onnx
            example = np.zeros((1, *classifier.input_shape), dtype=np.float32)
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "model.onnx"
                onnx.export(classifier.model, example, path, check=False)
                # tensorboardX prints every node's name while converting
                with contextlib.redirect_stdout(io.StringIO()):
                    self._writers["train"].add_onnx_graph(str(path))
        except (ImportError, NotImplementedError, ValueError) as error:
            warnings.warn(f"TensorBoard: the model's graph is not written ({error})",
                          stacklevel=2)

    def on_batch_end(self, classifier: Classifier, epoch: int, batch: int, logs: Logs) -> None:
        """Log the batch's loss every `update_freq` batches."""
        self._batches += 1
        if self.update_freq != "epoch" and self._batches % self.update_freq == 0:
            self._writers["train"].add_scalar("batch_loss", logs["loss"], self._batches)

    def on_epoch_end(self, classifier: Classifier, epoch: int, logs: Logs) -> None:
        """Log the epoch's scalars and, every `histogram_freq` epochs, the histograms."""
        train, validation = self._writers["train"], self._writers["validation"]
        for name, tag in SCALARS.items():
            if name in logs:
                train.add_scalar(tag, logs[name], epoch)
            if f"val_{name}" in logs:
                validation.add_scalar(tag, logs[f"val_{name}"], epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            for name, parameter in classifier.model.named_parameters():
                train.add_histogram(f"weights/{name}", parameter.data, epoch)
                if parameter.grad is not None:
                    train.add_histogram(f"gradients/{name}", parameter.grad.data, epoch)
        for writer in (train, validation):
            writer.flush()  # TensorBoard shows the epoch while the next one trains

    def on_train_end(self, classifier: Classifier, logs: Logs) -> None:
        """Close the event files."""
        for writer in self._writers.values():
            writer.close()
        self._writers = {}
