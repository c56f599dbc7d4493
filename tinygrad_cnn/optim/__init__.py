"""Optimisers that update parameters from their gradients, and learning-rate schedulers."""

from tinygrad_cnn.optim import lr_scheduler
from tinygrad_cnn.optim.adagrad import AdaGrad, Adagrad
from tinygrad_cnn.optim.adam import Adam, AdamW
from tinygrad_cnn.optim.optimizer import Optimizer
from tinygrad_cnn.optim.rmsprop import RMSprop
from tinygrad_cnn.optim.sgd import SGD

__all__ = ["SGD", "AdaGrad", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler"]
