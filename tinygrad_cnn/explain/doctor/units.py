"""Units that pass no gradient: ReLUs never active (`dead-units`), sigmoids and tanhs stuck at
their ends (`saturated-units`)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from tinygrad_cnn.autograd import Context
from tinygrad_cnn.explain.doctor import thresholds
from tinygrad_cnn.explain.doctor.findings import Finding
from tinygrad_cnn.explain.doctor.graph import where
from tinygrad_cnn.explain.doctor.record import Record, Units
from tinygrad_cnn.ops.elementwise import Relu, Sigmoid, Tanh

KINDS: dict[type, str] = {Relu: "relu", Sigmoid: "sigmoid", Tanh: "tanh"}
_EDGES = {"sigmoid": thresholds.SIGMOID_EDGE, "tanh": thresholds.TANH_EDGE}
_OUTPUT = {"relu": lambda x: np.maximum(x, 0), "tanh": np.tanh,
           "sigmoid": lambda x: 1 / (1 + np.exp(-x))}


def activations(ops: Iterable[Context]) -> list[tuple[str, Context]]:
    """The ReLU, sigmoid and tanh ops among `ops`, each named by the module that ran it (a
    second run of one module is `name#2`)."""
    named: list[tuple[str, Context]] = []
    seen: dict[str, int] = {}
    for node in ops:
        if node.op in KINDS:
            name = where(node)
            seen[name] = seen.get(name, 0) + 1
            named.append((name if seen[name] == 1 else f"{name}#{seen[name]}", node))
    return named


def stuck(kind: str, x: np.ndarray) -> float:
    """The share of an activation's input `x` that passes no gradient: for a ReLU, the units
    (channels of (N, C, ...), features of (N, F)) not positive anywhere in the batch; for a
    sigmoid or tanh, the values beyond the edge where its slope falls under
    `thresholds.SATURATED_SLOPE` of its peak."""
    if kind == "relu":
        if x.ndim < 2:
            return float(not (x > 0).any())
        axes = (0, *range(2, x.ndim))
        return float((~(x > 0).any(axis=axes)).mean())
    return float((np.abs(x) > _EDGES[kind]).mean())


def sample(kind: str, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """`thresholds.SAMPLE` values of the activation's output, drawn at random from its input."""
    picked = x.reshape(-1)[rng.integers(0, x.size, thresholds.SAMPLE)]
    return _OUTPUT[kind](picked.astype(np.float64)).astype(np.float32)


def check(record: Record, batch: int) -> list[Finding]:
    """`dead-units` and `saturated-units`, from the first and the last step of `record`."""
    relus = {n: u for n, u in record.units.items() if u.kind == "relu"}
    squashing = {n: u for n, u in record.units.items() if u.kind != "relu"}
    return [*_dead(relus, batch, record.steps), *_saturated(squashing)]


def _dead(relus: dict[str, Units], batch: int, steps: int) -> list[Finding]:
    """Layers with `DEAD_SHARE` of their units dead at the start, or all of them after the
    steps (fewer may die while a model learns which classes are common; all never should)."""
    born = {n: u.stuck[0] for n, u in relus.items() if u.stuck[0] >= thresholds.DEAD_SHARE}
    died = [n for n, u in relus.items() if u.stuck[-1] == 1.0 and u.stuck[0] < 1.0]
    if not born and not died:
        return []
    parts = [f"{name}: {share:.0%} of its units" for name, share in born.items()]
    parts += [f"{name}: all its units after {steps} steps (from {relus[name].stuck[0]:.0%})"
              for name in died]
    all_dead = [name for name, share in born.items() if share == 1.0] + died
    title = ("every unit of " + ", ".join(all_dead) + " is dead: nothing below learns"
             if all_dead else f"half or more of the ReLUs of {len(born)} layer(s) are dead")
    advice = ("check the biases and the initialisation (a large negative bias keeps a ReLU at "
              "zero for every input); LeakyReLU, or BatchNorm before the ReLU, keep units alive")
    if died:
        advice = "a learning rate too high kills ReLUs (CS231n): lower it; " + advice
    evidence = (f"{'; '.join(parts)} (a unit is a channel or a feature, dead when no sample "
                f"of the batch of {batch} makes it positive; a warning from "
                f"{thresholds.DEAD_SHARE:.0%} at the start)")
    return [Finding("dead-units", "error" if all_dead else "warning", title, evidence, advice)]


def _saturated(squashing: dict[str, Units]) -> list[Finding]:
    flagged = {n: max(u.stuck[0], u.stuck[-1]) for n, u in squashing.items()
               if max(u.stuck[0], u.stuck[-1]) > thresholds.SATURATED_SHARE}
    if not flagged:
        return []
    kinds = " and ".join(sorted({squashing[name].kind for name in flagged}))
    parts = [f"{name} ({squashing[name].kind}): {share:.0%} of its values"
             for name, share in flagged.items()]
    evidence = (f"{'; '.join(parts)} sit where the slope is under "
                f"{thresholds.SATURATED_SLOPE:.0%} of its peak (|x| > "
                f"{thresholds.SIGMOID_EDGE:.2f} for a sigmoid, {thresholds.TANH_EDGE:.2f} for "
                f"a tanh), at the start or after the steps; threshold "
                f"{thresholds.SATURATED_SHARE:.0%}")
    advice = ("scale the inputs to mean 0 and spread 1, initialise with Glorot's (Xavier) "
              "scale for sigmoid and tanh layers, or use ReLUs with BatchNorm")
    return [Finding("saturated-units", "warning", f"saturated {kinds} units pass almost no "
                    f"gradient in {len(flagged)} layer(s)", evidence, advice)]
