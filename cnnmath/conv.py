"""Convolution layer, fast form: im2col and one matrix product per sample, forward and backward
side by side. Both are cross-correlations, as in the seeds and PyTorch:

    z[n, f, i, j] = b[f] + sum_{c, r, t} xpad[n, c, i*S + r, j*S + t] * w[f, c, r, t]

im2col lays every window out as a column: ``cols[n, (r, t, c), (i, j)] = xpad[n, c, i*S + r, j*S + t]``.
With ``w2[f, (r, t, c)] = w[f, c, r, t]`` the layer is three matrix products per sample:

    z     = w2 @ cols                                   (F, Ho*Wo): already in NCHW order
    dw2   = sum_n dz @ cols.T                           shared weights: summed over positions
    dcols = w2.T @ dz, then col2im adds every column back onto the pixels it was copied from

Samples go through in chunks of about 2 MiB of ``cols``, so the working set stays in cache (one
im2col matrix for a whole batch of 64 was 1.3-1.5x slower here: page faults and cache misses).
The loop form of the same formula is :mod:`cnnmath.reference.conv`; the seeds' "full convolution
with the 180-degree rotated kernel" form of the backward pass is :mod:`cnnmath.seedform`.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._convargs import ConvArgs, check_dz, conv_args, conv_output_size

__all__ = ["conv2d", "conv2d_backward", "conv_output_size"]

_CHUNK_BYTES = 1 << 21  # about 2 MiB of im2col columns per chunk of samples (measured: 0.5-4 MiB within 5%)


def _chunks(N: int, per_sample: int) -> list[slice]:
    """Slices of the batch, each holding about _CHUNK_BYTES of float64 columns (at least 1 sample)."""
    step = max(1, min(N, _CHUNK_BYTES // (8 * per_sample)))
    return [slice(n, min(n + step, N)) for n in range(0, N, step)]


def _padded(x: np.ndarray, p: int) -> np.ndarray:
    """x: (n, C, H, W) -> (n, C, H + 2p, W + 2p) with zeros around."""
    if p == 0:
        return x
    n, C, H, W = x.shape
    xp = np.zeros((n, C, H + 2 * p, W + 2 * p))
    xp[:, :, p : p + H, p : p + W] = x
    return xp


def _im2col(xp: np.ndarray, KH: int, KW: int, s: int, Ho: int, Wo: int) -> np.ndarray:
    """xp: (n, C, Hp, Wp) -> cols: (n, KH*KW*C, Ho*Wo), a copy of a read-only window view.

    The view's entry [n, r, t, c, i, j] is xp[n, c, i*s + r, j*s + t] (no data is copied until
    the final ``reshape``)."""
    n, C = xp.shape[:2]
    sn, sc, sh, sw = xp.strides
    windows = as_strided(xp, (n, KH, KW, C, Ho, Wo), (sn, sh, sw, sc, sh * s, sw * s), writeable=False)
    return windows.reshape(n, KH * KW * C, Ho * Wo)


def _col2im(dcols: np.ndarray, dxp: np.ndarray, KH: int, KW: int, s: int, Ho: int, Wo: int) -> None:
    """Adjoint of :func:`_im2col`: add dcols (n, KH*KW*C, Ho*Wo) onto dxp (n, C, Hp, Wp) in place;
    a pixel that several windows share receives the sum of their contributions."""
    n, C = dxp.shape[:2]
    d = dcols.reshape(n, KH, KW, C, Ho, Wo)
    for r in range(KH):
        for t in range(KW):
            dxp[:, :, r : r + s * (Ho - 1) + 1 : s, t : t + s * (Wo - 1) + 1 : s] += d[:, r, t]


def _w2(w: np.ndarray) -> np.ndarray:
    """w: (F, C, KH, KW) -> w2: (F, KH*KW*C), the row order of :func:`_im2col`."""
    return w.transpose(0, 2, 3, 1).reshape(w.shape[0], -1)


def _forward(a: ConvArgs, *, keep_cols: bool = False) -> tuple[np.ndarray, list[np.ndarray]]:
    """z: (N, F, Ho*Wo) for validated arguments, and (with keep_cols) each chunk's im2col columns,
    which :func:`_backward` can reuse instead of building them again (the Conv2D layer does)."""
    (N, C, _, _), (F, _, KH, KW) = a.x.shape, a.w.shape
    Ho, Wo = a.out_hw
    w2, z, kept = _w2(a.w), np.empty((N, F, Ho * Wo)), []
    for sl in _chunks(N, C * KH * KW * Ho * Wo):
        cols = _im2col(_padded(a.x[sl], a.padding), KH, KW, a.stride, Ho, Wo)
        np.matmul(w2, cols, out=z[sl])
        if a.b is not None:
            z[sl] += a.b.reshape(F, 1)
        if keep_cols:
            kept.append(cols)
    return z, kept


def _backward(a: ConvArgs, dz4: np.ndarray, *, cols=None, input_grad: bool = True):
    """(dx, dw, db) for validated arguments and dz4: (N, F, Ho, Wo): dx (N, C, H, W) or None when
    input_grad is False, dw (F, C, KH, KW), db (F,). cols: the list :func:`_forward` kept, or None."""
    (N, C, H, W), (F, _, KH, KW) = a.x.shape, a.w.shape
    Ho, Wo = a.out_hw
    s, p = a.stride, a.padding
    w2, dz3 = _w2(a.w), dz4.reshape(N, F, Ho * Wo)
    dw2, db = np.zeros((F, KH * KW * C)), np.zeros(F)
    dx = np.empty((N, C, H, W)) if input_grad else None
    for k, sl in enumerate(_chunks(N, C * KH * KW * Ho * Wo)):
        dzc = dz3[sl]
        c = cols[k] if cols is not None else _im2col(_padded(a.x[sl], p), KH, KW, s, Ho, Wo)
        dw2 += np.matmul(dzc, c.transpose(0, 2, 1)).sum(axis=0)
        db += dzc.sum(axis=(0, 2))
        if input_grad:
            dxp = np.zeros((len(dzc), C, H + 2 * p, W + 2 * p))
            _col2im(np.matmul(w2.T, dzc), dxp, KH, KW, s, Ho, Wo)
            dx[sl] = dxp[:, :, p : p + H, p : p + W]
    return dx, np.ascontiguousarray(dw2.reshape(F, KH, KW, C).transpose(0, 3, 1, 2)), db


def conv2d(x, w, b=None, *, stride: int = 1, padding: int = 0) -> np.ndarray:
    """Forward pass of a convolution layer (cross-correlation with zero padding).

    x: (N, C, H, W), or (C, H, W), or a 2-D image (H, W) used with a 2-D kernel.
    w: (F, C, KH, KW), or (KH, KW) for a 2-D image.
    b: (F,), a scalar for a 2-D kernel, or None.
    Returns z: (N, F, Ho, Wo) (same rank as x) with Ho = floor((H + 2p - KH)/S) + 1.
    """
    a = conv_args("conv2d", x, w, b, stride=stride, padding=padding)
    z, _ = _forward(a)
    return a.restore(z.reshape(len(a.x), a.w.shape[0], *a.out_hw))


def conv2d_backward(dz, x, w, *, stride: int = 1, padding: int = 0):
    """Backward pass of :func:`conv2d`.

    dz: (N, F, Ho, Wo), the upstream gradient dE/dz (same rank as the forward output); only read.
    x, w, stride, padding: as given to :func:`conv2d`.
    Returns (dx, dw, db): dx with x's shape, dw with w's shape, db (F,) (a float for a 2-D kernel).

        dw[f, c, r, t] = sum_{n, i, j} dz[n, f, i, j] * xpad[n, c, i*S + r, j*S + t]   (x ⋆ dz)
        db[f]          = sum_{n, i, j} dz[n, f, i, j]
        dxpad[n, c, i*S + r, j*S + t] += dz[n, f, i, j] * w[f, c, r, t]  (crop padding)
    """
    a = conv_args("conv2d_backward", x, w, stride=stride, padding=padding)
    dx, dw, db = _backward(a, check_dz("conv2d_backward", a, dz))
    if a.ndim == 2:
        return a.restore(dx), dw.reshape(dw.shape[2:]), float(db[0])
    return a.restore(dx), dw, db
