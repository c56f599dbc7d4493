"""Classifier: fit a model with an optimiser, then predict and score, with a per-epoch history."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from tqdm.auto import tqdm

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn import random
from tinygrad_cnn.arguments import non_negative_int, positive_int
from tinygrad_cnn.autograd import ShapeDtype, no_grad
from tinygrad_cnn.autograd.abstract import NeedsValuesError, eval_shape
from tinygrad_cnn.data.dataset import TensorDataset
from tinygrad_cnn.data.labels import check_labels
from tinygrad_cnn.data.loader import DataLoader
from tinygrad_cnn.nn.functional.loss import LossFn, loss_function
from tinygrad_cnn.nn.modes import evaluating
from tinygrad_cnn.tensor import Tensor
from tinygrad_cnn.train.callbacks.base import Callback, CallbackList, LambdaCallback
from tinygrad_cnn.train.history import History
from tinygrad_cnn.train.interrupt import held_interrupts
from tinygrad_cnn.train.validation import split_validation


def _array(data: Any) -> np.ndarray:
    return np.asarray(data.data if isinstance(data, Tensor) else data)


def _check_samples(op: str, X: np.ndarray, y: np.ndarray | None = None) -> None:
    shapes = f"X {X.shape}" + ("" if y is None else f", y {y.shape}")
    if X.ndim == 0 or len(X) == 0:
        raise ValueError(f"Classifier.{op}: no samples to {op.split('_')[0]}; {shapes}")
    if y is not None and (y.ndim == 0 or len(X) != len(y)):
        raise ValueError(f"Classifier.{op}: X has {len(X)} samples but y has "
                         f"{len(y) if y.ndim else 0}; {shapes}")


def _output_shape(model: Any, X: np.ndarray) -> Any:
    """The shape of the model's output for one sample, from a shape-only run in eval mode.

    Eval mode, because the answer must not depend on the batch: in training mode a BatchNorm
    refuses one value per channel, which one sample at a 1x1 feature map is (ResNet-18 on
    28x28 digits), though every batch of two or more trains.
    """
    with evaluating(model):
        return eval_shape(model, ShapeDtype((1, *X.shape[1:]), X.dtype))  # no compute


def _labels(y: np.ndarray) -> np.ndarray:
    """Class indices from integer labels or one-hot / probability rows."""
    return y.argmax(axis=1) if y.ndim == 2 else y


class Classifier:
    """Train a classification model with a separate optimiser, Keras-style.

    Args:
        model: a Module mapping a batch of inputs to logits (N, classes).
        optimizer: an optimiser over the model's parameters.
        loss: "cross_entropy", "mse", or a function (logits, targets) -> scalar Tensor.
        epochs: passes over the training data in `fit`.
        batch_size: samples per optimiser step.
        seed: seeds shuffling and dropout, so the same seed gives the same run bit for bit.
        verbose: show a progress bar per epoch (on a terminal) with the running loss and
            accuracy, the learning rate and, once scored, the validation loss and accuracy.

    Attributes:
        history: the `History` of the epochs trained so far.
        stop_training: set it to True (from a callback) to stop after the epoch under way.
        log_names, input_shape, num_classes, steps_per_epoch, initial_epoch: what `fit`
            knows about the run, set before its callbacks' `on_train_begin`: the keys of an
            epoch's logs, one sample's shape, the model's number of classes (None when
            unknown), the batches per epoch and the epochs already trained.

    Raises:
        TypeError: for epochs or batch_size that is not an int (a bool, a float).
        ValueError: for an unknown loss name, or epochs or batch_size below 1.

    Examples:
        >>> from tinygrad_cnn import models, optim
        >>> from tinygrad_cnn.train import Classifier
        >>> net = models.lenet5()
        >>> clf = Classifier(net, optim.Adam(net.parameters(), lr=1e-3), epochs=1, verbose=False)
    """

    def __init__(
        self,
        model: Any,
        optimizer: Any,
        loss: str | LossFn = "cross_entropy",
        epochs: int = 10,
        batch_size: int = 64,
        seed: int | None = None,
        verbose: bool = True,
    ):
        self.loss_fn = loss_function("Classifier", loss)
        self.epochs = positive_int("Classifier", "epochs", epochs)
        self.batch_size = positive_int("Classifier", "batch_size", batch_size)
        self.model = model
        self.optimizer = optimizer
        self.seed = seed
        self.verbose = verbose
        self.history = History()
        self.stop_training = False

    def fit(
        self,
        X: Any,
        y: Any,
        validation_data: tuple[Any, Any] | None = None,
        validation_split: float = 0.0,
        transform: Callable[[np.ndarray], np.ndarray] | None = None,
        callbacks: Sequence[Callback] | None = None,
        on_epoch_end: Callable[[int, History], None] | None = None,
        initial_epoch: int = 0,
    ) -> History:
        """Train for `epochs` epochs and return the history (also kept as `self.history`).

        Each epoch trains on the shuffled batches, then scores the validation data, records
        the epoch in `history` and calls the callbacks' `on_epoch_end`; a callback may stop
        the run (`classifier.stop_training = True`) after any epoch.

        Ctrl-C stops training cleanly: a step under way is finished (a first Ctrl-C is held
        until then; a second one stops at once), then `KeyboardInterrupt` is raised. The model
        is left as of the last finished batch, and `history` holds the finished epochs.

        Args:
            X: inputs (N, ...), an array or Tensor.
            y: integer labels (N,) or one-hot / probability rows (N, classes).
            validation_data: `(X_val, y_val)` scored after every epoch.
            validation_split: the share of `(X, y)` to hold out and score after every epoch
                instead, from 0 to below 1: a random draw, the same for the same `seed`
                (Keras holds out the last samples).
            transform: applied to every training batch of inputs, e.g. an augmentation from
                `tinygrad_cnn.data.transforms`; never to the validation data.
            callbacks: `train.callbacks.Callback` instances (`EarlyStopping`,
                `ModelCheckpoint`, `LRScheduler`, `CSVLogger`, `TensorBoard`, your own),
                called in order; a Ctrl-C while one runs is held until it returns.
            on_epoch_end: called as `on_epoch_end(epoch, history)` after each epoch is
                recorded (epochs count from 1), after the callbacks; a shorthand for a
                `LambdaCallback`.
            initial_epoch: epochs already trained (Keras's argument, to continue a run): the
                epochs run from `initial_epoch + 1` to `epochs`, and callbacks see those
                numbers.

        Returns:
            The per-epoch loss, accuracy, val_loss, val_accuracy, lr and seconds.

        Raises:
            KeyboardInterrupt: on Ctrl-C, after the step under way.
            TypeError: for a callback that is not a `Callback`, an on_epoch_end that is not
                callable, a validation_split that is not a number.
            ValueError: when X has no samples, X and y have different lengths, an integer
                label is negative or not a class of the model's output (checked with one
                shape-only run of the model before the first step, naming the label and its
                position), validation_split is outside [0, 1) or given with
                validation_data, initial_epoch is not below epochs, or a callback refuses
                the run before it starts (a monitor the logs will not have).
            FloatingPointError: when the loss becomes NaN or infinite, naming epoch and batch
                and pointing to the training doctor (`explain.diagnose`).
        """
        X, y = _array(X), _array(y)
        _check_samples("fit", X, y)
        self.initial_epoch = non_negative_int("Classifier.fit", "initial_epoch", initial_epoch)
        if self.initial_epoch >= self.epochs:
            raise ValueError(f"Classifier.fit: initial_epoch={initial_epoch} leaves no epoch to "
                             f"train (epochs={self.epochs})")
        self.num_classes = self._check_labels(X, y)
        if self.seed is not None:
            random.manual_seed(self.seed)
        (X, y), validation_data = split_validation(X, y, validation_data, validation_split,
                                                   self.seed)
        loader = DataLoader(TensorDataset(X, y), self.batch_size, shuffle=True, seed=self.seed,
                            transform=transform)
        callbacks = CallbackList([*(callbacks or []), *_epoch_function(on_epoch_end)])
        self.stop_training = False
        self.input_shape, self.steps_per_epoch = X.shape[1:], len(loader)
        self.log_names = ("loss", "accuracy", *(("val_loss", "val_accuracy")
                                                if validation_data is not None else ()),
                          "lr", "seconds")
        with held_interrupts() as stop_if_interrupted:
            self._train(loader, validation_data, callbacks, stop_if_interrupted)
        return self.history

    def _train(self, loader: DataLoader, validation_data: tuple[Any, Any] | None,
               callbacks: CallbackList, stop_if_interrupted: Callable[[], None]) -> None:
        callbacks.on_train_begin(self)
        logs: dict[str, float] = {}
        try:
            for epoch in range(self.initial_epoch + 1, self.epochs + 1):
                callbacks.on_epoch_begin(self, epoch)
                logs = self._epoch(loader, epoch, validation_data, callbacks, stop_if_interrupted)
                self.history.append(logs)
                callbacks.on_epoch_end(self, epoch, logs)
                stop_if_interrupted()
                if self.stop_training:
                    break
        finally:
            callbacks.on_train_end(self, logs)

    def _check_labels(self, X: np.ndarray, y: np.ndarray) -> int | None:
        """Integer labels must be classes of the model's output, checked before the first step.

        Returns:
            The model's number of classes (its output's last size), None when not known.
        """
        if y.ndim != 1 or y.dtype.kind not in "iu":  # one-hot rows, or targets of another loss
            return y.shape[1] if y.ndim == 2 else None
        try:
            out = _output_shape(self.model, X)
        except (NotImplementedError, NeedsValuesError):
            # an op of the user's without a shape rule, or a forward that reads values (.item(),
            # .data): run one image, in eval mode, without gradients
            out = self._logits(X[:1]).shape
        if not isinstance(out, tuple) or not out or not all(isinstance(n, int) for n in out):
            return None  # not one tensor of logits: the loss will say what is wrong
        classes = out[-1]
        try:
            check_labels(y, "Classifier.fit", classes)
        except ValueError as error:
            raise ValueError(f"{error} (the model's output has {classes} classes)") from None
        return classes

    def _epoch(self, loader: DataLoader, epoch: int, validation_data: tuple[Any, Any] | None,
               callbacks: CallbackList, stop_if_interrupted: Callable[[], None]
               ) -> dict[str, float]:
        """Train one epoch and score it: the epoch's logs."""
        start = time.perf_counter()
        # disable=None: no bar when output is not a terminal (logs, CI), where it would flood.
        # A with-block: an interrupted epoch closes its bar, so messages start on a new line.
        # Updated by hand, not wrapped around the loader: a wrapped bar closes when the loader
        # ends, before the validation numbers can join it.
        with tqdm(total=len(loader), desc=f"epoch {epoch}/{self.epochs}",
                  disable=None if self.verbose else True, leave=True, unit="batch") as bar:
            loss, accuracy, lr = self._batches(loader, bar, epoch, callbacks,
                                               stop_if_interrupted)
            logs = {"loss": loss, "accuracy": accuracy}
            if validation_data is not None:
                logs["val_loss"], logs["val_accuracy"] = self.evaluate(*validation_data)
            logs["lr"] = lr
            bar.set_postfix(_postfix(logs), refresh=True)
        logs["seconds"] = time.perf_counter() - start
        return logs

    def _batches(self, loader: DataLoader, bar: Any, epoch: int, callbacks: CallbackList,
                 stop_if_interrupted: Callable[[], None]) -> tuple[float, float, float]:
        """Train on each batch: the epoch's mean loss, its accuracy and its last step's rate."""
        self.model.train()
        total_loss, correct, seen, lr = 0.0, 0, 0, math.nan
        for batch, (xb, yb) in enumerate(loader, start=1):
            stop_if_interrupted()  # before the batch: a Ctrl-C held in the last one stops here
            self.optimizer.zero_grad()
            logits = self.model(xb)
            loss = self.loss_fn(logits, yb.data)
            value = float(loss.item())
            if not math.isfinite(value):
                raise FloatingPointError(
                    f"Classifier.fit: the loss became {value} at epoch {epoch}, batch {batch}; "
                    "ask the training doctor why: tinygrad_cnn.explain.diagnose(model, X, "
                    "y, optimizer) or the command tinygrad-cnn doctor (detect_anomaly() "
                    "finds the op that made it)"
                )
            loss.backward()
            lr = self._lr()  # the rate this step uses: a per-batch schedule moves it after
            self.optimizer.step()
            n = len(yb.data)
            right = int((logits.data.argmax(axis=1) == _labels(yb.data)).sum())
            total_loss, correct, seen = total_loss + value * n, correct + right, seen + n
            if callbacks.wants_batches:
                callbacks.on_batch_end(self, epoch, batch, {"loss": value, "accuracy": right / n,
                                                            "lr": lr, "size": n})
            if not bar.disable:
                bar.set_postfix(_postfix({"loss": total_loss / seen, "accuracy": correct / seen,
                                          "lr": lr}), refresh=False)
                bar.update()
        return total_loss / seen, correct / seen, lr

    def _lr(self) -> float:
        """The first param group's learning rate (NaN for an optimiser without groups)."""
        groups = getattr(self.optimizer, "param_groups", None)
        return float(groups[0]["lr"]) if groups else math.nan

    def _logits(self, X: Any, batch_size: int | None = None, op: str = "predict") -> np.ndarray:
        X = _array(X)
        _check_samples(op, X)
        size = max(self.batch_size, 256) if batch_size is None else positive_int(
            f"Classifier.{op}", "batch_size", batch_size)
        was_training = getattr(self.model, "training", False)
        self.model.eval()
        try:
            with no_grad():
                chunks = [self.model(xb).data for (xb,) in DataLoader(TensorDataset(X), size)]
        finally:
            self.model.train(was_training)
        logits = np.concatenate(chunks)
        broken = ~np.isfinite(logits).reshape(len(logits), -1).all(axis=1)
        if broken.any():  # the argmax of NaN logits is a class: every answer would be made up
            raise ValueError(f"{op}: the model's outputs are NaN or infinite for "
                             f"{broken.sum()} of {len(logits)} samples (the first: sample "
                             f"{np.argmax(broken)})")
        return logits

    def predict_proba(self, X: Any, batch_size: int | None = None) -> np.ndarray:
        """Class probabilities (N, classes): the softmax of the model's logits.

        Raises:
            ValueError: when X has no samples or the model's outputs for some are NaN or
                infinite (as `predict`, `evaluate` and `score`), or a batch_size below 1 (a
                TypeError when it is not an int, as `predict`).
        """
        logits = self._logits(X, batch_size, "predict_proba")
        return F.softmax(Tensor(logits), dim=1).data

    def predict(self, X: Any, batch_size: int | None = None) -> np.ndarray:
        """The most probable class of each sample (N,), as int64."""
        return self._logits(X, batch_size).argmax(axis=1).astype(np.int64)

    def evaluate(self, X: Any, y: Any) -> tuple[float, float]:
        """The mean loss and the accuracy on (X, y), in evaluation mode."""
        return self._evaluate(X, y, "evaluate")

    def score(self, X: Any, y: Any) -> float:
        """The accuracy on (X, y): the fraction of samples whose predicted class is right."""
        return self._evaluate(X, y, "score")[1]

    def _evaluate(self, X: Any, y: Any, op: str) -> tuple[float, float]:
        X, y = _array(X), _array(y)
        _check_samples(op, X, y)
        logits = self._logits(X, op=op)
        with no_grad():
            loss = float(self.loss_fn(Tensor(logits), y).item())
        return loss, float((logits.argmax(axis=1) == _labels(y)).mean())


def _postfix(logs: dict[str, float]) -> dict[str, str]:
    """The progress bar's numbers: loss, acc, lr and, once scored, val_loss and val_acc."""
    shown = {"loss": f"{logs['loss']:.4f}", "acc": f"{logs['accuracy']:.3f}",
             "lr": f"{logs['lr']:.3g}"}
    if "val_loss" in logs:
        shown.update(val_loss=f"{logs['val_loss']:.4f}", val_acc=f"{logs['val_accuracy']:.3f}")
    return shown


def _epoch_function(on_epoch_end: Callable[[int, History], None] | None) -> list[Callback]:
    """`fit`'s on_epoch_end as a callback (none when not given)."""
    if on_epoch_end is None:
        return []
    if not callable(on_epoch_end):
        raise TypeError(f"Classifier.fit: on_epoch_end must be callable, got {on_epoch_end!r}")
    return [LambdaCallback(on_epoch_end=lambda clf, epoch, logs: on_epoch_end(epoch, clf.history))]
