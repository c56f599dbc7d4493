"""`diagnose`: the training doctor's examination, every check in its order, on copies."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinygrad_cnn.arguments import non_negative_int, positive_int
from tinygrad_cnn.autograd import ShapeDtype, no_grad
from tinygrad_cnn.autograd.abstract import eval_shape
from tinygrad_cnn.explain.doctor import (
    first_loss,
    gradients,
    inputs,
    labels,
    outputs,
    overfit,
    progress,
    thresholds,
    units,
)
from tinygrad_cnn.explain.doctor.findings import CODES, Diagnosis, Finding
from tinygrad_cnn.explain.doctor.record import Record
from tinygrad_cnn.explain.doctor.recording import Recorder
from tinygrad_cnn.explain.doctor.trial import Trial, describe_optimizer, samples
from tinygrad_cnn.nn import Module
from tinygrad_cnn.nn.functional.loss import LossFn, loss_function
from tinygrad_cnn.optim.optimizer import Optimizer
from tinygrad_cnn.random import fork_rng, manual_seed
from tinygrad_cnn.tensor import Tensor

_OP = "diagnose"


def diagnose(model: Module, X: Any, y: Any, optimizer: Optimizer | None = None,
             loss: str | LossFn = "cross_entropy", batch_size: int = 64, seed: int = 0, *,
             steps: int = 20, overfit_steps: int = 100) -> Diagnosis:
    """Examine a classifier's training set-up and say what stops it learning.

    The checklist of Karpathy's "A Recipe for Training Neural Networks", run and read: the
    inputs (NaN, scale) and labels (range, balance); the first batch forward and backward
    (what the loss does with the output, the first loss against ln(C), dead or saturated
    units, the gradient across depth); `steps` optimiser steps on batches of the data at the
    optimiser's learning rate (divergence, the size of each update); and one small batch
    trained until it is memorised (with Adam at `thresholds.OVERFIT_LR`: a test of the model,
    loss and labels). Each problem is a `Finding` with a stable code (`CODES`);
    the thresholds and where they come from are in `explain.doctor.thresholds` and on the
    doctor's page of the docs.

    Everything trains on deep copies: the model, the optimiser (its state and options), their
    gradients and modes are left exactly as they were, and so is the library's random
    generator (`random.fork_rng`).

    Args:
        model: a classifier mapping inputs (N, ...) to class scores (N, C).
        X: inputs (N, ...), float, as an ndarray or Tensor.
        y: class indices (N,) or one-hot rows (N, C).
        optimizer: the optimiser over the model's parameters that training will use; None
            for Adam at lr 1e-3.
        loss: "cross_entropy", "mse", or a function (scores, targets) -> scalar Tensor, as
            `train.Classifier` takes.
        batch_size: samples per step.
        seed: picks the batches and the values kept for the pictures, and seeds dropout.
        steps: optimiser steps of the trial run (at least 1); the first is the initial state.
        overfit_steps: the most steps of the one-batch test, which stops at its goal.

    Returns:
        The `Diagnosis`: `str()` is the report, `.ok` is True without errors or warnings,
        `.record` holds the per-layer measurements for `viz.plot_diagnosis`.

    Raises:
        ValueError: for inputs that are not float or have no samples, labels of another
            length, a model that does not return (N, C) scores, an unknown loss name, or a
            count below 1 (a negative seed).
        TypeError: when `model` is not a Module, or a count (or the seed) not an int.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import models
        >>> from tinygrad_cnn.data import load_mnist
        >>> (x, y), _ = load_mnist()
        >>> report = diagnose(models.lenet5(), 255 * x[:256], y[:256], steps=5)
        >>> report.codes[:2]
        ['unnormalized-input', 'loss-at-init']
    """
    loss_fn = loss_function(_OP, loss)
    X, y = samples(_OP, X, y)
    batch_size = positive_int(_OP, "batch_size", batch_size)
    steps = positive_int(_OP, "steps", steps)
    overfit_steps = positive_int(_OP, "overfit_steps", overfit_steps)
    seed = non_negative_int(_OP, "seed", seed)
    trial = Trial(_OP, model, optimizer, loss_fn)
    setup = (f"{type(model).__name__} ({model.num_parameters():,} parameters), {len(X):,} "
             f"samples of shape {X.shape[1:]}, loss {getattr(loss, '__name__', loss)}; "
             f"{steps} steps of {describe_optimizer(optimizer)} on batches of "
             f"{min(batch_size, len(X))}")
    exam = _Exam(trial, describe_optimizer(optimizer), np.random.default_rng(seed))
    memoriser = overfit.memoriser(_OP, model, loss_fn)
    with fork_rng(), np.errstate(all="ignore"):
        manual_seed(seed)
        exam.run(X, y, min(batch_size, len(X)), steps, memoriser, overfit_steps)
    return Diagnosis(exam.findings, setup, exam.skipped, exam.record)


def _classes(model: Module, X: np.ndarray) -> int:
    """The number of class scores the model returns, from a shape-only run when it can."""
    try:
        shape = eval_shape(model, ShapeDtype((2, *X.shape[1:]), X.dtype))
    except NotImplementedError:  # an op without a shape rule: run two samples
        training = model.training
        with no_grad():
            shape = model.eval()(Tensor(X[:2])).shape
        model.train(training)
    if not (isinstance(shape, tuple) and len(shape) == 2 and shape[0] == 2):
        raise ValueError(f"{_OP}: the model must return class scores (N, classes); for "
                         f"inputs (2, {', '.join(map(str, X.shape[1:]))}) it returns {shape}")
    return shape[1]


class _Exam:
    """One examination: the checks in order, each phase skipping what it makes pointless."""

    def __init__(self, trial: Trial, optimizer: str, rng: np.random.Generator):
        self.trial, self.optimizer, self.rng = trial, optimizer, rng
        self.findings: list[Finding] = []
        self.skipped: dict[str, str] = {}
        self.record: Record | None = None

    def skip_after(self, code: str, why: str) -> None:
        """Mark every check after `code` (in `CODES` order) as not run, for `why`."""
        later = list(CODES)[list(CODES).index(code) + 1:]
        self.skipped.update({c: why for c in later if c not in self.skipped})

    def run(self, X: np.ndarray, y: np.ndarray, batch: int, steps: int, memoriser: Trial,
            overfit_steps: int) -> None:
        found, keep = inputs.finite_samples(X)
        self.findings += found
        if not keep.any():
            self.skip_after("nonfinite-input", "no sample is finite")
            return
        X, y = X[keep], y[keep]
        self.findings += inputs.scale(X, self.rng)
        classes = _classes(self.trial.model, X)
        found, labelled = labels.classes_of(y, classes)
        self.findings += found
        if labelled is None:
            self.skip_after("label-range", "the labels are not classes of the output")
            return
        self.findings += labels.imbalance(labelled, classes)
        order = self.rng.permutation(len(X))
        batches = [order.take(range(i * batch, (i + 1) * batch), mode="wrap")
                   for i in range(steps)]
        if self.first_steps(X, y, batches):
            few = order[: min(thresholds.OVERFIT_SAMPLES, batch)]
            self.record.overfit = overfit.overfit(memoriser, X[few], y[few], overfit_steps)
            self.findings += overfit.check(self.record.overfit, len(few))

    def first_steps(self, X: np.ndarray, y: np.ndarray, batches: list[np.ndarray]) -> bool:
        """The recorded steps and their checks; False when the first loss is not finite."""
        recorder = Recorder(self.trial, self.rng)
        first = recorder.step(X[batches[0]], y[batches[0]])
        found = outputs.check(first.output, first.ops, first.loss)
        self.findings += found
        self.findings += first_loss.nonfinite(first.loss, self.trial, X[batches[0]],
                                              y[batches[0]], explained=bool(found))
        if not math.isfinite(first.loss):
            self.skip_after("loss-at-init", "the first loss is not finite")
            return False
        self.findings += first_loss.at_init(first.loss, first.output, first.ops)
        for rows in batches[1:]:
            if not math.isfinite(recorder.step(X[rows], y[rows]).loss):
                break
        self.record = recorder.record
        self.findings += units.check(recorder.record, len(batches[0]))
        self.findings += gradients.check(recorder.record)
        self.findings += progress.update_ratio(recorder.record)
        self.findings += progress.diverges(recorder.record, self.optimizer)
        return True
