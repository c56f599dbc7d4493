"""The doctor's recorded steps: one forward, one backward and one optimiser step of a `Trial`,
with what each activation and each weight layer did written into a `Record`."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from tinygrad_cnn.autograd import Context, grad
from tinygrad_cnn.explain.capture import capturing
from tinygrad_cnn.explain.doctor import thresholds, units
from tinygrad_cnn.explain.doctor.graph import recorded_ops, shown
from tinygrad_cnn.explain.doctor.record import Layer, Record, Units
from tinygrad_cnn.explain.doctor.trial import Trial
from tinygrad_cnn.nn import Module
from tinygrad_cnn.tensor import Tensor


class Step(NamedTuple):
    """One recorded step: the model's output, the loss (before the update; when it is not
    finite, no update was made) and the ops the loss recorded."""

    output: Tensor
    loss: float
    ops: list[Context]


def weight_layers(trial: Trial) -> dict[str, Module]:
    """The modules without children whose weight (2-D or more) the optimiser updates, by
    dotted name (as `graph.shown` writes it), in the model's order."""
    optimised = {id(p) for group in trial.optimizer.param_groups for p in group["params"]}
    return {shown(name): module for name, module in trial.model.named_modules()
            if next(module.children(), None) is None
            and isinstance(getattr(module, "weight", None), Tensor)
            and module.weight.ndim >= 2 and id(module.weight) in optimised}


class Recorder:
    """Steps `trial` on the batches it is given and records each step into `self.record`.

    Args:
        trial: the working copies to step.
        rng: draws the values kept for the histograms.
    """

    def __init__(self, trial: Trial, rng: np.random.Generator):
        self.trial = trial
        self.rng = rng
        self.layers = weight_layers(trial)
        self.record = Record()

    def step(self, x: np.ndarray, y: np.ndarray) -> Step:
        """Forward, backward and an optimiser step on (x, y), recorded; no backward and no
        update when the loss is not finite."""
        with capturing("diagnose", self.layers) as seen:
            output, loss = self.trial.loss(x, y)
        value = float(loss.item())
        self.record.losses.append(value)
        ops = recorded_ops(loss)
        if not math.isfinite(value):
            return Step(output, value, ops)
        self._activations(ops)
        called = {name: outs for name, outs in seen.outputs.items()
                  if outs and all(isinstance(o, Tensor) and o.requires_grad for o in outs)}
        params = [p for group in self.trial.optimizer.param_groups for p in group["params"]]
        flat = [o for outs in called.values() for o in outs]
        grads = grad(loss, [*flat, *params], allow_unused=True)
        for p, g in zip(params, grads[len(flat):]):
            p.grad = g
        before = {name: self.layers[name].weight.data.copy() for name in called}
        self.trial.optimizer.step()
        self._layers(called, grads[: len(flat)], before)
        return Step(output, value, ops)

    def _activations(self, ops: list[Context]) -> None:
        for name, node in units.activations(ops):
            kind = units.KINDS[node.op]
            x = node.inputs[0].data
            entry = self.record.units.setdefault(name, Units(kind))
            entry.stuck.append(units.stuck(kind, x))
            entry.samples.append(units.sample(kind, x, self.rng))

    def _layers(self, called: dict[str, list[Tensor]], grads: tuple[Tensor | None, ...],
                before: dict[str, np.ndarray]) -> None:
        position = 0
        for name, outs in called.items():
            mine = [g.data for g in grads[position : position + len(outs)] if g is not None]
            position += len(outs)
            entry = self.record.layers.setdefault(name, Layer())
            flat = np.concatenate([g.reshape(-1) for g in mine]) if mine else np.zeros(1)
            entry.gradient_norms.append(float(np.linalg.norm(flat.astype(np.float64))))
            entry.samples.append(flat[self.rng.integers(0, flat.size, thresholds.SAMPLE)]
                                 .astype(np.float32))
            entry.update_ratios.append(_ratio(self.layers[name].weight.data, before[name]))


def _ratio(after: np.ndarray, before: np.ndarray) -> float:
    """|after - before| / |before|, NaN for a weight of zeros."""
    size = np.linalg.norm(before)
    return float(np.linalg.norm(after - before) / size) if size > 0 else math.nan
