"""Pooling layers, reference form: the seeds' formulas window by window, as plain Python loops.

x: (..., H, W) -> y: (..., Ho, Wo), Ho = floor((H - kh)/sh) + 1 (the same shapes as
:mod:`cnnmath.ops.pool`). With 1-based indices, seed 000's max pooling (stride = window n_g) is

    z^P_{ij} = max_{1 <= r, s <= n_g} a^F_{r + n_g(i-1), s + n_g(j-1)}

and its backward (Γ) sends δ to the block's maximum; here, on a tie, to the *first* maximum in
row-major order (PyTorch's rule; Γ as written would send it to every tied maximum).

Mean and Lp pooling also run on numpy object arrays of SymPy symbols (mean uses sp.Rational,
Lp uses sp.Abs / sp.sign); max pooling needs numbers to compare.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..ops.pool_args import check_dy, check_p, pool_args
from ._arrays import zeros

__all__ = [
    "avg_pool2d",
    "avg_pool2d_backward",
    "lp_pool2d",
    "lp_pool2d_backward",
    "max_pool2d",
    "max_pool2d_backward",
]


def _windows(a):
    """Yield (out_index, [(in_index, ...) for the window's pixels in row-major order])."""
    Ho, Wo = a.out_hw
    for lead in np.ndindex(a.x.shape[:-2]):
        for i in range(Ho):
            for j in range(Wo):
                pixels = [(*lead, i * a.sh + r, j * a.sw + t) for r in range(a.kh) for t in range(a.kw)]
                yield (*lead, i, j), pixels


def _first_max(x, pixels):
    """The window's first maximum in row-major order: scan, and replace only on a strictly larger value."""
    best = pixels[0]
    for q in pixels[1:]:
        if x[q] > x[best]:
            best = q
    return best


def max_pool2d(x, kernel_size, *, stride=None) -> np.ndarray:
    """Loop form of :func:`cnnmath.max_pool2d`."""
    a = pool_args("reference.max_pool2d", x, kernel_size, stride)
    y = np.zeros(a.y_shape)
    for out, pixels in _windows(a):
        y[out] = a.x[_first_max(a.x, pixels)]
    return y


def max_pool2d_backward(dy, x, kernel_size, *, stride=None) -> np.ndarray:
    """Loop form of :func:`cnnmath.max_pool2d_backward`: δ goes to the first maximum of its window."""
    a = pool_args("reference.max_pool2d_backward", x, kernel_size, stride)
    dy = check_dy("reference.max_pool2d_backward", a, dy)
    dx = np.zeros(a.x.shape)
    for out, pixels in _windows(a):
        dx[_first_max(a.x, pixels)] += dy[out]
    return dx


def avg_pool2d(x, kernel_size, *, stride=None) -> np.ndarray:
    """Loop form of :func:`cnnmath.avg_pool2d`: net^l = (1/(kh·kw)) Σ net^{l-1} over the window."""
    a = pool_args("reference.avg_pool2d", x, kernel_size, stride, symbolic=True)
    m = sp.Rational(1, a.kh * a.kw) if a.x.dtype == object else 1.0 / (a.kh * a.kw)
    y = zeros(a.y_shape, a.x)
    for out, pixels in _windows(a):
        total = 0
        for q in pixels:
            total = total + a.x[q]
        y[out] = m * total
    return y


def avg_pool2d_backward(dy, x, kernel_size, *, stride=None) -> np.ndarray:
    """Loop form of :func:`cnnmath.avg_pool2d_backward`: δ^{l-1} = δ^l / (kh·kw) on every pixel."""
    a = pool_args("reference.avg_pool2d_backward", x, kernel_size, stride, symbolic=True)
    dy = check_dy("reference.avg_pool2d_backward", a, dy, symbolic=True)
    obj = object in (a.x.dtype, dy.dtype)
    m = sp.Rational(1, a.kh * a.kw) if obj else 1.0 / (a.kh * a.kw)
    dx = zeros(a.x.shape, a.x, dy)
    for out, pixels in _windows(a):
        for q in pixels:
            dx[q] = dx[q] + m * dy[out]
    return dx


def _lp_parts(x, p):
    """|·|, sign, p and 1/p for numbers, or for SymPy expressions (p as an exact Rational)."""
    if x.dtype == object:
        p = sp.nsimplify(p)
        return sp.Abs, sp.sign, p, 1 / p
    return abs, np.sign, float(p), 1.0 / p


def lp_pool2d(x, p, kernel_size, *, stride=None) -> np.ndarray:
    """Loop form of :func:`cnnmath.lp_pool2d`: y = (Σ_window |x_k|^p)^(1/p)."""
    p = check_p("reference.lp_pool2d", p)
    a = pool_args("reference.lp_pool2d", x, kernel_size, stride, symbolic=True)
    absf, _, p, inv_p = _lp_parts(a.x, p)
    y = zeros(a.y_shape, a.x)
    for out, pixels in _windows(a):
        total = 0
        for q in pixels:
            total = total + absf(a.x[q]) ** p
        y[out] = total**inv_p
    return y


def lp_pool2d_backward(dy, x, p, kernel_size, *, stride=None) -> np.ndarray:
    """Loop form of :func:`cnnmath.lp_pool2d_backward`, seed 004's formula with the sign restored:

        ∂y/∂x_k = (Σ|x|^p)^(1/p - 1) |x_k|^(p-1) sign(x_k)

    (a window of zeros passes 0 back when its entries are numbers).
    """
    p = check_p("reference.lp_pool2d_backward", p)
    a = pool_args("reference.lp_pool2d_backward", x, kernel_size, stride, symbolic=True)
    dy = check_dy("reference.lp_pool2d_backward", a, dy, symbolic=True)
    absf, signf, p, inv_p = _lp_parts(a.x, p)
    dx = zeros(a.x.shape, a.x, dy)
    for out, pixels in _windows(a):
        total = 0
        for q in pixels:
            total = total + absf(a.x[q]) ** p
        if a.x.dtype != object and total == 0:
            continue
        for q in pixels:
            dx[q] = dx[q] + dy[out] * total ** (inv_p - 1) * absf(a.x[q]) ** (p - 1) * signf(a.x[q])
    return dx
