"""Training: `Classifier` (fit, predict, score) with its per-epoch `History`, the learning-rate
range test (`lr_find`), checkpoints that resume a run, and Ctrl-C held until the step under
way is done."""

from tinygrad_cnn.train.classifier import Classifier, History
from tinygrad_cnn.train.lr_finder import LRFinderResult, lr_find

__all__ = ["Classifier", "History", "LRFinderResult", "lr_find"]
