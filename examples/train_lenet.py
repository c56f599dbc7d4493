"""Train LeNet-5 on the embedded MNIST subset, save it, reload it, and draw its learning curves.

The recipe of the course: Adam, learning rate 1e-3, batch 64, 10 epochs. Set
TINYGRAD_CNN_QUICK=1 for a one-epoch run on 500 images.
"""

import os

from tinygrad_cnn import load, manual_seed, models, optim, save
from tinygrad_cnn.data import load_mnist
from tinygrad_cnn.train import Classifier

QUICK = bool(os.environ.get("TINYGRAD_CNN_QUICK"))


def main() -> None:
    manual_seed(0)
    (x_train, y_train), (x_test, y_test) = load_mnist()
    if QUICK:
        x_train, y_train = x_train[:500], y_train[:500]
    net = models.lenet5()
    clf = Classifier(net, optim.Adam(net.parameters(), lr=1e-3), epochs=1 if QUICK else 10,
                     batch_size=64, seed=0, verbose=not QUICK)
    history = clf.fit(x_train, y_train, validation_data=(x_test, y_test))
    print(f"test accuracy after {len(history.loss)} epochs: {clf.score(x_test, y_test):.4f}")

    save(net.state_dict(), "lenet5.npz")
    restored = models.lenet5()
    restored.load_state_dict(load("lenet5.npz"))
    again = Classifier(restored, optimizer=None, verbose=False).score(x_test, y_test)
    print(f"reloaded from lenet5.npz: test accuracy {again:.4f}")

    try:
        from tinygrad_cnn.viz import plot_history

        print("learning curves:", plot_history(history, "lenet5-curves.png", title="LeNet-5"))
    except ImportError:
        print('install matplotlib (pip install "tinygrad_cnn[plot]") to draw learning curves')


if __name__ == "__main__":
    main()
