"""History: what `Classifier.fit` records per epoch (losses, accuracies, learning rate, time)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields


@dataclass
class History:
    """Per-epoch training record; `history["loss"]` works as well as `history.loss`.

    Attributes:
        loss: the mean training loss of each epoch.
        accuracy: the training accuracy of each epoch.
        val_loss: the validation loss after each epoch (empty without validation).
        val_accuracy: the validation accuracy after each epoch (empty without validation).
        lr: the learning rate of each epoch's last step (the first param group's).
        seconds: how long each epoch took, validation included.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def __getitem__(self, key: str) -> list[float]:
        return getattr(self, key)

    def as_dict(self) -> dict[str, list[float]]:
        """The record as a plain dict of lists."""
        return {item.name: list(getattr(self, item.name)) for item in fields(self)}

    def append(self, logs: Mapping[str, float]) -> None:
        """Add one epoch: each value of `logs` whose key names one of the lists."""
        for item in fields(self):
            if item.name in logs:
                getattr(self, item.name).append(float(logs[item.name]))
