"""Array kernels of the window ops: convolution paths, pooling, and the window copies under them.

The ops in `tinygrad_cnn.ops` call these on arrays in their forward passes; nothing here
records a graph or knows of Tensors. `conv.py` is the one entry to the convolution paths.
"""

from tinygrad_cnn.kernels.conv import PATHS, choose_path, conv, conv_transpose, conv_weight_grad

__all__ = ["PATHS", "choose_path", "conv", "conv_transpose", "conv_weight_grad"]
