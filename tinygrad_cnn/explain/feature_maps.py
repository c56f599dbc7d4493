"""Feature maps: what some layers output for a batch of images, from one forward pass."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_cnn.autograd import no_grad
from tinygrad_cnn.explain import checks
from tinygrad_cnn.explain.capture import capturing
from tinygrad_cnn.explain.guard import inspecting
from tinygrad_cnn.nn import Module
from tinygrad_cnn.tensor import Tensor


def feature_maps(model: Module, x: Any, layers: str | Sequence[str] | None = None
                 ) -> dict[str, np.ndarray]:
    """The outputs of the named layers for images `x`, from one forward pass in eval mode.

    Forward hooks keep the outputs of those layers only, and nothing is recorded for backward.

    Args:
        model: any Module taking images (N, C, H, W).
        x: images (N, C, H, W), float, as an ndarray or Tensor.
        layers: dotted module names (from `model.named_modules()`), or one name; default
            every Conv2d layer.

    Returns:
        name -> that layer's output as an array, e.g. (N, K, h, w) for a conv layer, in the
        order the names were given.

    Raises:
        ValueError: for images that are not float (N, C, H, W), no layers, a name the model
            does not have (the message lists those it has), or a layer that does not run
            exactly once or returns no Tensor.
        TypeError: when `model` is not a Module or a name not a string.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import models
        >>> x = np.zeros((2, 1, 28, 28), dtype=np.float32)
        >>> maps = feature_maps(models.lenet5(), x, ["features.0", "features.5"])
        >>> {name: m.shape for name, m in maps.items()}
        {'features.0': (2, 6, 24, 24), 'features.5': (2, 16, 4, 4)}
    """
    op = "feature_maps"
    images = checks.images(op, x)
    if layers is None:
        names = checks.conv_layers(op, model)
    else:
        names = list(dict.fromkeys([layers] if isinstance(layers, str) else layers))
    if not names:
        raise ValueError(f"{op}: layers is empty; name at least one layer")
    modules = {name: checks.layer(op, model, name) for name in names}
    with inspecting(model, op), capturing(op, modules) as seen, no_grad():
        model(Tensor(images))
    return {name: seen.one(name).data for name in names}
