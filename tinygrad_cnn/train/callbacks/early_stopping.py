"""EarlyStopping: stop training once a watched number has stopped improving (Keras's rules)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_cnn.arguments import non_negative_int
from tinygrad_cnn.tensor import Tensor
from tinygrad_cnn.train.callbacks.base import Callback, Logs
from tinygrad_cnn.train.callbacks.monitor import Monitor

if TYPE_CHECKING:
    from tinygrad_cnn.train.classifier import Classifier


def copy_weights(model: Any) -> dict[str, np.ndarray]:
    """A copy of the model's state dict (parameters and buffers) that later steps cannot touch."""
    return {name: np.array(value.data if isinstance(value, Tensor) else value, copy=True)
            for name, value in model.state_dict().items()}


class EarlyStopping(Callback):
    """Stop training when the monitored value has not improved for `patience` epochs.

    Keras's rules, epoch for epoch: each epoch without an improvement (better than the best
    so far by more than `min_delta`) adds one to a count that an improvement resets; once the
    count reaches `patience`, training stops after that epoch. So with a model that cannot
    improve, `patience=2` stops after 3 epochs: the first sets the best value, the next two
    fail to beat it.

    Args:
        monitor: the entry of the epoch logs to watch ("val_loss", "val_accuracy", "loss",
            "accuracy").
        min_delta: the smallest change that counts as an improvement.
        patience: epochs without improvement before stopping.
        verbose: print a line when stopping (and restoring).
        mode: "min", "max", or "auto" (max for names with "acc", else min).
        baseline: a value to reach: while the monitored value has not beaten it, the count of
            epochs without improvement is not reset.
        restore_best_weights: when stopping, put back the weights (and buffers) of the best
            epoch; otherwise the model keeps those of the last one.
        start_from_epoch: epochs to let pass before watching (a warm-up).

    Attributes:
        stopped_epoch: the epoch after which training stopped (0 when it did not).
        best_epoch: the epoch of the best value.
        wait: epochs since the last improvement.

    Raises:
        TypeError: for a patience or start_from_epoch that is not an int.
        ValueError: for a negative patience, start_from_epoch or min_delta, an unknown mode;
            at the start of `fit`, for a monitor the logs will not have.

    Examples:
        >>> stop = EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0,
                 verbose: int = 0, mode: str = "auto", baseline: float | None = None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0):
        self.monitor = Monitor("EarlyStopping", monitor, mode, min_delta)
        self.patience = non_negative_int("EarlyStopping", "patience", patience)
        self.start_from_epoch = non_negative_int("EarlyStopping", "start_from_epoch",
                                                 start_from_epoch)
        self.verbose, self.baseline = verbose, baseline
        self.restore_best_weights = restore_best_weights
        self._reset()

    def _reset(self) -> None:
        self.monitor.reset()
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best_weights: dict[str, np.ndarray] | None = None

    def on_train_begin(self, classifier: Classifier) -> None:
        """Check the monitor against the logs `fit` will write, and start counting afresh."""
        self.monitor.check(classifier.log_names)
        self._reset()

    def on_epoch_end(self, classifier: Classifier, epoch: int, logs: Logs) -> None:
        """Count the epoch as an improvement or not; stop the run once patience runs out."""
        if epoch <= self.start_from_epoch:
            return
        current = self.monitor.value(logs)
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = copy_weights(classifier.model), epoch
        self.wait += 1
        if self.monitor.improves(current):
            self.monitor.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = copy_weights(classifier.model)
            if self.baseline is None or self.monitor.improves(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 1:
            self.stopped_epoch = epoch
            classifier.stop_training = True
            if self.verbose:
                print(f"epoch {epoch}: early stopping, {self.monitor.name} has not improved "
                      f"on {self.monitor.best:.4g} (epoch {self.best_epoch}) for {self.wait} "
                      "epochs")
            if self.restore_best_weights and self.best_weights is not None:
                classifier.model.load_state_dict(self.best_weights)
                if self.verbose:
                    print(f"restored the weights of epoch {self.best_epoch}")
