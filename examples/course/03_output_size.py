"""Course part 3: the output-size formula and the three sizing questions.

    out = floor((n + 2p - k) / s) + 1          parameters = (k * k * C_in + 1) * C_out

Each answer is computed three ways: the formula, `conv_output_size`, and a real `nn.Conv2d`
whose output shape and parameter count are inferred by `summary` without running it.

Run: python examples/course/03_output_size.py
"""

from __future__ import annotations

from tinygrad_cnn import nn
from tinygrad_cnn.summary import conv_output_size, summary

# (height, width, channels in), filters, kernel, stride
QUESTIONS = [((144, 144, 3), 6, 3, 1), ((60, 60, 24), 48, 3, 1), ((20, 20, 10), 20, 3, 2)]


def formula(n: int, k: int, s: int = 1, p: int = 0) -> int:
    """floor((n + 2p - k) / s) + 1."""
    return (n + 2 * p - k) // s + 1


def answer(question) -> dict:
    """Output (H, W, C) and parameter count of one question, checked three ways."""
    (h, w, c), filters, k, s = question
    conv = nn.Conv2d(c, filters, k, stride=s)
    table = summary(conv, (1, c, h, w), verbose=False)
    side = formula(h, k, s)
    assert conv_output_size((h, w), k, stride=s) == (side, side)
    assert table.output_shape == (1, filters, side, side)
    assert table.total_params == (k * k * c + 1) * filters
    return {"output": (side, side, filters), "params": table.total_params}


def dropped_pixels(n: int = 20, k: int = 3, s: int = 2) -> dict:
    """Where the windows of a stride-s conv start, and which input pixels none of them reads."""
    starts = list(range(0, n - k + 1, s))
    used = {start + tap for start in starts for tap in range(k)}
    try:
        conv_output_size((n, n), k, stride=s, strict=True)
        message = ""
    except ValueError as error:
        message = str(error)
    fixed = conv_output_size((n, n), k, stride=s, padding=(0, 1, 0, 1), strict=True)
    return {"starts": starts, "unused": [i for i in range(n) if i not in used],
            "strict_error": message, "padded_right_and_bottom": fixed}


def main() -> dict:
    answers = [answer(q) for q in QUESTIONS]
    for ((h, w, c), filters, k, s), a in zip(QUESTIONS, answers):
        oh, ow, oc = a["output"]
        print(f"{h}x{w}x{c}, {filters} {k}x{k} filters, stride {s}: "
              f"{oh}x{ow}x{oc}, {a['params']:,} parameters")
    drop = dropped_pixels()
    print(f"\nstride 2 on 20 pixels with a 3-wide kernel: windows start at {drop['starts']}")
    print(f"input rows/columns no window reads: {drop['unused']}")
    print(f"strict=True says: {drop['strict_error']}")
    print(f"one zero column on the right and one row at the bottom tile it: "
          f"{drop['padded_right_and_bottom']}")
    return {"answers": answers, "dropped": drop}


if __name__ == "__main__":
    main()
