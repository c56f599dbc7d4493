"""Training: `Classifier` (fit, predict, score) with its per-epoch `History`, checkpoints that
resume a run, and Ctrl-C held until the step under way is done."""

from tinygrad_cnn.train.classifier import Classifier, History

__all__ = ["Classifier", "History"]
