"""Sliding-window geometry: the kernel, stride, padding and dilation of a conv or pool op.

Not tensor shapes (broadcasting, reshapes: `shapes.py`) but where the windows of one op sit,
checked once. A `Geometry` is built by one of the three validators here (`conv_geometry`,
`conv_transpose_geometry`, `pool_geometry`) from the arguments a user wrote, with PyTorch's
forms and defaults; they raise `ValueError` naming the op, the argument and the shapes. Layers
keep the value, the functional API passes it, and the ops take it as their one attribute;
output sizes are its methods, so the size rule exists once for ops, layers, `summary` and docs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tinygrad_cnn.arguments import is_int, positive_int

Shape = tuple[int, ...]
Pads = tuple[tuple[int, int], ...]
SizeArg = int | Sequence[int]
PaddingArg = int | str | Sequence[int] | Sequence[Sequence[int]]


@dataclass(frozen=True)
class Geometry:
    """Where the windows of a conv or pool op sit, one value per spatial dim.

    Attributes:
        kernel: the window size (kH, kW).
        stride: the step between windows.
        padding: (before, after) per dim, i.e. ((top, bottom), (left, right)).
        dilation: the spacing between a window's taps.
        groups: the channel groups of a convolution (None for pooling).
        ceil_mode: pooling's rounding of the output size up (None for convolution).
        output_padding: the extra trailing rows and columns of a transposed convolution
            (None for the others).
    """

    kernel: Shape
    stride: Shape
    padding: Pads
    dilation: Shape
    groups: int | None = None
    ceil_mode: bool | None = None
    output_padding: Shape | None = None

    @property
    def spans(self) -> Shape:
        """How many input positions one window covers per dim: d (k - 1) + 1."""
        return tuple(d * (k - 1) + 1 for k, d in zip(self.kernel, self.dilation))

    def output_size(self, size: Sequence[int], op: str = "", note: str = "",
                    strict: bool = False) -> Shape:
        """Windows per dim: floor((n + before + after - d (k - 1) - 1) / s) + 1, or ceil.

        In ceil mode the last window must start inside the input or its leading padding, as
        in PyTorch. `strict` raises when the stride does not tile the padded input exactly.
        Errors start with `op` and end with `note` (e.g. the input and weight shapes).
        """
        out = []
        for dim, (n, k, s, (before, after), d) in enumerate(
            zip(size, self.kernel, self.stride, self.padding, self.dilation)
        ):
            span, padded = d * (k - 1) + 1, n + before + after
            where = f" in spatial dim {dim}" if len(size) > 1 else ""
            if padded < span:
                raise ValueError(
                    f"{op}: kernel size {k} (dilation {d}, spanning {span}) is larger than the "
                    f"padded input size {padded} (size {n} + padding {before} + {after})"
                    f"{where}{note}"
                )
            left_over = (padded - span) % s
            if strict and left_over:
                raise ValueError(
                    f"{op}: stride {s} does not tile the padded input size {padded} with kernel "
                    f"span {span}{where}: the last {left_over} pixel(s) are dropped{note}"
                )
            windows = (padded - span + (s - 1 if self.ceil_mode else 0)) // s + 1
            if self.ceil_mode and (windows - 1) * s >= n + before:
                windows -= 1  # the last window would start in the trailing padding
            out.append(windows)
        return tuple(out)

    def transposed_size(self, size: Sequence[int], op: str = "", note: str = "") -> Shape:
        """A transposed convolution's output per dim:
        (n - 1) s - before - after + d (k - 1) + output_padding + 1."""
        extra = self.output_padding or (0,) * len(size)
        out = []
        for n, s, (before, after), span, e in zip(size, self.stride, self.padding, self.spans,
                                                  extra):
            full = (n - 1) * s + span + e
            if full - before - after < 1:
                raise ValueError(f"{op}: padding {before} + {after} removes the whole output of "
                                 f"size {full}{note}")
            out.append(full - before - after)
        return tuple(out)

    def reach(self, out: Sequence[int]) -> Shape:
        """The padded input extent that `out` windows read: (o - 1) s + d (k - 1) + 1 per dim."""
        return tuple((o - 1) * s + span for o, s, span in zip(out, self.stride, self.spans))

    def fitting_output_padding(self, size: Sequence[int], out: Sequence[int]) -> Geometry:
        """This geometry with the output_padding that maps `out` windows back to `size`: the
        trailing rows and columns of the padded input that a strided conv leaves unread."""
        extra = tuple(n + b + a - r for n, (b, a), r in zip(size, self.padding, self.reach(out)))
        return dataclasses.replace(self, output_padding=extra)

    def lifted(self) -> Geometry:
        """A 1-D geometry as the 2-D one over a unit height: (k,) -> (1, k), ((l, r),) ->
        ((0, 0), (l, r))."""
        extra = None if self.output_padding is None else (0, *self.output_padding)
        return dataclasses.replace(
            self, kernel=(1, *self.kernel), stride=(1, *self.stride),
            padding=((0, 0), *self.padding), dilation=(1, *self.dilation), output_padding=extra)

    def attributes(self) -> dict[str, Any]:
        """The attributes that apply to this op, under PyTorch's names (graph labels, export)."""
        pooling = self.ceil_mode is not None
        named: dict[str, Any] = {"kernel_size": self.kernel} if pooling else {}
        named.update(stride=self.stride, padding=self.padding, dilation=self.dilation)
        for name in ("groups", "ceil_mode", "output_padding"):
            if getattr(self, name) is not None:
                named[name] = getattr(self, name)
        return named


