"""Hypothesis profiles (a quick `ci` default; `TINYGRAD_CNN_THOROUGH=1` selects `thorough`), and
subprocesses pointed at this checkout."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("thorough" if os.environ.get("TINYGRAD_CNN_THOROUGH") else "ci")

# Subprocesses (the CLI, the examples, the docs build) import this checkout's package, not
# whichever copy is installed: in a second git worktree they would otherwise test another tree.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [_ROOT, os.environ.get("PYTHONPATH")]))
