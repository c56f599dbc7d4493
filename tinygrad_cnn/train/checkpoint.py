"""Training checkpoints: the model by name, its weights, the optimiser state and the epoch.

One file, written by `save` (so `.npz` or `.safetensors`), from which `load_checkpoint`
rebuilds the model by its name (`models.build_model`) and hands back the optimiser state for
`Optimizer.load_state_dict`, so training resumes where it stopped.

A checkpoint is data: it never causes code to be imported. A built-in model is rebuilt from
the name it records; a user's model (`package.module:factory`) only when the caller names that
factory too (`--model` on the command line), so a file cannot choose what code runs.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from tinygrad_cnn.data.labels import MAX_CLASSES
from tinygrad_cnn.models.registry import MODELS, build_model, is_factory_name
from tinygrad_cnn.serialization import load, save


def save_checkpoint(
    path: str | os.PathLike[str], model_name: str, model: Any, optimizer: Any = None,
    epoch: int = 0, num_classes: int = 10, in_channels: int | None = None,
    image_size: int | None = None,
) -> None:
    """Write the model (by name and weights), the optimiser state and the epoch, atomically.

    Args:
        path: the file; its extension picks the format, as for `save`.
        model_name: the model's name for `models.build_model` (a built-in name or a user's
            `package.module:factory`), so `load_checkpoint` can rebuild it.
        model: the model whose `state_dict()` is saved.
        optimizer: an optimiser whose `state_dict()` is saved too, to resume training.
        epoch: how many epochs the weights have been trained for.
        num_classes: the size of the model's last layer.
        in_channels: the model's input channels, when not its default (3 for pictures).
        image_size: the side of the square images it was trained on, when they were resized
            to it, so that the images it is evaluated on can be too.
    """
    state: dict[str, Any] = {
        "meta": {
            "model": np.array(model_name),
            "num_classes": np.array(num_classes),
            "epoch": np.array(epoch),
            **({"in_channels": np.array(in_channels)} if in_channels is not None else {}),
            **({"image_size": np.array(image_size)} if image_size is not None else {}),
        },
        "model": model.state_dict(),
    }
    if optimizer is not None:
        state["optimizer"] = optimizer.state_dict()
    save(state, path)


def load_checkpoint(
    path: str | os.PathLike[str], model_name: str | None = None
) -> dict[str, Any]:
    """Read a checkpoint written by `save_checkpoint` and rebuild its model with the weights.

    Args:
        path: the checkpoint.
        model_name: the model to rebuild, named by the caller: needed for a user's model,
            and then exactly the `package.module:factory` the checkpoint records, whose module
            is imported; optional for a built-in model (then it must be the recorded one). The
            checkpoint's own record never imports anything.

    Returns:
        A dict with "model" (the Module, weights loaded), "model_name", "num_classes", "epoch",
        "in_channels" and "image_size" (None when not recorded) and "optimizer" (a state dict
        for `Optimizer.load_state_dict`, None when not saved).

    Raises:
        ValueError: when the file is not such a checkpoint, its number of classes is not from 1
            to `data.labels.MAX_CLASSES`, it records a user's model that `model_name` does not
            name (the message says which to pass), `model_name` is not the recorded model, or
            its weights do not fit the model.
    """
    state = load(path)
    if not isinstance(state, dict) or "meta" not in state or "model" not in state:
        raise ValueError(f"{path}: not a tinygrad_cnn training checkpoint (no meta/model entries)")
    meta = state["meta"]
    try:
        name, classes, epoch = str(meta["model"]), int(meta["num_classes"]), int(meta["epoch"])
        channels, side = (int(meta[key]) if key in meta else None
                          for key in ("in_channels", "image_size"))
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{path}: checkpoint metadata is incomplete ({error})") from None
    _check_model_name(path, name, model_name)
    if not 1 <= classes <= MAX_CLASSES:
        raise ValueError(f"{path}: the checkpoint asks for {classes:,} classes; a model has 1 "
                         f"to {MAX_CLASSES:,}")
    model = build_model(name, classes, channels, initialize=False)
    try:
        model.load_state_dict(state["model"])
    except (KeyError, ValueError) as error:
        raise ValueError(f"{path}: the weights do not fit {name}: {error}") from None
    return {"model": model, "model_name": name, "num_classes": classes, "epoch": epoch,
            "in_channels": channels, "image_size": side, "optimizer": state.get("optimizer")}


def _check_model_name(path: Any, recorded: str, named: str | None) -> None:
    """Refuse to rebuild a model the caller did not name, or named otherwise."""
    if recorded not in MODELS and not is_factory_name(recorded):
        raise ValueError(f"{path}: the checkpoint records {recorded[:100]!r}, neither a "
                         "built-in model nor package.module:factory")
    if named is not None and named != recorded:
        raise ValueError(f"{path} holds a {recorded}, not {named}; name the model it was saved "
                         f"from ({recorded}), or none for a built-in one")
    if named is None and recorded not in MODELS:
        raise ValueError(
            f"{path} holds the user model {recorded}; a checkpoint never imports code by "
            f"itself, so name the model to rebuild it: --model {recorded} on the command line "
            f"(model_name='{recorded}' in Python)"
        )
