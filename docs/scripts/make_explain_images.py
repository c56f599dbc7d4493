"""Regenerate the pictures of docs/explain.md in docs/images/explain/ (needs matplotlib).

Run from anywhere: ``python docs/scripts/make_explain_images.py [OUT_DIR]``. It trains LeNet-5
on the embedded MNIST subset for a few epochs (seeded, a few seconds), draws the five
pictures the page shows and prints the numbers it quotes; the page shows this script's code,
cut at the ``--8<--`` marks (tests/test_docs.py holds the page's blocks to them). The test
suite runs it into a temporary folder and checks the numbers against the page.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# --8<-- [start:imports]
import numpy as np

from tinygrad_cnn import manual_seed, models, optim
from tinygrad_cnn.data import load_mnist
from tinygrad_cnn.explain import confusion_matrix, feature_maps, grad_cam, saliency, top_errors
from tinygrad_cnn.train import Classifier
from tinygrad_cnn.viz import (
    plot_confusion_matrix,
    plot_feature_maps,
    plot_filters,
    plot_heatmaps,
    plot_top_errors,
    render,
)

# --8<-- [end:imports]
IMAGES = Path(__file__).resolve().parents[1] / "images" / "explain"
NAMES = ["filters.png", "feature_maps.png", "heatmaps.png", "confusion.png", "errors.png"]


def main(out: Path = IMAGES) -> tuple[list[Path], dict[str, Any]]:
    """Train, draw the five pictures into `out` (made if missing; the page's code writes them
    into the current folder); return them and the numbers the page quotes."""
    from folder import inside  # docs/scripts/folder.py; here, as the imports above are the page's

    with inside(out):
        return _pictures(out)


def _pictures(out: Path) -> tuple[list[Path], dict[str, Any]]:
    # --8<-- [start:train]
    manual_seed(0)
    (x_train, y_train), (x_test, y_test) = load_mnist()  # the embedded 4,000 + 1,000 digits
    model = models.lenet5()
    clf = Classifier(model, optim.Adam(model.parameters(), lr=1e-3), epochs=4, batch_size=64,
                     seed=0, verbose=False)
    clf.fit(x_train, y_train)
    # --8<-- [end:train]
    # --8<-- [start:filters]
    render(plot_filters(model), "filters.png")  # the first Conv2d: features.0
    # --8<-- [end:filters]
    # --8<-- [start:features]
    maps = feature_maps(model, x_test[:1], ["features.0", "features.3"])
    render(plot_feature_maps(maps), "feature_maps.png")
    # --8<-- [end:features]
    # --8<-- [start:heatmaps]
    shown = [0, 1, 2, 3, 4, 7, 8, 11]  # eight test digits, of seven classes
    x = x_test[shown]
    predicted = clf.predict(x)
    heat = {"saliency": saliency(model, x),
            "SmoothGrad": saliency(model, x, samples=25, noise=0.15),
            "Grad-CAM\nfeatures.3": grad_cam(model, x),  # the default: the last Conv2d
            "Grad-CAM\nfeatures.1": grad_cam(model, x, layer="features.1")}
    titles = [f"{true} → {said}" for true, said in zip(y_test[shown], predicted)]
    render(plot_heatmaps(x, heat, titles=titles), "heatmaps.png")
    # --8<-- [end:heatmaps]
    # --8<-- [start:mistakes]
    matrix = confusion_matrix(y_test, clf.predict(x_test), num_classes=10)
    render(plot_confusion_matrix(matrix), "confusion.png")
    errors = top_errors(model, x_test, y_test, k=16)
    render(plot_top_errors(x_test, errors), "errors.png")
    # --8<-- [end:mistakes]
    return [out / name for name in NAMES], _numbers(model, x_test, matrix, errors)


def _numbers(model: models.LeNet5, x_test: np.ndarray, matrix: np.ndarray,
             errors: Any) -> dict[str, Any]:
    wrong = matrix - np.diag(np.diag(matrix))
    true, said = np.unravel_index(wrong.argmax(), matrix.shape)
    ink = x_test[:, 0] > 0.3  # the pixels of the strokes
    cam = grad_cam(model, x_test)
    return {
        "accuracy": float(np.trace(matrix) / matrix.sum()),
        "mistakes": int(wrong.sum()),
        "worst_pair": (int(true), int(said), int(wrong[true, said])),
        "surest_mistake": float(errors.confidence[0]),
        "ink_share": float(ink.mean()),
        "cam_on_ink": float(((cam * ink).sum(axis=(1, 2)) / cam.sum(axis=(1, 2))).mean()),
        "empty_cams_features_1": int(
            (grad_cam(model, x_test, layer="features.1").max(axis=(1, 2)) == 0).sum()),
    }


if __name__ == "__main__":
    written, quoted = main(Path(sys.argv[1]) if len(sys.argv) > 1 else IMAGES)
    for path in written:
        print(f"wrote {path}")
    print(quoted)
