"""Inverted dropout: zero elements (or whole channels) at random while training, scale the
rest by 1 / (1 - p)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_cnn import random
from tinygrad_cnn.autograd import grad_mode
from tinygrad_cnn.nn.functional.activation import maybe_in_place
from tinygrad_cnn.tensor import Tensor


def check_probability(op: str, p: Any) -> float:
    """`p` as a float, or a ValueError naming `op` when it is not a number in [0, 1]."""
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: probability p must be in [0, 1], got {p!r}")
    return float(p)


def _drop(input: Tensor, p: float, training: bool, mask_shape: tuple[int, ...]) -> Tensor:
    """input times a mask of `mask_shape` (broadcast): 0 with probability p, else 1 / (1 - p)."""
    if not training or p == 0.0 or grad_mode.evaluating_shapes():  # no mask to draw
        return input
    if p == 1.0:
        return input * 0.0
    keep = random.generator().random(mask_shape) >= p
    mask = keep.astype(input.dtype) / np.asarray(1.0 - p, dtype=input.dtype)
    return input * Tensor(mask)


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """Zero each element with probability `p` and scale the survivors by 1 / (1 - p).

    The expected value of every element is unchanged, so evaluation (``training=False``) is
    the identity. The mask comes from the library's seeded generator.

    Args:
        input: any shape.
        p: the probability of zeroing an element, in [0, 1].
        training: apply dropout; when False return `input` unchanged.
        inplace: write the result into `input` (as PyTorch; here it costs a copy).

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
    p = check_probability("dropout", p)
    return maybe_in_place(input, inplace and training, lambda x: _drop(x, p, training, x.shape))


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels: each (n, c) feature map is zeroed with probability `p`, the
    others scaled by 1 / (1 - p).

    Neighbouring pixels of a feature map are strongly correlated, so dropping single pixels
    barely regularises a conv layer; dropping the whole map does.

    Args:
        input: (N, C, H, W), or (N, C, L) (channel-wise, as PyTorch treats 3-D input).
        p: the probability of zeroing a channel, in [0, 1].
        training: apply dropout; when False return `input` unchanged.
        inplace: write the result into `input` (as PyTorch; here it costs a copy).

    Raises:
        ValueError: when `p` is outside [0, 1] or the input is not 3-D or 4-D.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor, manual_seed
        >>> import tinygrad_cnn.nn.functional as F
        >>> _ = manual_seed(0)
        >>> F.dropout2d(Tensor(np.ones((1, 3, 2, 2))), p=0.5)[0, :, 0, 0].tolist()
        [2.0, 0.0, 0.0]
    """
    p = check_probability("dropout2d", p)
    if input.ndim not in (3, 4):
        raise ValueError(f"dropout2d: input must be 4-D (N, C, H, W) or 3-D (N, C, L), got "
                         f"shape {input.shape}")
    mask_shape = input.shape[:2] + (1,) * (input.ndim - 2)
    return maybe_in_place(input, inplace and training, lambda x: _drop(x, p, training, mask_shape))
