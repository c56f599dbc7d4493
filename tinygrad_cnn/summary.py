"""Model summaries and the output-size rules of convolution and pooling layers."""

from tinygrad_cnn.shapes import conv_output_size, pool_output_size

__all__ = ["conv_output_size", "pool_output_size"]
