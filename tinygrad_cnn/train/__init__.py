"""Training: `Classifier` (fit, predict, score) with its per-epoch `History` and the
`callbacks` of `fit`, the learning-rate range test (`lr_find`), checkpoints that resume a run,
and Ctrl-C held until the step under way is done."""

from tinygrad_cnn.train import callbacks
from tinygrad_cnn.train.classifier import Classifier
from tinygrad_cnn.train.history import History
from tinygrad_cnn.train.lr_finder import LRFinderResult, lr_find

__all__ = ["Classifier", "History", "LRFinderResult", "callbacks", "lr_find"]
