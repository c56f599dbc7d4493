"""Whether the data fits the model: the image size each model offered by `train --help`
takes, the resizing, and a model's output against the data's classes, each in one line."""

import numpy as np
import pytest
from extras import require

from tinygrad_cnn import eval_shape
from tinygrad_cnn.cli import main
from tinygrad_cnn.cli.model_input import (
    IMAGE_SIZE_HELP,
    CommandError,
    check_classes,
    choose_side,
    resized,
)
from tinygrad_cnn.models import MODELS, build_model
from tinygrad_cnn.train.checkpoint import load_checkpoint

DIGITS = (4000, 1, 28, 28)  # the embedded subset's training images


def one_line_error(argv, capsys):
    assert main(argv) == 1
    out, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1, err
    return err.strip(), out


@pytest.mark.parametrize("name", MODELS)
def test_every_model_train_offers_takes_the_digits_at_the_side_chosen(name):
    model = build_model(name, 10, in_channels=1, initialize=False)
    side = choose_side(name, model, DIGITS, None)
    assert eval_shape(model.eval(), (1, 1, side, side)) == (1, 10)
    if side != 28:  # the help names each model that needs another size, and the size
        assert f"{side} for {name.rstrip('0123456789')}" in IMAGE_SIZE_HELP.replace("\n", "")
        with pytest.raises(ValueError):
            eval_shape(model, (1, 1, 28, 28))


def test_the_nearest_side_is_taken_when_the_data_is_too_large_for_the_model():
    model = build_model("lenet5", 10, in_channels=3, initialize=False)
    assert choose_side("lenet5", model, (8, 3, 32, 32), None) == 31  # CIFAR-10 on LeNet-5


@pytest.mark.parametrize("name, size, smallest", [("lenet5", 64, 28), ("densenet121", 20, 29)])
def test_an_image_size_the_model_cannot_take_is_refused_naming_the_smallest(name, size,
                                                                            smallest, capsys):
    err, out = one_line_error(["train", "--model", name, "--image-size", str(size), "--limit",
                               "64", "--epochs", "1", "--quiet"], capsys)
    assert err.startswith(f"tinygrad-cnn: error: --image-size {size}: {name} does not take "
                          f"1x{size}x{size} images (")
    assert err.endswith(f"; the smallest it takes is {smallest} (--image-size {smallest})")
    assert "epoch" not in out  # before any training


def test_image_size_is_a_positive_integer(capsys):
    err, out = one_line_error(["train", "--image-size", "0", "--quiet"], capsys)
    assert err == "tinygrad-cnn: error: --image-size must be a positive integer, got 0"
    assert out == ""


@pytest.mark.parametrize("name, args, side", [
    ("resnet18", (), 28),  # BatchNorm at 1x1 feature maps
    ("densenet121", (), 29),  # resized by default
    ("lenet5", ("--image-size", "30"), 30),
])
def test_models_train_an_epoch_at_their_side(name, args, side, tmp_path, capsys):
    saved = tmp_path / "run.npz"
    assert main(["train", "--model", name, *args, "--epochs", "1", "--limit", "64",
                 "--batch-size", "32", "--quiet", "--save", str(saved)]) == 0
    out = capsys.readouterr().out
    assert f"training {name} on 64 images" in out and ", 1 epoch, " in out
    assert ("resizing the 28x28 images to" in out) == (side != 28)
    assert load_checkpoint(saved)["image_size"] == side


def test_a_checkpoint_is_evaluated_and_resumed_at_its_side(tmp_path, capsys):
    saved = str(tmp_path / "run.npz")
    assert main(["train", "--image-size", "30", "--epochs", "1", "--limit", "64", "--quiet",
                 "--save", saved]) == 0
    capsys.readouterr()
    assert main(["evaluate", saved]) == 0  # the test images are resized alike
    assert capsys.readouterr().out.startswith("lenet5 (epoch 1): test loss")
    assert main(["train", "--resume", saved, "--epochs", "1", "--limit", "64", "--quiet"]) == 0
    assert "resizing the 28x28 images to 30x30" in capsys.readouterr().out
    err, _ = one_line_error(["train", "--resume", saved, "--image-size", "29"], capsys)
    assert err == ("tinygrad-cnn: error: --image-size 29, but the checkpoint resumed was "
                   "trained at 30x30; leave out --image-size to continue it")


