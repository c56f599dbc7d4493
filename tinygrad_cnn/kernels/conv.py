"""The one entry to the convolution kernels: pick a path, run it over the batch in chunks.

Shape letters, used in the comments of every kernel: N batch, C input channels, O output
channels, G groups, Cg = C / G and Og = O / G channels per group, H×W input, kH×kW kernel,
oH×oW output, P = oH·oW output positions, K = Cg·kH·kW values per window.

Four paths compute the same three array functions (conv, conv_transpose, weight_grad), each
suited to other shapes:

    flattened   stride-1 convs of large images: images end to end, kW shifted copies
    per_image   many windows per image: one product per image, no batch transposes
    im2col      few windows per image: batch-innermost columns, one product per group
    winograd    stride-1 3×3 convs with many channels: F(2×2, 3×3), 16 multiply-adds for 36

`path=None` picks by shape; tests and benchmarks name a path to run it on any shape.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from types import ModuleType

import numpy as np

from tinygrad_cnn.geometry import Geometry
from tinygrad_cnn.kernels import flattened, im2col, per_image, threads, winograd
from tinygrad_cnn.kernels.windows import Pair

PATHS: dict[str, ModuleType] = {"flattened": flattened, "per_image": per_image, "im2col": im2col,
                                "winograd": winograd}

# Stride-1 3×3 convs with at least this many input channels per group (and outputs of 2×2 or
# more) run on the Winograd path: with fewer channels, its transforms, a few passes over the
# input and output, cost more than the multiplies they save.
WINOGRAD_MIN_CHANNELS = 64

# Other stride-1 convs of images at least this large (C·H·W per sample) run on flattened images:
# fewer and smaller copies, and taller products, than im2col. Smaller images go through
# im2col, whose batch-innermost layout keeps their short rows streaming.
UNIT_STRIDE_MIN_SIZE = 2048

# Other convs with at least this many windows per image (oH·oW) run image by image; with
# fewer, the per-image products are too small for BLAS and im2col's batched columns win.
PER_IMAGE_MIN_WINDOWS = 256

# A part of the batch (for the pool's threads) holds at least this many output
# positions (images · oH·oW): a weight gradient writes a weight-sized share per part and a
# transposed conv lays out the weight per chunk, which small maps under big weights do not
# pay back.
MIN_PART_POSITIONS = 512

# A batch is convolved in chunks of images whose window columns fit in this many bytes: the
# copies then run from cache, and no temporary is big enough for glibc to map it fresh (and
# page-fault it in) on every call. (The products cut themselves into cache-sized blocks.)
CHUNK_BYTES = 2**21


def choose_path(image: tuple[int, ...], g: Geometry, windows: Pair) -> str:
    """The path for a conv over images of shape `image` (N, C, H, W) with `windows` (oH, oW)
    windows per image."""
    if winograd.fits(g) and image[1] // g.groups >= WINOGRAD_MIN_CHANNELS and min(windows) > 1:
        return "winograd"
    if g.stride == (1, 1) and math.prod(image[1:]) >= UNIT_STRIDE_MIN_SIZE:
        return "flattened"
    return "per_image" if windows[0] * windows[1] >= PER_IMAGE_MIN_WINDOWS else "im2col"


def _path(name: str | None, image: tuple[int, ...], g: Geometry, windows: Pair) -> ModuleType:
    """The kernels of path `name`, or of the one that suits the shapes when None."""
    name = choose_path(image, g, windows) if name is None else name
    if name not in PATHS:
        raise ValueError(f"conv kernels: path must be one of {', '.join(PATHS)} or None, "
                         f"got {name!r}")
    if name == "flattened" and g.stride != (1, 1):
        raise ValueError(f"conv kernels: the flattened path needs stride 1, got {g.stride}")
    if name == "winograd" and not winograd.fits(g):
        raise ValueError(f"conv kernels: the winograd path needs a 3x3 kernel, stride 1 and "
                         f"dilation 1, got kernel {g.kernel}, stride {g.stride}, dilation "
                         f"{g.dilation}")
    return PATHS[name]


def batch_chunks(images: slice, values_per_image: int, itemsize: int,
                 budget: int = CHUNK_BYTES) -> list[slice]:
    """Slices of the `images` of one part, each holding at most `budget` bytes of window
    columns, and at least one image."""
    step = max(1, budget // max(1, values_per_image * itemsize))
    return [slice(start, min(start + step, images.stop))
            for start in range(images.start, images.stop, step)]


def batch_parts(
    x: np.ndarray, windows: Pair, values_per_image: int, macs: int,
    run_part: Callable[[slice], object], budget: int = CHUNK_BYTES, per_part: int = 1,
) -> list[object]:
    """run_part(chunk) for every cache-sized chunk of the batch, the parts of the batch on
    the pool's threads (each at least `per_part` times threads.MIN_PART_MACS and
    MIN_PART_POSITIONS); the results in batch order."""
    positions = x.shape[0] * math.prod(windows)
    parts = threads.split(x.shape[0], macs, per_part * threads.MIN_PART_MACS,
                          most=positions // MIN_PART_POSITIONS)

    def run_chunks(part: int) -> list[object]:
        chunks = batch_chunks(parts[part], values_per_image, x.itemsize, budget)
        return [run_part(chunk) for chunk in chunks]

    return [result for results in threads.run(run_chunks, len(parts)) for result in results]


def window_values(kernels: ModuleType, image: tuple[int, ...], g: Geometry,
                  windows: Pair) -> int:
    """The column values `kernels` lay out for one image (C, H, W) with `windows` (oH, oW):
    C · kH · kW per window for im2col and per-image windows, kW shifted copies of the padded
    image for the flattened path, 16 per 2×2 tile and channel for the Winograd path."""
    if kernels in (flattened, winograd):
        return kernels.values_per_image(image, g)
    return image[0] * math.prod(g.kernel) * math.prod(windows)


def conv(x: np.ndarray, w: np.ndarray, g: Geometry, path: str | None = None) -> np.ndarray:
    """conv2d on arrays: (N, C, H, W), (O, Cg, kH, kW) -> (N, O, oH, oW)."""
    out = g.output_size(x.shape[2:])
    kernels = _path(path, x.shape, g, out)
    y = np.empty((x.shape[0], w.shape[0], *out), dtype=np.result_type(x, w))

    def run_part(images: slice) -> None:
        y[images] = kernels.conv(x[images], w, g, out)

    macs = x.shape[0] * w.size * math.prod(out)
    values = window_values(kernels, x.shape[1:], g, out)
    batch_parts(x, out, values, macs, run_part)
    return y


def conv_transpose(
    x: np.ndarray, w: np.ndarray, g: Geometry, path: str | None = None
) -> np.ndarray:
    """conv_transpose2d on arrays: (N, C, h, w), (C, Og, kH, kW) -> (N, G·Og, *size)."""
    windows, Og = x.shape[2:], w.shape[1]
    size = g.transposed_size(windows)
    kernels = _path(path, x.shape, g, windows)
    y = np.empty((x.shape[0], g.groups * Og, *size), dtype=np.result_type(x, w))

    def run_part(images: slice) -> None:
        y[images] = kernels.conv_transpose(x[images], w, g, size)

    macs = x.shape[0] * w.size * math.prod(windows)
    if kernels in (flattened, winograd):  # the conv of x with the flipped kernel
        values = window_values(kernels, (x.shape[1], *size), g, windows)
        batch_parts(x, windows, values, macs, run_part)
        return y
    # 4x bigger chunks and parts: col2im runs a Python-level loop over the kH·kW taps per
    # chunk, whose many short NumPy calls hand the GIL back and forth between threads
    values = window_values(kernels, (g.groups * Og, *size), g, windows)
    batch_parts(x, windows, values, macs, run_part, budget=4 * CHUNK_BYTES, per_part=4)
    return y


def conv_weight_grad(
    x: np.ndarray, gy: np.ndarray, g: Geometry, path: str | None = None
) -> np.ndarray:
    """dL/dw of conv2d on arrays: (N, C, H, W), (N, O, oH, oW) -> (O, Cg, kH, kW).

    Each chunk's share is added in batch order whatever thread computed it, so the sum is the
    same bits for every thread count.
    """
    windows = gy.shape[2:]
    kernels = _path(path, x.shape, g, windows)
    gw = np.zeros((gy.shape[1], x.shape[1] // g.groups, *g.kernel), dtype=np.result_type(x, gy))

    def run_part(images: slice) -> np.ndarray:
        return kernels.weight_grad(x[images], gy[images], g)

    macs = x.shape[0] * gw.size * math.prod(windows)
    values = window_values(kernels, x.shape[1:], g, windows)
    for share in batch_parts(x, windows, values, macs, run_part):
        gw += share
    return gw
