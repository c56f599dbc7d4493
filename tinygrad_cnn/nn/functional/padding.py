"""Padding as a function of tensors: constant, reflect, replicate and circular, as F.pad."""

from __future__ import annotations

from collections.abc import Sequence

from tinygrad_cnn import shapes
from tinygrad_cnn.ops.resample import BoundaryPad
from tinygrad_cnn.tensor import Tensor

PAD_MODES = ("constant", "reflect", "replicate", "circular")


def _check_boundary_pad(mode: str, pad: Sequence[int], shape: tuple[int, ...],
                        pairs: tuple[tuple[int, int], ...]) -> None:
    """PyTorch's limits for the non-constant modes: the last 1-3 dims of an input with at most
    one more dim (batch) besides a channel dim; reflect pads less than the size, circular at
    most the size."""
    padded = len(pad) // 2
    if not 1 <= padded <= 3 or len(shape) not in (padded + 1, padded + 2):
        raise ValueError(f"pad: mode {mode!r} pads the last 1, 2 or 3 dims of an input with one "
                         f"or two more (channels, batch); pad {tuple(pad)} pads {padded} of "
                         f"input {shape}")
    if mode == "replicate":
        return
    for dim, (n, (before, after)) in enumerate(zip(shape, pairs)):
        limit = n - 1 if mode == "reflect" else n
        if max(before, after) > limit:
            rule = "less than" if mode == "reflect" else "at most"
            raise ValueError(f"pad: mode {mode!r} needs padding {rule} the size of the dim; "
                             f"dim {dim} has size {n} but pad {tuple(pad)} asks "
                             f"{(before, after)}; input {shape}")


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant",
        value: float | None = None) -> Tensor:
    """Pad the last dims of `input`, PyTorch's F.pad.

    `pad` lists (before, after) counts from the last dim backwards: (left, right) pads the
    last dim, (left, right, top, bottom) the last two, and so on. The modes fill the border:

    - 'constant': with `value` (0 by default), any number of dims;
    - 'reflect': mirrored about the edge, which is not repeated: [1, 2, 3] padded 2 on the
      left gives [3, 2, 1, 2, 3]; needs each pad smaller than its dim;
    - 'replicate': the edge value repeated: [1, 1, 1, 2, 3];
    - 'circular': wrapped around, as if the dim were periodic: [2, 3, 1, 2, 3]; needs each
      pad at most its dim.

    The last three pad the last 1, 2 or 3 dims of an input with a channel dim and an
    optional batch dim, as PyTorch's.

    Args:
        input: the tensor to pad.
        pad: an even number of non-negative ints, at most 2 per dim.
        mode: 'constant', 'reflect', 'replicate' or 'circular'.
        value: the fill value of 'constant' mode.

    Returns:
        The padded tensor; each padded dim grows by its before + after.

    Raises:
        ValueError: for an unknown mode, an odd-length or negative `pad`, a `value` with a
            non-constant mode, or padding beyond the limits above; the message gives the
            shapes.

    Examples:
        >>> from tinygrad_cnn import Tensor
        >>> import tinygrad_cnn.nn.functional as F
        >>> x = Tensor([[[1.0, 2.0, 3.0]]])
        >>> F.pad(x, (2, 1), mode="reflect").tolist()
        [[[3.0, 2.0, 1.0, 2.0, 3.0, 2.0]]]
        >>> F.pad(x, (2, 1), mode="circular").tolist()
        [[[2.0, 3.0, 1.0, 2.0, 3.0, 1.0]]]
    """
    if mode not in PAD_MODES:
        raise ValueError(f"pad: mode must be one of {PAD_MODES}, got {mode!r}")
    pairs = shapes.torch_pad_to_numpy("pad", pad, input.shape)
    if mode == "constant":
        return input.pad(pad, 0.0 if value is None else value)
    if value is not None:
        raise ValueError(f"pad: mode {mode!r} takes no value (got {value!r})")
    _check_boundary_pad(mode, pad, input.shape, pairs)
    return BoundaryPad.apply(input, pad_width=pairs, mode=mode)
