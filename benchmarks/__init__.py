"""Benchmarks of tinygrad_cnn against PyTorch (when installed), measured in the same process."""
