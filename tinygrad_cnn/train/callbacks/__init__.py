"""Callbacks of `Classifier.fit`, with Keras's names and arguments: the `Callback` hooks,
`EarlyStopping`, `ModelCheckpoint`, `LRScheduler`, `CSVLogger`, `TensorBoard` and
`LambdaCallback`."""

from tinygrad_cnn.train.callbacks.base import Callback, LambdaCallback
from tinygrad_cnn.train.callbacks.csv_logger import CSVLogger
from tinygrad_cnn.train.callbacks.early_stopping import EarlyStopping
from tinygrad_cnn.train.callbacks.model_checkpoint import ModelCheckpoint
from tinygrad_cnn.train.callbacks.schedule import LRScheduler
from tinygrad_cnn.train.callbacks.tensorboard import TensorBoard

__all__ = [
    "CSVLogger",
    "Callback",
    "EarlyStopping",
    "LRScheduler",
    "LambdaCallback",
    "ModelCheckpoint",
    "TensorBoard",
]