# ---- the validators ----------------------------------------------------------------------------

_LAYOUTS = {1: "(N, C, L)", 2: "(N, C, H, W)"}


def check_rank(op: str, shape: Sequence[int], ndim: int) -> None:
    """Raise unless `shape` is a batch of images with `ndim` spatial dims, (N, C, *spatial)."""
    if len(shape) != ndim + 2:
        hint = "; add a batch dim with input.unsqueeze(0)" if len(shape) == ndim + 1 else ""
        raise ValueError(f"{op}: input must be {ndim + 2}-D {_LAYOUTS[ndim]}, got shape "
                         f"{tuple(shape)}{hint}")



def conv_geometry(op: str, kernel_size: SizeArg, stride: SizeArg, padding: PaddingArg,
                  dilation: SizeArg, groups: int, ndim: int, note: str = "") -> Geometry:
    """A convolution's checked geometry; padding in any of `conv2d`'s forms.

    Raises:
        ValueError: for a kernel, stride or dilation below 1, negative padding, 'same' with a
            stride, or groups below 1; the message starts with `op` and ends with `note`.
        TypeError: for an argument that is not an int (or one per dim), e.g. a bool.
    """
    kernel = spatial_tuple(op, "kernel_size", kernel_size, ndim, note=note)
    strides = spatial_tuple(op, "stride", stride, ndim, note=note)
    dilations = spatial_tuple(op, "dilation", dilation, ndim, note=note)
    pads = normalize_padding(op, padding, kernel, dilations, strides, note=note)
    return Geometry(kernel, strides, pads, dilations, groups=check_groups(op, groups, {}))


def conv_transpose_geometry(op: str, kernel_size: SizeArg, stride: SizeArg, padding: PaddingArg,
                            output_padding: SizeArg, dilation: SizeArg, groups: int, ndim: int,
                            note: str = "") -> Geometry:
    """A transposed convolution's checked geometry.

    Raises:
        ValueError: as `conv_geometry`, for a string padding, and for an output_padding not
            smaller than the stride or the dilation.
    """
    if isinstance(padding, str):
        raise ValueError(f"{op}: padding must be an int or a tuple, not a string "
                         f"({padding!r}){note}")
    geometry = conv_geometry(op, kernel_size, stride, padding, dilation, groups, ndim, note)
    extra = spatial_tuple(op, "output_padding", output_padding, ndim, minimum=0, note=note)
    if any(e >= max(s, d) for e, s, d in zip(extra, geometry.stride, geometry.dilation)):
        raise ValueError(f"{op}: output_padding {extra} must be smaller than stride "
                         f"{geometry.stride} or dilation {geometry.dilation}{note}")
    return dataclasses.replace(geometry, output_padding=extra)


