"""Classifier: fit a model with an optimiser, then predict and score, with a per-epoch history."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tqdm.auto import tqdm

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn import random
from tinygrad_cnn.arguments import positive_int
from tinygrad_cnn.autograd import ShapeDtype, no_grad
from tinygrad_cnn.autograd.abstract import NeedsValuesError, eval_shape
from tinygrad_cnn.data.labels import check_labels
from tinygrad_cnn.data.loader import DataLoader
from tinygrad_cnn.nn.functional.loss import LossFn, loss_function
from tinygrad_cnn.tensor import Tensor
from tinygrad_cnn.train.interrupt import held_interrupts


@dataclass
class History:
    """Per-epoch training record; `history["loss"]` works as well as `history.loss`."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def __getitem__(self, key: str) -> list[float]:
        return getattr(self, key)

    def as_dict(self) -> dict[str, list[float]]:
        """The record as a plain dict of lists."""
        return {name: list(getattr(self, name)) for name in self.__dataclass_fields__}


def _array(data: Any) -> np.ndarray:
    return np.asarray(data.data if isinstance(data, Tensor) else data)


def _check_samples(op: str, X: np.ndarray, y: np.ndarray | None = None) -> None:
    shapes = f"X {X.shape}" + ("" if y is None else f", y {y.shape}")
    if X.ndim == 0 or len(X) == 0:
        raise ValueError(f"Classifier.{op}: no samples to {op.split('_')[0]}; {shapes}")
    if y is not None and (y.ndim == 0 or len(X) != len(y)):
        raise ValueError(f"Classifier.{op}: X has {len(X)} samples but y has "
                         f"{len(y) if y.ndim else 0}; {shapes}")


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
        verbose: show a progress bar per epoch with the running loss (on a terminal).

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

    def fit(
        self,
        X: Any,
        y: Any,
        validation_data: tuple[Any, Any] | None = None,
        transform: Callable[[np.ndarray], np.ndarray] | None = None,
        on_epoch_end: Callable[[int, History], None] | None = None,
    ) -> History:
        """Train for `epochs` epochs and return the history (also kept as `self.history`).

        Ctrl-C stops training cleanly: a step under way is finished (a first Ctrl-C is held
        until then; a second one stops at once), then `KeyboardInterrupt` is raised. The model
        is left as of the last finished batch, and `history` holds the finished epochs.

        Args:
            X: inputs (N, ...), an array or Tensor.
            y: integer labels (N,) or one-hot / probability rows (N, classes).
            validation_data: `(X_val, y_val)` scored after every epoch.
            transform: applied to every training batch of inputs, e.g. an augmentation from
                `tinygrad_cnn.data.transforms`; never to the validation data.
            on_epoch_end: called as `on_epoch_end(epoch, history)` after each epoch is
                recorded (epochs count from 1), e.g. to save a checkpoint; a Ctrl-C while it
                runs is held until it returns.

        Returns:
            The per-epoch loss, accuracy, val_loss, val_accuracy and seconds.

        Raises:
            KeyboardInterrupt: on Ctrl-C, after the step under way.
            ValueError: when X has no samples, X and y have different lengths, or an integer
                label is negative or not a class of the model's output (checked with one
                shape-only run of the model before the first step), naming the label and its
                position.
            FloatingPointError: when the loss becomes NaN or infinite, naming epoch and batch
                and pointing to the training doctor (`explain.diagnose`).
        """
        X, y = _array(X), _array(y)
        _check_samples("fit", X, y)
        self._check_labels(X, y)
        if self.seed is not None:
            random.manual_seed(self.seed)
        loader = DataLoader(X, y, self.batch_size, shuffle=True, seed=self.seed,
                            transform=transform)
        with held_interrupts() as stop_if_interrupted:
            for epoch in range(1, self.epochs + 1):
                start = time.perf_counter()
                loss, accuracy = self._train_epoch(loader, epoch, stop_if_interrupted)
                self.history.loss.append(loss)
                self.history.accuracy.append(accuracy)
                if validation_data is not None:
                    val_loss, val_accuracy = self.evaluate(*validation_data)
                    self.history.val_loss.append(val_loss)
                    self.history.val_accuracy.append(val_accuracy)
                self.history.seconds.append(time.perf_counter() - start)
                if on_epoch_end is not None:
                    on_epoch_end(epoch, self.history)
                stop_if_interrupted()
        return self.history

    def _check_labels(self, X: np.ndarray, y: np.ndarray) -> None:
        """Integer labels must be classes of the model's output, checked before the first step."""
        if y.ndim != 1 or y.dtype.kind not in "iu":
            return  # one-hot rows, or targets of a loss other than cross-entropy
        try:
            out = eval_shape(self.model, ShapeDtype((1, *X.shape[1:]), X.dtype))  # no compute
        except (NotImplementedError, NeedsValuesError):
            # an op of the user's without a shape rule, or a forward that reads values (.item(),
            # .data): run one image, in eval mode, without gradients
            out = self._logits(X[:1]).shape
        if not isinstance(out, tuple) or not out or not all(isinstance(n, int) for n in out):
            return  # not one tensor of logits: the loss will say what is wrong
        classes = out[-1]
        try:
            check_labels(y, "Classifier.fit", classes)
        except ValueError as error:
            raise ValueError(f"{error} (the model's output has {classes} classes)") from None

    def _train_epoch(
        self, loader: DataLoader, epoch: int, stop_if_interrupted: Callable[[], None]
    ) -> tuple[float, float]:
        self.model.train()
        total_loss, correct, seen = 0.0, 0, 0
        # disable=None: no bar when output is not a terminal (logs, CI), where it would flood.
        # A with-block: an interrupted epoch closes its bar, so messages start on a new line.
        with tqdm(loader, desc=f"epoch {epoch}/{self.epochs}",
                  disable=None if self.verbose else True, leave=True, unit="batch") as bar:
            for batch, (xb, yb) in enumerate(bar, start=1):
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
                self.optimizer.step()
                n = len(yb.data)
                total_loss += value * n
                correct += int((logits.data.argmax(axis=1) == _labels(yb.data)).sum())
                seen += n
                bar.set_postfix(loss=f"{total_loss / seen:.4f}", acc=f"{correct / seen:.3f}",
                                refresh=False)
        return total_loss / seen, correct / seen

    def _logits(self, X: Any, batch_size: int | None = None, op: str = "predict") -> np.ndarray:
        X = _array(X)
        _check_samples(op, X)
        size = max(self.batch_size, 256) if batch_size is None else positive_int(
            f"Classifier.{op}", "batch_size", batch_size)
        was_training = getattr(self.model, "training", False)
        self.model.eval()
        try:
            with no_grad():
                chunks = [self.model(Tensor(X[i : i + size])).data for i in range(0, len(X), size)]
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
