"""Course parts 5-7: the training runs, the naive network's failures, and what course.md says.

The learning curves come from runs recorded in docs/images/course/results.json by
docs/scripts/make_course_images.py. Here each run's first epoch is repeated and must match the
record (every epoch with TINYGRAD_CNN_THOROUGH=1), and every number the course quotes from a
run is checked against the record.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import re
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
COURSE_MD = (ROOT / "docs" / "course.md").read_text(encoding="utf-8")
RESULTS = json.loads((ROOT / "docs" / "images" / "course" / "results.json").read_text())
THOROUGH = os.environ.get("TINYGRAD_CNN_THOROUGH") == "1"


def part(stem: str) -> ModuleType:
    """examples/course/<stem>.py as a module (its name starts with a digit)."""
    spec = importlib.util.spec_from_file_location(f"course_{stem}",
                                                  ROOT / "examples" / "course" / f"{stem}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def quoted(*snippets: str) -> None:
    """Each snippet appears in docs/course.md, whitespace-insensitively."""
    text = " ".join(COURSE_MD.split())
    for snippet in snippets:
        assert " ".join(snippet.split()) in text, f"docs/course.md does not say {snippet!r}"


def pct(value: float) -> str:
    return f"{100 * value:.1f}%"


# ---- the recorded runs ------------------------------------------------------------------------

SMALL, WRONG, LENET = part("05_small_cnn"), part("06_what_goes_wrong"), part("07_lenet5")
RUNS = {
    "simple_cnn": lambda epochs: SMALL.train(epochs, None, verbose=False),
    "lenet5": lambda epochs: LENET.train(epochs, None, verbose=False),
    "relu_sgd": lambda epochs: WRONG.train_relu(WRONG.nn.ReLU, epochs, None, verbose=False),
    "inverted_relu_sgd": lambda epochs: WRONG.train_relu(WRONG.InvertedReLU, epochs, None,
                                                         verbose=False),
}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_a_fresh_run_reproduces_the_recorded_history(name):
    recorded = RESULTS[name]
    epochs = len(recorded["loss"]) if THOROUGH else 1
    history = RUNS[name](epochs).as_dict()
    for metric in ("loss", "val_loss"):
        np.testing.assert_allclose(history[metric], recorded[metric][:epochs], rtol=1e-3)
    for metric in ("accuracy", "val_accuracy"):  # a prediction or two may flip on other BLAS
        np.testing.assert_allclose(history[metric], recorded[metric][:epochs], atol=3e-3)


def test_recorded_settings_are_the_ones_the_course_states():
    assert SMALL.SETTINGS == LENET.SETTINGS == {"lr": 1e-3, "batch_size": 64, "seed": 0}
    assert len(RESULTS["simple_cnn"]["loss"]) == len(RESULTS["lenet5"]["loss"]) == 10
    assert len(RESULTS["relu_sgd"]["loss"]) == len(RESULTS["inverted_relu_sgd"]["loss"]) == 3
    quoted("Adam with learning rate 1e-3, batches of 64, 10 epochs, seed 0",
           "(Adam, learning rate 1e-3, batches of 64, 10 epochs, seed 0)",
           "trained in the library with SGD (learning rate 0.1, 3 epochs, seed 0)")


def test_small_cnn_numbers():
    h = RESULTS["simple_cnn"]
    best = int(np.argmax(h["val_accuracy"]))
    lowest = int(np.argmin(h["val_loss"]))
    quoted(f"After the first epoch the network classifies {pct(h['val_accuracy'][0])} of the "
           f"test digits correctly; after ten, {pct(h['val_accuracy'][-1])} (the best, "
           f"{pct(h['val_accuracy'][best])}, came after epoch {best + 1}), while training "
           f"accuracy reached {pct(h['accuracy'][-1])}",
           f"The test loss is lowest after epoch {lowest + 1} ({h['val_loss'][lowest]:.3f})",
           f"({h['loss'][-1]:.3f} at the end)")
    assert h["val_loss"][-1] > h["val_loss"][lowest] and h["loss"][-1] < h["loss"][lowest]


def test_small_cnn_summary_is_shown_as_printed():
    table = str(SMALL.summary(SMALL.models.simple_cnn(), (1, 1, 28, 28), verbose=False))
    assert table in COURSE_MD
    quoted("holds 100 of the 380,510 parameters; the first linear layer holds 338,200",
           "10·13·13 = 1690")


def test_lenet5_numbers():
    h = RESULTS["lenet5"]
    table = LENET.architecture()
    conv_macs = sum(r.macs for r in table.rows if r.type == "Conv2d")
    small = SMALL.summary(SMALL.models.simple_cnn(), (1, 1, 28, 28), verbose=False)
    quoted(f"It has {table.total_params:,} parameters — "
           f"{small.total_params / table.total_params:.1f} times fewer than part 5's network — "
           f"and needs {table.total_macs:,} multiply-accumulates per digit, {conv_macs:,} of "
           "them in the two convolutions",
           f"({pct(h['val_accuracy'][0])} test accuracy after one epoch) and ends at "
           f"{pct(h['val_accuracy'][-1])} test accuracy, {pct(h['accuracy'][-1])} on the "
           "training digits",
           f"(a receptive field of {table.rows[5].receptive_field[0]} pixels against "
           f"{small.rows[2].receptive_field[0]})")
    assert table.rows[5].type == small.rows[2].type == "MaxPool2d"


def test_inverted_relu_numbers():
    correct, inverted = RESULTS["relu_sgd"], RESULTS["inverted_relu_sgd"]
    quoted(f"The correct network reaches {pct(correct['val_accuracy'][-1])} test accuracy after "
           f"3 epochs; the inverted one {pct(inverted['val_accuracy'][-1])}",
           f"with a training loss stuck at {inverted['loss'][-1]:.3f} — ln 10 = "
           f"{math.log(10):.3f} is the loss of predicting 1/10 for every class")
    assert max(inverted["val_accuracy"]) < 0.2 < 0.8 < correct["val_accuracy"][-1]


# ---- part 6 without training ------------------------------------------------------------------

def test_softmax_overflow():
    soft = WRONG.softmax_overflow()
    assert round(soft["overflow_above"], 2) == 88.72
    assert np.isnan(soft["naive"][0]) and soft["naive"][1:].tolist() == [0, 0]
    assert soft["stable"][0] == 1 and f"{soft['stable'][1]:.1e}" == "3.8e-44"
    quoted("float32's `exp` is infinite above 88.72", "->  [nan  0.  0.]",
           "->  [1.0e+00 3.8e-44 0.0e+00]")


def test_numpy_network_matches_the_library():
    assert WRONG.agreement() < 1e-5
    quoted("whose gradients match the library's to within 1e-5 (relative; float32)")


def test_numpy_network_finds_a_planted_bug():
    """The agreement check can fail: the inverted ReLU's gradients differ from the library's."""
    (x, y), _ = WRONG.load_mnist()
    WRONG.manual_seed(0)
    p = WRONG.numpy_parameters(WRONG.models.simple_cnn())
    _, _, right = WRONG.numpy_step(p, x[:16], y[:16])
    _, _, wrong = WRONG.numpy_step(p, x[:16], y[:16], inverted_relu=True)
    assert np.abs(right["features.0.weight"] - wrong["features.0.weight"]).max() > 1e-3


@pytest.fixture(scope="module")
def naive_runs():
    return {(inverted, naive): WRONG.naive_training(inverted, naive, batches=60)
            for inverted in (False, True) for naive in (False, True)}


def test_naive_network_table(naive_runs):
    expected = {(False, False): None, (False, True): 2, (True, False): 38, (True, True): 2}
    for key, first in expected.items():
        run = naive_runs[key]
        assert run["first_nonfinite_batch"] == first
        relu = "inverted" if key[0] else "correct"
        softmax = "naive" if key[1] else "log-sum-exp"
        when = "never" if first is None else f"batch {first}"
        quoted(f"| {relu} | {softmax} | {when} | {pct(run['test_accuracy'])} |")
    assert all(naive_runs[k]["test_accuracy"] == 0.1 for k in expected if expected[k])
    quoted("with SGD (learning rate 0.003, batches of 64) for 60 batches",
           "which is right for the test set's 100 zeros: 10.0%")


def test_naive_network_losses(naive_runs):
    first = naive_runs[False, False]["losses"][0]
    climbing = [v for v in naive_runs[True, False]["losses"] if math.isfinite(v)]
    assert all(round(run["losses"][0], 1) == round(first, 1) for run in naive_runs.values())
    assert naive_runs[False, True]["losses"][1] == math.inf  # log(0), then NaN from batch 3
    assert all(math.isnan(v) for v in naive_runs[False, True]["losses"][2:])
    said = re.search(r"the loss climbs from ([\d.]+) to ([\d.e+]+) as the weights grow",
                     " ".join(COURSE_MD.split()))
    assert said.group(1) == f"{first:.1f}"
    assert max(climbing) == pytest.approx(float(said.group(2)), rel=0.05)  # BLAS-dependent
    quoted(f"the first loss is {first:.1f} instead of ln 10 = {math.log(10):.1f}",
           "the second batch's loss is already infinite", "from the third batch on the loss is NaN")


def test_gradcheck_names_the_inverted_relu():
    message = WRONG.gradcheck_inverted_relu()
    prefix = "gradcheck: gradient of input 0 (shape (4,)) is wrong at element (2,): "
    assert message.startswith(prefix)
    numerical = float(message.split("vs numerical")[1].split("(atol")[0].strip()
                      .removeprefix("np.float64(").rstrip(")"))
    assert round(numerical, 2) == 0.64
    quoted(f"print(error)  # {prefix}...", "the random output gradient, 0.64",
           "passes at inputs -1.5, -0.5, 0.5 and 1.5")


def test_detect_anomaly_names_the_exp():
    result = WRONG.anomaly_naive_softmax()
    assert result["anomaly"] == "detect_anomaly: exp produced NaN or Inf in its forward result"
    assert result["cross_entropy"] == 0.0
    quoted(f"print(error)  # {result['anomaly']}", "for the logits above it returns 0.0")


def test_fit_stops_at_the_first_nan_loss():
    message = WRONG.fit_naive_loss()
    assert message.startswith("Classifier.fit: the loss became inf at epoch 1, batch 2")
    quoted(f"`{message}`")
