"""What the doctor measures at each of the first optimiser steps, layer by layer."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Units:
    """An activation (a ReLU, sigmoid or tanh op), step by step.

    Attributes:
        kind: "relu", "sigmoid" or "tanh".
        samples: per step, values of its output drawn at random (for histograms).
        stuck: per step, the share of it that passes no gradient: for a ReLU the units never
            active on the batch, for a sigmoid or tanh the values at its ends.
    """

    kind: str
    samples: list[np.ndarray] = field(default_factory=list)
    stuck: list[float] = field(default_factory=list)


@dataclass
class Layer:
    """A layer with weights (Conv2d, Linear, ...), step by step.

    Attributes:
        samples: per step, values of d loss / d output drawn at random (for histograms).
        gradient_norms: per step, the norm of d loss / d output over the batch.
        update_ratios: per step, |weight after - weight before| / |weight before|.
    """

    samples: list[np.ndarray] = field(default_factory=list)
    gradient_norms: list[float] = field(default_factory=list)
    update_ratios: list[float] = field(default_factory=list)


@dataclass
class Record:
    """The first optimiser steps of a diagnosis, measured.

    Attributes:
        losses: the loss of each step's batch, before its update.
        units: activation name -> its `Units`, in the order they ran (a module called twice
            appears twice, the second as `name#2`).
        layers: dotted layer name -> its `Layer`, in the model's order.
        overfit: the losses of the one-batch test, step by step (empty when it did not run).
    """

    losses: list[float] = field(default_factory=list)
    units: dict[str, Units] = field(default_factory=dict)
    layers: dict[str, Layer] = field(default_factory=dict)
    overfit: list[float] = field(default_factory=list)

    @property
    def steps(self) -> int:
        """How many optimiser steps were taken."""
        return min((len(layer.update_ratios) for layer in self.layers.values()), default=0)
