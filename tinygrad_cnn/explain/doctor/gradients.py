"""The gradient across depth: what reaches the first weight layer against what reaches the
last (`vanishing-gradients`, `exploding-gradients`)."""

from __future__ import annotations

from tinygrad_cnn.explain.doctor import thresholds
from tinygrad_cnn.explain.doctor.findings import Finding
from tinygrad_cnn.explain.doctor.record import Record


def check(record: Record) -> list[Finding]:
    """Both checks, from the norms of d loss / d output at the first step."""
    norms = {name: layer.gradient_norms[0] for name, layer in record.layers.items()
             if layer.gradient_norms}
    if len(norms) < 2:
        return []
    (first, g_first), (last, g_last) = next(iter(norms.items())), list(norms.items())[-1]
    limit = thresholds.GRADIENT_RATIO
    profile = ", ".join(f"{name} {g:.2g}" for name, g in norms.items())
    if g_last > 0 and g_first < g_last / limit:
        share = f"{g_first / g_last:.1e} of" if g_first > 0 else "none of"
        evidence = (f"|d loss / d output| is {g_first:.2g} at {first}, the first weight layer, "
                    f"and {g_last:.2g} at {last}, the last: the first receives {share} the "
                    f"last's (threshold 1/{limit:g}); across the {len(norms)} layers: {profile}")
        advice = ("initialise with He's scale for ReLU layers (nn.init.kaiming_normal_) or "
                  "Glorot's for sigmoid and tanh (xavier), prefer ReLU to sigmoid, add "
                  "BatchNorm or residual connections; Adam partly hides it by scaling each "
                  "weight's step")
        return [Finding("vanishing-gradients", "warning", "the gradient fades on its way to the "
                        "first layers", evidence, advice)]
    if g_first > g_last * limit:
        evidence = (f"|d loss / d output| is {g_first:.2g} at {first}, the first weight layer, "
                    f"and {g_last:.2g} at {last}, the last: {g_first / g_last:.1e} times larger "
                    f"(threshold {limit:g}); across the {len(norms)} layers: {profile}")
        advice = ("the weights are too large for the depth: initialise with He's scale "
                  "(nn.init.kaiming_normal_) rather than a fixed spread, add BatchNorm, and "
                  "clip the gradient's norm (nn.utils.clip_grad_norm_)")
        return [Finding("exploding-gradients", "warning", "the gradient grows on its way to the "
                        "first layers", evidence, advice)]
    return []
