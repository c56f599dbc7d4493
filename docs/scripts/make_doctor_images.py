"""Regenerate the pictures of docs/doctor.md in docs/images/doctor/ (needs matplotlib).

Run from anywhere: ``python docs/scripts/make_doctor_images.py [OUT_DIR]``. It rebuilds the
course's scratch classifier with its NaN, asks the doctor, applies the fix, trains the fixed
classifier for three epochs (seeded, under a minute), draws the five pictures the page shows
and prints the reports and numbers it quotes; the page shows this script's code, cut at the
``--8<--`` marks (tests/test_docs.py holds the page's blocks to them). The test suite runs it
into a temporary folder and checks the page against what it prints.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# --8<-- [start:imports]
import numpy as np

from tinygrad_cnn import manual_seed, nn, optim
from tinygrad_cnn.data import load_mnist, transforms
from tinygrad_cnn.explain import diagnose
from tinygrad_cnn.train import Classifier, lr_find
from tinygrad_cnn.viz import (
    plot_diagnosis,
    plot_histograms,
    plot_lr_find,
    plot_update_ratios,
    render,
)

# --8<-- [end:imports]

IMAGES = Path(__file__).resolve().parents[1] / "images" / "doctor"
NAMES = ["activations.png", "gradients.png", "update_ratios.png", "lr_find.png",
         "diverging.png"]


# --8<-- [start:scratch]
def scratch_cnn() -> nn.Sequential:
    """The course's network: conv 10@3x3, ReLU, max-pool, two hidden layers; raw scores out."""
    return nn.Sequential(nn.Conv2d(1, 10, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(1690, 200), nn.ReLU(), nn.Linear(200, 200), nn.ReLU(),
                         nn.Linear(200, 10))


def course_loss(scores, target):
    """The course's loss: minus the log of the true class's score, as if it were a probability."""
    return -scores[np.arange(len(target)), target].log().mean()
# --8<-- [end:scratch]


def main(out: Path = IMAGES) -> tuple[list[Path], dict[str, Any]]:
    """Run the page's story, draw its pictures into `out` (made if missing; the page's code
    writes them into the current folder); return them and what the page quotes."""
    from folder import inside  # docs/scripts/folder.py; here, as the imports above are the page's

    with inside(out):
        return _story(out)


def _story(out: Path) -> tuple[list[Path], dict[str, Any]]:
    quoted: dict[str, Any] = {}
    # --8<-- [start:nan]
    manual_seed(0)
    (x_train, y_train), (x_test, y_test) = load_mnist()  # the embedded 4,000 + 1,000 digits
    model = scratch_cnn()
    adam = optim.Adam(model.parameters(), lr=1e-3)
    try:
        Classifier(model, adam, loss=course_loss, epochs=3, verbose=False).fit(x_train, y_train)
    except FloatingPointError as error:
        print(error)
    # --8<-- [end:nan]
        quoted["nan"] = str(error)
    # --8<-- [start:diagnose]
    report = diagnose(model, x_train, y_train, adam, loss=course_loss)
    print(report)
    # --8<-- [end:diagnose]
    quoted["sick"] = str(report)
    # --8<-- [start:fix]
    standardise = transforms.Normalize(mean=0.1307, std=0.3081)  # the training set's
    x_train, x_test = standardise(x_train), standardise(x_test)
    report = diagnose(model, x_train, y_train, adam)  # loss="cross_entropy": raw scores
    print(report)
    # --8<-- [end:fix]
    quoted["fixed"] = str(report)
    # --8<-- [start:learn]
    history = Classifier(model, adam, epochs=3, seed=0, verbose=False).fit(
        x_train, y_train, validation_data=(x_test, y_test))
    print([f"{accuracy:.3f}" for accuracy in history.val_accuracy])
    # --8<-- [end:learn]
    quoted["accuracy"] = history.val_accuracy
    _pictures(quoted, x_train, y_train)
    return [out / name for name in NAMES], quoted


def _pictures(quoted: dict[str, Any], x_train: np.ndarray, y_train: np.ndarray) -> None:
    # --8<-- [start:pictures]
    manual_seed(0)
    model = scratch_cnn()
    adam = optim.Adam(model.parameters(), lr=1e-3)
    report = diagnose(model, x_train, y_train, adam, steps=40)
    render(plot_histograms(report, "activations"), "activations.png")
    render(plot_histograms(report, "gradients"), "gradients.png")
    render(plot_update_ratios(report), "update_ratios.png")
    result = lr_find(model, adam, x_train, y_train)
    render(plot_lr_find(result), "lr_find.png")
    # --8<-- [end:pictures]
    quoted["suggestion"] = result.suggestion
    quoted["update_ratio"] = float(np.median([layer.update_ratios[-1] for layer in
                                              report.record.layers.values()]))
    # --8<-- [start:diverging]
    too_fast = optim.Adam(model.parameters(), lr=0.1)  # 100 times Adam's usual rate
    report = diagnose(model, x_train, y_train, too_fast, steps=40)
    render(plot_diagnosis(report), "diverging.png")
    # --8<-- [end:diverging]
    quoted["diverging"] = str(report)


if __name__ == "__main__":
    written, numbers = main(Path(sys.argv[1]) if len(sys.argv) > 1 else IMAGES)
    for path in written:
        print(f"wrote {path}")
    print(numbers)
