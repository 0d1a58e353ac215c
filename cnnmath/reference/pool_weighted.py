"""Weighted (Gaussian, trainable) pooling, reference form: the index formula window by window.

    y[..., i, j] = Σ_{r < kh, t < kw} w[r, t] · x[..., i·sh + r, j·sw + t]

and its backward pass, pixel by pixel (see :mod:`cnnmath.ops.pool_weighted`). Runs on numbers and on
numpy object arrays of SymPy symbols or polynomial-ring elements (x, w and dy alike);
:func:`gaussian_kernel` gives the exact Gaussian (with ``sp.exp``) when sigma is a SymPy number.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..ops.checks import as_array, check_kernel_size
from ..ops.pool_args import check_dy, pool_args
from ..ops.pool_weighted import check_sigma
from ._arrays import zeros

__all__ = ["gaussian_kernel", "weighted_pool2d", "weighted_pool2d_backward"]


def _weights(fn: str, w) -> np.ndarray:
    w = as_array(fn, "w", w, dtype=None)
    if w.ndim != 2 or 0 in w.shape:
        raise ValueError(f"{fn}: w must be a non-empty 2-D window of weights (kh, kw), got shape {w.shape}")
    return w


def gaussian_kernel(kernel_size, sigma) -> np.ndarray:
    """g[r, t] = exp(-((r - cr)² + (t - ct)²)/(2σ²)) / Σ, one exponential at a time (an object array
    of exact SymPy numbers when sigma is a SymPy number, floats otherwise)."""
    fn = "reference.gaussian_kernel"
    kh, kw = check_kernel_size(fn, kernel_size)
    exact = isinstance(sigma, sp.Basic)
    if not exact:
        check_sigma(fn, sigma)
    elif sigma.is_positive is False:  # 0 or negative; a symbol of unknown sign may stand
        raise ValueError(f"{fn}: sigma must be > 0 (the Gaussian's width), got {sigma}")
    exp = sp.exp if exact else np.exp
    half = sp.Rational(1, 2) if exact else 0.5
    g = zeros((kh, kw), np.empty(0, dtype=object if exact else float))
    for r in range(kh):
        for t in range(kw):
            d2 = (r - (kh - 1) * half) ** 2 + (t - (kw - 1) * half) ** 2
            g[r, t] = exp(-d2 / (2 * sigma**2))
    total = 0
    for r in range(kh):
        for t in range(kw):
            total = total + g[r, t]
    for r in range(kh):
        for t in range(kw):
            g[r, t] = g[r, t] / total
    return g


def weighted_pool2d(x, w, *, stride=None) -> np.ndarray:
    """Loop form of :func:`cnnmath.ops.pool_weighted.weighted_pool2d`."""
    w = _weights("reference.weighted_pool2d", w)
    a = pool_args("reference.weighted_pool2d", x, w.shape, stride, symbolic=True)
    Ho, Wo = a.out_hw
    y = zeros(a.y_shape, a.x, w)
    for lead in np.ndindex(a.x.shape[:-2]):
        for i in range(Ho):
            for j in range(Wo):
                total = 0
                for r in range(a.kh):
                    for t in range(a.kw):
                        total = total + w[r, t] * a.x[(*lead, i * a.sh + r, j * a.sw + t)]
                y[(*lead, i, j)] = total
    return y


def weighted_pool2d_backward(dy, x, w, *, stride=None) -> tuple[np.ndarray, np.ndarray]:
    """Loop form of :func:`cnnmath.ops.pool_weighted.weighted_pool2d_backward`: for every window (i, j)
    and offset (r, t), dx[pixel] += w[r, t]·dy[i, j] and dw[r, t] += dy[i, j]·x[pixel]."""
    w = _weights("reference.weighted_pool2d_backward", w)
    a = pool_args("reference.weighted_pool2d_backward", x, w.shape, stride, symbolic=True)
    dy = check_dy("reference.weighted_pool2d_backward", a, dy, symbolic=True)
    Ho, Wo = a.out_hw
    dx = zeros(a.x.shape, a.x, w, dy)
    dw = zeros(w.shape, a.x, w, dy)
    for lead in np.ndindex(a.x.shape[:-2]):
        for i in range(Ho):
            for j in range(Wo):
                for r in range(a.kh):
                    for t in range(a.kw):
                        pixel = (*lead, i * a.sh + r, j * a.sw + t)
                        dx[pixel] = dx[pixel] + w[r, t] * dy[(*lead, i, j)]
                        dw[r, t] = dw[r, t] + dy[(*lead, i, j)] * a.x[pixel]
    return dx, dw
