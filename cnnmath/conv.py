"""Convolution layer, fast form: im2col (KH*KW strided slice copies) and one matrix product.

Forward and backward sit side by side. Both are cross-correlations, as in the seeds and PyTorch:

    z[n, f, i, j] = b[f] + sum_{c, r, s} xpad[n, c, i*S + r, j*S + s] * w[f, c, r, s]

The loop form of the same formula is :mod:`cnnmath.reference.conv`; the seeds' "full convolution
with the 180-degree rotated kernel" form of the backward pass is :mod:`cnnmath.seedform`.
"""

from __future__ import annotations

import numpy as np

from ._convargs import check_dz, conv_args, conv_output_size

__all__ = ["conv2d", "conv2d_backward", "conv_output_size"]


def _im2col(xp: np.ndarray, KH: int, KW: int, s: int, Ho: int, Wo: int) -> np.ndarray:
    """xp: (N, C, Hp, Wp) padded input -> cols: (C*KH*KW, N*Ho*Wo).

    Row (c, r, t) of cols holds, for every output position, the input pixel that kernel
    entry w[:, c, r, t] multiplies: one strided slice copy per kernel entry.
    """
    N, C = xp.shape[:2]
    cols = np.empty((C, KH, KW, N, Ho, Wo), dtype=xp.dtype)
    for r in range(KH):
        for t in range(KW):
            patch = xp[:, :, r : r + s * (Ho - 1) + 1 : s, t : t + s * (Wo - 1) + 1 : s]
            cols[:, r, t] = patch.transpose(1, 0, 2, 3)
    return cols.reshape(C * KH * KW, N * Ho * Wo)


def _col2im(dcols: np.ndarray, shape_p: tuple, KH: int, KW: int, s: int, Ho: int, Wo: int):
    """Adjoint of :func:`_im2col`: dcols (C*KH*KW, N*Ho*Wo) -> dxp (N, C, Hp, Wp), summing overlaps."""
    N, C = shape_p[:2]
    d = dcols.reshape(C, KH, KW, N, Ho, Wo)
    dxp = np.zeros((C, N, *shape_p[2:]), dtype=dcols.dtype)
    for r in range(KH):
        for t in range(KW):
            dxp[:, :, r : r + s * (Ho - 1) + 1 : s, t : t + s * (Wo - 1) + 1 : s] += d[:, r, t]
    return dxp.transpose(1, 0, 2, 3)


def _pad4(x: np.ndarray, p: int) -> np.ndarray:
    if p == 0:
        return x
    return np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))


def conv2d(x, w, b=None, *, stride: int = 1, padding: int = 0) -> np.ndarray:
    """Forward pass of a convolution layer (cross-correlation with zero padding).

    x: (N, C, H, W), or (C, H, W), or a 2-D image (H, W) used with a 2-D kernel.
    w: (F, C, KH, KW), or (KH, KW) for a 2-D image.
    b: (F,), a scalar for a 2-D kernel, or None.
    Returns z: (N, F, Ho, Wo) (same rank as x) with Ho = floor((H + 2p - KH)/S) + 1.
    """
    a = conv_args("conv2d", x, w, b, stride=stride, padding=padding)
    (N, _, _, _), (F, _, KH, KW) = a.x.shape, a.w.shape
    Ho, Wo = a.out_hw
    cols = _im2col(_pad4(a.x, a.padding), KH, KW, a.stride, Ho, Wo)
    z = (a.w.reshape(F, -1) @ cols).reshape(F, N, Ho, Wo).transpose(1, 0, 2, 3)
    if a.b is not None:
        z = z + a.b.reshape(1, F, 1, 1)
    return a.restore(np.ascontiguousarray(z))


def conv2d_backward(dz, x, w, *, stride: int = 1, padding: int = 0):
    """Backward pass of :func:`conv2d`.

    dz: (N, F, Ho, Wo), the upstream gradient dE/dz (same rank as the forward output).
    x, w, stride, padding: as given to :func:`conv2d`.
    Returns (dx, dw, db): dx with x's shape, dw with w's shape, db (F,) (a float for a 2-D kernel).

        dw[f, c, r, t] = sum_{n, i, j} dz[n, f, i, j] * xpad[n, c, i*S + r, j*S + t]   (x ⋆ dz)
        db[f]          = sum_{n, i, j} dz[n, f, i, j]
        dxpad[n, c, i*S + r, j*S + t] += dz[n, f, i, j] * w[f, c, r, t]  (crop padding)
    """
    a = conv_args("conv2d_backward", x, w, stride=stride, padding=padding)
    dz4 = check_dz("conv2d_backward", a, dz)
    (H, W), (F, _, KH, KW) = a.x.shape[2:], a.w.shape
    Ho, Wo = a.out_hw
    s, p = a.stride, a.padding
    xp = _pad4(a.x, p)
    cols = _im2col(xp, KH, KW, s, Ho, Wo)
    dz_mat = dz4.transpose(1, 0, 2, 3).reshape(F, -1)  # a copy: dz itself is never modified
    dw = (dz_mat @ cols.T).reshape(a.w.shape)
    db = dz_mat.sum(axis=1)
    dxp = _col2im(a.w.reshape(F, -1).T @ dz_mat, xp.shape, KH, KW, s, Ho, Wo)
    dx = dxp[:, :, p : p + H, p : p + W]
    if a.ndim == 2:
        return a.restore(np.ascontiguousarray(dx)), dw.reshape(KH, KW), float(db[0])
    return a.restore(np.ascontiguousarray(dx)), dw, db
