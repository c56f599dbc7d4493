"""Inverted dropout: zero elements at random while training, scale the rest by 1 / (1 - p)."""

from __future__ import annotations

import numpy as np

from tinygrad_cnn import grad_mode, random
from tinygrad_cnn.tensor import Tensor


def dropout(input: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero each element with probability `p` and scale the survivors by 1 / (1 - p).

    The expected value of every element is unchanged, so evaluation (``training=False``) is
    the identity. The mask comes from the library's seeded generator.

    Args:
        input: any shape.
        p: the probability of zeroing an element, in [0, 1].
        training: apply dropout; when False return `input` unchanged.

    Returns:
        A tensor of the input's shape.

    Raises:
        ValueError: when `p` is outside [0, 1].

    Examples:
        >>> from tinygrad_cnn import Tensor, manual_seed
        >>> import tinygrad_cnn.nn.functional as F
        >>> _ = manual_seed(0)
        >>> F.dropout(Tensor([1.0, 1.0, 1.0, 1.0]), p=0.5).tolist()
        [2.0, 0.0, 0.0, 0.0]
    """
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: probability p must be in [0, 1], got {p!r}")
    if not training or p == 0.0 or grad_mode.evaluating_shapes():  # no mask to draw
        return input
    if p == 1.0:
        return input * 0.0
    keep = random.generator().random(input.shape) >= p
    mask = keep.astype(input.dtype) / np.asarray(1.0 - p, dtype=input.dtype)
    return input * Tensor(mask)
