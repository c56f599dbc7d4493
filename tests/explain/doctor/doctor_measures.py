"""The numbers docs/doctor.md quotes for each set-up: what the doctor's checks compare with
their thresholds, measured by diagnose on the healthy set-ups and the planted faults."""

from __future__ import annotations

import math

import numpy as np
from doctor_cases import (
    biases_that_kill_every_relu,
    deep_sigmoid_stack,
    lenet5_adam_on_standardised_digits,
    lr_100x_too_high,
    raw_pixels,
    resnet20_sgd_momentum,
    small_mlp_on_random_points,
    softmax_layer_before_cross_entropy,
    tanh_on_raw_pixels,
    unit_normal_weights_in_deep_relu_stack,
)

from tinygrad_cnn.explain import diagnose
from tinygrad_cnn.explain.doctor import thresholds

COLUMNS = ["first loss", "gradient: first layer / last", "update ratio: median layer, "
           "largest step", "dead ReLU units: worst layer", "saturated values: worst layer",
           "one batch: steps to 10%"]


SETUPS = {
    "LeNet-5, Adam 1e-3, standardised digits": lenet5_adam_on_standardised_digits,
    "ResNet-20, SGD 0.1, momentum 0.9 (batches of 8)": resnet20_sgd_momentum,
    "an MLP 12-16-3, Adam 1e-3, random points": small_mlp_on_random_points,
    "raw pixels": raw_pixels,
    "lr 100x too high": lr_100x_too_high,
    "biases that kill every ReLU": biases_that_kill_every_relu,
    "a deep sigmoid stack": deep_sigmoid_stack,
    "N(0, 1) weights in a deep ReLU stack": unit_normal_weights_in_deep_relu_stack,
    "tanh on raw pixels": tanh_on_raw_pixels,
    "a softmax layer before cross-entropy": softmax_layer_before_cross_entropy,
}


def measure(setup: str) -> list[float | None]:
    """The set-up's value in each of `COLUMNS` (None where the check did not run)."""
    record = diagnose(**SETUPS[setup]()).record
    norms = [layer.gradient_norms[0] for layer in record.layers.values()]
    ratios = np.array([layer.update_ratios for layer in record.layers.values()])
    relus = [u.stuck[0] for u in record.units.values() if u.kind == "relu"]
    squashing = [max(u.stuck) for u in record.units.values() if u.kind != "relu"]
    goal = thresholds.OVERFIT_GOAL * record.overfit[0] if record.overfit else None
    reached = [i for i, v in enumerate(record.overfit) if goal is not None and v <= goal]
    return [record.losses[0], norms[0] / norms[-1] if norms[-1] else 0.0,
            float(np.nanmax(np.nanmedian(ratios, axis=0))),
            max(relus) if relus else None, max(squashing) if squashing else None,
            float(reached[0]) if reached else (math.inf if record.overfit else None)]


def cell(value: float | None, column: int) -> str:
    """How the page writes a measured value."""
    if value is None:
        return "-"
    if column in (3, 4):
        return f"{value:.0%}"
    if column == 5:
        return "never" if math.isinf(value) else f"{value:.0f}"
    return f"{value:.2g}"


def table() -> str:
    """The page's table, as Markdown."""
    lines = ["| set-up | " + " | ".join(COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    for setup in SETUPS:
        values = measure(setup)
        lines.append(f"| {setup} | " + " | ".join(cell(v, i) for i, v in enumerate(values))
                     + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
