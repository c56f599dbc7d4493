"""What each op does to a summary's columns: its multiply-accumulates, and the receptive field
of what it makes (how many input pixels one output value sees, and how far apart they are)."""

from __future__ import annotations

import math

from tinygrad_cnn.autograd import Context
from tinygrad_cnn.ops import avg_pool, conv, linalg, max_pool, movement
from tinygrad_cnn.tensor import Tensor

# (receptive field, jump) per spatial dim: how many input pixels one value sees, and how far
# apart (in input pixels) neighbouring values are.
Field = tuple[tuple[int, ...], tuple[float, ...]]

_WINDOWED = (conv.Convolution, max_pool.MaxPool, avg_pool.AvgPool)
_ADAPTIVE = (avg_pool.AdaptiveAvgPool, max_pool.AdaptiveMaxPool)
# Ops whose output is no longer laid out as the input's pixels, even when the sizes agree.
_SCRAMBLING = (linalg.MatMul, movement.Permute, movement.Index, movement.ScatterAdd)


def macs(ctx: Context, out: Tensor) -> int:
    """Multiply-accumulates: per output value of a conv its window, per input value of a
    transposed conv its footprint, per output value of a matrix product its inner size."""
    if ctx.op is conv.Convolution:
        w = ctx.inputs[1]
        return out.numel() * math.prod(w.shape[1:])
    if ctx.op is conv.ConvTranspose:
        x, w = ctx.inputs
        return x.numel() * math.prod(w.shape[1:])
    if ctx.op is linalg.MatMul:
        return out.numel() * ctx.inputs[0].shape[-1]
    return 0


def receptive_field(ctx: Context, out: Tensor, fields: dict[int, Field | None]) -> Field | None:
    """The receptive field of `out`, from the fields of the op's inputs."""
    known = [fields[id(t)] for t in ctx.inputs if fields.get(id(t)) is not None]
    if not known or out.ndim < 3:
        return None
    x = ctx.inputs[0]
    if ctx.op in _WINDOWED or ctx.op is conv.ConvTranspose:
        return _windowed(ctx, fields.get(id(x)))
    if ctx.op in _ADAPTIVE:
        return _adaptive(x, out, fields.get(id(x)))
    if ctx.op is movement.Reshape:
        return _reshaped(x.shape, out.shape, fields.get(id(x)))
    with_fields = [t for t in ctx.inputs if fields.get(id(t)) is not None]
    if ctx.op in _SCRAMBLING or any(t.shape[2:] != out.shape[2:] for t in with_fields):
        return None  # pixel (h, w) of the output is no longer pixel (h, w) of the inputs
    sizes = tuple(max(f[0][d] for f in known) for d in range(out.ndim - 2))
    jumps = tuple(max(f[1][d] for f in known) for d in range(out.ndim - 2))
    return sizes, jumps


def _windowed(ctx: Context, before: Field | None) -> Field | None:
    """Through a sliding window: the field grows by (span - 1) jumps, the jump by the stride;
    a transposed conv makes outputs stride times denser, each seeing ceil(span / stride)."""
    if before is None:
        return None
    g = ctx.attrs["geometry"]
    transposed = ctx.op is conv.ConvTranspose
    sizes, jumps = [], []
    for f, j, span, s in zip(*before, g.spans, g.stride):
        window, step = (math.ceil(span / s), 1 / s) if transposed else (span, float(s))
        sizes.append(math.ceil(f + (window - 1) * j))
        jumps.append(j * step)
    return tuple(sizes), tuple(jumps)


def _adaptive(x: Tensor, out: Tensor, before: Field | None) -> Field | None:
    """Adaptive pooling: the widest window, and the input-to-output size ratio as stride."""
    if before is None:
        return None
    sizes, jumps = [], []
    for f, j, n, o in zip(*before, x.shape[2:], out.shape[2:]):
        span = max(math.ceil((i + 1) * n / o) - (i * n) // o for i in range(o))
        sizes.append(math.ceil(f + (span - 1) * j))
        jumps.append(j * n / o)
    return tuple(sizes), tuple(jumps)


def _reshaped(old: tuple[int, ...], new: tuple[int, ...], before: Field | None) -> Field | None:
    """A reshape that only adds or drops dims of size 1 after the channels (1-D ops run on a
    unit height) keeps the field of the other dims; any other reshape ends the image."""
    if before is None or old[:2] != new[:2]:
        return None
    kept_old = [d for d, n in enumerate(old[2:]) if n != 1]
    kept_new = [d for d, n in enumerate(new[2:]) if n != 1]
    if [old[2 + d] for d in kept_old] != [new[2 + d] for d in kept_new]:
        return None
    sizes, jumps = [1] * (len(new) - 2), [1.0] * (len(new) - 2)
    for d_old, d_new in zip(kept_old, kept_new):
        sizes[d_new], jumps[d_new] = before[0][d_old], before[1][d_old]
    return tuple(sizes), tuple(jumps)
