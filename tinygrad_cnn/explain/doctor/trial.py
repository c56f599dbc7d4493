"""A trial run: working copies of a model and its optimiser, stepped on batches, so the user's
are never touched."""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np

from tinygrad_cnn.nn import Module
from tinygrad_cnn.nn.functional.loss import LossFn
from tinygrad_cnn.optim import Adam
from tinygrad_cnn.optim.optimizer import Optimizer
from tinygrad_cnn.tensor import Tensor

# When no optimiser is given, the steps use Adam at PyTorch's and Keras's default rate, which
# Karpathy's recipe calls safe for a first run.
DEFAULT_LR = 1e-3


def samples(op: str, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """The inputs (N, ...), float, and targets (N, ...) of a trial run, as arrays.

    Raises:
        ValueError: for inputs that are not float or hold no sample, or targets of another
            length.
    """
    X = np.asarray(X.data if isinstance(X, Tensor) else X)
    y = np.asarray(y.data if isinstance(y, Tensor) else y)
    if X.dtype.kind != "f":
        raise ValueError(f"{op}: X must hold floating-point values, got dtype {X.dtype}; "
                         "convert it first, e.g. X.astype(np.float32) / 255")
    if X.ndim < 2 or len(X) == 0:
        raise ValueError(f"{op}: X must be a batch of samples (N, ...), at least one; got "
                         f"shape {X.shape}")
    if y.ndim == 0 or len(y) != len(X):
        raise ValueError(f"{op}: X has {len(X)} samples but y has {len(y) if y.ndim else 0}; "
                         f"X {X.shape}, y {y.shape}")
    return X, y


def describe_optimizer(optimizer: Optimizer | None) -> str:
    """`Adam(lr=0.001)`, `SGD(lr=0.1, momentum=0.9)`: the optimiser's type and its first
    group's rate and momentum, for reports."""
    if optimizer is None:
        return f"Adam(lr={DEFAULT_LR:g}) (no optimiser given)"
    group = optimizer.param_groups[0]
    options = [f"lr={group['lr']:g}"]
    if group.get("momentum"):
        options.append(f"momentum={group['momentum']:g}")
    return f"{type(optimizer).__name__}({', '.join(options)})"


class Trial:
    """Deep copies of `model` and `optimizer`, the optimiser's parameters those of the copied
    model, trained in train mode.

    The two are copied together (one `copy.deepcopy` of the pair), so the optimiser's state —
    momentum buffers, step counts, its groups' options — follows each parameter to its copy,
    and weights shared between layers stay shared. Without an optimiser, a fresh Adam at
    `DEFAULT_LR` trains the copy.

    Args:
        op: the caller, for messages.
        model: the user's model; read, never changed.
        optimizer: the user's optimiser over its parameters, or None.
        loss_fn: (scores, targets) -> scalar Tensor.

    Raises:
        TypeError: when `model` is not a Module.
        ValueError: when no parameter of the model requires grad.
    """

    def __init__(self, op: str, model: Module, optimizer: Optimizer | None, loss_fn: LossFn):
        if not isinstance(model, Module):
            raise TypeError(f"{op}: model must be a Module, got {type(model).__name__}")
        self.model, self.optimizer = copy.deepcopy((model, optimizer))
        if self.optimizer is None:
            trainable = [p for p in self.model.parameters() if p.requires_grad]
            if not trainable:
                raise ValueError(f"{op}: no parameter of the model requires grad; there is "
                                 "nothing to train")
            self.optimizer = Adam(trainable, lr=DEFAULT_LR)
        self.model.train()
        self.loss_fn = loss_fn

    def set_lr(self, lr: float) -> None:
        """Give every parameter group the learning rate `lr`."""
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def loss(self, x: np.ndarray, y: np.ndarray) -> tuple[Tensor, Tensor]:
        """The model's output for `x` and the loss against `y`, recorded for backward."""
        self.optimizer.zero_grad()
        output = self.model(Tensor(x))
        return output, self.loss_fn(output, y)

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        """One optimiser step on the batch (x, y); returns the loss before it. A loss that is
        not finite is returned without a step."""
        _, loss = self.loss(x, y)
        value = float(loss.item())
        if math.isfinite(value):
            loss.backward()
            self.optimizer.step()
        return value
