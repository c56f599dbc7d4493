"""docs/explain.md: its committed pictures, and its script, which regenerates them and gives
the numbers the page quotes."""

from functools import partial
from pathlib import Path

import pytest
from docs_scripts import draw_pictures, load_script, page_number, shows_committed_pictures

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGE = DOCS / "explain.md"
quoted = partial(page_number, PAGE)
PLURALS = ["zeros", "ones", "twos", "threes", "fours", "fives", "sixes", "sevens", "eights",
           "nines"]


def test_the_page_shows_the_committed_pictures():
    shows_committed_pictures(PAGE.read_text(encoding="utf-8"), "explain",
                             load_script("make_explain_images").NAMES)


def test_the_script_draws_them_and_the_page_quotes_its_numbers(tmp_path):
    _, numbers = draw_pictures("make_explain_images", tmp_path)
    # Another CPU's BLAS may flip a prediction or two: counts within 3, shares within 1.5%
    assert quoted(r"reaches \*\*([\d.]+)%\*\* test accuracy") == pytest.approx(
        100 * numbers["accuracy"], abs=0.3)
    assert quoted(r"\*\*(\d+)\*\* of the 1,000 test digits are wrong") == pytest.approx(
        numbers["mistakes"], abs=3)
    true, said, count = numbers["worst_pair"]
    pair = rf"\*\*(\d+)\*\* of the 100 {PLURALS[true]} are taken for {PLURALS[said]}"
    assert quoted(pair) == pytest.approx(count, abs=3)
    assert quoted(r"The surest one is \*\*(\d+)%\*\* sure") == pytest.approx(
        100 * numbers["surest_mistake"], abs=1.5)
    assert quoted(r"\*\*(\d+)%\*\* of a map's mass falls on ink") == pytest.approx(
        100 * numbers["cam_on_ink"], abs=1.5)
    assert quoted(r"which covers \*\*(\d+)%\*\* of the image") == pytest.approx(
        100 * numbers["ink_share"], abs=1.5)
    assert quoted(r"\*\*(\d+)\*\* of the 1,000 maps are all zero") == pytest.approx(
        numbers["empty_cams_features_1"], abs=3)
