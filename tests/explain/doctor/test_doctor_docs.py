"""docs/doctor.md: its committed pictures, its script (which regenerates them and prints the
reports the page shows), and its table of what the doctor measures on each set-up."""

import math
import re
from functools import partial
from pathlib import Path

import pytest
from docs_scripts import draw_pictures, load_script, page_number, shows_committed_pictures
from doctor_measures import COLUMNS, SETUPS, measure

DOCS = Path(__file__).resolve().parents[3] / "docs"
PAGE = DOCS / "doctor.md"
quoted = partial(page_number, PAGE)


def page() -> str:
    return PAGE.read_text(encoding="utf-8")


def flat(text: str) -> str:
    return " ".join(text.split())


def digitless(text: str) -> str:
    """The text with every number replaced, so wording is compared and not the last digit
    another CPU's BLAS may change."""
    return re.sub(r"-?\d[\d.,e+-]*", "#", flat(text))


def test_the_page_is_in_the_nav_and_shows_the_committed_pictures():
    assert "doctor.md" in (DOCS.parent / "mkdocs.yml").read_text(encoding="utf-8")
    shows_committed_pictures(page(), "doctor", load_script("make_doctor_images").NAMES)


def test_the_script_draws_them_and_the_page_shows_what_it_prints(tmp_path):
    _, said = draw_pictures("make_doctor_images", tmp_path)
    assert flat(said["nan"]) in flat(page())
    assert digitless(said["sick"]) in digitless(page())
    assert said["fixed"].splitlines()[0] in page()
    assert quoted(r"reaches \*\*([\d.]+)%\*\* test accuracy after three epochs") == \
        pytest.approx(100 * said["accuracy"][-1], abs=0.5)
    assert quoted(r"\(([\d.]+)% after one\)") == pytest.approx(100 * said["accuracy"][0], abs=1)
    assert quoted(r"the median layer moves \*\*([\d.e-]+)\*\* of its weight") == \
        pytest.approx(said["update_ratio"], rel=0.2)
    assert quoted(r"Its suggestion for this set-up is \*\*([\d.e-]+)\*\*") == \
        pytest.approx(said["suggestion"], rel=0.3)
    diverging = said["diverging"]
    assert diverging.startswith("Diagnosis: 2 error(s), 1 warning(s)")
    for code in ("diverges", "update-ratio", "dead-units"):
        assert f"ERROR   {code}" in diverging or f"WARNING {code}" in diverging
        assert f"`{code}`:" in page()


def page_table() -> dict[str, list[str]]:
    rows = {}
    for line in page().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and cells[0] in SETUPS:
            rows[cells[0]] = cells[1:]
    return rows


def test_the_table_has_a_row_per_set_up_and_a_column_per_measure():
    header = next(line for line in page().splitlines() if line.startswith("| set-up |"))
    assert [c.strip() for c in header.strip("|").split("|")][1:] == COLUMNS
    assert list(page_table()) == list(SETUPS)


def close(written: str, value: float | None, column: int) -> bool:
    """Whether the page's cell says `value` (a tenth apart for ratios, two points for shares,
    two steps for counts: another CPU may round a few values the other way)."""
    if value is None or written in ("-", "never"):
        return written == ("-" if value is None else "never" if math.isinf(value) else "")
    if column in (3, 4):
        return abs(float(written.rstrip("%")) - 100 * value) <= 2
    if column == 5:
        return abs(float(written) - value) <= 2
    return float(written) == pytest.approx(value, rel=0.1, abs=1e-12)


@pytest.mark.parametrize("setup", list(SETUPS))
def test_the_table_holds_what_the_doctor_measures(setup):
    written = page_table()[setup]
    values = measure(setup)
    for column, (cell, value) in enumerate(zip(written, values)):
        assert close(cell, value, column), f"{setup}, {COLUMNS[column]}: page {cell}, now {value}"
