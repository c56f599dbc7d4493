"""Callback, the five hooks `Classifier.fit` calls, and LambdaCallback for plain functions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tinygrad_cnn.train.classifier import Classifier

Logs = Mapping[str, float]


class Callback:
    """Base class of what `Classifier.fit(..., callbacks=[...])` calls as it trains.

    Override the hooks you need; each gets the `Classifier` first, so it can reach
    `classifier.model`, `classifier.optimizer` and `classifier.history`, and stop the run
    with ``classifier.stop_training = True`` (as Keras's ``model.stop_training``: the epoch
    under way finishes, then `fit` returns). Epochs and batches count from 1, as the
    progress bar and `fit`'s messages count them.

    `fit` sets these on the classifier before `on_train_begin`: `log_names`, the keys an
    epoch's logs will have; `input_shape`, the shape of one sample; `num_classes`, the size of
    the model's output (None when not known).

    The logs of an epoch hold `loss` and `accuracy` (training), `val_loss` and `val_accuracy`
    (when there is validation data), `lr` (the rate of the epoch's last step) and `seconds`;
    those of a batch hold that batch's `loss`, `accuracy`, `lr` (the rate its step used) and
    `size` (its number of samples).

    Examples:
        >>> class PrintLoss(Callback):
        ...     def on_epoch_end(self, classifier, epoch, logs):
        ...         print(f"epoch {epoch}: {logs['loss']:.3f}")
    """

    def on_train_begin(self, classifier: Classifier) -> None:
        """Called once before the first epoch, after `fit` has checked its arguments."""

    def on_epoch_begin(self, classifier: Classifier, epoch: int) -> None:
        """Called before the first batch of each epoch."""

    def on_batch_end(self, classifier: Classifier, epoch: int, batch: int, logs: Logs) -> None:
        """Called after each optimiser step, with that batch's numbers."""

    def on_epoch_end(self, classifier: Classifier, epoch: int, logs: Logs) -> None:
        """Called once an epoch is trained, validated and recorded in `classifier.history`."""

    def on_train_end(self, classifier: Classifier, logs: Logs) -> None:
        """Called once training ends, with the last epoch's logs (empty when none finished):
        after the last epoch, a stop, or an error or Ctrl-C (then before it propagates)."""


class LambdaCallback(Callback):
    """A callback from plain functions, one per hook (Keras's `LambdaCallback`); each takes the
    same arguments as the hook it stands for.

    Args:
        on_train_begin: `fn(classifier)`.
        on_epoch_begin: `fn(classifier, epoch)`.
        on_batch_end: `fn(classifier, epoch, batch, logs)`.
        on_epoch_end: `fn(classifier, epoch, logs)`.
        on_train_end: `fn(classifier, logs)`.

    Raises:
        TypeError: when one of them is not callable.

    Examples:
        >>> losses = []
        >>> keep = LambdaCallback(on_epoch_end=lambda clf, epoch, logs: losses.append(logs["loss"]))
    """

    def __init__(self, on_train_begin: Callable[..., Any] | None = None,
                 on_epoch_begin: Callable[..., Any] | None = None,
                 on_batch_end: Callable[..., Any] | None = None,
                 on_epoch_end: Callable[..., Any] | None = None,
                 on_train_end: Callable[..., Any] | None = None):
        hooks = {"on_train_begin": on_train_begin, "on_epoch_begin": on_epoch_begin,
                 "on_batch_end": on_batch_end, "on_epoch_end": on_epoch_end,
                 "on_train_end": on_train_end}
        for name, fn in hooks.items():
            if fn is None:
                continue
            if not callable(fn):
                raise TypeError(f"LambdaCallback: {name} must be callable, got {fn!r}")
            setattr(self, name, fn)  # an instance attribute: called without self


class CallbackList:
    """The callbacks of one `fit`, called in the order given; a batch hook only for those that
    define one, so a run without them pays nothing per batch."""

    def __init__(self, callbacks: Iterable[Callback]):
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(f"Classifier.fit: callbacks must be Callback instances, got "
                                f"{type(callback).__name__}; subclass "
                                "tinygrad_cnn.train.callbacks.Callback or use LambdaCallback")
        self._batch_hooks = [c.on_batch_end for c in self.callbacks
                             if _overrides(c, "on_batch_end")]

    def on_train_begin(self, classifier: Classifier) -> None:
        for callback in self.callbacks:
            callback.on_train_begin(classifier)

    def on_epoch_begin(self, classifier: Classifier, epoch: int) -> None:
        for callback in self.callbacks:
            callback.on_epoch_begin(classifier, epoch)

    @property
    def wants_batches(self) -> bool:
        """True when some callback has an `on_batch_end`."""
        return bool(self._batch_hooks)

    def on_batch_end(self, classifier: Classifier, epoch: int, batch: int, logs: Logs) -> None:
        for hook in self._batch_hooks:
            hook(classifier, epoch, batch, logs)

    def on_epoch_end(self, classifier: Classifier, epoch: int, logs: Logs) -> None:
        for callback in self.callbacks:
            callback.on_epoch_end(classifier, epoch, logs)

    def on_train_end(self, classifier: Classifier, logs: Logs) -> None:
        for callback in self.callbacks:
            callback.on_train_end(classifier, logs)


def _overrides(callback: Callback, hook: str) -> bool:
    """True when `callback` has its own `hook`, as a method or (LambdaCallback) an attribute."""
    return hook in vars(callback) or getattr(type(callback), hook) is not getattr(Callback, hook)
