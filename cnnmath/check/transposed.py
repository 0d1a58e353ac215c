"""The checker of notebook 20's exercise: a learner's ``conv_transpose2d(x, w, *, stride=1, padding=0,
output_padding=0)``, graded against :func:`cnnmath.conv_transpose2d` by the conv checkers' runner
(:mod:`cnnmath.check._run`: inputs left unmodified, no aliasing, float results, nothing remembered
between calls, integer cases first, then random floats on the same shapes).

The battery walks through what learners get wrong with a transposed convolution: the output size
(H − 1)·S − 2P + KH + output_padding, which axis of w is summed (F, the filters: w stays in
conv2d's layout), stride (zero insertion), padding (it crops the output instead of growing it),
output_padding (extra rows and columns at the bottom and right) and a 180° rotation forgotten or
added in the zero-insertion route.
"""

from __future__ import annotations

import numpy as np

from ..ops.conv_transpose import conv_transpose2d
from . import _battery
from ._battery import Case
from ._run import Spec, run

__all__ = ["check_conv_transpose2d", "conv_transpose_cases"]

# (N, F, C, H, W, KH, KW, stride, padding, output_padding, about, flags), simplest first.
_TRANSPOSED = [
    (1, 1, 1, 2, 2, 2, 2, 1, 0, 0, "one channel, 2×2 input, 2×2 kernel: a 3×3 output", ""),
    (1, 1, 1, 2, 3, 2, 3, 1, 0, 0, "non-square input (2×3) and kernel (2×3)", "nonsquare"),
    (1, 1, 1, 1, 1, 3, 2, 1, 0, 0, "a single input pixel: the output is that pixel times w", "whole"),
    (2, 1, 1, 2, 3, 2, 2, 1, 0, 0, "a batch of N=2 samples", "batch"),
    (1, 3, 1, 3, 3, 2, 2, 1, 0, 0, "F=3 input channels (conv2d's filters) summed into C=1", "filters"),
    (1, 1, 3, 3, 3, 2, 2, 1, 0, 0, "F=1, C=3 output channels: w[f, c] feeds output channel c", "channels"),
    (2, 3, 2, 3, 2, 3, 2, 1, 0, 0, "N=2, F=3, C=2: w stays (F, C, KH, KW)", "batch channels filters"),
    (1, 1, 1, 3, 3, 3, 3, 1, 1, 0, "padding 1 crops the output: 3×3 -> 3×3", "padding"),
    (1, 1, 1, 3, 4, 3, 2, 1, 2, 0, "padding 2, non-square", "padding nonsquare"),
    (1, 1, 1, 3, 3, 3, 3, 2, 0, 0, "stride 2: zeros inserted between the input pixels", "stride"),
    (1, 1, 1, 3, 3, 2, 2, 2, 0, 0, "stride 2 with a 2×2 kernel: windows that do not overlap", "stride"),
    (1, 1, 1, 2, 3, 2, 3, 3, 0, 0, "stride 3 larger than the kernel height: rows of zeros", "stride gap"),
    (1, 1, 1, 3, 3, 3, 3, 2, 0, 1, "output_padding 1 with stride 2: one more row and column", "outpad"),
    (1, 1, 1, 3, 2, 3, 2, 3, 1, 2, "stride 3, padding 1, output_padding 2", "stride padding outpad"),
    (1, 1, 1, 2, 2, 3, 3, 2, 1, 1, "output_padding 1 with padding 1: the new row is not zero", "outpad"),
]
_TRANSPOSED += [
    (2, 3, 2, 3, 2, 3, 2, s, p, op, f"stride {s}, padding {p}, output_padding {op}, N=2, F=3, C=2", "batch")
    for s, p, op in ((1, 1, 0), (2, 1, 1), (3, 2, 2), (2, 0, 1))
]


def _kwargs(s: int, p: int, op: int) -> dict:
    """Only the settings that differ from the defaults are passed."""
    return (
        ({"stride": s} if s != 1 else {})
        | ({"padding": p} if p else {})
        | ({"output_padding": op} if op else {})
    )


def conv_transpose_cases() -> list[Case]:
    """args (x, w): x (N, F, H, W), w (F, C, KH, KW)."""
    rng = np.random.default_rng(20)
    cases = []
    for N, F, C, H, W, KH, KW, s, p, op, about, flags in _TRANSPOSED:
        x, w = _battery._ints(rng, (N, F, H, W)), _battery._kernel(rng, (F, C, KH, KW))
        tags = set(flags.split()) | ({"stride"} if s > 1 else set()) | ({"padding"} if p else set())
        shown = {"stride": s, "padding": p, "output_padding": op}
        cases.append(Case((x, w), ("x", "w"), _kwargs(s, p, op), about, frozenset(tags), shown))
    return cases + _battery._more(rng, cases, (-1, len(cases) // 2, 6), "x")


def check_conv_transpose2d(fn) -> None:
    """Grade ``fn(x, w, *, stride=1, padding=0, output_padding=0) -> y`` (x (N, F, H, W), w
    (F, C, KH, KW), y (N, C, H′, W′)) against :func:`cnnmath.conv_transpose2d`."""
    spec = Spec(
        "conv_transpose2d",
        conv_transpose2d,
        ("y",),
        ("y",),
        "stride 1, 2, 3; padding 0, 1, 2; output_padding 0, 1, 2",
    )
    run(spec, fn, conv_transpose_cases())
