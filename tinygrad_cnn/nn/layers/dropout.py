"""Dropout layers: zero activations (or whole channels) at random while training (inverted
dropout), identity in eval."""

from __future__ import annotations

from tinygrad_cnn.nn import functional as F
from tinygrad_cnn.nn.functional.dropout import check_probability
from tinygrad_cnn.nn.module import Module
from tinygrad_cnn.tensor import Tensor


class Dropout(Module):
    """In training, zero each element with probability `p` and scale the rest by 1/(1 - p).

    In eval mode (`model.eval()`) it returns its input unchanged. The mask comes from the
    library's seeded generator (`tinygrad_cnn.manual_seed`).

    Args:
        p: the probability of zeroing an element, in [0, 1].
        inplace: write the result into the input (as PyTorch; here it costs a copy).

    Raises:
        ValueError: when `p` is outside [0, 1].
    """

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        self.p = check_probability(type(self).__name__, p)
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """The input with dropout applied when training."""
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout2d(Dropout):
    """In training, zero each channel (a whole (H, W) map) with probability `p` and scale the
    rest by 1/(1 - p); identity in eval mode.

    Args:
        p: the probability of zeroing a channel, in [0, 1].
        inplace: write the result into the input (as PyTorch; here it costs a copy).

    Raises:
        ValueError: when `p` is outside [0, 1]; when called on an input that is not
            (N, C, H, W) or (N, C, L).
    """

    def forward(self, input: Tensor) -> Tensor:
        """The input with channel dropout applied when training."""
        return F.dropout2d(input, self.p, self.training, self.inplace)
