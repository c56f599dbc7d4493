"""Models by name, as the command line and training checkpoints spell them: a built-in name
(`lenet5`) or a user's factory as `package.module:factory`, like `uvicorn app:main`."""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from collections.abc import Callable
from typing import Any

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
    name: str, num_classes: int | None = None, in_channels: int | None = None,
    initialize: bool = True,
) -> Module:
    """A fresh model by name: a built-in one (`lenet5`, `resnet20`, ...) or a user's factory.

    A user's model is named `package.module:factory` (the module is imported from the
    working directory or `sys.path`); the factory is any callable that returns a Module. It
    is given `num_classes` and `in_channels` only when they are not None and it takes them
    (as the built-in models do): `def make(): return Net()` is called with no arguments, and
    whether the model then fits the data is for the caller to check.

    Args:
        name: a key of `MODELS`, or `package.module:factory`.
        num_classes: the size of the last layer (the model's default when None).
        in_channels: input channels (the model's default when None).
        initialize: draw initial weights; False leaves them undefined, for a model whose
            weights are loaded next or whose shapes are all that is needed.

    Returns:
        The model, in training mode.

    Raises:
        ValueError: for an unknown name, a factory that cannot be imported or called (its
            module or the factory itself raised anything, a syntax error or `sys.exit`
            included), or one that returns something else than a Module; the message is one
            line naming it, the original error chained.

    Examples:
        >>> from tinygrad_cnn.models import build_model
        >>> build_model("lenet5", initialize=False).num_parameters()
        44426
    """
    factory = _factory(name)
    options = _accepted(factory, {key: value for key, value in (("num_classes", num_classes),
                                  ("in_channels", in_channels)) if value is not None})
    if initialize:
        return _called(name, factory, options)
    with skip_init():
        return _called(name, factory, options)


def is_factory_name(name: str) -> bool:
    """True for a name of the form `package.module:factory` (dotted Python identifiers)."""
    module_name, colon, attribute = name.partition(":")
    return bool(colon) and all(part.isidentifier() for text in (module_name, attribute)
                               for part in text.split("."))


def _raised(error: BaseException) -> str:
    """What user code raised, in one line: ``ZeroDivisionError: division by zero``."""
    if isinstance(error, SystemExit):
        return f"SystemExit (exit status {error.code})"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _factory(name: str) -> Callable[..., Any]:
    """The callable behind a built-in name or a `package.module:factory` name."""
    if name in MODELS:
        return MODELS[name]
    if not is_factory_name(name):
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(MODELS)}, or name "
                         "a factory of your own as package.module:factory")
    module_name, _, attribute = name.partition(":")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())  # as `python -m` would: the user's files come first
    # The user's code runs here and below: whatever it raises (a syntax error, sys.exit) is
    # reported as one line naming the model, with the original chained for a traceback.
    try:
        found: Any = importlib.import_module(module_name)
    except ImportError as error:
        raise ValueError(f"model {name}: cannot import {module_name} ({error})") from None
    except (Exception, SystemExit) as error:
        raise ValueError(f"model {name}: importing {module_name} raised "
                         f"{_raised(error)}") from error
    for part in attribute.split("."):
        try:
            found = getattr(found, part)
        except AttributeError:
            raise ValueError(f"model {name}: {module_name} has no attribute {attribute}") from None
        except (Exception, SystemExit) as error:
            raise ValueError(f"model {name}: reading {attribute} raised "
                             f"{_raised(error)}") from error
    if not callable(found):
        raise ValueError(f"model {name}: {attribute} is a {type(found).__name__}, not a "
                         "callable that returns a Module")
    return found


def _accepted(factory: Callable[..., Any], options: dict[str, int]) -> dict[str, int]:
    """The options the factory takes by keyword: all of them when it takes ``**kwargs`` or its
    signature cannot be read (a callable written in C)."""
    try:
        parameters = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return options
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return options
    names = [p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    return {key: value for key, value in options.items() if key in names}


def _called(name: str, factory: Callable[..., Any], options: dict[str, int]) -> Module:
    try:
        model = factory(**options)
    except TypeError as error:
        given = ", ".join(f"{k}=" for k in options) or "no arguments"
        raise ValueError(f"model {name}: calling the factory with {given} failed "
                         f"({error})") from None
    except (Exception, SystemExit) as error:
        raise ValueError(f"model {name}: the factory raised {_raised(error)}") from error
    if not isinstance(model, Module):
        raise ValueError(f"model {name}: the factory returned a {type(model).__name__}, not a "
                         "Module")
    return model
