"""Subprocesses import this checkout's package, not whichever copy pip installed (a worktree's
tests would otherwise run another checkout's code)."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def checkout_env(**extra: str) -> dict[str, str]:
    """The current environment with this checkout first on PYTHONPATH, plus `extra`."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, **extra}
