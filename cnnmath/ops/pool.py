"""Pooling layers, fast form: one strided slice per window offset, forward and backward side by side.

All pools act on the last two axes of ``x: (..., H, W)`` (so (N, C, H, W), (C, H, W) and (H, W)
all work) and return ``y: (..., Ho, Wo)`` with Ho = floor((H - kh)/sh) + 1; rows and columns that
no window reaches get a zero gradient. ``stride=None`` means stride = window (non-overlapping);
overlapping windows (stride < window) accumulate their gradients.

For window offset (r, t), ``x[..., r::sh, t::sw]`` (cut to Ho×Wo) holds, for every output cell, the
input pixel at that offset of its window: a kh·kw loop over offsets replaces an Ho·Wo loop over
windows. Max pooling with windows that tile the input (stride = window, the default) takes a
faster route with the same results, a maximum along each window row and then over the rows
(:mod:`._tiled_max`). The loop form of every formula is :mod:`cnnmath.reference.pool`.

Max pooling on a tie: the gradient goes to the *first* maximum of the window in row-major order
(PyTorch's rule). Seed 000's Γ ("1 if a is the maximum of its block") would send it to every tied
maximum and so count it twice; after a ReLU all-zero windows make ties common.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._tiled_max import tiled_max, tiled_switches, tiles
from .pool_args import PoolArgs, check_dy, check_p, pool_args

__all__ = [
    "avg_pool2d",
    "avg_pool2d_backward",
    "lp_pool2d",
    "lp_pool2d_backward",
    "max_pool2d",
    "max_pool2d_argmax",
    "max_pool2d_backward",
    "max_switches",
    "mean_backward",
    "route_back",
    "switches",
    "window_max",
    "window_mean",
]


def _offsets(a: PoolArgs):
    """Yield (k, index) for each window offset k = r*kw + t in row-major order; x[index] is (..., Ho, Wo)."""
    Ho, Wo = a.out_hw
    for r in range(a.kh):
        for t in range(a.kw):
            rows = slice(r, r + a.sh * (Ho - 1) + 1, a.sh)
            cols = slice(t, t + a.sw * (Wo - 1) + 1, a.sw)
            yield r * a.kw + t, (..., rows, cols)


def window_max(a: PoolArgs) -> np.ndarray:
    """The window maxima, y: (..., Ho, Wo): a running np.maximum over the kh·kw offsets (for
    windows that tile the input, over each window row and then over the rows: _tiled_max)."""
    if tiles(a):
        return tiled_max(a)
    offsets = _offsets(a)
    _, first = next(offsets)
    y = a.x[first].copy()
    for _, index in offsets:
        np.maximum(y, a.x[index], out=y)
    return y


def switches(a: PoolArgs, y: np.ndarray):
    """Yield (k, index, m) for each offset k in row-major order: m (bool, (..., Ho, Wo)) marks the
    windows whose gradient goes to that offset, the FIRST pixel of the window equal to its max.
    (A window holding a NaN has no pixel equal to its max and passes no gradient.)"""
    taken = np.zeros(y.shape, dtype=bool)
    for k, index in _offsets(a):
        m = a.x[index] == y
        m &= ~taken
        taken |= m
        yield k, index, m


# ---------------------------------------------------------------- max pooling


def max_pool2d(x, kernel_size, *, stride=None) -> np.ndarray:
    """y[..., i, j] = max of the window x[..., i*sh : i*sh + kh, j*sw : j*sw + kw].

    x: (..., H, W); kernel_size: k or (kh, kw); stride: None (= kernel_size), an int or a pair.
    Returns y: (..., Ho, Wo).
    """
    return window_max(pool_args("max_pool2d", x, kernel_size, stride))


def max_pool2d_backward(dy, x, kernel_size, *, stride=None) -> np.ndarray:
    """dx: (..., H, W): each dy[..., i, j] is routed to the first maximum of its window (row-major);
    every other pixel of the window gets 0. Overlapping windows add up. dy: (..., Ho, Wo)."""
    a = pool_args("max_pool2d_backward", x, kernel_size, stride)
    dy = check_dy("max_pool2d_backward", a, dy)
    _, routes = max_switches(a)
    return routes.route(dy)


def max_switches(a: PoolArgs):
    """(y, routes): the window maxima and where each window's gradient goes, ``routes.route(dy)
    -> dx``; what a MaxPool2D layer's forward keeps for its backward. Windows that tile the input
    (stride = window) take :mod:`._tiled_max`'s two passes, others the offset masks below."""
    if tiles(a):
        return tiled_switches(a)
    y = window_max(a)
    return y, OffsetSwitches(a, list(switches(a, y)))


@dataclass(frozen=True)
class OffsetSwitches:
    """The masks of :func:`switches`, one per window offset, kept for :func:`route_back`."""

    a: PoolArgs
    masks: list

    def route(self, dy: np.ndarray) -> np.ndarray:
        return route_back(self.a, dy, self.masks)


def route_back(a: PoolArgs, dy: np.ndarray, routes) -> np.ndarray:
    """dx (..., H, W): dy sent through the masks of :func:`switches` (a MaxPool2D layer keeps them)."""
    dx = np.zeros(a.x.shape)
    finite = np.isfinite(dy).all()
    for _, index, m in routes:
        # 0 + dy·m leaves +0.0 where nothing is routed, and overlapping windows add up; where dy
        # holds inf or nan, dy·m would put nan (inf·0) on the pixels it skips, so select instead.
        dx[index] += dy * m if finite else np.where(m, dy, 0.0)
    return dx


