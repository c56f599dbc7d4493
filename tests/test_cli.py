"""The `tinygrad-cnn` command, run as users run it: in a subprocess."""

import subprocess
import sys

import pytest
from checkout import checkout_env
from extras import require


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "tinygrad_cnn", *args], cwd=cwd,
                          env=checkout_env(), capture_output=True, text=True, timeout=300)


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
