"""Parameter: a Tensor that a Module owns and an optimiser updates."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_cnn.tensor import Tensor


class Parameter(Tensor):
    """A Tensor that a Module owns and an optimiser updates; it requires grad by default.

    Args:
        data: the initial values (an ndarray is shared, not copied; a Tensor shares its data).
            None gives an empty float32 parameter.
        requires_grad: whether the parameter is trained.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn.nn import Parameter
        >>> w = Parameter(np.zeros((2, 3), dtype=np.float32))
        >>> w.requires_grad, w.shape
        (True, (2, 3))
    """

    def __init__(self, data: Any = None, requires_grad: bool = True):
        super().__init__(np.zeros(0, dtype=np.float32) if data is None else data, requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
