"""The end of a test run says why tests were skipped, one line per reason with its count."""

import subprocess
import sys
from pathlib import Path

SKIPPING = '''
import pytest


@pytest.mark.parametrize("n", [1, 2])
def test_needs_onnx(n):
    pytest.skip("onnx is missing; pip install -e '.[onnx]'")


def test_needs_plot():
    pytest.skip("matplotlib is missing; pip install -e '.[plot]'")


def test_runs():
    pass
'''


def test_skipped_tests_are_counted_by_reason(tmp_path):
    conftest = Path(__file__).with_name("conftest.py")
    (tmp_path / "conftest.py").write_text(conftest.read_text(encoding="utf-8"))
    (tmp_path / "test_skipping.py").write_text(SKIPPING)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             str(tmp_path)], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = result.stdout.split("why tests were skipped")[1].splitlines()[1:3]
    assert summary == ["   2  onnx is missing; pip install -e '.[onnx]'",
                       "   1  matplotlib is missing; pip install -e '.[plot]'"]
