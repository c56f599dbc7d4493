"""The `tinygrad-cnn` command, run as users run it: in a subprocess."""

import subprocess
import sys

import numpy as np
import pytest
from extras import require


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "tinygrad_cnn", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_train_save_resume_evaluate_and_plot(tmp_path):
    require("matplotlib", "plot")
    result = run("train", "--epochs", "1", "--limit", "400", "--quiet", "--save", "run.npz",
                 "--plot", "curves.png", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "epoch   1  loss" in result.stdout and "test accuracy:" in result.stdout
    assert (tmp_path / "run.npz").exists() and (tmp_path / "curves.png").exists()

    resumed = run("train", "--resume", "run.npz", "--epochs", "1", "--limit", "400", "--quiet",
                  cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert "epoch   2  loss" in resumed.stdout

    evaluated = run("evaluate", "run.npz", cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    assert "lenet5 (epoch 1): test loss" in evaluated.stdout


def test_simple_cnn_trains_with_sgd(tmp_path):
    result = run("train", "--model", "simple-cnn", "--optimizer", "sgd", "--lr", "0.05",
                 "--epochs", "1", "--limit", "200", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "training simple-cnn on 200 images (380,510 parameters)" in result.stdout


def test_summary_prints_the_table(tmp_path):
    result = run("summary", "vgg16", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "138,357,544" in result.stdout


@pytest.mark.parametrize("args, message", [
    (("evaluate", "missing.npz"), "no checkpoint at"),
    (("train", "--data", "no-such-dir"), "does not exist"),
    (("summary", "lenet5", "--input-shape", "1,2"), "four positive sizes"),
])
def test_errors_are_one_line_without_traceback(tmp_path, args, message):
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_corrupt_checkpoint_is_refused(tmp_path):
    (tmp_path / "bad.npz").write_bytes(b"not a zip file")
    result = run("evaluate", "bad.npz", cwd=tmp_path)
    assert result.returncode == 1 and "bad.npz" in result.stderr
    assert "Traceback" not in result.stderr


def test_train_with_augmentation(tmp_path):
    result = run("train", "--epochs", "1", "--limit", "200", "--quiet", "--augment", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "augmentation: Compose([RandomCrop(size=(28, 28), padding=(2, 2, 2, 2)" in result.stdout
    assert "RandomRotation(degrees=(-10.0, 10.0)" in result.stdout


def test_train_on_an_image_folder_with_train_and_test_splits(tmp_path):
    image = require("PIL.Image", "images")
    rng = np.random.default_rng(0)
    for split, count in (("train", 6), ("test", 2)):
        for name in ("circle", "square"):
            folder = tmp_path / "pictures" / split / name
            folder.mkdir(parents=True)
            for i in range(count):
                pixels = rng.integers(0, 256, (20, 24, 3), dtype=np.uint8)
                image.fromarray(pixels).save(folder / f"{i}.png")
    (tmp_path / "pictures" / "train" / "circle" / "notes.txt").write_text("skipped")
    result = run("train", "--data", "pictures", "--epochs", "1", "--quiet", "--augment",
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "training lenet5 on 12 images" in result.stdout
    assert "RandomHorizontalFlip" in result.stdout and "padding_mode='reflect'" in result.stdout
    assert "test accuracy:" in result.stdout


def test_an_image_folder_without_splits_holds_out_a_fifth(tmp_path):
    image = require("PIL.Image", "images")
    for name in ("a", "b"):
        (tmp_path / "pictures" / name).mkdir(parents=True)
        for i in range(5):
            image.fromarray(np.full((8, 8), 40 * i, np.uint8)).save(
                tmp_path / "pictures" / name / f"{i}.png")
    result = run("train", "--data", "pictures", "--epochs", "1", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "training lenet5 on 8 images" in result.stdout
