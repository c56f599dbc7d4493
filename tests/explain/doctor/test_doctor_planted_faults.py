"""Every code of the doctor, found in a set-up with its fault planted."""

import pytest
from doctor_cases import PLANTED

from tinygrad_cnn.explain import CODES, diagnose


@pytest.mark.parametrize("fault", list(PLANTED), ids=lambda fault: fault.__name__)
def test_the_planted_fault_is_found(fault):
    report = diagnose(**fault(), steps=8, seed=0)
    found = {f.code: f.severity for f in report.findings}
    for code, severity in PLANTED[fault].items():
        assert found.get(code) == severity, f"{fault.__name__}: no {severity} {code}\n{report}"
    assert not report.ok
    assert all(f.title and f.evidence and f.advice for f in report.findings)


def test_every_code_has_a_planted_fault():
    covered = {code for expected in PLANTED.values() for code in expected}
    assert sorted(set(CODES) - covered) == []
