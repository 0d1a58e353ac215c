"""Weighted pooling: seed 001's Gaussian pooling (使用高斯方法) and trainable pooling (训练一个函数).

Both weigh every window with one matrix w: (kh, kw), shared by every window, channel and sample:

    y[..., i, j] = Σ_{r < kh, t < kw} w[r, t] · x[..., i·sh + r, j·sw + t]

which is a strided convolution (cross-correlation, as in :func:`cnnmath.conv2d`) of every map with
the kernel w. Mean pooling is the case w = 1/(kh·kw) (seed 004 §4.1). Gaussian pooling fixes w to
a normalised Gaussian (:func:`gaussian_kernel`): nothing to learn, like max and mean pooling.
Trainable pooling learns w by gradient descent, so its backward pass has a weight gradient too.

Backward, for dy: (..., Ho, Wo) (the chain rule on the formula above):

    dx[..., i·sh + r, j·sw + t] += w[r, t] · dy[..., i, j]          (every window adds its share)
    dw[r, t] = Σ_{..., i, j} dy[..., i, j] · x[..., i·sh + r, j·sw + t]

Shapes as in :mod:`cnnmath.ops.pool`: x: (..., H, W), Ho = floor((H - kh)/sh) + 1, stride None = the
window (non-overlapping). The loop form is :mod:`cnnmath.reference.pool_weighted`.
"""

from __future__ import annotations

import numpy as np

from .checks import as_array, check_kernel_size, check_real
from .pool_args import PoolArgs, check_dy, pool_args, pool_stride

__all__ = [
    "check_sigma",
    "check_stride",
    "check_weights",
    "gaussian_kernel",
    "gaussian_pool2d",
    "gaussian_pool2d_backward",
    "weighted",
    "weighted_backward",
    "weighted_pool2d",
    "weighted_pool2d_backward",
]


def check_sigma(fn: str, sigma) -> float:
    """σ of the Gaussian window: a finite real number > 0."""
    return float(check_real(fn, "sigma", sigma, minimum=0, strict=True, why=" (the Gaussian's width)"))


def check_weights(fn: str, w) -> np.ndarray:
    """The window weights: a finite 2-D float array (kh, kw)."""
    w = as_array(fn, "w", w)
    if w.ndim != 2 or 0 in w.shape:
        raise ValueError(f"{fn}: w must be a non-empty 2-D window of weights (kh, kw), got shape {w.shape}")
    if not np.isfinite(w).all():
        raise ValueError(f"{fn}: w (shape {w.shape}) must be finite")
    return w


def gaussian_kernel(kernel_size, sigma) -> np.ndarray:
    """g: (kh, kw), g[r, t] ∝ exp(-((r - cr)² + (t - ct)²) / (2σ²)) with the centre (cr, ct) =
    ((kh - 1)/2, (kw - 1)/2), normalised to sum 1 (so a constant map keeps its value)."""
    kh, kw = check_kernel_size("gaussian_kernel", kernel_size)
    sigma = check_sigma("gaussian_kernel", sigma)
    r = np.arange(kh) - (kh - 1) / 2
    t = np.arange(kw) - (kw - 1) / 2
    g = np.exp(-(r[:, None] ** 2 + t[None, :] ** 2) / (2 * sigma**2))
    return g / g.sum()


def _offsets(a: PoolArgs):
    """Yield (r, t, index) for each window offset; x[index] is (..., Ho, Wo), the pixel at offset
    (r, t) of every window."""
    Ho, Wo = a.out_hw
    for r in range(a.kh):
        for t in range(a.kw):
            rows = slice(r, r + a.sh * (Ho - 1) + 1, a.sh)
            cols = slice(t, t + a.sw * (Wo - 1) + 1, a.sw)
            yield r, t, (..., rows, cols)


def check_stride(fn: str, kernel_size, stride):
    """Validate a layer's stride when it is built, not at forward; returned as given."""
    pool_stride(fn, stride, check_kernel_size(fn, kernel_size))
    return stride


def _args(fn: str, x, w, stride) -> tuple[PoolArgs, np.ndarray]:
    w = check_weights(fn, w)
    return pool_args(fn, x, w.shape, stride), w


# ---------------------------------------------------------------- any fixed or learned window


def weighted_pool2d(x, w, *, stride=None) -> np.ndarray:
    """y[..., i, j] = Σ_{r,t} w[r, t] x[..., i·sh + r, j·sw + t]. x: (..., H, W); w: (kh, kw); stride:
    None (= the window), an int or a pair. Returns y: (..., Ho, Wo)."""
    return weighted(*_args("weighted_pool2d", x, w, stride))


def weighted(a: PoolArgs, w: np.ndarray) -> np.ndarray:
    """y (..., Ho, Wo) for validated arguments and window weights w (the pooling layers call it)."""
    y = np.zeros(a.y_shape)
    for r, t, index in _offsets(a):
        y += w[r, t] * a.x[index]
    return y


def weighted_pool2d_backward(dy, x, w, *, stride=None) -> tuple[np.ndarray, np.ndarray]:
    """(dx, dw): dx: (..., H, W), every window adds w·dy[..., i, j] to its pixels (overlaps add up);
    dw: (kh, kw), dw[r, t] = Σ dy · (the pixel at offset (r, t) of each window). dy: (..., Ho, Wo)."""
    a, w = _args("weighted_pool2d_backward", x, w, stride)
    return weighted_backward(a, w, check_dy("weighted_pool2d_backward", a, dy))


def weighted_backward(a: PoolArgs, w: np.ndarray, dy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(dx, dw) for validated arguments, window weights w and a checked dy (..., Ho, Wo)."""
    dx = np.zeros(a.x.shape)
    dw = np.zeros(w.shape)
    for r, t, index in _offsets(a):
        dx[index] += w[r, t] * dy
        dw[r, t] = np.sum(dy * a.x[index])
    return dx, dw


# ---------------------------------------------------------------- Gaussian pooling (fixed window)


def gaussian_pool2d(x, kernel_size, sigma, *, stride=None) -> np.ndarray:
    """Gaussian pooling: :func:`weighted_pool2d` with ``w = gaussian_kernel(kernel_size, sigma)``."""
    return weighted_pool2d(x, gaussian_kernel(kernel_size, sigma), stride=stride)


def gaussian_pool2d_backward(dy, x, kernel_size, sigma, *, stride=None) -> np.ndarray:
    """dx: (..., H, W): dy spread over each window with the Gaussian's weights. The window is fixed,
    so there is no weight gradient (seed 001: pooling has nothing to learn)."""
    return weighted_pool2d_backward(dy, x, gaussian_kernel(kernel_size, sigma), stride=stride)[0]
