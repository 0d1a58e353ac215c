"""Convolution layer, reference form: the seeds' index formulas as plain Python loops.

Slow on purpose and readable next to the lecture text. The loops use only ``+`` and ``*``,
so they also run on numpy object arrays of SymPy symbols: that is how the symbolic notebooks
build ``net`` (the weighted input) and differentiate it.

Seed 000, formula (1), with 0-based indices, padding, stride S and dilation D added:

    z[n, f, i, j] = b[f] + sum_c sum_{r, t} xpad[n, c, i*S + r*D, j*S + t*D] * w[f, c, r, t]
"""

from __future__ import annotations

import numpy as np

from ..ops.conv_args import check_dz, conv_args
from ._arrays import zeros

__all__ = ["conv2d", "conv2d_backward"]


def _pad(x: np.ndarray, p: int) -> np.ndarray:
    """Zero padding of the last two axes by hand (np.pad is not used, so objects stay objects)."""
    N, C, H, W = x.shape
    xp = zeros((N, C, H + 2 * p, W + 2 * p), x)
    xp[:, :, p : p + H, p : p + W] = x
    return xp


def conv2d(x, w, b=None, *, stride: int = 1, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """Loop form of :func:`cnnmath.conv2d` (same shapes; object arrays of symbols allowed)."""
    a = conv_args(
        "reference.conv2d", x, w, b, stride=stride, padding=padding, symbolic=True, dilation=dilation
    )
    xp, w4, S, D = _pad(a.x, a.padding), a.w, a.stride, a.dilation
    N, C = a.x.shape[:2]
    F, _, KH, KW = w4.shape
    Ho, Wo = a.out_hw
    z = zeros((N, F, Ho, Wo), xp, w4, *([a.b] if a.b is not None else []))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    total = 0 if a.b is None else a.b[f]
                    for c in range(C):
                        for r in range(KH):
                            for t in range(KW):
                                total = total + xp[n, c, i * S + r * D, j * S + t * D] * w4[f, c, r, t]
                    z[n, f, i, j] = total
    return a.restore(z)


def conv2d_backward(dz, x, w, *, stride: int = 1, padding: int = 0, dilation: int = 1):
    """Loop form of :func:`cnnmath.conv2d_backward`: the chain rule, one term at a time.

    Every output z[n, f, i, j] touched input pixel xpad[n, c, i*S + r*D, j*S + t*D] through weight
    w[f, c, r, t]; so that pixel receives dz[n, f, i, j] * w[f, c, r, t] (seed 001's "nine
    equations", written for every pixel at once), the weight receives dz * pixel (shared
    weights sum over positions) and the bias receives dz.
    Returns (dx, dw, db) with the shapes of x, w and b (db a scalar for a 2-D kernel).
    """
    fn = "reference.conv2d_backward"
    a = conv_args(fn, x, w, stride=stride, padding=padding, symbolic=True, dilation=dilation)
    dz4 = check_dz(fn, a, dz, symbolic=True)
    xp, w4, S, D, p = _pad(a.x, a.padding), a.w, a.stride, a.dilation, a.padding
    N, C, H, W = a.x.shape
    F, _, KH, KW = w4.shape
    Ho, Wo = a.out_hw
    dxp = zeros(xp.shape, xp, w4, dz4)
    dw = zeros(w4.shape, xp, w4, dz4)
    db = zeros((F,), dz4)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    g = dz4[n, f, i, j]
                    db[f] = db[f] + g
                    for c in range(C):
                        for r in range(KH):
                            for t in range(KW):
                                y, u = i * S + r * D, j * S + t * D
                                dxp[n, c, y, u] += g * w4[f, c, r, t]
                                dw[f, c, r, t] += g * xp[n, c, y, u]
    dx = a.restore(dxp[:, :, p : p + H, p : p + W].copy())
    if a.ndim == 2:
        return dx, dw.reshape(KH, KW), db[0]
    return dx, dw, db
