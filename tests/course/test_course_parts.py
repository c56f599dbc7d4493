"""Course parts 1-4, 8 and 9: each script's answers, and the numbers docs/course.md quotes."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
COURSE_MD = (ROOT / "docs" / "course.md").read_text(encoding="utf-8")


def part(stem: str) -> ModuleType:
    """examples/course/<stem>.py as a module (its name starts with a digit)."""
    spec = importlib.util.spec_from_file_location(f"course_{stem}",
                                                  ROOT / "examples" / "course" / f"{stem}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def quoted(*snippets: str) -> None:
    """Each snippet appears in docs/course.md, whitespace-insensitively."""
    text = " ".join(COURSE_MD.split())
    for snippet in snippets:
        assert " ".join(snippet.split()) in text, f"docs/course.md does not say {snippet!r}"


# ---- part 1: convolution as loops -----------------------------------------------------------

@pytest.mark.parametrize("ndim,stride,padding", part("01_convolution_loops").SETTINGS)
def test_loops_agree_with_the_library_forward_and_backward(ndim, stride, padding):
    assert part("01_convolution_loops").compare(ndim, stride, padding) < 1e-13
    quoted("agree to within 1e-13 in every case", "stride 1 and 2, padding 0 and 1")


def test_loop_versions_find_a_planted_error():
    """The comparison can fail: a wrong tap in the loops is a large difference."""
    conv = part("01_convolution_loops")
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3)), np.zeros(3)
    flipped = conv.conv2d_loops(x, w[:, :, ::-1, ::-1], b)  # a true convolution, not ours
    y = conv.library(conv.F.conv2d, x, w, b, np.ones_like(flipped), 1, 0)[0]
    assert np.abs(flipped - y).max() > 0.1


# ---- part 2: the worked example ---------------------------------------------------------------

def test_worked_example_numbers():
    result = part("02_worked_example").main()
    assert result["y"][0].tolist() == [[[-4, -4], [-4, -4]], [[1, 1], [1, 1]]]
    assert result["dx"][0, 0].tolist() == [[0, 0, 0, 0], [0, -5, 4, -7], [0, 13, 27, -11],
                                            [0, -10, -11, 0]]
    assert result["dw"][:, 0].tolist() == [
        [[104, 117, 130], [156, 169, 182], [208, 221, 234]],
        [[-74, -90, -106], [-138, -154, -170], [-202, -218, -234]]]
    assert result["db"].tolist() == [13, -16]
    quoted("[[ 0 0 0 0] [ 0 -5 4 -7] [ 0 13 27 -11] [ 0 -10 -11 0]]",
           "dL/dw_A = [[104 117 130]", "[-202 -218 -234]]", "dL/db = [13 -16]",
           "dL/dy_A = [[-4 -4]", "dL/dy_B = [[ 1 -7]", "y_A = [[-4 -4]", "y_B = [[1 1]",
           "6 - 10 = -4", "7 - 6 = 1")


def test_worked_example_pixel_contributions():
    """Pixel (1, 1) gets -4 - 1; pixel (2, 2) gets 11 + 11 + 4 + 1, as the course explains."""
    ex = part("02_worked_example")
    contributions: dict[tuple[int, int], list[float]] = {(1, 1): [], (2, 2): []}
    for o in range(2):
        for i in range(2):
            for j in range(2):
                for p in range(3):
                    for q in range(3):
                        value = ex.FILTERS[o, 0, p, q] * ex.OUTPUT_GRADIENT[0, o, i, j]
                        if (i + p, j + q) in contributions and value:
                            contributions[i + p, j + q].append(float(value))
    assert sorted(contributions[1, 1]) == [-4, -1]
    assert sorted(contributions[2, 2]) == [1, 4, 11, 11]
    quoted("`-4 - 1 = -5`", "(A: +11, B: -(-11) = +11)", "(A: -(-4) = +4)", "(B: +1), 27 in all")


# ---- part 3: output sizes -----------------------------------------------------------------------

def test_sizing_questions():
    sizes = part("03_output_size")
    answers = [sizes.answer(q) for q in sizes.QUESTIONS]
    assert answers == [{"output": (142, 142, 6), "params": 168},
                       {"output": (58, 58, 48), "params": 10_416},
                       {"output": (9, 9, 20), "params": 1_820}]
    quoted("| 144x144x3 | 6 of 3x3 | 1 | 142x142x6 | (3·3·3 + 1)·6 = 168 |",
           "| 60x60x24 | 48 of 3x3 | 1 | 58x58x48 | (3·3·24 + 1)·48 = 10,416 |",
           "| 20x20x10 | 20 of 3x3 | 2 | 9x9x20 | (3·3·10 + 1)·20 = 1,820 |")


def test_stride_two_drops_the_last_row_and_column():
    sizes = part("03_output_size")
    drop = sizes.dropped_pixels()
    assert drop["starts"] == list(range(0, 17, 2)) and drop["unused"] == [19]
    assert drop["padded_right_and_bottom"] == (10, 10)
    quoted("The windows start at 0, 2, 4, ..., 16", "So pixel 19", drop["strict_error"],
           "`(20 - 3) / 2 = 8.5`", "`(21 - 3) / 2 = 9`", "gives `(10, 10)`")
    with pytest.raises(ValueError, match="dropped"):
        sizes.conv_output_size((20, 20), 3, stride=2, padding=1, strict=True)
    quoted("Symmetric `padding=1` does not: 22 pixels leave one over again.")


# ---- part 4: pooling -------------------------------------------------------------------------

def test_pooling_worked_example():
    pool = part("04_pooling")
    ex = pool.worked_example()
    assert ex["max_y"].tolist() == [[5, 8], [7, 9]]
    assert ex["avg_y"].tolist() == [[3.25, 2.75], [3.75, 4.25]]
    assert ex["max_dx"].tolist() == [[0, 1, 0, 0], [0, 0, 2, 0], [0, 0, 0, 4], [3, 0, 0, 0]]
    assert ex["avg_dx"].tolist() == [[0.25, 0.25, 0.5, 0.5]] * 2 + [[0.75, 0.75, 1, 1]] * 2
    assert pool.tie_gradient().tolist() == [[1, 0], [0, 0]]
    quoted("max: [[5 8]", "avg: [[3.25 2.75]", "[3.75 4.25]]", "max: [[0 1 0 0]",
           "[3 0 0 0]]", "avg: [[0.25 0.25 0.5 0.5]", "[0.75 0.75 1 1 ]]",
           "output gradient `[[1, 2], [3, 4]]`")


@pytest.mark.parametrize("kernel,stride", [(2, 2), (3, 2)])
@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pooling_loops_agree_with_the_library(kernel, stride, mode):
    assert part("04_pooling").compare(kernel, stride, mode) < 1e-12


def test_flatten():
    flat = part("04_pooling").flatten()
    assert flat == {"shape": (2, 8), "first_row": list(range(8)), "backward_is_reshape": True}
    quoted("a `(2, 2, 2, 2)` input holding 0..15 becomes `(2, 8)` rows, the first "
           "`[0, 1, ..., 7]`")


# ---- part 8: AlexNet and VGG-16 -----------------------------------------------------------------

def _share(part_: int, whole: int) -> str:
    return f"{round(100 * part_ / whole)}%"


def test_alexnet_and_vgg_sizes():
    big = part("08_alexnet_vgg")
    alex, vgg = big.sizes("alexnet"), big.sizes("vgg16")
    assert (alex["params"], alex["macs"]) == (61_100_840, 714_188_480)
    assert (vgg["params"], vgg["macs"]) == (138_357_544, 15_470_264_320)
    for name, s in (("AlexNet", alex), ("VGG-16", vgg)):
        quoted(f"| {name} | {s['params']:,} | {s['classifier_params']:,} "
               f"({_share(s['classifier_params'], s['params'])}) | {s['macs']:,} | "
               f"{s['conv_macs']:,} ({_share(s['conv_macs'], s['macs'])}) |")
    quoted(f"VGG-16 needs {vgg['macs'] / alex['macs']:.1f} times AlexNet's arithmetic")
    assert big.block_summary() == {"params": 38_720, "receptive_fields": [3, 3, 5, 5, 6]}
    quoted("has 38,720 parameters", "the receptive field grows 3, 3, 5, 5, 6")


# ---- part 9: 3x3 versus 1x1 ---------------------------------------------------------------------

def test_filter_size_table():
    filters = part("09_filter_sizes")
    rows = filters.comparison()
    labels = {"1x1": "one 1x1 conv", "3x3": "one 3x3 conv", "two 3x3": "two 3x3 convs",
              "one 5x5": "one 5x5 conv",
              "bottleneck 1x1-3x3-1x1": "1x1 (256→64), 3x3 (64→64), 1x1 (64→256)"}
    for key, label in labels.items():
        r = rows[key]
        quoted(f"| {label} | {r['params']:,} | {r['macs']:,} | {r['receptive_field']} |")
    assert [rows[k]["receptive_field"] for k in labels] == [1, 3, 5, 5, 3]
    fewer = 1 - rows["two 3x3"]["params"] / rows["one 5x5"]["params"]
    ratio_params = rows["3x3"]["params"] / rows["bottleneck 1x1-3x3-1x1"]["params"]
    ratio_macs = rows["3x3"]["macs"] / rows["bottleneck 1x1-3x3-1x1"]["macs"]
    assert rows["3x3"]["macs"] == 9 * rows["1x1"]["macs"]
    quoted(f"with {round(100 * fewer)}% fewer parameters",
           f"for {ratio_params:.1f} times fewer parameters and {ratio_macs:.1f} times fewer MACs",
           "costs a ninth of a 3x3's arithmetic")


def test_one_by_one_conv_is_a_per_pixel_linear_layer():
    assert part("09_filter_sizes").one_by_one_is_linear() < 1e-5
