"""Course part 6: why a naive CNN gets a NaN loss and chance accuracy, and how to catch it.

Two bugs, each shown in a hand-written NumPy version of part 5's network and then in the
library, where `gradcheck` and `detect_anomaly` point at them:

1. softmax without log-sum-exp: exp(z) overflows to inf once a logit passes ~88.7 (float32),
   inf / inf is NaN, and one NaN loss turns every weight into NaN;
2. an inverted ReLU backward (gradient passed where x < 0 instead of x > 0): nothing crashes,
   but the gradient no longer points downhill, and the network stays near chance.

Run: python examples/course/06_what_goes_wrong.py   (TINYGRAD_CNN_QUICK=1: shorter training)
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tinygrad_cnn import Tensor, detect_anomaly, manual_seed, models, nn, optim
from tinygrad_cnn.autograd import Context, Function
from tinygrad_cnn.data import load_mnist
from tinygrad_cnn.nn import functional as F
from tinygrad_cnn.testing import GradcheckError, gradcheck
from tinygrad_cnn.train import Classifier, History

QUICK = os.environ.get("TINYGRAD_CNN_QUICK") == "1"
EPOCHS, TRAIN_IMAGES = (1, 500) if QUICK else (3, None)
NAIVE_BATCHES = 20 if QUICK else 60

# ---- 1. softmax, naive and stable -------------------------------------------------------------


# --8<-- [start:softmax]
def naive_softmax(z: np.ndarray) -> np.ndarray:
    """exp(z) / sum(exp(z)): overflows for logits above log(float max), ~88.7 in float32."""
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def stable_softmax(z: np.ndarray) -> np.ndarray:
    """The same function with the row maximum subtracted first: every exp is at most 1."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
# --8<-- [end:softmax]


def softmax_overflow() -> dict:
    """Both softmaxes on float32 logits (100, 0, -100), and where float32's exp overflows."""
    z = np.array([100.0, 0.0, -100.0], dtype=np.float32)
    with np.errstate(over="ignore", invalid="ignore"):
        naive = naive_softmax(z)
    return {"naive": naive, "stable": stable_softmax(z),
            "overflow_above": float(np.log(np.finfo(np.float32).max))}


# ---- 2. the network by hand, in NumPy ---------------------------------------------------------


def numpy_parameters(model: nn.Module) -> dict[str, np.ndarray]:
    """Copies of a SimpleCNN's weights, by their state-dict names."""
    return {name: t.numpy().copy() for name, t in model.state_dict().items()}


def relu_backward(grad: np.ndarray, x: np.ndarray, inverted: bool) -> np.ndarray:
    """The gradient of max(x, 0) passes where x > 0; the bug passes it where x < 0."""
    return grad * (x < 0) if inverted else grad * (x > 0)


