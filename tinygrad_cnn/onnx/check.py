"""The check after export: ONNX Runtime, on a fresh input, must give the model's outputs.

A trace records only the ops that depend on the input, so a `forward` that reads values
(`.data`, `.item()`, `.numpy()`) or branches on them exports without a word, frozen at the
example's values. Running the exported file on other values (and another batch size, when it
is symbolic) is what tells.
"""

from __future__ import annotations

from typing import NoReturn

import numpy as np

from tinygrad_cnn.autograd import no_grad
from tinygrad_cnn.nn.module import Module
from tinygrad_cnn.tensor import Tensor

RTOL, ATOL = 1e-3, 1e-4  # float32 through another runtime: a few ulps per layer, not 1e-2

HINT = ("a forward that reads tensor values (.data, .item(), .numpy(), bool()) or branches on "
        "them is exported frozen at the example's values; export(..., check=False) writes the "
        "file anyway")


def verify(model: Module, data: bytes, example: np.ndarray, dynamic_batch: bool) -> None:
    """Raise unless ONNX Runtime runs `data` to the model's outputs on a fresh input.

    The input has the example's dtype and image size, values drawn uniformly in [0, 1) from a
    generator of its own (the library's stream is not touched), and, with `dynamic_batch`, a
    batch one larger than the example's. Without onnxruntime installed, nothing is checked.

    Raises:
        RuntimeError: when ONNX Runtime cannot run the model, or its output differs from the
            model's beyond `RTOL` and `ATOL`, giving the largest difference.
    """
    try:
        import onnxruntime
    except ImportError:
        return
    batch = example.shape[0] + 1 if dynamic_batch else example.shape[0]
    x = np.random.default_rng(0).random((batch, *example.shape[1:])).astype(example.dtype)
    expected = _run_here(model, x)
    try:  # ONNX Runtime's errors have no common base class but Exception
        session = onnxruntime.InferenceSession(data, providers=["CPUExecutionProvider"])
        got = session.run(None, {"input": x})[0]
    except Exception as error:
        message = " ".join(str(error).split())  # ONNX Runtime's own message spans lines
        _fail(f"ONNX Runtime cannot run the exported model on an input {x.shape} ({message})")
    if got.shape != expected.shape:
        _fail(f"on an input {x.shape}, ONNX Runtime gives an output {got.shape} but the model "
              f"{expected.shape}")
    if not np.allclose(got, expected, rtol=RTOL, atol=ATOL, equal_nan=True):
        worst = float(np.nanmax(np.abs(got.astype(np.float64) - expected)))
        _fail(f"ONNX Runtime disagrees with the model on a fresh input {x.shape}: max "
              f"difference {worst:.3g} (rtol={RTOL}, atol={ATOL})")


def _fail(what: str) -> NoReturn:
    raise RuntimeError(f"onnx.export: {what}; nothing was written. Likely cause: {HINT}")


def _run_here(model: Module, x: np.ndarray) -> np.ndarray:
    """The model's output on `x` in eval mode, each module's training flag restored after."""
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        with no_grad():
            return model(Tensor(x)).data
    finally:
        for module, mode in modes:
            object.__setattr__(module, "training", mode)
