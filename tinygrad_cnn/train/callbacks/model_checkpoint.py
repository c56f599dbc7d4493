"""ModelCheckpoint: write the model after each epoch, or only after its best ones, atomically."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from tinygrad_cnn.files import check_output
from tinygrad_cnn.serialization import save
from tinygrad_cnn.train.callbacks.base import Callback, Logs
from tinygrad_cnn.train.callbacks.monitor import Monitor
from tinygrad_cnn.train.checkpoint import save_checkpoint

if TYPE_CHECKING:
    from tinygrad_cnn.train.classifier import Classifier


class ModelCheckpoint(Callback):
    """Save the model at the end of every epoch, or only when the monitored value improves.

    By default each file is a training checkpoint (`train.checkpoint`: the model's name, its
    weights, the optimiser state and the epoch, a `.npz` file), so ``tinygrad-cnn evaluate``,
    ``export`` and ``train --resume`` take it; it needs the model's name (`model_name`) to
    rebuild the model. With `save_weights_only`, the file is the model's state dict alone,
    written by `tinygrad_cnn.save` (`.npz` or `.safetensors`). Every file is written
    atomically (a temporary file, then a rename), so a crash or Ctrl-C during a save leaves the
    previous file whole.

    `filepath` may hold Keras's fields, filled from the epoch (counted from 1) and its logs:
    ``"lenet5-{epoch:02d}-{val_loss:.3f}.npz"`` gives one file per epoch.

    Args:
        filepath: where to write, in an existing folder.
        monitor: the entry of the epoch logs that decides the best epoch.
        verbose: print a line when a file is written.
        save_best_only: write only when the monitored value improves on the best so far.
        save_weights_only: write the state dict alone rather than a training checkpoint.
        mode: "min", "max", or "auto" (max for names with "acc", else min).
        initial_value_threshold: with save_best_only, the value the first save must beat.
        model_name: the model's name for `models.build_model` (a built-in name such as
            "lenet5" or your "package.module:factory"); needed for a training checkpoint.

    Attributes:
        saved_epoch: the epoch of the last file written (0 before any); under
            save_best_only, the best epoch.
        last_saved: the path of the last file written (None before any).

    Raises:
        ValueError: for a training checkpoint without a model_name or not ending in .npz, a
            filepath whose fields the logs cannot fill, an unknown mode; at the start of
            `fit`, for a monitor the logs will not have (with save_best_only).
        OSError: at the start of `fit`, when the folder of `filepath` does not exist.

    Examples:
        >>> keep_best = ModelCheckpoint("best.npz", save_best_only=True, model_name="lenet5")
    """

    def __init__(self, filepath: str | os.PathLike[str], monitor: str = "val_loss",
                 verbose: int = 0, save_best_only: bool = False, save_weights_only: bool = False,
                 mode: str = "auto", initial_value_threshold: float | None = None,
                 model_name: str | None = None):
        self.filepath = os.fspath(filepath)
        self.monitor = Monitor("ModelCheckpoint", monitor, mode)
        self.verbose, self.save_best_only = verbose, save_best_only
        self.save_weights_only, self.model_name = save_weights_only, model_name
        self.initial_value_threshold = initial_value_threshold
        if not save_weights_only:
            if not model_name:
                raise ValueError("ModelCheckpoint: a training checkpoint records the model's "
                                 "name, so that evaluate and --resume can rebuild it; pass "
                                 "model_name= (e.g. 'lenet5' or 'package.module:factory'), or "
                                 "save_weights_only=True for the weights alone")
            if Path(self.filepath).suffix.lower() != ".npz":
                raise ValueError(f"ModelCheckpoint: a training checkpoint is a .npz file, got "
                                 f"{self.filepath}; save_weights_only=True writes .safetensors")
        self.saved_epoch, self.last_saved = 0, None

    def on_train_begin(self, classifier: Classifier) -> None:
        """Check, before any work, the monitor, the fields of filepath and its folder."""
        if self.save_best_only:
            self.monitor.check(classifier.log_names)
        check_output(self._path(1, dict.fromkeys(classifier.log_names, 0.0)), "ModelCheckpoint")
        if not self.save_weights_only and classifier.num_classes is None:
            raise ValueError("ModelCheckpoint: a training checkpoint records the number of "
                             "classes, but the model's output size is not known (labels that "
                             "are not class indices); use save_weights_only=True")
        self.monitor.reset()
        self.monitor.best = self.initial_value_threshold
        self.saved_epoch, self.last_saved = 0, None

    def on_epoch_end(self, classifier: Classifier, epoch: int, logs: Logs) -> None:
        """Write the epoch's model: always, or when the monitored value improved."""
        if self.save_best_only:
            current = self.monitor.value(logs)
            if not self.monitor.improves(current):
                return
            self.monitor.best = current
        path = self._path(epoch, logs)
        if self.save_weights_only:
            save(classifier.model.state_dict(), path)
        else:
            shape = classifier.input_shape
            images = len(shape) == 3  # (C, H, W): its channels, and the side of square images
            save_checkpoint(path, self.model_name, classifier.model, classifier.optimizer, epoch,
                            classifier.num_classes, shape[0] if images else None,
                            shape[1] if images and shape[1] == shape[2] else None)
        self.saved_epoch, self.last_saved = epoch, path
        if self.verbose:
            print(f"epoch {epoch}: saved {path}")

    def _path(self, epoch: int, logs: Logs) -> str:
        try:
            return self.filepath.format(epoch=epoch, **logs)
        except (KeyError, IndexError, ValueError) as error:
            raise ValueError(f"ModelCheckpoint: filepath {self.filepath!r} has a field the "
                             f"epoch and its logs ({', '.join(logs)}) cannot fill: "
                             f"{error}") from None
