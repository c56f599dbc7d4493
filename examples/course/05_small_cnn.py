"""Course part 5: a small CNN (conv 10@3x3 - maxpool - FC 1690-200-200-10) trained on MNIST.

`models.simple_cnn()` is the network: a 3x3 conv with 10 filters turns a 28x28 digit into
10 maps of 26x26, ReLU, a 2x2 max pool halves them to 13x13, and 10 * 13 * 13 = 1690 values
go through two hidden layers of 200 to 10 class scores. It trains with Adam on the 4,000
embedded training digits and is scored on the 1,000 test digits after every epoch; the
learning curves are written to `simple_cnn_curves.png`.

Run: python examples/course/05_small_cnn.py   (TINYGRAD_CNN_QUICK=1: 1 epoch on 500 images)
"""

from __future__ import annotations

import os
from pathlib import Path

from tinygrad_cnn import manual_seed, models, optim
from tinygrad_cnn.data import load_mnist
from tinygrad_cnn.summary import summary
from tinygrad_cnn.train import Classifier, History

QUICK = os.environ.get("TINYGRAD_CNN_QUICK") == "1"
EPOCHS, TRAIN_IMAGES = (1, 500) if QUICK else (10, None)
SETTINGS = {"lr": 1e-3, "batch_size": 64, "seed": 0}


def train(epochs: int = EPOCHS, train_images: int | None = TRAIN_IMAGES,
          verbose: bool = True) -> History:
    """Train a fresh SimpleCNN (seeded) and return its per-epoch history."""
    (x_train, y_train), (x_test, y_test) = load_mnist()
    manual_seed(SETTINGS["seed"])
    net = models.simple_cnn()
    clf = Classifier(net, optim.Adam(net.parameters(), lr=SETTINGS["lr"]), epochs=epochs,
                     batch_size=SETTINGS["batch_size"], seed=SETTINGS["seed"], verbose=verbose)
    return clf.fit(x_train[:train_images], y_train[:train_images],
                   validation_data=(x_test, y_test))


def main(out: Path | None = None) -> History:
    summary(models.simple_cnn(), (1, 1, 28, 28))
    history = train()
    for epoch, (acc, val) in enumerate(zip(history.accuracy, history.val_accuracy), start=1):
        print(f"epoch {epoch}: train accuracy {acc:.3f}, test accuracy {val:.3f}")
    try:
        from tinygrad_cnn.viz import plot_history

        path = plot_history(history, (out or Path.cwd()) / "simple_cnn_curves.png",
                            title="SimpleCNN on the embedded MNIST subset")
        print(f"wrote {path}")
    except ImportError:
        print('learning curves need matplotlib: pip install "tinygrad_cnn[plot]"')
    return history


if __name__ == "__main__":
    main()
