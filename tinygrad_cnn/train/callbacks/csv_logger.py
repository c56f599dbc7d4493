"""CSVLogger: one row per epoch (its number and its logs) in a CSV file, written as it ends."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from tinygrad_cnn.files import check_output
from tinygrad_cnn.train.callbacks.base import Callback, Logs

if TYPE_CHECKING:
    from tinygrad_cnn.train.classifier import Classifier


class CSVLogger(Callback):
    """Write each epoch's logs to a CSV file as the epoch ends (Keras's `CSVLogger`).

    The header is ``epoch`` and the log names in `fit`'s order (loss, accuracy, val_loss,
    val_accuracy, lr, seconds); epochs count from 1. Each row is flushed as it is written,
    so the file holds every finished epoch whole, even after a crash, and can be read while
    training runs.

    Args:
        filename: the CSV file, in an existing folder.
        separator: the field separator.
        append: add to an existing file (without a second header) rather than replace it.

    Raises:
        OSError: at the start of `fit`, when the folder does not exist or `filename` is a
            folder.

    Examples:
        >>> log = CSVLogger("training.csv")
    """

    def __init__(self, filename: str | os.PathLike[str], separator: str = ",",
                 append: bool = False):
        self.filename, self.separator, self.append = Path(filename), separator, append
        self._file: IO[str] | None = None
        self._writer: Any = None

    def on_train_begin(self, classifier: Classifier) -> None:
        """Open the file, writing the header unless appending to one that has it."""
        check_output(self.filename, "CSVLogger")
        has_header = self.append and self.filename.is_file() and self.filename.stat().st_size
        self._file = self.filename.open("a" if self.append else "w", newline="",
                                        encoding="utf-8")
        self._writer = csv.writer(self._file, delimiter=self.separator)
        self._names = list(classifier.log_names)
        if not has_header:
            self._writer.writerow(["epoch", *self._names])
            self._file.flush()

    def on_epoch_end(self, classifier: Classifier, epoch: int, logs: Logs) -> None:
        """Write and flush the epoch's row."""
        self._writer.writerow([epoch, *(repr(float(logs[name])) for name in self._names)])
        self._file.flush()

    def on_train_end(self, classifier: Classifier, logs: Logs) -> None:
        """Close the file."""
        if self._file is not None:
            self._file.close()
            self._file = self._writer = None
