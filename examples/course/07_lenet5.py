"""Course part 7: LeNet-5, drawn, summarised and trained on MNIST, with its learning curves.

LeNet-5 (LeCun et al., 1998): conv 6@5x5 - pool - conv 16@5x5 - pool - FC 120 - 84 - 10.
Writes `lenet5_model.svg` (the architecture, if Graphviz's `dot` is installed) and
`lenet5_curves.png` (if matplotlib is) into the current directory.

Run: python examples/course/07_lenet5.py   (TINYGRAD_CNN_QUICK=1: 1 epoch on 500 images)
"""

from __future__ import annotations

import os
from pathlib import Path

from tinygrad_cnn import manual_seed, models, optim
from tinygrad_cnn.data import load_mnist
from tinygrad_cnn.summary import Summary, summary
from tinygrad_cnn.train import Classifier, History

QUICK = os.environ.get("TINYGRAD_CNN_QUICK") == "1"
EPOCHS, TRAIN_IMAGES = (1, 500) if QUICK else (10, None)
SETTINGS = {"lr": 1e-3, "batch_size": 64, "seed": 0}


def architecture(verbose: bool = False) -> Summary:
    """LeNet-5's layers, output shapes, parameters and MACs for one 28x28 digit."""
    return summary(models.lenet5(), (1, 1, 28, 28), verbose=verbose)


def train(epochs: int = EPOCHS, train_images: int | None = TRAIN_IMAGES,
          verbose: bool = True) -> History:
    """Train a fresh LeNet-5 (seeded) with Adam and return its per-epoch history."""
    (x_train, y_train), (x_test, y_test) = load_mnist()
    manual_seed(SETTINGS["seed"])
    net = models.lenet5()
    clf = Classifier(net, optim.Adam(net.parameters(), lr=SETTINGS["lr"]), epochs=epochs,
                     batch_size=SETTINGS["batch_size"], seed=SETTINGS["seed"], verbose=verbose)
    return clf.fit(x_train[:train_images], y_train[:train_images],
                   validation_data=(x_test, y_test))


def draw(path: Path) -> Path | None:
    """The architecture picture (one box per layer), or None without Graphviz's `dot`."""
    from tinygrad_cnn.viz import draw_model, render

    try:
        return render(draw_model(models.lenet5(), (1, 1, 28, 28)), path)
    except RuntimeError as error:  # no `dot` on PATH: say so and go on
        print(error)
        return None


def main(out: Path | None = None) -> History:
    out = out or Path.cwd()
    architecture(verbose=True)
    picture = draw(out / "lenet5_model.svg")
    if picture:
        print(f"wrote {picture}")
    history = train()
    for epoch, (acc, val) in enumerate(zip(history.accuracy, history.val_accuracy), start=1):
        print(f"epoch {epoch}: train accuracy {acc:.3f}, test accuracy {val:.3f}")
    try:
        from tinygrad_cnn.viz import plot_history

        print(f"wrote {plot_history(history, out / 'lenet5_curves.png', title='LeNet-5')}")
    except ImportError:
        print('learning curves need matplotlib: pip install "tinygrad_cnn[plot]"')
    return history


if __name__ == "__main__":
    main()
