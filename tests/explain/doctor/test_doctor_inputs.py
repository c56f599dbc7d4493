"""The input checks: NaN or inf (`nonfinite-input`) and the scale (`unnormalized-input`)."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_cnn.explain.doctor import inputs
from tinygrad_cnn.testing.strategies import float_arrays, shapes

RNG = np.random.default_rng(0)


@given(x=float_arrays(shapes(min_dims=2, max_dims=4)), data=st.data())
def test_the_finite_samples_are_kept_and_the_first_bad_value_named(x, data):
    count = data.draw(st.integers(0, min(3, x.size)))
    spots = data.draw(st.lists(st.integers(0, x.size - 1), min_size=count, max_size=count,
                               unique=True))
    broken = x.copy()
    broken.reshape(-1)[spots] = data.draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    found, keep = inputs.finite_samples(broken)
    expected = np.isfinite(broken).reshape(len(x), -1).all(axis=1)
    np.testing.assert_array_equal(keep, expected)
    if not spots:
        assert found == []
        return
    (report,) = found
    first = np.unravel_index(min(spots), x.shape)
    assert report.code == "nonfinite-input" and report.severity == "error"
    assert f"sample {first[0]}, position {tuple(int(i) for i in first[1:])}" in report.evidence
    assert f"in {int((~expected).sum()):,} of {len(x):,} samples" in report.evidence


def digits():
    return RNG.integers(0, 256, (64, 1, 8, 8)).astype(np.float32)


def test_raw_pixels_are_a_warning_naming_them():
    (report,) = inputs.scale(digits(), RNG)
    assert report.severity == "warning"
    assert "raw 8-bit pixels" in report.evidence and "divide 8-bit pixels by 255" in report.advice


def test_pixels_divided_by_255_twice_are_a_warning():
    (report,) = inputs.scale(digits() / 255 / 255, RNG)
    assert report.severity == "warning" and "outside [0.1, 10]" in report.evidence


def test_a_large_offset_is_a_warning():
    kelvin = (293 + RNG.standard_normal((64, 5))).astype(np.float32)
    (report,) = inputs.scale(kelvin, RNG)
    assert report.severity == "warning" and "spreads away from 0" in report.evidence


def test_channels_on_different_scales_are_a_warning():
    x = RNG.standard_normal((32, 3, 4, 4)).astype(np.float32)
    x[:, 2] *= 0.01
    (report,) = inputs.scale(x, RNG)
    assert "channel spreads from" in report.evidence and "(channel 2)" in report.evidence


def test_pixels_in_0_1_get_a_note_with_the_numbers_to_standardise():
    (report,) = inputs.scale(digits() / 255, RNG)
    assert report.severity == "info"
    assert "transforms.Normalize(mean=[0.4" in report.advice


def test_standardised_inputs_pass():
    assert inputs.scale(RNG.standard_normal((64, 3, 4, 4)), RNG) == []
