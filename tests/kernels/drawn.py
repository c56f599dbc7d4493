"""The kernels' arguments from an op call drawn by `tinygrad_cnn.testing.strategies`: its
checked geometry and its arrays, a 1-D call lifted to the 2-D one over a unit height."""

import numpy as np

from tinygrad_cnn.geometry import Geometry, conv_geometry, conv_transpose_geometry, pool_geometry


def conv_geometry_of(args, transposed=False) -> Geometry:
    """The 2-D geometry of a drawn conv or transposed conv call."""
    w, kw = args.tensors[1], args.kwargs
    ndim = w.ndim - 2
    if transposed:
        g = conv_transpose_geometry("test", w.shape[2:], kw["stride"], kw["padding"],
                                    kw["output_padding"], kw["dilation"], kw["groups"], ndim)
    else:
        g = conv_geometry("test", w.shape[2:], kw["stride"], kw["padding"], kw["dilation"],
                          kw["groups"], ndim)
    return g.lifted() if ndim == 1 else g


def pool_geometry_of(args) -> Geometry:
    """The 2-D geometry of a drawn max or average pooling call."""
    kw, ndim = args.kwargs, args.tensors[0].ndim - 2
    g = pool_geometry("test", kw["kernel_size"], kw.get("stride"), kw["padding"],
                      kw.get("dilation", 1), kw["ceil_mode"], ndim)
    return g.lifted() if ndim == 1 else g


def arrays_of(args) -> list[np.ndarray]:
    """The input and weight arrays of a drawn call, (N, C, L) lifted to (N, C, 1, L)."""
    return [t.data[:, :, None] if t.ndim == 3 else t.data for t in args.tensors[:2]]
