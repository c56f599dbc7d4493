"""`tinygrad-cnn inspect`: every picture of a checkpoint, and one-line errors before any work."""

import subprocess
import sys

import numpy as np
import pytest
from checkout import checkout_env
from extras import require

from tinygrad_cnn import Tensor, manual_seed, models
from tinygrad_cnn.cli import main
from tinygrad_cnn.cli.inspect import PICTURES
from tinygrad_cnn.train import checkpoint


@pytest.fixture(scope="module")
def lenet_checkpoint(tmp_path_factory):
    """An untrained LeNet-5 checkpoint: the pictures need weights, not good ones."""
    manual_seed(0)
    path = tmp_path_factory.mktemp("inspect") / "lenet.npz"
    checkpoint.save_checkpoint(path, "lenet5", models.lenet5(), epoch=1, num_classes=10)
    return path


def one_line_error(argv, capsys):
    assert main(argv) == 1
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1, err
    return err.strip().removeprefix("tinygrad-cnn: error: ")


@pytest.mark.parametrize("what", PICTURES)
def test_every_picture_is_written(lenet_checkpoint, tmp_path, what, capsys):
    require("matplotlib", "plot")
    output = tmp_path / f"{what}.png"
    assert main(["inspect", str(lenet_checkpoint), "--what", what, "--image", "3", "5",
                 "-o", str(output)]) == 0
    assert capsys.readouterr().out == f"wrote {output}\n"
    assert output.read_bytes().startswith(b"\x89PNG")


def test_the_overview_as_users_run_it(lenet_checkpoint, tmp_path):
    require("matplotlib", "plot")
    result = subprocess.run([sys.executable, "-m", "tinygrad_cnn", "inspect",
                             str(lenet_checkpoint), "-o", "overview.svg"], cwd=tmp_path,
                            env=checkout_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    svg = (tmp_path / "overview.svg").read_text()
    assert svg.count("predicted") >= 8 and "Grad-CAM" in svg and "saliency" in svg


def test_the_overview_marks_wrong_predictions_as_the_errors_picture_does(lenet_checkpoint):
    require("matplotlib", "plot")
    from tinygrad_cnn.cli.inspect import _figure
    from tinygrad_cnn.data import load_mnist

    state = checkpoint.load_checkpoint(lenet_checkpoint)
    _, (x, y) = load_mnist()
    x, y = x[:8], y[:8].copy()
    predicted = state["model"].eval()(Tensor(x)).data.argmax(axis=1)
    y[:3] = predicted[:3]  # right for three images at least, whatever the untrained model says
    y[3:] = (predicted[3:] + 1) % 10  # and wrong for the others
    figure = _figure("overview", state["model"], x, y, list(range(8)), None,
                     [str(i) for i in range(10)])
    colours = [axes.title.get_color() for axes in figure.axes[:8]]
    assert colours == ["black"] * 3 + ["darkred"] * 5


@pytest.mark.parametrize("extra, message", [
    (["-o", "{tmp}/picture.txt"], "-o: the pictures are written as .png, .svg or .pdf, got "
                                  "{tmp}/picture.txt"),
    (["-o", "{tmp}/missing/picture.png"], "-o: cannot write {tmp}/missing/picture.png: the "
                                          "folder {tmp}/missing does not exist"),
    (["-o", "{tmp}"], "-o: {tmp} is a folder; name a file inside it"),
])
def test_outputs_are_checked_before_the_checkpoint_is_read(tmp_path, capsys, extra, message):
    argv = ["inspect", str(tmp_path / "no-such-checkpoint.npz"),
            *(a.format(tmp=tmp_path) for a in extra)]
    assert one_line_error(argv, capsys).startswith(message.format(tmp=tmp_path))


@pytest.mark.parametrize("extra, message", [
    (["--image", "1000"], "--image 1000: the test set has 1000 images, 0 to 999"),
    (["--image", "-1"], "--image -1: the test set has 1000 images"),
    (["--layer", "features.9"], "grad_cam: the model has no layer 'features.9'; its layers "
                                "are: features, features.0,"),
    (["--what", "gradcam", "--layer", "features.0", "features.3"],
     "--layer: --what gradcam draws one layer, got 2"),
    (["--what", "gradcam", "--layer", "classifier.0"], "grad_cam: layer 'classifier.0' returns "
                                                       "(8, 120); Grad-CAM needs feature maps"),
    (["--what", "features", "--layer", "classifier.0"], "plot_feature_maps: 'classifier.0' "
                                                        "has shape (1, 120), not feature maps"),
])
def test_bad_images_and_layers_are_one_line(lenet_checkpoint, tmp_path, capsys, extra,
                                            message):
    require("matplotlib", "plot")
    argv = ["inspect", str(lenet_checkpoint), "-o", str(tmp_path / "x.png"), *extra]
    assert one_line_error(argv, capsys).startswith(message)
    assert not (tmp_path / "x.png").exists()


def test_a_picture_folder_gives_its_class_names(tmp_path, capsys):
    require("matplotlib", "plot")
    image = require("PIL.Image", "images")
    rng = np.random.default_rng(0)
    for split in ("train", "test"):
        for name in ("circle", "square"):
            folder = tmp_path / "pictures" / split / name
            folder.mkdir(parents=True)
            for i in range(2):
                image.fromarray(rng.integers(0, 256, (28, 28, 3), dtype=np.uint8)).save(
                    folder / f"{i}.png")
    manual_seed(0)
    checkpoint.save_checkpoint(tmp_path / "shapes.npz", "lenet5",
                               models.lenet5(num_classes=2, in_channels=3), num_classes=2,
                               in_channels=3)
    output = tmp_path / "overview.svg"
    assert main(["inspect", str(tmp_path / "shapes.npz"), "--data", str(tmp_path / "pictures"),
                 "-o", str(output)]) == 0
    svg = output.read_text()
    assert svg.count("true circle") == 2 and svg.count("true square") == 2
