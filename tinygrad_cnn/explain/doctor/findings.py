"""What the doctor reports: a `Finding` per problem found, gathered in a `Diagnosis`."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tinygrad_cnn.explain.doctor.record import Record

# The stable codes, in the order the checks run, with what each looks at.
CODES: dict[str, str] = {
    "nonfinite-input": "NaN or inf in the inputs",
    "unnormalized-input": "the inputs' scale: raw 0-255 pixels, means and spreads far from 0 and 1",
    "label-range": "the labels against the model's outputs",
    "class-imbalance": "how often each class occurs",
    "outputs-not-probabilities": "a loss that takes the log of outputs that are raw scores",
    "softmax-before-loss": "probabilities fed to a loss that applies its own softmax",
    "nonfinite-loss": "a first loss that is NaN or inf",
    "loss-at-init": "the first loss against ln(C) for a fresh classifier",
    "dead-units": "per layer, the share of ReLU units never active",
    "saturated-units": "per layer, the share of sigmoid or tanh values stuck at their ends",
    "vanishing-gradients": "the gradient reaching the first layer against the last's",
    "exploding-gradients": "the gradient reaching the first layer against the last's",
    "update-ratio": "per layer, |update| / |weight| of the first optimiser steps, against ~1e-3",
    "diverges": "the loss over the first steps at the optimiser's learning rate",
    "cannot-overfit": "whether one small batch can be driven near zero loss",
}
SEVERITIES = ("error", "warning", "info")
_WIDTH = 96


@dataclass(frozen=True)
class Finding:
    """One problem the doctor found.

    Attributes:
        code: one of the stable codes (`CODES`), e.g. "dead-units".
        severity: "error" (training cannot work), "warning" (it will train worse than it
            should) or "info" (worth knowing).
        title: the problem in one line.
        evidence: the numbers that triggered it: which layer, which value against which
            expectation.
        advice: what to change.
    """

    code: str
    severity: str
    title: str
    evidence: str
    advice: str

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"Finding: unknown code {self.code!r}; the codes are "
                             f"{', '.join(CODES)}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"Finding: severity must be one of {SEVERITIES}, got "
                             f"{self.severity!r}")

    def __str__(self) -> str:
        head = textwrap.fill(f"{self.severity.upper():8}{self.code}: {self.title}", _WIDTH,
                             subsequent_indent=" " * 10, break_on_hyphens=False)
        body = [_wrapped("evidence", self.evidence), _wrapped("advice", self.advice)]
        return "\n".join([head, *body])


def _wrapped(label: str, text: str) -> str:
    return textwrap.fill(f"{label}: {text}", _WIDTH, initial_indent=" " * 8,
                         subsequent_indent=" " * 10, break_on_hyphens=False)


@dataclass
class Diagnosis:
    """The doctor's report on a model, its data, loss and optimiser (`explain.diagnose`).

    Attributes:
        findings: the problems found, errors first, then warnings, then notes; in the order
            the checks ran within each.
        setup: what was examined, in one line (model, samples, optimiser, steps).
        skipped: code -> why that check could not run (e.g. the loss was already NaN).
        record: what the first optimiser steps measured, layer by layer (for the pictures of
            `viz.plot_diagnosis`); None when no step could run.

    Examples:
        >>> report = Diagnosis([Finding("class-imbalance", "warning", "one class dominates",
        ...                             "class 0 is 95.0% of the labels", "oversample")])
        >>> report.ok, report.codes
        (False, ['class-imbalance'])
    """

    findings: list[Finding]
    setup: str = ""
    skipped: dict[str, str] = field(default_factory=dict)
    record: Record | None = None

    def __post_init__(self) -> None:
        self.findings = sorted(self.findings, key=lambda f: SEVERITIES.index(f.severity))

    @property
    def ok(self) -> bool:
        """True when no finding is an error or a warning."""
        return all(f.severity == "info" for f in self.findings)

    @property
    def codes(self) -> list[str]:
        """The codes of the findings, in report order."""
        return [f.code for f in self.findings]

    def by_severity(self, severity: str) -> list[Finding]:
        """The findings of one severity ("error", "warning" or "info")."""
        return [f for f in self.findings if f.severity == severity]

    def __str__(self) -> str:
        counts = [f"{len(self.by_severity(s))} {name}" for s, name in
                  (("error", "error(s)"), ("warning", "warning(s)"), ("info", "note(s)"))]
        lines = [f"Diagnosis: {', '.join(counts)}" + (" - looks healthy" if self.ok else "")]
        if self.setup:
            lines.append(textwrap.fill(self.setup, _WIDTH, subsequent_indent="  "))
        lines += ["", *(f"{finding}\n" for finding in self.findings)]
        checked = [code for code in CODES if code not in self.skipped]
        lines.append(textwrap.fill(f"checked: {', '.join(checked)}", _WIDTH,
                                   subsequent_indent="  ", break_on_hyphens=False))
        for why in dict.fromkeys(self.skipped.values()):
            codes = [code for code, reason in self.skipped.items() if reason == why]
            lines.append(textwrap.fill(f"not checked ({why}): {', '.join(codes)}", _WIDTH,
                                       break_on_hyphens=False, subsequent_indent="  "))
        return "\n".join(lines)
