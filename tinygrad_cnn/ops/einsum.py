"""Einsum: a sum of products over lettered axes, whose VJP is an einsum again.

The op takes an equation in one plain form, which `plan` makes from any equation NumPy and
PyTorch accept: the output written out (`ij,jk` is `ij,jk->ik`), each `...` spelled as letters,
and no letter twice in one operand: a diagonal (`ii->i`) becomes a product with an identity
matrix (`ij,ij->i`), so that every operand's gradient is one einsum of the output's gradient
with the other operands, broadcast back over the letters only that operand has.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from tinygrad_cnn.autograd import Context, Function, ShapeDtype
from tinygrad_cnn.ops.reduce import sum_to_shape

if TYPE_CHECKING:
    from tinygrad_cnn.tensor import Tensor

Shape = tuple[int, ...]


def _split(equation: str) -> tuple[list[str], str]:
    """The operands' subscripts and the output's of a plain equation (`ab,bc->ac`)."""
    inputs, output = equation.split("->")
    return inputs.split(","), output


def plan(equation: str, shapes: list[Shape]) -> tuple[str, tuple[int, ...]]:
    """The op's plain equation for operands of `shapes`, and the sizes of the identity
    matrices to append to the operands (one per repeated letter).

    Raises:
        TypeError: when `equation` is not a string.
        ValueError: for a malformed equation, or one that does not fit the shapes, naming both.
    """
    if not isinstance(equation, str):
        raise TypeError(f"einsum: the equation must be a string, got {type(equation).__name__}")
    text = equation.replace(" ", "")
    where = f"equation {equation!r} for operands {[tuple(s) for s in shapes]}"
    if not re.fullmatch(r"[A-Za-z.,]*(->[A-Za-z.]*)?", text):
        raise ValueError(f"einsum: {where}: only letters, ',', '...' and '->' may appear")
    inputs, _, output = text.partition("->")
    subscripts = inputs.split(",")
    if len(subscripts) != len(shapes):
        raise ValueError(f"einsum: {where}: {len(subscripts)} subscripts for {len(shapes)} "
                         "operands")
    if "->" not in text:  # implicit: the letters seen once, in order, after any ellipsis
        once = [c for c in sorted(set(inputs) - {".", ","}) if inputs.count(c) == 1]
        output = ("..." if "..." in inputs else "") + "".join(once)
    fresh = iter(c for c in string.ascii_letters if c not in text)
    subscripts, output = _spell_ellipses(subscripts, output, shapes, fresh, where)
    if len(set(output)) != len(output) or set(output) - set("".join(subscripts)):
        raise ValueError(f"einsum: {where}: each output letter must appear once, and in an "
                         "operand")
    _letter_sizes(subscripts, shapes, where)
    identities: list[int] = []
    for i, sub in enumerate(subscripts):
        for j, c in enumerate(sub):
            if c in sub[:j]:  # a diagonal: a fresh letter, tied to c by an identity matrix
                d = next(fresh)
                subscripts[i] = subscripts[i][:j] + d + subscripts[i][j + 1 :]
                subscripts.append(c + d)
                identities.append(shapes[i][j])
    return ",".join(subscripts) + "->" + output, tuple(identities)


def _spell_ellipses(subscripts: list[str], output: str, shapes: list[Shape],
                    fresh: Iterator[str], where: str) -> tuple[list[str], str]:
    """Each `...` as letters: the operands' right-aligned, the output's all of them."""
    counts = []
    for sub, shape in zip(subscripts, shapes):
        letters = len(sub.replace("...", ""))
        count = len(shape) - letters if "..." in sub else 0
        if sub.count("...") > 1 or sub.replace("...", "").count(".") or count < 0 or (
                "..." not in sub and letters != len(shape)):
            raise ValueError(f"einsum: {where}: subscripts {sub!r} do not fit an operand of "
                             f"shape {tuple(shape)}")
        counts.append(count)
    spelled = "".join(next(fresh) for _ in range(max(counts, default=0)))
    subscripts = [sub.replace("...", spelled[len(spelled) - n :]) for sub, n in
                  zip(subscripts, counts)]
    return subscripts, output.replace("...", spelled)


def _letter_sizes(subscripts: list[str], shapes: list[Shape], where: str) -> dict[str, int]:
    """Each letter's size; a letter of size 1 in one operand broadcasts against the others."""
    sizes: dict[str, int] = {}
    for sub, shape in zip(subscripts, shapes):
        for c, n in zip(sub, shape):
            known = sizes.setdefault(c, n)
            if known != n and 1 not in (known, n):
                raise ValueError(f"einsum: {where}: letter {c!r} has sizes {known} and {n}")
            if known == 1:
                sizes[c] = n
    return sizes


class Einsum(Function):
    """y = einsum(equation, *xs), for a plain equation (see `plan`)."""

    @staticmethod
    def abstract_eval(*xs: ShapeDtype, equation: str) -> ShapeDtype:
        subscripts, output = _split(equation)
        sizes = _letter_sizes(subscripts, [x.shape for x in xs], f"equation {equation!r}")
        return ShapeDtype(tuple(sizes[c] for c in output), np.result_type(*[x.dtype for x in xs]))

    @staticmethod
    def forward(ctx: Context, *xs: np.ndarray, equation: str) -> np.ndarray:
        ctx.save_for_backward(*xs)
        return np.einsum(equation, *xs, optimize=len(xs) > 2)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        subscripts, output = _split(ctx.attrs["equation"])
        xs = ctx.saved_tensors
        grads: list[Tensor | None] = []
        for i, (x, sub) in enumerate(zip(xs, subscripts)):
            if not ctx.needs_input_grad[i]:
                grads.append(None)
                continue
            others = [j for j in range(len(xs)) if j != i]
            seen = set(output).union(*(subscripts[j] for j in others))
            kept = "".join(c for c in sub if c in seen)
            # dx_i = einsum(dy, the other operands -> x_i's letters); a letter no other
            # operand has was summed over x_i alone, so dy reaches all of it
            equation = ",".join([output, *(subscripts[j] for j in others)]) + "->" + kept
            g = Einsum.apply(grad, *(xs[j] for j in others), equation=equation)
            kept_shape = [g.shape[kept.index(c)] if c in kept else 1 for c in sub]
            g = g.reshape(kept_shape).expand([max(n, m) for n, m in zip(kept_shape, x.shape)])
            grads.append(sum_to_shape(g, x.shape))
        return tuple(grads)
