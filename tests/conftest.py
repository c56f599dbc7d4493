"""Hypothesis profiles (a quick `ci` default; `TINYGRAD_CNN_THOROUGH=1` selects `thorough`),
subprocesses pointed at this checkout, and why tests were skipped, said at the end of a run."""

import os
from collections import Counter

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


def pytest_terminal_summary(terminalreporter):
    """Why tests were skipped, one line per reason with its count, at the end of every run:
    `-q` alone shows only "394 skipped", not that they wait for an optional extra."""
    reasons = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reasons[reason.removeprefix("Skipped: ")] += 1
    if reasons:
        terminalreporter.section("why tests were skipped")
        for reason, count in reasons.most_common():
            terminalreporter.write_line(f"{count:4d}  {reason}")
