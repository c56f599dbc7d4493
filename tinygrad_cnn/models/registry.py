"""The built-in models by name, as the command line and training checkpoints spell them."""

from __future__ import annotations

from collections.abc import Callable

from tinygrad_cnn.models.alexnet import alexnet
from tinygrad_cnn.models.densenet import densenet121
from tinygrad_cnn.models.lenet import lenet5
from tinygrad_cnn.models.mobilenet import mobilenet_v2
from tinygrad_cnn.models.resnet import resnet18, resnet20, resnet34, resnet50
from tinygrad_cnn.models.simple import simple_cnn
from tinygrad_cnn.models.vgg import vgg11, vgg13, vgg16, vgg19
from tinygrad_cnn.nn.init import skip_init
from tinygrad_cnn.nn.module import Module

# Command-line model names and the constructors behind them.
MODELS: dict[str, Callable[..., Module]] = {
    "lenet5": lenet5,
    "simple-cnn": simple_cnn,
    "alexnet": alexnet,
    "vgg11": vgg11,
    "vgg13": vgg13,
    "vgg16": vgg16,
    "vgg19": vgg19,
    "resnet18": resnet18,
    "resnet34": resnet34,
    "resnet50": resnet50,
    "resnet20": resnet20,
    "mobilenet_v2": mobilenet_v2,
    "densenet121": densenet121,
}


def build_model(
    name: str, num_classes: int = 10, in_channels: int | None = None, initialize: bool = True
) -> Module:
    """A fresh model by its command-line name (`lenet5`, `simple-cnn`, `vgg16`, `resnet20`, ...).

    Args:
        name: a key of `MODELS`.
        num_classes: the size of the last layer.
        in_channels: input channels (the model's default when None).
        initialize: draw initial weights; False leaves them undefined, for a model whose
            weights are loaded next or whose shapes are all that is needed.

    Returns:
        The model, in training mode.

    Raises:
        ValueError: for an unknown name.

    Examples:
        >>> from tinygrad_cnn.models import build_model
        >>> build_model("lenet5", initialize=False).num_parameters()
        44426
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
