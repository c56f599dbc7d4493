"""Train LeNet-5 briefly, then take it out of the library: ONNX for ONNX Runtime, safetensors
for PyTorch.

Writes `lenet5.onnx` and `lenet5.safetensors` into the current directory, runs the ONNX file
with ONNX Runtime on the test images and checks that it predicts what the model here does.
`TINYGRAD_CNN_QUICK=1` trains on fewer images. Needs the extras: pip install -e '.[onnx,interop]'.
"""

import os
import time

import numpy as np

from tinygrad_cnn import Tensor, load, manual_seed, models, no_grad, optim, save
from tinygrad_cnn.data import load_mnist
from tinygrad_cnn.train import Classifier


def train_lenet(quick: bool) -> tuple[models.LeNet5, np.ndarray, np.ndarray]:
    """LeNet-5 after one epoch on the embedded MNIST subset, and the test images and labels."""
    manual_seed(0)
    (x_train, y_train), (x_test, y_test) = load_mnist()
    if quick:
        x_train, y_train, x_test, y_test = x_train[:500], y_train[:500], x_test[:200], y_test[:200]
    model = models.lenet5()
    clf = Classifier(model, optim.Adam(model.parameters(), lr=2e-3), epochs=1, batch_size=32,
                     seed=0, verbose=False)
    clf.fit(x_train, y_train)
    print(f"LeNet-5 trained on {len(x_train)} images: test accuracy "
          f"{clf.score(x_test, y_test):.3f}")
    return model, x_test, y_test


def main() -> None:
    model, x_test, y_test = train_lenet(quick=bool(os.environ.get("TINYGRAD_CNN_QUICK")))

    # Weights: PyTorch's names and layouts, readable by safetensors.torch.load_file.
    try:
        save(model.state_dict(), "lenet5.safetensors")
    except ImportError as error:
        print(f"skipping safetensors: {error}")
    else:
        names = list(load("lenet5.safetensors"))
        print(f"wrote lenet5.safetensors: {len(names)} tensors, {names[0]}, ..., {names[-1]}")

    # The model: traced once, written as ONNX with a symbolic batch size.
    try:
        import onnxruntime as ort

        from tinygrad_cnn.onnx import export
        export(model, x_test[:2], "lenet5.onnx")  # two images: any batch size works
    except ImportError as error:
        print(f"skipping ONNX: {error}")
        return
    print(f"wrote lenet5.onnx ({os.path.getsize('lenet5.onnx'):,} bytes)")

    session = ort.InferenceSession("lenet5.onnx", providers=["CPUExecutionProvider"])
    start = time.perf_counter()
    (logits,) = session.run(None, {"input": x_test})
    seconds = time.perf_counter() - start
    model.eval()
    with no_grad():
        ours = model(Tensor(x_test)).numpy()
    agree = (logits.argmax(1) == ours.argmax(1)).mean()
    print(f"ONNX Runtime on {len(x_test)} images in {1000 * seconds:.1f} ms: largest logit "
          f"difference {np.abs(logits - ours).max():.2e}, same prediction for {agree:.0%}, "
          f"accuracy {(logits.argmax(1) == y_test).mean():.3f}")
    if not np.allclose(logits, ours, rtol=1e-5, atol=1e-5):
        raise SystemExit("ONNX Runtime disagrees with the model")


if __name__ == "__main__":
    main()