def test_resized_images_keep_their_values_range_and_count():
    images = np.random.default_rng(0).random((5, 2, 28, 28), dtype=np.float32)
    bigger = resized(images, 63)
    assert bigger.shape == (5, 2, 63, 63) and bigger.dtype == np.float32
    assert images.min() <= bigger.min() and bigger.max() <= images.max()  # bilinear blends
    assert resized(images, 28) is images and resized(images, None) is images


NETS = '''
from tinygrad_cnn import nn


def make():
    return nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 10))


def five():
    return nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 5))


def pooled(num_classes=10, in_channels=1):
    return nn.Sequential(nn.AvgPool2d(30), nn.Flatten(), nn.Linear(in_channels, num_classes))


def scores_per_pixel(num_classes=10, in_channels=1):
    return nn.Conv2d(in_channels, num_classes, 1)
'''


def test_a_factory_gets_only_the_keywords_it_takes(tmp_path, monkeypatch, capsys):
    (tmp_path / "mynets.py").write_text(NETS)
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--model", "mynets:make", "--epochs", "1", "--limit", "64",
                 "--quiet", "--save", "make.npz"]) == 0
    assert "training mynets:make on 64 images (7,850 parameters)" in capsys.readouterr().out
    assert main(["evaluate", "make.npz", "--model", "mynets:make"]) == 0


@pytest.mark.parametrize("factory, message", [
    ("five", "mynets:five gives 5 scores per image but the data has 10 classes (labels 0 to "
             "9); let its factory take num_classes, or give its last layer that many outputs"),
    ("scores_per_pixel", "mynets:scores_per_pixel returns (1, 10, 28, 28) for one image; "
                         "training needs class scores (N, classes)"),
])
def test_a_model_that_does_not_fit_the_data_is_one_line(factory, message, tmp_path, monkeypatch,
                                                       capsys):
    (tmp_path / "mynets.py").write_text(NETS)
    monkeypatch.chdir(tmp_path)
    err, _ = one_line_error(["train", "--model", f"mynets:{factory}", "--limit", "64",
                               "--quiet"], capsys)
    assert err == f"tinygrad-cnn: error: {message}"


def test_channels_the_model_cannot_take_are_named():
    model = build_model("lenet5", 10, in_channels=3, initialize=False)
    with pytest.raises(CommandError, match=r"^lenet5 does not take the data's images "
                                           r"\(1x28x28\): .*conv2d: input has 1 channels?"):
        check_classes("lenet5", model, (8, 1, 28, 28), 10)


def test_export_traces_the_images_the_checkpoint_was_trained_on(tmp_path, capsys):
    require("onnx", "onnx")
    saved = str(tmp_path / "run.npz")
    assert main(["train", "--model", "resnet20", "--image-size", "16", "--epochs", "1",
                 "--limit", "8", "--quiet", "--save", saved]) == 0
    capsys.readouterr()
    assert main(["export", saved, "-o", str(tmp_path / "run.onnx")]) == 0
    assert "input (N, 1, 16, 16)" in capsys.readouterr().out


def test_the_doctor_examines_a_model_at_a_side_it_takes(tmp_path, monkeypatch, capsys):
    (tmp_path / "mynets.py").write_text(NETS)
    monkeypatch.chdir(tmp_path)
    assert main(["doctor", "--model", "mynets:pooled", "--limit", "16", "--batch-size", "8",
                 "--steps", "1"]) in (0, 1)
    out = capsys.readouterr().out
    assert out.startswith("resizing the 28x28 images to 30x30, the nearest size mynets:pooled "
                          "takes")
