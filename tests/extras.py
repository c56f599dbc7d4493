"""Optional extras in tests: skipped when absent, but a failure where the environment has CI=true.

`.ci/run` installs every extra, so there a missing package is a broken setup, not a reason to
skip. Locally, a developer without the extras still gets a green run of everything else.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest


def in_ci() -> bool:
    """True when the environment says CI (``CI=true``, as GitHub Actions and others set)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def require(module: str, extra: str) -> ModuleType:
    """Import `module`, or skip the calling test module; under CI, fail instead of skipping.

    Args:
        module: the import name, e.g. ``"onnxruntime"``.
        extra: the pyproject extra that provides it, for the message (``"onnx"``).
    """
    try:
        found = importlib.import_module(module)
        # tests/ is on sys.path, so without the package its test folder (tests/onnx) imports
        # as an empty namespace package
        if getattr(found, "__file__", None) is None:
            raise ImportError(f"only the test folder {sorted(set(found.__path__))} was found")
        return found
    except ImportError as error:
        message = f"{module} is missing ({error}); pip install -e '.[{extra}]'"
    if in_ci():
        pytest.fail(f"CI=true: {message}", pytrace=False)
    pytest.skip(message, allow_module_level=True)
