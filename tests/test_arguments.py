"""The one rule for count arguments (tinygrad_cnn/arguments.py), and every public count argument
held to it: a bool is refused with a TypeError naming the owner and the argument, a NumPy int
does what the same Python int does."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn import Tensor, manual_seed, models, nn, ones, rand, randn, zeros
from tinygrad_cnn.arguments import is_int, non_negative_int, positive_int, positive_pair
from tinygrad_cnn.creation import full
from tinygrad_cnn.data import DataLoader, TensorDataset
from tinygrad_cnn.data.transforms import RandomCrop
from tinygrad_cnn.explain import confusion_matrix, diagnose, saliency, top_errors
from tinygrad_cnn.kernels.threads import get_num_threads, set_num_threads
from tinygrad_cnn.optim import SGD
from tinygrad_cnn.optim.lr_scheduler import (
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    LinearLR,
    MultiStepLR,
    OneCycleLR,
    ReduceLROnPlateau,
    StepLR,
)
from tinygrad_cnn.summary import conv_output_size, conv_transpose_output_size, summary
from tinygrad_cnn.train import Classifier, lr_find
from tinygrad_cnn.train.callbacks import EarlyStopping

# ---- the rule --------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    (3, True), (0, True), (-2, True), (np.int64(3), True), (np.uint8(3), True),
    (np.int32(-1), True), (True, False), (np.bool_(True), False), (3.0, False),
    (np.float64(3), False), ("3", False), (None, False), ((3,), False),
])
def test_an_int_is_a_python_or_numpy_int_and_never_a_bool(value, expected):
    assert is_int(value) is expected


def test_the_value_comes_back_as_a_python_int():
    for check in (positive_int, non_negative_int):
        value = check("f", "n", np.int64(4))
        assert value == 4 and type(value) is int
    assert non_negative_int("f", "n", 0) == 0
    pair = positive_pair("f", "size", np.int64(5))
    assert pair == (5, 5) and all(type(n) is int for n in pair)
    assert positive_pair("f", "size", [np.int32(2), 3]) == (2, 3)


@pytest.mark.parametrize(("check", "value", "error", "message"), [
    (positive_int, True, TypeError, "Conv2d: kernel_size must be a positive int, got True"),
    (positive_int, 2.0, TypeError, "Conv2d: kernel_size must be a positive int, got 2.0"),
    (positive_int, "2", TypeError, "Conv2d: kernel_size must be a positive int, got '2'"),
    (positive_int, 0, ValueError, "Conv2d: kernel_size must be a positive int, got 0"),
    (non_negative_int, False, TypeError,
     "Conv2d: kernel_size must be a non-negative int, got False"),
    (non_negative_int, -1, ValueError, "Conv2d: kernel_size must be a non-negative int, got -1"),
    (positive_pair, True, TypeError,
     r"Conv2d: kernel_size must be a positive int or a pair (H, W), got True"),
    (positive_pair, (2, 2.5), TypeError,
     "Conv2d: kernel_size must be a positive int or a pair (H, W), got (2, 2.5)"),
    (positive_pair, (2, 2, 2), ValueError,
     "Conv2d: kernel_size must be a positive int or a pair (H, W), got (2, 2, 2)"),
    (positive_pair, (2, 0), ValueError,
     "Conv2d: kernel_size must be a positive int or a pair (H, W), got (2, 0)"),
])
def test_errors_name_the_owner_the_argument_and_the_value(check, value, error, message):
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        check("Conv2d", "kernel_size", value)


def test_a_note_ends_the_message():
    with pytest.raises(ValueError, match=r"^DataLoader: batch_size must be a positive int, got 0; "
                                         r"x \(3,\)$"):
        positive_int("DataLoader", "batch_size", 0, "; x (3,)")


# ---- every public count argument -------------------------------------------------------------


def _optimizer() -> SGD:
    return SGD([Tensor(np.zeros(1), requires_grad=True)], lr=0.1, momentum=0.9)


def _images(n: int = 4) -> np.ndarray:
    return np.random.default_rng(0).random((n, 1, 2, 2), dtype=np.float32)


def _linear_classifier() -> nn.Module:
    manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(4, 3))


def _threads_after(n: int) -> int:
    before = get_num_threads()
    try:
        set_num_threads(n)
        return get_num_threads()
    finally:
        set_num_threads(before)


def _seeded(n: int) -> float:
    try:
        return manual_seed(n).random()
    finally:
        manual_seed(0)


def _saliency(n: int) -> list:
    model = _linear_classifier()
    manual_seed(0)
    return saliency(model, _images(), samples=n).tolist()


def _predicted(n: int) -> list:
    model = _linear_classifier()
    clf = Classifier(model, SGD(model.parameters(), lr=0.1), verbose=False)
    return clf.predict(_images(5), batch_size=n).tolist()


def _epochs_trained_after(initial_epoch: int) -> int:
    model = _linear_classifier()
    clf = Classifier(model, SGD(model.parameters(), lr=0.1), epochs=3, verbose=False)
    return len(clf.fit(_images(), np.arange(4) % 3, initial_epoch=initial_epoch).loss)


def _diagnosed(**counts: int) -> list[float]:
    """The losses of a short diagnosis of a linear classifier: its first steps, then its
    one-batch test."""
    record = diagnose(_linear_classifier(), _images(12), np.arange(12) % 3,
                      **({"batch_size": 4, "steps": 2, "overfit_steps": 2} | counts)).record
    return record.losses + record.overfit


def _range_tested(**counts: int) -> list[float]:
    model = _linear_classifier()
    result = lr_find(model, SGD(model.parameters(), lr=0.1), _images(12), np.arange(12) % 3,
                     **({"steps": 3, "batch_size": 4} | counts))
    return result.losses.tolist()


def _pool_shape(layer: nn.Module) -> tuple[int, ...]:
    return layer(zeros(1, 2, 8, 8)).shape


X8, W3 = zeros(1, 2, 8, 8), zeros(4, 1, 3, 3)

# (owner, argument, a valid value, a call with that value returning something comparable);
# the owner is whoever checks: a model's counts are checked by the layers it builds.
COUNTS = [
    ("Linear", "in_features", 3, lambda n: repr(nn.Linear(n, 2))),
    ("Linear", "out_features", 3, lambda n: repr(nn.Linear(2, n))),
    ("Conv2d", "in_channels", 2, lambda n: repr(nn.Conv2d(n, 4, 3))),
    ("Conv2d", "out_channels", 4, lambda n: repr(nn.Conv2d(2, n, 3))),
    ("Conv2d", "kernel_size", 3, lambda n: repr(nn.Conv2d(2, 4, n))),
    ("Conv2d", "stride", 2, lambda n: repr(nn.Conv2d(2, 4, 3, stride=n))),
    ("Conv2d", "padding", 1, lambda n: repr(nn.Conv2d(2, 4, 3, padding=n))),
    ("Conv2d", "dilation", 2, lambda n: repr(nn.Conv2d(2, 4, 3, dilation=n))),
    ("Conv2d", "groups", 2, lambda n: repr(nn.Conv2d(2, 4, 3, groups=n))),
    ("Conv1d", "kernel_size", 3, lambda n: repr(nn.Conv1d(2, 4, n))),
    ("ConvTranspose2d", "output_padding", 1,
     lambda n: repr(nn.ConvTranspose2d(2, 4, 3, stride=2, output_padding=n))),
    ("BatchNorm1d", "num_features", 3, lambda n: repr(nn.BatchNorm1d(n))),
    ("BatchNorm2d", "num_features", 3, lambda n: repr(nn.BatchNorm2d(n))),
    ("GroupNorm", "num_groups", 2, lambda n: repr(nn.GroupNorm(n, 4))),
    ("GroupNorm", "num_channels", 4, lambda n: repr(nn.GroupNorm(2, n))),
    ("LayerNorm", "normalized_shape", 4, lambda n: repr(nn.LayerNorm(n))),
    ("LayerNorm", "normalized_shape", 4, lambda n: repr(nn.LayerNorm((2, n)))),
    ("MaxPool2d", "kernel_size", 2, lambda n: _pool_shape(nn.MaxPool2d(n))),
    ("MaxPool2d", "stride", 2, lambda n: _pool_shape(nn.MaxPool2d(3, stride=n))),
    ("MaxPool2d", "padding", 1, lambda n: _pool_shape(nn.MaxPool2d(3, padding=n))),
    ("AvgPool2d", "kernel_size", 2, lambda n: _pool_shape(nn.AvgPool2d(n))),
    ("AdaptiveAvgPool2d", "output_size", 2, lambda n: _pool_shape(nn.AdaptiveAvgPool2d(n))),
    ("Upsample", "size", 4, lambda n: _pool_shape(nn.Upsample(size=n))),
    ("conv2d", "stride", 2, lambda n: F.conv2d(X8, W3, stride=n, groups=2).shape),
    ("conv2d", "groups", 2, lambda n: F.conv2d(X8, W3, groups=n).shape),
    ("max_pool2d", "kernel_size", 2, lambda n: F.max_pool2d(X8, n).shape),
    ("adaptive_avg_pool2d", "output_size", 2, lambda n: F.adaptive_avg_pool2d(X8, n).shape),
    ("avg_pool2d", "divisor_override", 2,
     lambda n: F.avg_pool2d(X8 + 1, 2, divisor_override=n).tolist()),
    ("interpolate", "size", 4, lambda n: F.interpolate(X8, size=n).shape),
    ("group_norm", "num_groups", 2, lambda n: F.group_norm(X8, n).shape),
    ("layer_norm", "normalized_shape", 8, lambda n: F.layer_norm(X8, n).shape),
    ("zeros", "size", 3, lambda n: zeros(n, 2).shape),
    ("ones", "size", 3, lambda n: ones((2, n)).shape),
    ("full", "size", 3, lambda n: full((n,), 1.0).shape),
    ("randn", "size", 3, lambda n: randn(n).shape),
    ("rand", "size", 3, lambda n: rand(n).shape),
    ("reshape", "sizes", 4, lambda n: zeros(2, 4).reshape(2, n).shape),
    ("conv_output_size", "in_size", 28, lambda n: conv_output_size(n, 3)),
    ("conv_output_size", "kernel_size", 3, lambda n: conv_output_size(28, n)),
    ("conv_transpose_output_size", "in_size", 9,
     lambda n: conv_transpose_output_size(n, 3, stride=2)),
    ("summary", "depth", 1,
     lambda n: str(summary(models.lenet5(), (1, 1, 28, 28), verbose=False, depth=n))),
    ("Linear", "out_features", 10, lambda n: repr(models.lenet5(num_classes=n))),
    ("Conv2d", "in_channels", 3, lambda n: repr(models.lenet5(in_channels=n))),
    ("Linear", "out_features", 10, lambda n: repr(models.simple_cnn(num_classes=n))),
    ("DataLoader", "batch_size", 3,
     lambda n: len(DataLoader(TensorDataset(np.zeros((10, 2)), np.zeros(10)), batch_size=n))),
    ("RandomCrop", "size", 3, lambda n: RandomCrop(n).size),
    ("RandomCrop", "padding", 1, lambda n: RandomCrop(3, padding=n).padding),
    ("Classifier", "epochs", 2,
     lambda n: Classifier(_linear_classifier(), _optimizer(), epochs=n).epochs),
    ("Classifier", "batch_size", 2,
     lambda n: Classifier(_linear_classifier(), _optimizer(), batch_size=n).batch_size),
    ("Classifier.predict", "batch_size", 2, _predicted),
    ("StepLR", "step_size", 2, lambda n: StepLR(_optimizer(), step_size=n).state_dict()),
    ("MultiStepLR", "milestone", 2,
     lambda n: MultiStepLR(_optimizer(), milestones=[4, n]).state_dict()),
    ("CosineAnnealingLR", "T_max", 4,
     lambda n: CosineAnnealingLR(_optimizer(), T_max=n).state_dict()),
    ("OneCycleLR", "total_steps", 6,
     lambda n: OneCycleLR(_optimizer(), max_lr=1.0, total_steps=n).state_dict()),
    ("OneCycleLR", "epochs", 2,
     lambda n: OneCycleLR(_optimizer(), max_lr=1.0, epochs=n, steps_per_epoch=3).state_dict()),
    ("OneCycleLR", "steps_per_epoch", 3,
     lambda n: OneCycleLR(_optimizer(), max_lr=1.0, epochs=2, steps_per_epoch=n).state_dict()),
    ("LinearLR", "total_iters", 3, lambda n: LinearLR(_optimizer(), total_iters=n).state_dict()),
    ("CosineAnnealingWarmRestarts", "T_0", 2,
     lambda n: CosineAnnealingWarmRestarts(_optimizer(), T_0=n).state_dict()),
    ("CosineAnnealingWarmRestarts", "T_mult", 2,
     lambda n: CosineAnnealingWarmRestarts(_optimizer(), T_0=2, T_mult=n).state_dict()),
    ("ReduceLROnPlateau", "patience", 2,
     lambda n: ReduceLROnPlateau(_optimizer(), patience=n).state_dict()),
    ("ReduceLROnPlateau", "cooldown", 1,
     lambda n: ReduceLROnPlateau(_optimizer(), cooldown=n).state_dict()),
    ("set_num_threads", "n", 2, _threads_after),
    ("manual_seed", "seed", 3, _seeded),
    ("confusion_matrix", "num_classes", 3,
     lambda n: confusion_matrix([0, 1, 2], [1, 1, 2], n).tolist()),
    ("top_errors", "k", 2,
     lambda n: top_errors(_linear_classifier(), _images(), np.zeros(4, np.int64), k=n)),
    ("top_errors", "batch_size", 2,
     lambda n: top_errors(_linear_classifier(), _images(), np.zeros(4, np.int64), batch_size=n)),
    ("saliency", "samples", 2, _saliency),
    ("diagnose", "batch_size", 4, lambda n: _diagnosed(batch_size=n)),
    ("diagnose", "steps", 2, lambda n: _diagnosed(steps=n)),
    ("diagnose", "overfit_steps", 2, lambda n: _diagnosed(overfit_steps=n)),
    ("diagnose", "seed", 1, lambda n: _diagnosed(seed=n)),
    ("lr_find", "steps", 3, lambda n: _range_tested(steps=n)),
    ("lr_find", "batch_size", 4, lambda n: _range_tested(batch_size=n)),
    ("lr_find", "seed", 1, lambda n: _range_tested(seed=n)),
    ("Classifier.fit", "initial_epoch", 1, _epochs_trained_after),
    ("EarlyStopping", "patience", 2, lambda n: EarlyStopping(patience=n).patience),
    ("EarlyStopping", "start_from_epoch", 1,
     lambda n: EarlyStopping(start_from_epoch=n).start_from_epoch),
]


CASES = [pytest.param(*count, id=f"{count[0]}-{count[1]}") for count in COUNTS]


@pytest.mark.parametrize(("owner", "name", "valid", "call"), CASES)
def test_a_bool_is_refused_naming_the_owner_and_the_argument(owner, name, valid, call):
    with pytest.raises(TypeError, match=f"^{re.escape(owner)}: {re.escape(name)} must be"):
        call(True)


@pytest.mark.parametrize(("owner", "name", "valid", "call"), CASES)
def test_a_numpy_int_does_what_the_python_int_does(owner, name, valid, call):
    assert _same(call(np.int64(valid)), call(valid))


def _same(a: object, b: object) -> bool:
    """Equal, top_errors' arrays included; a NumPy int left in a repr shows as np.int64(n)."""
    if isinstance(a, tuple) and a and isinstance(a[0], np.ndarray):
        return all(np.array_equal(x, y) for x, y in zip(a, b))
    return a == b
