"""Array kernels under the ops: convolution paths, pooling, resampling, and the thread pool.

The ops in `tinygrad_cnn.ops` call these on arrays in their forward passes; nothing here
records a graph or knows of Tensors. `conv.py` is the one entry to the convolution paths,
`threads.py` the pool that runs kernels in parts and `threaded.py` NumPy's own calls in parts.
Each module is imported by name (`from tinygrad_cnn.kernels import conv`).
"""
