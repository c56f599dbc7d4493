"""Finding and Diagnosis: the stable codes, severities, `ok`, and the report's text."""

import pytest

from tinygrad_cnn.explain import CODES, Diagnosis, Finding

# The contract (DESIGN.md, "Diagnosing training"): users and scripts match on these strings.
STABLE = ["nonfinite-input", "unnormalized-input", "label-range", "class-imbalance",
          "outputs-not-probabilities", "softmax-before-loss", "nonfinite-loss", "loss-at-init",
          "dead-units", "saturated-units", "vanishing-gradients", "exploding-gradients",
          "update-ratio", "diverges", "cannot-overfit"]


def finding(code="dead-units", severity="warning"):
    return Finding(code, severity, "a title", "the numbers " * 20, "what to change")


def test_the_codes_are_the_stable_set_in_check_order():
    assert list(CODES) == STABLE
    assert all(CODES[code] for code in STABLE)


def test_a_finding_refuses_unknown_codes_and_severities():
    with pytest.raises(ValueError, match="unknown code 'dead-unit'"):
        finding("dead-unit")
    with pytest.raises(ValueError, match="severity must be one of"):
        finding(severity="fatal")


def test_ok_is_true_with_notes_only():
    assert Diagnosis([]).ok
    assert Diagnosis([finding(severity="info")]).ok
    assert not Diagnosis([finding(severity="warning")]).ok
    assert not Diagnosis([finding(severity="error")]).ok


def test_findings_are_ordered_errors_first_keeping_check_order():
    report = Diagnosis([finding("class-imbalance", "info"), finding("dead-units", "warning"),
                        finding("diverges", "error"), finding("update-ratio", "warning")])
    assert report.codes == ["diverges", "dead-units", "update-ratio", "class-imbalance"]
    assert [f.code for f in report.by_severity("warning")] == ["dead-units", "update-ratio"]


def test_the_report_reads_as_a_report():
    report = Diagnosis([finding("diverges", "error")], setup="LeNet5 on 64 samples",
                       skipped={"cannot-overfit": "the loss diverges",
                                "update-ratio": "the loss diverges"})
    text = str(report)
    assert text.startswith("Diagnosis: 1 error(s), 0 warning(s), 0 note(s)\nLeNet5 on 64")
    assert "ERROR   diverges: a title" in text
    assert "        evidence: the numbers" in text and "        advice: what to change" in text
    assert "not checked (the loss diverges): cannot-overfit, update-ratio" in text
    assert max(len(line) for line in text.splitlines()) <= 96
    assert "checked: nonfinite-input" in text and "looks healthy" not in text
    assert "looks healthy" in str(Diagnosis([]))
