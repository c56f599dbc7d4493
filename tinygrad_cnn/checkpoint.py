"""Training checkpoints: the model by name, its weights, the optimiser state and the epoch."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from tinygrad_cnn import models
from tinygrad_cnn.nn.init import skip_init
from tinygrad_cnn.serialization import load, save

# Command-line model names and the constructors behind them.
MODELS: dict[str, Any] = {
    "lenet5": models.lenet5,
    "simple-cnn": models.simple_cnn,
    "alexnet": models.alexnet,
    "vgg11": models.vgg11,
    "vgg13": models.vgg13,
    "vgg16": models.vgg16,
    "vgg19": models.vgg19,
}


def build_model(
    name: str, num_classes: int = 10, in_channels: int | None = None, initialize: bool = True
) -> Any:
    """A fresh model by its command-line name (`lenet5`, `simple-cnn`, `vgg16`, ...).

    Args:
        name: a key of `MODELS`.
        num_classes: the size of the last layer.
        in_channels: input channels (the model's default when None).
        initialize: draw initial weights; False leaves them undefined, for a model whose
            weights are loaded next or whose shapes are all that is needed.

    Raises:
        ValueError: for an unknown name.
    """
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(MODELS)}")
    options = {"num_classes": num_classes}
    if in_channels is not None:
        options["in_channels"] = in_channels
    if initialize:
        return MODELS[name](**options)
    with skip_init():
        return MODELS[name](**options)


def save_checkpoint(
    path: str | os.PathLike[str], model_name: str, model: Any, optimizer: Any = None,
    epoch: int = 0, num_classes: int = 10,
) -> None:
    """Write the model (by name and weights), the optimiser state and the epoch, atomically."""
    state: dict[str, Any] = {
        "meta": {
            "model": np.array(model_name),
            "num_classes": np.array(num_classes),
            "epoch": np.array(epoch),
        },
        "model": model.state_dict(),
    }
    if optimizer is not None:
        state["optimizer"] = optimizer.state_dict()
    save(state, path)


def load_checkpoint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a checkpoint written by `save_checkpoint` and rebuild its model with the weights.

    Returns:
        A dict with "model" (the Module, weights loaded), "model_name", "num_classes", "epoch"
        and, when saved, "optimizer" (a state dict for `Optimizer.load_state_dict`).

    Raises:
        ValueError: when the file is not such a checkpoint or its weights do not fit the model.
    """
    state = load(path)
    if not isinstance(state, dict) or "meta" not in state or "model" not in state:
        raise ValueError(f"{path}: not a tinygrad_cnn training checkpoint (no meta/model entries)")
    meta = state["meta"]
    try:
        name, classes, epoch = str(meta["model"]), int(meta["num_classes"]), int(meta["epoch"])
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{path}: checkpoint metadata is incomplete ({error})") from None
    model = build_model(name, classes, initialize=False)
    try:
        model.load_state_dict(state["model"])
    except (KeyError, ValueError) as error:
        raise ValueError(f"{path}: the weights do not fit {name}: {error}") from None
    return {"model": model, "model_name": name, "num_classes": classes, "epoch": epoch,
            "optimizer": state.get("optimizer")}
