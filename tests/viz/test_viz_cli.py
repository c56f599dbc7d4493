"""`tinygrad-cnn graph` through a subprocess: both views, DOT without Graphviz, the install hint."""

import importlib.util
import os
import shutil
import subprocess
import sys

import pytest
from checkout import checkout_env

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("tinygrad_cnn.cli") is None, reason="the CLI is not installed"
)


def _run(args, cwd, path=None):
    env = checkout_env()
    if path is not None:
        env["PATH"] = path
    return subprocess.run([sys.executable, "-m", "tinygrad_cnn", "graph", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=300)


def test_ops_view_to_dot_needs_no_graphviz(tmp_path):
    result = _run(["lenet5", "-o", "lenet.dot"], tmp_path, path=str(tmp_path / "empty"))
    assert result.returncode == 0, result.stderr
    source = (tmp_path / "lenet.dot").read_text()
    assert source.startswith("digraph autograd {")
    assert "features.0.weight" in source and "conv2d stride=1 pad=0" in source


def test_model_view_to_svg(tmp_path):
    if shutil.which("dot") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Graphviz's `dot` is not installed in CI")
        pytest.skip("Graphviz's `dot` is not installed")
    result = _run(["lenet5", "--view", "model", "-o", "lenet.svg"], tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "lenet.svg").read_text()
    assert "<svg" in text and "classifier.4" in text


def test_missing_dot_fails_with_the_install_hint(tmp_path):
    result = _run(["lenet5", "-o", "lenet.png"], tmp_path, path=str(tmp_path / "empty"))
    assert result.returncode == 1
    assert "apt-get install graphviz" in result.stderr and "brew install graphviz" in result.stderr
    assert not (tmp_path / "lenet.png").exists()