def max_pool2d_argmax(x, kernel_size, *, stride=None) -> tuple[np.ndarray, np.ndarray]:
    """Where each window's gradient goes: (rows, cols), two int arrays of shape (..., Ho, Wo) with
    the position in x of the first maximum of window (i, j) (Zeiler & Fergus's "switches")."""
    a = pool_args("max_pool2d_argmax", x, kernel_size, stride)
    y = window_max(a)
    k = np.zeros(y.shape, dtype=np.intp)
    for i, _, m in switches(a, y):
        np.copyto(k, i, where=m)
    Ho, Wo = a.out_hw
    rows = np.arange(Ho).reshape(Ho, 1) * a.sh + k // a.kw
    cols = np.arange(Wo) * a.sw + k % a.kw
    return rows, cols


# ---------------------------------------------------------------- mean (average) pooling


def avg_pool2d(x, kernel_size, *, stride=None) -> np.ndarray:
    """y[..., i, j] = mean of the kh×kw window (seed 001's mean pooling). x: (..., H, W) -> (..., Ho, Wo)."""
    return window_mean(pool_args("avg_pool2d", x, kernel_size, stride))


def window_mean(a: PoolArgs) -> np.ndarray:
    """The window means, y: (..., Ho, Wo), for validated arguments (the AvgPool2D layer calls it)."""
    y = sum(a.x[index] for _, index in _offsets(a))
    return y / (a.kh * a.kw)


def avg_pool2d_backward(dy, x, kernel_size, *, stride=None) -> np.ndarray:
    """dx: (..., H, W): every pixel of window (i, j) gets dy[..., i, j] / (kh·kw). dy: (..., Ho, Wo)."""
    a = pool_args("avg_pool2d_backward", x, kernel_size, stride)
    return mean_backward(a, check_dy("avg_pool2d_backward", a, dy))


def mean_backward(a: PoolArgs, dy: np.ndarray) -> np.ndarray:
    """dx (..., H, W) of mean pooling for validated arguments and a checked dy (..., Ho, Wo)."""
    share = dy / (a.kh * a.kw)
    dx = np.zeros_like(a.x)
    for _, index in _offsets(a):
        dx[index] += share
    return dx


# ---------------------------------------------------------------- Lp pooling


def _lp_scaled(a: PoolArgs, p: float) -> tuple[np.ndarray, np.ndarray]:
    """(m, s), each (..., Ho, Wo): m = max |x| of the window (1 for an all-zero window) and
    s = Σ_window (|x|/m)^p, so that y = m·s^(1/p). Every |x|/m lies in [0, 1] and s in [1, kh·kw]
    (0 for an all-zero window), so no power overflows or underflows to 0, whatever p (1000) or the
    scale of x (1e-300)."""
    m = None
    for _, index in _offsets(a):
        v = np.abs(a.x[index])
        m = v if m is None else np.maximum(m, v, out=m)
    m[m == 0] = 1.0  # an all-zero window: every |x|/m is 0 and so are y and its gradient
    s = sum((np.abs(a.x[index]) / m) ** p for _, index in _offsets(a))
    return m, s


def lp_pool2d(x, p, kernel_size, *, stride=None) -> np.ndarray:
    """y[..., i, j] = (Σ_window |x|^p)^(1/p), seed 004's Lp norm (p = 1: Σ|x|; p → ∞: max |x|).

    x: (..., H, W); p >= 1, any finite p. Returns (..., Ho, Wo). Computed as m·(Σ (|x|/m)^p)^(1/p)
    with m the window's largest |x|, so p = 1000 or tiny x do not overflow or underflow (float64
    precision, measured against mpmath in tests/test_pool.py). Note: PyTorch's lp_pool2d leaves
    out the |·|, so the two differ where x < 0.
    """
    p = float(check_p("lp_pool2d", p))
    m, s = _lp_scaled(pool_args("lp_pool2d", x, kernel_size, stride), p)
    return m * s ** (1.0 / p)


def lp_pool2d_backward(dy, x, p, kernel_size, *, stride=None) -> np.ndarray:
    """dx: (..., H, W) with, for each pixel x_k of window (i, j),

        ∂y/∂x_k = (Σ|x|^p)^(1/p - 1) · |x_k|^(p-1) · sign(x_k)      (seed 004 without the sign)

    Seed 004 writes the formula without sign(x_k): right for x >= 0 (e.g. after a ReLU). It is
    computed with m and s of :func:`lp_pool2d` as s^(1/p - 1) · (|x_k|/m)^(p-1) · sign(x_k) (the
    powers of m cancel): s^(1/p - 1) lies in [1/(kh·kw), 1] and (|x_k|/m)^(p-1) in [0, 1], so any
    finite p works. A window whose entries are all 0 has
    no derivative; it passes 0 back (a subgradient). With p = 1 an entry equal to 0 in a nonzero
    window also gets 0 (sign(0) = 0, a subgradient of |x| at 0). dy: (..., Ho, Wo).
    """
    p = float(check_p("lp_pool2d_backward", p))
    a = pool_args("lp_pool2d_backward", x, kernel_size, stride)
    dy = check_dy("lp_pool2d_backward", a, dy)
    m, s = _lp_scaled(a, p)
    s[s == 0] = 1.0  # only for all-zero windows, where every |x|/m is 0 (and sign(x) is 0)
    g = dy * s ** (1.0 / p - 1.0)
    dx = np.zeros_like(a.x)
    for _, index in _offsets(a):
        v = a.x[index]
        dx[index] += g * (np.abs(v) / m) ** (p - 1.0) * np.sign(v)
    return dx
