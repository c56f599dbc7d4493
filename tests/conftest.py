"""Hypothesis profiles: a quick `ci` default; `TINYGRAD_CNN_THOROUGH=1` selects `thorough`."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("thorough" if os.environ.get("TINYGRAD_CNN_THOROUGH") else "ci")
