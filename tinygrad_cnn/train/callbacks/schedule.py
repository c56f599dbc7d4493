"""LRScheduler: step a learning-rate scheduler after every epoch or every batch of `fit`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tinygrad_cnn.optim.lr_scheduler import LRScheduler as Scheduler
from tinygrad_cnn.optim.lr_scheduler import ReduceLROnPlateau
from tinygrad_cnn.train.callbacks.base import Callback, Logs
from tinygrad_cnn.train.callbacks.monitor import Monitor

if TYPE_CHECKING:
    from tinygrad_cnn.train.classifier import Classifier

INTERVALS = ("epoch", "batch")


class LRScheduler(Callback):
    """Step any of `optim.lr_scheduler`'s schedulers as `fit` trains (Lightning's `interval`).

    With ``interval="epoch"`` the scheduler steps once after each epoch, so epoch `k` trains
    at the rate the schedule gives for `k - 1` steps, as in PyTorch's loop; with
    ``interval="batch"`` it steps after every optimiser step, so its periods count batches
    (`OneCycleLR`'s `total_steps`, `CosineAnnealingLR`'s `T_max`, a warm-up's
    `LinearLR(total_iters=)`). `ReduceLROnPlateau` steps once per epoch with the monitored
    value of the epoch's logs. `History.lr` records the rate of each epoch's last step.

    Args:
        scheduler: a scheduler over the classifier's optimiser.
        interval: "epoch" or "batch".
        monitor: the entry of the epoch logs that `ReduceLROnPlateau` watches.

    Raises:
        TypeError: when `scheduler` is not one of `optim.lr_scheduler`'s schedulers.
        ValueError: for an unknown interval, or `ReduceLROnPlateau` per batch; at the start of
            `fit`, for a scheduler of another optimiser, a monitor the logs will not have, or a
            schedule with fewer steps than the run (`OneCycleLR`).

    Examples:
        >>> from tinygrad_cnn import models, optim
        >>> net = models.lenet5()
        >>> opt = optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        >>> one_cycle = optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10 * 63)
        >>> step_every_batch = LRScheduler(one_cycle, interval="batch")
    """

    def __init__(self, scheduler: Scheduler, interval: str = "epoch", monitor: str = "val_loss"):
        if not isinstance(scheduler, Scheduler):
            raise TypeError(f"LRScheduler: scheduler must be one of optim.lr_scheduler's, got "
                            f"{type(scheduler).__name__}")
        if interval not in INTERVALS:
            raise ValueError(f"LRScheduler: interval must be 'epoch' or 'batch', got "
                             f"{interval!r}")
        self.plateau = isinstance(scheduler, ReduceLROnPlateau)
        if self.plateau and interval == "batch":
            raise ValueError("LRScheduler: ReduceLROnPlateau steps on an epoch's monitored "
                             "value; use interval='epoch'")
        self.scheduler, self.interval = scheduler, interval
        self.monitor = Monitor("LRScheduler", monitor)

    def on_train_begin(self, classifier: Classifier) -> None:
        """Check that the scheduler drives this run's optimiser, and has steps enough."""
        if self.scheduler.optimizer is not classifier.optimizer:
            raise ValueError(f"LRScheduler: {type(self.scheduler).__name__} schedules another "
                             "optimiser than the classifier's")
        if self.plateau:
            self.monitor.check(classifier.log_names)
        total = getattr(self.scheduler, "total_steps", None)
        if total is not None:
            epochs = classifier.epochs - classifier.initial_epoch
            steps = epochs * (classifier.steps_per_epoch if self.interval == "batch" else 1)
            if self.scheduler.last_epoch + steps > total:
                raise ValueError(
                    f"LRScheduler: {type(self.scheduler).__name__} has total_steps={total} and "
                    f"has taken {self.scheduler.last_epoch}, but this run steps it {steps} "
                    f"times ({epochs} epochs"
                    + (f" of {classifier.steps_per_epoch} batches)" if self.interval == "batch"
                       else ")"))

    def on_batch_end(self, classifier: Classifier, epoch: int, batch: int, logs: Logs) -> None:
        """Step a per-batch schedule."""
        if self.interval == "batch":
            self.scheduler.step()

    def on_epoch_end(self, classifier: Classifier, epoch: int, logs: Logs) -> None:
        """Step a per-epoch schedule; ReduceLROnPlateau with the monitored value."""
        if self.plateau:
            self.scheduler.step(self.monitor.value(logs))
        elif self.interval == "epoch":
            self.scheduler.step()
