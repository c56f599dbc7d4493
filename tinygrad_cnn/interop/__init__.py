"""Interop internals: the one-run trace of a model and its translation to ONNX nodes.

The public entry points are `tinygrad_cnn.onnx.export` and `tinygrad_cnn.save`/`load` with a
``.safetensors`` path; nothing here needs onnx until a graph is built.
"""