def pool_geometry(op: str, kernel_size: SizeArg, stride: SizeArg | None, padding: SizeArg,
                  dilation: SizeArg, ceil_mode: bool, ndim: int, note: str = "") -> Geometry:
    """A pooling op's checked geometry: the stride defaults to the kernel, padding is the same
    on both sides of a dim and at most half the kernel.

    Raises:
        ValueError: for a kernel, stride or dilation below 1, negative padding or padding over
            half the kernel.
    """
    kernel = spatial_tuple(op, "kernel_size", kernel_size, ndim, note=note)
    no_stride = stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0)
    strides = kernel if no_stride else spatial_tuple(op, "stride", stride, ndim, note=note)
    pads = spatial_tuple(op, "padding", padding, ndim, minimum=0, note=note)
    dilations = spatial_tuple(op, "dilation", dilation, ndim, note=note)
    half = tuple(k // 2 for k in kernel)
    if any(p > h for p, h in zip(pads, half)):
        raise ValueError(f"{op}: padding {pads} must be at most half the kernel size "
                         f"{kernel}, i.e. {half}{note}")
    return Geometry(kernel, strides, tuple((p, p) for p in pads), dilations,
                    ceil_mode=bool(ceil_mode))


def check_groups(op: str, groups: Any, channels: dict[str, int], note: str = "") -> int:
    """`groups` as an int, after checking it is positive and divides each channel count."""
    groups = positive_int(op, "groups", groups, note)
    for name, count in channels.items():
        if count % groups:
            raise ValueError(f"{op}: groups={groups} does not divide the {count} {name}{note}")
    return groups


def spatial_tuple(
    op: str, name: str, value: Any, ndim: int, minimum: int = 1, note: str = ""
) -> Shape:
    """`value` as one int per spatial dim (an int is repeated), each at least `minimum`."""
    values = (value,) * ndim if is_int(value) else value
    if not isinstance(values, (tuple, list)) or not all(is_int(v) for v in values):
        raise TypeError(f"{op}: {name} must be an int or {ndim} ints, got {value!r}{note}")
    if len(values) != ndim:
        raise ValueError(f"{op}: {name} must be an int or {ndim} ints, got {value!r}{note}")
    if any(v < minimum for v in values):
        raise ValueError(f"{op}: {name} must be at least {minimum}, got {value!r}{note}")
    return tuple(int(v) for v in values)


def normalize_padding(op: str, padding: PaddingArg, kernel: Shape, dilation: Shape,
                      stride: Shape | None = None, note: str = "") -> Pads:
    """Padding as a (before, after) pair per spatial dim.

    Accepts an int (all sides), one int per dim (both sides of it), 2 ints per dim in F.pad
    order (last dim first: `(left, right, top, bottom)` in 2-D), the pairs themselves,
    `'valid'` (none) or `'same'` (output as large as the input; the odd pixel goes after, as
    PyTorch; stride 1 only).
    """
    ndim = len(kernel)
    if isinstance(padding, str):
        return _named_padding(op, padding, kernel, dilation, stride, note)
    if isinstance(padding, (tuple, list)) and padding and isinstance(padding[0], (tuple, list)):
        pairs = tuple(tuple(p) for p in padding)
        if len(pairs) != ndim or any(len(p) != 2 for p in pairs):
            raise ValueError(f"{op}: padding {padding!r} needs one (before, after) pair per "
                             f"spatial dim ({ndim}){note}")
    elif isinstance(padding, (tuple, list)) and len(padding) == 2 * ndim and ndim > 0:
        pairs = tuple((padding[2 * k], padding[2 * k + 1]) for k in reversed(range(ndim)))
    else:
        per_dim = spatial_tuple(op, "padding", padding, ndim, minimum=0, note=note)
        pairs = tuple((p, p) for p in per_dim)
    values = [v for pair in pairs for v in pair]
    if not all(is_int(v) for v in values):
        raise TypeError(f"{op}: padding must hold ints, got {padding!r}{note}")
    if any(v < 0 for v in values):
        raise ValueError(f"{op}: padding must be at least 0, got {padding!r}{note}")
    return tuple((int(b), int(a)) for b, a in pairs)


def _named_padding(
    op: str, padding: str, kernel: Shape, dilation: Shape, stride: Shape | None, note: str
) -> Pads:
    """'valid' (no padding) or 'same' (d (k - 1) in all, the odd pixel after)."""
    if padding == "valid":
        return ((0, 0),) * len(kernel)
    if padding != "same":
        raise ValueError(f"{op}: padding must be an int, a tuple, 'valid' or 'same', "
                         f"got {padding!r}{note}")
    if stride is not None and any(s != 1 for s in stride):
        raise ValueError(f"{op}: padding='same' needs stride 1, got stride {stride}{note}")
    totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
    return tuple((t // 2, t - t // 2) for t in totals)