def numpy_step(p: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray,
               inverted_relu: bool = False, naive_softmax: bool = False):
    """Forward and backward of conv 10@3x3 - ReLU - maxpool 2 - 1690-200-200-10, by hand.

    Returns (mean cross-entropy loss, logits, gradients by parameter name).
    """
    N = len(x)
    cols = sliding_window_view(x[:, 0], (3, 3), axis=(1, 2)).reshape(N, 26, 26, 9)
    w1 = p["features.0.weight"].reshape(10, 9)
    z1 = (cols @ w1.T).transpose(0, 3, 1, 2) + p["features.0.bias"][:, None, None]
    a1 = np.maximum(z1, 0)                                       # (N, 10, 26, 26)
    blocks = a1.reshape(N, 10, 13, 2, 13, 2).transpose(0, 1, 2, 4, 3, 5).reshape(N, 10, 13, 13, 4)
    winner = blocks.argmax(axis=-1)                              # first maximum of each 2x2
    f = np.take_along_axis(blocks, winner[..., None], -1).reshape(N, 1690)
    z2 = f @ p["classifier.0.weight"].T + p["classifier.0.bias"]
    a2 = np.maximum(z2, 0)
    z3 = a2 @ p["classifier.2.weight"].T + p["classifier.2.bias"]
    a3 = np.maximum(z3, 0)
    z4 = a3 @ p["classifier.4.weight"].T + p["classifier.4.bias"]  # logits (N, 10)
    if naive_softmax:
        prob = globals()["naive_softmax"](z4)
        loss = -np.log(prob[np.arange(N), y]).mean()
    else:
        shifted = z4 - z4.max(axis=1, keepdims=True)
        log_prob = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        prob, loss = np.exp(log_prob), -log_prob[np.arange(N), y].mean()
    g = {}
    g4 = prob.copy()
    g4[np.arange(N), y] -= 1
    g4 /= N                                                      # d loss / d logits
    g["classifier.4.weight"], g["classifier.4.bias"] = g4.T @ a3, g4.sum(0)
    g3 = relu_backward(g4 @ p["classifier.4.weight"], z3, inverted_relu)
    g["classifier.2.weight"], g["classifier.2.bias"] = g3.T @ a2, g3.sum(0)
    g2 = relu_backward(g3 @ p["classifier.2.weight"], z2, inverted_relu)
    g["classifier.0.weight"], g["classifier.0.bias"] = g2.T @ f, g2.sum(0)
    gf = (g2 @ p["classifier.0.weight"]).reshape(N, 10, 13, 13, 1)
    gblocks = np.zeros_like(blocks)
    np.put_along_axis(gblocks, winner[..., None], gf, -1)        # to the winner only
    ga1 = gblocks.reshape(N, 10, 13, 13, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(N, 10, 26, 26)
    g1 = relu_backward(ga1, z1, inverted_relu)
    g["features.0.weight"] = np.einsum("nohw,nhwk->ok", g1, cols).reshape(10, 1, 3, 3)
    g["features.0.bias"] = g1.sum((0, 2, 3))
    return loss, z4, g


def agreement(images: int = 16) -> float:
    """Largest |NumPy - library| gradient, relative to the largest gradient, on one batch."""
    (x, y), _ = load_mnist()
    manual_seed(0)
    model = models.simple_cnn()
    _, _, ours = numpy_step(numpy_parameters(model), x[:images], y[:images])
    F.cross_entropy(model(Tensor(x[:images])), y[:images]).backward()
    theirs = dict(model.named_parameters())
    return max(float(np.abs(ours[k] - theirs[k].grad.data).max() /
                     np.abs(theirs[k].grad.data).max()) for k in ours)


def naive_training(inverted_relu: bool, naive_softmax: bool, batches: int = NAIVE_BATCHES,
                   lr: float = 0.003) -> dict:
    """SGD on pixels left as the IDX file stores them (0..255), by the NumPy network.

    Returns the loss of each batch, the first batch (1-based) whose loss is not finite, and
    the test accuracy afterwards.
    """
    (x, y), (x_test, y_test) = load_mnist()
    manual_seed(0)
    p = numpy_parameters(models.simple_cnn())
    losses = []
    with np.errstate(all="ignore"):  # the overflow is the point
        for b in range(batches):
            rows = slice(64 * b, 64 * (b + 1))
            loss, _, g = numpy_step(p, 255 * x[rows], y[rows], inverted_relu, naive_softmax)
            losses.append(float(loss))
            for name in p:
                p[name] -= lr * g[name]
        _, logits, _ = numpy_step(p, 255 * x_test, y_test, inverted_relu, naive_softmax)
    first = next((i + 1 for i, v in enumerate(losses) if not np.isfinite(v)), None)
    # NaN scores: argmax gives class 0 everywhere, right for the test set's 100 zeros
    return {"losses": losses, "first_nonfinite_batch": first,
            "test_accuracy": float((logits.argmax(axis=1) == y_test).mean())}


# ---- 3. the same bugs in the library, and what catches them -----------------------------------


# --8<-- [start:inverted]
class InvertedRelu(Function):
    """y = max(x, 0), with the bug: the gradient passes where x < 0."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.maximum(x, 0)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad.where(x < 0, 0.0)  # wrong: should be x > 0
# --8<-- [end:inverted]


class InvertedReLU(nn.ReLU):
    """A ReLU layer running the buggy op."""

    def forward(self, input: Tensor) -> Tensor:
        return InvertedRelu.apply(input)


def simple_cnn_with(relu: type[nn.Module]) -> nn.Sequential:
    """Part 5's layout with the given ReLU layer."""
    return nn.Sequential(nn.Conv2d(1, 10, 3), relu(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(1690, 200), relu(), nn.Linear(200, 200), relu(),
                         nn.Linear(200, 10))


def train_relu(relu: type[nn.Module], epochs: int = EPOCHS,
               train_images: int | None = TRAIN_IMAGES, verbose: bool = True) -> History:
    """Train part 5's network with plain SGD (lr 0.1), seeded, with the given ReLU."""
    (x, y), test = load_mnist()
    manual_seed(0)
    net = simple_cnn_with(relu)
    clf = Classifier(net, optim.SGD(net.parameters(), lr=0.1), epochs=epochs, batch_size=64,
                     seed=0, verbose=verbose)
    return clf.fit(x[:train_images], y[:train_images], validation_data=test)


def gradcheck_inverted_relu() -> str:
    """gradcheck compares the VJP with finite differences and names the wrong element."""
    x = Tensor(np.array([-1.5, -0.5, 0.5, 1.5]), requires_grad=True)
    assert gradcheck(lambda t: F.relu(t), [x])
    try:
        gradcheck(InvertedRelu.apply, [x])
    except GradcheckError as error:
        return str(error)
    raise AssertionError("gradcheck missed the inverted ReLU")


def naive_cross_entropy(logits: Tensor, target: np.ndarray) -> Tensor:
    """-log(softmax(logits)[target]) with the naive softmax, built from tensor ops."""
    e = logits.exp()
    prob = e / e.sum(dim=1, keepdim=True)
    return -prob[np.arange(len(target)), target].log().mean()


def anomaly_naive_softmax() -> dict:
    """detect_anomaly names the op whose result first holds inf or NaN."""
    logits = Tensor(np.array([[100.0, 0.0, -100.0]], dtype=np.float32), requires_grad=True)
    target = np.array([0])
    try:
        with detect_anomaly(), np.errstate(over="ignore", invalid="ignore"):
            naive_cross_entropy(logits, target).backward()
        message = ""
    except FloatingPointError as error:
        message = str(error)
    return {"anomaly": message, "cross_entropy": float(F.cross_entropy(logits, target).item())}


def fit_naive_loss() -> str:
    """Classifier.fit stops at the first non-finite loss and says where."""
    (x, y), _ = load_mnist()
    manual_seed(0)
    net = models.simple_cnn()
    clf = Classifier(net, optim.SGD(net.parameters(), lr=0.003), loss=naive_cross_entropy,
                     epochs=1, batch_size=64, seed=0, verbose=False)
    try:
        with np.errstate(all="ignore"):  # the overflow is the point
            clf.fit(255 * x[:640], y[:640])
    except FloatingPointError as error:
        return str(error)
    return ""


def plot_comparison(correct: History, inverted: History, path: Path) -> Path | None:
    """Test accuracy per epoch of both networks, with chance at 10%."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        print('the picture needs matplotlib: pip install "tinygrad_cnn[plot]"')
        return None
    figure = Figure(figsize=(5.5, 3.5), layout="constrained")
    axes = figure.subplots()
    epochs = range(1, len(correct.val_accuracy) + 1)
    axes.plot(epochs, correct.val_accuracy, marker="o", label="ReLU backward: x > 0")
    axes.plot(epochs, inverted.val_accuracy, marker="s", label="inverted: x < 0")
    axes.axhline(0.1, color="gray", linestyle="--", label="chance")
    axes.set(xlabel="epoch", ylabel="test accuracy", ylim=(0, 1), xticks=list(epochs))
    axes.grid(alpha=0.3)
    axes.legend()
    figure.savefig(path, metadata={"Software": None})
    return path


def main(out: Path | None = None) -> dict:
    soft = softmax_overflow()
    print(f"float32 exp overflows above {soft['overflow_above']:.2f}")
    print(f"naive softmax of (100, 0, -100): {soft['naive']}; stable: {soft['stable']}")
    print(f"\nNumPy network vs library, largest relative gradient difference: {agreement():.1e}")
    print(f"\nthe first {NAIVE_BATCHES} batches of SGD on 0..255 pixels, NumPy network:")
    naive = {}
    for inverted in (False, True):
        for naive_sm in (False, True):
            run = naive_training(inverted, naive_sm)
            naive[inverted, naive_sm] = run
            print(f"  inverted ReLU={inverted!s:5} naive softmax={naive_sm!s:5}: first non-finite "
                  f"loss at batch {run['first_nonfinite_batch']}, test accuracy "
                  f"{run['test_accuracy']:.3f}")
    print(f"\n{gradcheck_inverted_relu()}")
    anomaly = anomaly_naive_softmax()
    print(f"\n{anomaly['anomaly']}\nF.cross_entropy of the same logits: {anomaly['cross_entropy']}")
    print(f"\n{fit_naive_loss()}")
    correct, inverted = train_relu(nn.ReLU), train_relu(InvertedReLU)
    print(f"\nSGD, {len(correct.loss)} epochs: test accuracy {correct.val_accuracy[-1]:.3f} "
          f"with ReLU, {inverted.val_accuracy[-1]:.3f} with the inverted backward")
    path = plot_comparison(correct, inverted, (out or Path.cwd()) / "inverted_relu.png")
    if path:
        print(f"wrote {path}")
    return {"softmax": soft, "naive": naive, "anomaly": anomaly,
            "correct": correct, "inverted": inverted}


if __name__ == "__main__":
    main()
