"""Transposed convolution, reference form: plain loops, also on numpy object arrays of SymPy symbols.

Written as a *gather*, output pixel by output pixel, not as conv2d_backward's scatter: output
pixel (u, v) of channel c collects every input x[f, i, j] whose conv2d window covered it, i.e.
every (i, r) with i*S + r = u + P (and the same for columns):

    y[n, c, u, v] = sum_{f, r, t} x[n, f, (u + P − r)/S, (v + P − t)/S] * w[f, c, r, t]

over the (r, t) for which both quotients are whole numbers inside the input (0 <= i < H,
0 <= j < W). H′ = (H − 1)·S − 2P + KH + output_padding, as in :mod:`cnnmath.ops.conv_transpose`,
whose argument checks this form shares.
"""

from __future__ import annotations

import numpy as np

from ..ops.conv_transpose import conv_transpose_args
from ._arrays import zeros

__all__ = ["conv_transpose2d"]


def conv_transpose2d(x, w, *, stride: int = 1, padding: int = 0, output_padding: int = 0) -> np.ndarray:
    """Loop form of :func:`cnnmath.conv_transpose2d` (same shapes; object arrays of symbols allowed)."""
    a = conv_transpose_args(
        "reference.conv_transpose2d",
        x,
        w,
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        symbolic=True,
    )
    x4, w4, S, P = a.x, a.w, a.stride, a.padding
    N, F, H, W = x4.shape
    _, C, KH, KW = w4.shape
    Ho, Wo = a.out_hw
    y = zeros((N, C, Ho, Wo), x4, w4)
    for n in range(N):
        for c in range(C):
            for u in range(Ho):
                for v in range(Wo):
                    total = 0
                    for f in range(F):
                        for r in range(KH):
                            i, rest_i = divmod(u + P - r, S)
                            if rest_i or not 0 <= i < H:
                                continue
                            for t in range(KW):
                                j, rest_j = divmod(v + P - t, S)
                                if rest_j or not 0 <= j < W:
                                    continue
                                total = total + x4[n, f, i, j] * w4[f, c, r, t]
                    y[n, c, u, v] = total
    return a.restore(y)
