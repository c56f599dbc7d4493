"""The one entry to the convolution kernels: pick a path, run it over the batch in chunks.

Shape letters, used in the comments of every kernel: N batch, C input channels, O output
channels, G groups, Cg = C / G and Og = O / G channels per group, H×W input, kH×kW kernel,
oH×oW output, P = oH·oW output positions, K = Cg·kH·kW values per window.

Three paths compute the same three array functions (conv, conv_transpose, weight_grad), each
suited to other shapes:

    flattened   stride-1 convs of large images: images end to end, kW shifted copies
    per_image   many windows per image: one product per image, no batch transposes
    im2col      few windows per image: batch-innermost columns, one product per group

`path=None` picks by shape; tests and benchmarks name a path to run it on any shape.
"""

from __future__ import annotations

import math
from types import ModuleType

import numpy as np

from tinygrad_cnn.geometry import Geometry
from tinygrad_cnn.kernels import flattened, im2col, per_image
from tinygrad_cnn.kernels.windows import Pair

PATHS: dict[str, ModuleType] = {"flattened": flattened, "per_image": per_image, "im2col": im2col}

# Stride-1 convs of images at least this large (C·H·W per sample) run on flattened images:
# fewer and smaller copies, and taller products, than im2col. Smaller images go through
# im2col, whose batch-innermost layout keeps their short rows streaming.
UNIT_STRIDE_MIN_SIZE = 2048

# Other convs with at least this many windows per image (oH·oW) run image by image; with
# fewer, the per-image products are too small for BLAS and im2col's batched columns win.
PER_IMAGE_MIN_WINDOWS = 256

# A batch is convolved in chunks of images whose window columns fit in this many bytes: the
# products then run from cache, and no temporary is big enough for glibc to map it fresh (and
# page-fault it in) on every call.
CHUNK_BYTES = 2**20


def choose_path(image: tuple[int, ...], g: Geometry, windows: Pair) -> str:
    """The path for a conv over images of shape `image` (N, C, H, W) with `windows` (oH, oW)
    windows per image."""
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
    return PATHS[name]


def batch_chunks(x: np.ndarray, values_per_image: int, budget: int = CHUNK_BYTES) -> list[slice]:
    """Slices of the batch, each holding at most `budget` bytes of window columns, and at
    least one image."""
    step = max(1, budget // max(1, values_per_image * x.itemsize))
    return [slice(start, start + step) for start in range(0, x.shape[0], step)]


def window_values(channels: int, g: Geometry, windows: Pair) -> int:
    """The im2col column values of one image: channels · kH · kW per window, oH · oW windows."""
    return channels * math.prod(g.kernel) * math.prod(windows)


def conv(x: np.ndarray, w: np.ndarray, g: Geometry, path: str | None = None) -> np.ndarray:
    """conv2d on arrays: (N, C, H, W), (O, Cg, kH, kW) -> (N, O, oH, oW)."""
    out = g.output_size(x.shape[2:])
    kernels = _path(path, x.shape, g, out)
    y = np.empty((x.shape[0], w.shape[0], *out), dtype=np.result_type(x, w))
    for part in batch_chunks(x, window_values(x.shape[1], g, out)):
        y[part] = kernels.conv(x[part], w, g, out)
    return y


def conv_transpose(
    x: np.ndarray, w: np.ndarray, g: Geometry, path: str | None = None
) -> np.ndarray:
    """conv_transpose2d on arrays: (N, C, h, w), (C, Og, kH, kW) -> (N, G·Og, *size)."""
    windows, Og = x.shape[2:], w.shape[1]
    size = g.transposed_size(windows)
    kernels = _path(path, x.shape, g, windows)
    y = np.empty((x.shape[0], g.groups * Og, *size), dtype=np.result_type(x, w))
    # 4x bigger chunks: col2im runs a Python-level loop over the kH·kW taps per chunk
    budget = 4 * CHUNK_BYTES
    for part in batch_chunks(x, window_values(g.groups * Og, g, windows), budget):
        y[part] = kernels.conv_transpose(x[part], w, g, size)
    return y


def conv_weight_grad(
    x: np.ndarray, gy: np.ndarray, g: Geometry, path: str | None = None
) -> np.ndarray:
    """dL/dw of conv2d on arrays: (N, C, H, W), (N, O, oH, oW) -> (O, Cg, kH, kW)."""
    windows = gy.shape[2:]
    kernels = _path(path, x.shape, g, windows)
    gw = np.zeros((gy.shape[1], x.shape[1] // g.groups, *g.kernel), dtype=np.result_type(x, gy))
    for part in batch_chunks(x, window_values(x.shape[1], g, windows)):
        gw += kernels.weight_grad(x[part], gy[part], g)
    return gw
