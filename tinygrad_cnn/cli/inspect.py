"""The `tinygrad-cnn inspect` command: pictures of what a checkpoint's model learned."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from tinygrad_cnn import explain, viz
from tinygrad_cnn.cli.model_input import resized
from tinygrad_cnn.cli.shared import (
    CHECKPOINT_MODEL_HELP,
    CommandError,
    check_picture,
    is_idx_dir,
    load_data,
)
from tinygrad_cnn.data import ImageFolder
from tinygrad_cnn.train import Classifier, checkpoint

PICTURES = ("overview", "gradcam", "saliency", "features", "filters", "confusion", "errors")
SHOWN = 8  # test images explained when --image is not given
MISTAKES = 16  # images in --what errors


def add_parser(commands: Any) -> None:
    """Add `inspect` to the subcommands of the `tinygrad-cnn` parser."""
    inspect = commands.add_parser("inspect", help="draw what a checkpoint's model learned",
                                  description=command_inspect.__doc__)
    inspect.add_argument("checkpoint")
    inspect.add_argument("--model", metavar="NAME", help=CHECKPOINT_MODEL_HELP)
    inspect.add_argument("-o", "--output", required=True, metavar="FILE",
                         help=".png, .svg or .pdf")
    inspect.add_argument("--data", metavar="DIR", help="directory of IDX files or pictures, "
                         "whose test images are used (default: the embedded MNIST subset)")
    inspect.add_argument("--image", type=int, nargs="+", metavar="N",
                         help=f"test images to explain, by position (default: the first {SHOWN})")
    inspect.add_argument("--what", choices=PICTURES, default="overview",
                         help="overview (default): the images with saliency and Grad-CAM; "
                         "features: the first image's feature maps; filters: the first conv "
                         f"layer's; confusion: the confusion matrix; errors: the {MISTAKES} "
                         "most confident mistakes")
    inspect.add_argument("--layer", nargs="+", metavar="NAME", help="dotted module names: "
                         "Grad-CAM's layer (default the last Conv2d), the layers of features "
                         "(default every Conv2d), the layer of filters (default the first Conv2d)")
    inspect.set_defaults(run=command_inspect)


def command_inspect(args: argparse.Namespace) -> None:
    """Draw saliency and Grad-CAM maps, feature maps, filters, the confusion matrix or the
    most confident mistakes of a checkpoint's model on the test images."""
    check_picture(args.output, "-o", "the pictures")
    if args.layer and len(args.layer) > 1 and args.what in ("overview", "gradcam", "filters"):
        raise CommandError(f"--layer: --what {args.what} draws one layer, got "
                           f"{len(args.layer)}")
    state = checkpoint.load_checkpoint(args.checkpoint, args.model)
    model, layer = state["model"], args.layer[0] if args.layer else None
    if args.what == "filters":
        figure = viz.plot_filters(model, layer)
    else:
        _, (x, y) = load_data(args.data, None, state["model_name"])
        x = resized(x, state["image_size"])
        names = _class_names(args.data, state["num_classes"])
        figure = _figure(args.what, model, x, y, _chosen(args.image, len(x)), args.layer, names)
    print(f"wrote {viz.render(figure, args.output)}")


def _figure(what: str, model: Any, x: np.ndarray, y: np.ndarray, chosen: list[int],
            layers: list[str] | None, names: list[str]) -> Any:
    if what == "features":
        return viz.plot_feature_maps(explain.feature_maps(model, x[chosen[:1]], layers))
    if what == "confusion":
        predicted = Classifier(model, optimizer=None, verbose=False).predict(x)
        matrix = explain.confusion_matrix(y, predicted, len(names))
        return viz.plot_confusion_matrix(matrix, names)
    if what == "errors":
        return viz.plot_top_errors(x, explain.top_errors(model, x, y, k=MISTAKES), names)
    images, rows = x[chosen], {}
    if what in ("overview", "saliency"):
        rows["saliency"] = explain.saliency(model, images)
    if what in ("overview", "gradcam"):
        layer = layers[0] if layers else None
        label = "Grad-CAM" + (f"\n{layer}" if layer else "")
        rows[label] = explain.grad_cam(model, images, layer=layer)
    titles, wrong = _titles(model, images, y[chosen], names)
    return viz.plot_heatmaps(images, rows, titles=titles, wrong=wrong)


def _chosen(requested: list[int] | None, count: int) -> list[int]:
    if requested is None:
        return list(range(min(SHOWN, count)))
    for i in requested:
        if not 0 <= i < count:
            raise CommandError(f"--image {i}: the test set has {count} images, 0 to {count - 1}")
    return requested


def _class_names(directory: str | None, num_classes: int) -> list[str]:
    """The sub-folder names of a picture folder (its train/ split when there is one, as
    `load_data` reads it); the class numbers for IDX data or when the counts differ."""
    numbers = [str(i) for i in range(num_classes)]
    if is_idx_dir(directory):
        return numbers
    root = Path(str(directory))
    split = root / "train" if (root / "train").is_dir() and (root / "test").is_dir() else root
    names = ImageFolder(split).classes
    return names if len(names) == num_classes else numbers


def _titles(model: Any, images: np.ndarray, true: np.ndarray,
            names: list[str]) -> tuple[list[str], list[bool]]:
    """'true / predicted (confidence)' for each image, and which predictions are wrong (drawn
    in dark red, as --what errors draws its mistakes)."""
    probabilities = Classifier(model, optimizer=None, verbose=False).predict_proba(images)
    predicted = probabilities.argmax(axis=1)
    titles = [f"true {names[t]}\npredicted {names[p]} ({probabilities[i, p]:.0%})"
              for i, (t, p) in enumerate(zip(true, predicted))]
    return titles, [bool(t != p) for t, p in zip(true, predicted)]
