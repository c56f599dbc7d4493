"""The set-ups the doctor is tested on: healthy ones, and ones with a fault planted."""

from __future__ import annotations

import numpy as np

from tinygrad_cnn import manual_seed, models, nn, no_grad, optim
from tinygrad_cnn.data import load_mnist

MEAN, STD = 0.1307, 0.3081  # the MNIST training set's


def digits(n: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """The first n digits of the embedded subset, in [0, 1]."""
    (x, y), _ = load_mnist()
    return x[:n], y[:n]


def normalised(n: int = 512) -> tuple[np.ndarray, np.ndarray]:
    x, y = digits(n)
    return ((x - MEAN) / STD).astype(np.float32), y


def lenet() -> nn.Module:
    manual_seed(0)
    return models.lenet5()


def mlp(activation: type[nn.Module], depth: int, width: int = 64) -> nn.Sequential:
    """Flatten, then `depth` layers of Linear and `activation`, then Linear to 10 scores."""
    manual_seed(0)
    layers: list[nn.Module] = [nn.Flatten()]
    size = 28 * 28
    for _ in range(depth):
        layers += [nn.Linear(size, width), activation()]
        size = width
    return nn.Sequential(*layers, nn.Linear(size, 10))


def adam(model: nn.Module, lr: float = 1e-3) -> optim.Adam:
    return optim.Adam(model.parameters(), lr=lr)


def course_loss(scores, target):
    """The course's scratch loss: -log of the true class's score, on raw scores."""
    return -scores[np.arange(len(target)), target].log().mean()


def with_biases(model: nn.Module, value: float) -> nn.Module:
    with no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias"):
                p.data[...] = value
    return model


def with_unit_normal_weights(model: nn.Module) -> nn.Module:
    """Weights drawn from N(0, 1), without the 1 / sqrt(fan_in) of every sound initialisation."""
    rng = np.random.default_rng(0)
    with no_grad():
        for module in model.modules():
            if isinstance(module, nn.Linear):
                module.weight.data[...] = rng.standard_normal(module.weight.shape)
    return model


def lenet_with_softmax() -> nn.Module:
    model = lenet()
    model.classifier.add_module("5", nn.Softmax(dim=1))
    return model


def majority(y: np.ndarray, share: float = 0.95, label: int = 3) -> np.ndarray:
    """`y` with about `share` of the labels turned into `label`."""
    changed = y.copy()
    changed[np.random.default_rng(0).random(len(y)) < share] = label
    return changed


def with_nan_pixel(x: np.ndarray, sample: int = 123) -> np.ndarray:
    broken = x.copy()
    broken[sample, 0, 14, 9] = np.nan
    return broken


# ---- healthy set-ups: each returns the arguments of diagnose ----------------------------------

def lenet5_adam_on_standardised_digits() -> dict:
    model, (x, y) = lenet(), normalised(4000)
    return dict(model=model, X=x, y=y, optimizer=adam(model))


def resnet20_sgd_momentum() -> dict:
    """ResNet-20 with SGD 0.1 and momentum 0.9, on batches of 8 to keep the test quick."""
    manual_seed(0)
    model, (x, y) = models.resnet20(in_channels=1), normalised(256)
    return dict(model=model, X=x, y=y, batch_size=8, steps=3, overfit_steps=20,
                optimizer=optim.SGD(model.parameters(), lr=0.1, momentum=0.9))


def small_mlp_on_random_points() -> dict:
    """12 features, 16 hidden units, 3 classes: small weights that Adam at 1e-3 moves slowly."""
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((100, 12)).astype(np.float32), rng.integers(0, 3, 100)
    manual_seed(0)
    model = nn.Sequential(nn.Linear(12, 16), nn.ReLU(), nn.Linear(16, 3))
    return dict(model=model, X=x, y=y, optimizer=adam(model))


HEALTHY = [lenet5_adam_on_standardised_digits, resnet20_sgd_momentum, small_mlp_on_random_points]


# ---- the planted faults: each returns the arguments of diagnose ---------------------------------

def raw_pixels() -> dict:
    model, (x, y) = lenet(), digits()
    return dict(model=model, X=255 * x, y=y, optimizer=adam(model))


def lr_100x_too_high() -> dict:
    model, (x, y) = lenet(), normalised()
    return dict(model=model, X=x, y=y, optimizer=adam(model, 0.1))


def biases_that_kill_every_relu() -> dict:
    model, (x, y) = with_biases(lenet(), -10.0), normalised()
    return dict(model=model, X=x, y=y, optimizer=adam(model))


def deep_sigmoid_stack() -> dict:
    model, (x, y) = mlp(nn.Sigmoid, 8), normalised()
    return dict(model=model, X=x, y=y, optimizer=optim.SGD(model.parameters(), lr=0.1))


def unit_normal_weights_in_deep_relu_stack() -> dict:
    model, (x, y) = with_unit_normal_weights(mlp(nn.ReLU, 8)), normalised()
    return dict(model=model, X=x, y=y, optimizer=optim.SGD(model.parameters(), lr=0.01))


def softmax_layer_before_cross_entropy() -> dict:
    model, (x, y) = lenet_with_softmax(), normalised()
    return dict(model=model, X=x, y=y, optimizer=adam(model))


def majority_class() -> dict:
    model, (x, y) = lenet(), normalised()
    return dict(model=model, X=x, y=majority(y), optimizer=adam(model))


def nan_pixel() -> dict:
    model, (x, y) = lenet(), normalised()
    return dict(model=model, X=with_nan_pixel(x), y=y, optimizer=adam(model))


def course_loss_on_raw_scores() -> dict:
    model, (x, y) = models.simple_cnn(), digits()
    return dict(model=model, X=x, y=y, loss=course_loss,
                optimizer=optim.SGD(model.parameters(), lr=0.01))


def tanh_on_raw_pixels() -> dict:
    model, (x, y) = mlp(nn.Tanh, 3), digits()
    return dict(model=model, X=255 * x, y=y, optimizer=optim.SGD(model.parameters(), lr=0.01))


def one_based_labels() -> dict:
    model, (x, y) = lenet(), normalised()
    return dict(model=model, X=x, y=y + 1, optimizer=adam(model))


def lr_too_low() -> dict:
    model, (x, y) = lenet(), normalised()
    return dict(model=model, X=x, y=y, optimizer=optim.SGD(model.parameters(), lr=1e-6))


# Each fault, and the codes the doctor must find in it with their severities.
PLANTED = {
    raw_pixels: {"unnormalized-input": "warning", "loss-at-init": "warning"},
    lr_100x_too_high: {"diverges": "error", "update-ratio": "warning"},
    biases_that_kill_every_relu: {"dead-units": "error", "cannot-overfit": "error"},
    deep_sigmoid_stack: {"vanishing-gradients": "warning", "cannot-overfit": "error"},
    unit_normal_weights_in_deep_relu_stack: {"exploding-gradients": "warning",
                                             "loss-at-init": "warning"},
    softmax_layer_before_cross_entropy: {"softmax-before-loss": "warning",
                                         "cannot-overfit": "error"},
    majority_class: {"class-imbalance": "warning"},
    nan_pixel: {"nonfinite-input": "error"},
    course_loss_on_raw_scores: {"outputs-not-probabilities": "error",
                                "nonfinite-loss": "error"},
    tanh_on_raw_pixels: {"saturated-units": "warning", "unnormalized-input": "warning"},
    one_based_labels: {"label-range": "error"},
    lr_too_low: {"update-ratio": "warning"},
}
