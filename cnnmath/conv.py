"""Convolution layer, fast form: im2col and one matrix product per sample, forward and backward
side by side. Both are cross-correlations, as in the seeds and PyTorch:

    z[n, f, i, j] = b[f] + sum_{c, r, t} xpad[n, c, i*S + r, j*S + t] * w[f, c, r, t]

im2col lays every window out as a column: ``cols[n, (c, r, t), (i, j)] = xpad[n, c, i*S + r, j*S + t]``,
plus a last row of ones. With ``wb = [w.reshape(F, C*KH*KW) | b]`` the layer is three matrix products
per sample (the row of ones makes the bias part of the first and db part of the second):

    z      = wb @ cols                                 (F, Ho*Wo): already in NCHW order
    [dw|db] = sum_n dz @ cols.T                         shared weights: summed over positions
                                                      (or its transpose, see _weight_grad)
    dcols  = w2.T @ dz, then col2im adds every column back onto the pixels it was copied from

Samples go through in chunks of about 2 MiB of ``cols``, so the working set stays in cache (one
im2col matrix for a whole batch of 64 was 1.3-1.5x slower here: page faults and cache misses).
When the whole batch fits in one chunk, the columns of the last call are remembered together with
the bytes of its x (see :class:`_LastColumns`): ``conv2d_backward(dz, x, w)`` right after
``conv2d(x, w, b)``, or a forward pass with new weights on the same x, reuses them once x is found
to hold exactly the same bits. (PyTorch's old THNN convolution kept its columns for the same reason.)
col2im for stride 1 works on the padded grid, see :mod:`cnnmath._col2im`. The loop form of the
same formula is :mod:`cnnmath.reference.conv`; the seeds' "full convolution with the 180-degree
rotated kernel" form of the backward pass is :mod:`cnnmath.seedform`.
"""

from __future__ import annotations

import threading

import numpy as np

from ._col2im import input_grad_fn
from ._convargs import ConvArgs, check_dz, conv_args, conv_output_size
from ._scratch import scratch

__all__ = ["conv2d", "conv2d_backward", "conv_output_size"]

_CHUNK_BYTES = 1 << 21  # about 2 MiB of im2col columns per chunk of samples (measured: 0.5-4 MiB within 5%)
_DZ_T_MIN_ROWS = 64  # rows of columns (C*KH*KW + 1) from which _weight_grad transposes dz (measured)


def _chunks(N: int, per_sample: int) -> list[slice]:
    """Slices of the batch, each holding about _CHUNK_BYTES of float64 columns (at least 1 sample)."""
    step = max(1, _CHUNK_BYTES // (8 * per_sample))
    if step >= N:  # the whole batch (also an empty one) in one chunk
        return [slice(0, N)]
    return [slice(n, min(n + step, N)) for n in range(0, N, step)]


class _LastColumns(threading.local):
    """The im2col columns of this thread's last single-chunk convolution, and what they came from."""

    def __init__(self):
        self.key, self.x_bytes, self.cols = None, b"", np.empty(0)

    def get(self, a: ConvArgs, shape: tuple[int, int, int]) -> np.ndarray:
        """The columns (N, C*KH*KW + 1, Ho*Wo) of a.x: the remembered ones if a.x holds the same
        bits (a bytes comparison: 0.06 µs for the seeds' 5x5, 1.3 µs for 64x1x8x8), else new ones."""
        (_, _, KH, KW), size = a.w.shape, shape[0] * shape[1] * shape[2]
        if a.x.size > _CHUNK_BYTES // 8:  # a large x with few columns (a large stride): not worth a copy
            buf = scratch("conv.cols", shape)
            return _im2col(a.x, a.padding, KH, KW, a.stride, *a.out_hw, buf)
        key, x_bytes = (a.x.shape, KH, KW, a.stride, a.padding), a.x.tobytes()
        if key == self.key and x_bytes == self.x_bytes:
            return self.cols[:size].reshape(shape)
        self.key = None  # nothing is remembered while the buffer is being rewritten
        if self.cols.size < size:
            self.cols = np.empty(size)
        cols = _im2col(a.x, a.padding, KH, KW, a.stride, *a.out_hw, self.cols[:size].reshape(shape))
        self.key, self.x_bytes = key, x_bytes
        return cols


_last = _LastColumns()


def _padded(x: np.ndarray, p: int) -> np.ndarray:
    """x: (n, C, H, W) -> a C-contiguous (n, C, H + 2p, W + 2p) with zeros around."""
    if p == 0:
        return np.ascontiguousarray(x)
    n, C, H, W = x.shape
    xp = scratch("conv.padded", (n, C, H + 2 * p, W + 2 * p))
    xp.fill(0.0)
    xp[:, :, p : p + H, p : p + W] = x
    return xp


def _im2col(x: np.ndarray, p: int, KH: int, KW: int, s: int, Ho: int, Wo: int, out: np.ndarray):
    """x: (n, C, H, W) -> out: (n, C*KH*KW + 1, Ho*Wo), the windows of the padded x and a row of ones.

    The window view's entry [n, c, r, t, i, j] is xpad[n, c, i*s + r, j*s + t]: a view of xpad's
    memory with repeated strides (``np.ndarray(buffer=...)``), so the only copy is into ``out``."""
    xp = _padded(x, p)
    n, C = xp.shape[:2]
    sn, sc, sh, sw = xp.strides
    windows = np.ndarray((n, C, KH, KW, Ho, Wo), np.float64, xp, 0, (sn, sc, sh, sw, sh * s, sw * s))
    np.copyto(out[:, :-1].reshape(n, C, KH, KW, Ho, Wo), windows)
    out[:, -1] = 1.0
    return out


def _forward(a: ConvArgs, *, keep_cols: bool = False) -> tuple[np.ndarray, list[np.ndarray]]:
    """z: (N, F, Ho*Wo) for validated arguments, and (with keep_cols) each chunk's im2col columns,
    which :func:`_backward` can reuse instead of building them again (the Conv2D layer does)."""
    (N, C, _, _), (F, _, KH, KW) = a.x.shape, a.w.shape
    (Ho, Wo), K = a.out_hw, C * KH * KW
    wb = np.concatenate((a.w.reshape(F, K), np.zeros((F, 1)) if a.b is None else a.b.reshape(F, 1)), axis=1)
    z, kept, chunks = np.empty((N, F, Ho * Wo)), [], _chunks(N, (K + 1) * Ho * Wo)
    if len(chunks) == 1 and not keep_cols:
        np.matmul(wb, _last.get(a, (N, K + 1, Ho * Wo)), out=z)
        return z, kept
    buf = None if keep_cols else scratch("conv.cols", (chunks[0].stop, K + 1, Ho * Wo))
    for sl in chunks:
        out = np.empty((sl.stop - sl.start, K + 1, Ho * Wo)) if keep_cols else buf[: sl.stop - sl.start]
        cols = _im2col(a.x[sl], a.padding, KH, KW, a.stride, Ho, Wo, out)
        np.matmul(wb, cols, out=z[sl])
        if keep_cols:
            kept.append(cols)
    return z, kept


def _backward(a: ConvArgs, dz4: np.ndarray, *, cols=None, input_grad: bool = True):
    """(dx, dw, db) for validated arguments and dz4: (N, F, Ho, Wo): dx (N, C, H, W) or None when
    input_grad is False, dw (F, C, KH, KW), db (F,). cols: the list :func:`_forward` kept, or None."""
    (N, C, H, W), (F, _, KH, KW) = a.x.shape, a.w.shape
    (Ho, Wo), K = a.out_hw, C * KH * KW
    dz3, dwb = dz4.reshape(N, F, Ho * Wo), 0.0
    chunks = _chunks(N, (K + 1) * Ho * Wo)
    if cols is None and len(chunks) == 1:
        cols = [_last.get(a, (N, K + 1, Ho * Wo))]
    buf = scratch("conv.cols", (chunks[0].stop, K + 1, Ho * Wo)) if cols is None else None
    dx = np.empty((N, C, H, W)) if input_grad else None
    scatter = (
        input_grad_fn(a.w, (chunks[0].stop, C, H, W), (Ho, Wo), a.stride, a.padding) if input_grad else None
    )
    for k, sl in enumerate(chunks):
        if cols is None:
            c = _im2col(a.x[sl], a.padding, KH, KW, a.stride, Ho, Wo, buf[: sl.stop - sl.start])
        else:
            c = cols[k]
        dwb = dwb + _weight_grad(dz3[sl], c)  # (F, K + 1): [dw | db]
        if input_grad:
            scatter(dz4[sl], dx[sl])
    return dx, np.ascontiguousarray(dwb[:, :K].reshape(F, C, KH, KW)), dwb[:, K].copy()


def _weight_grad(dz: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """sum_n dz[n] @ cols[n].T: (F, K + 1) for dz (n, F, Ho*Wo) and cols (n, K + 1, Ho*Wo).

    With many rows of columns it is computed as (cols[n] @ dz[n].T).T on a copy of dz laid out
    (n, Ho*Wo, F): OpenBLAS multiplies two C-contiguous matrices much faster than a matrix by a
    transposed one (64x16x14x14: 40 against 22 GMAC/s here), and the copy costs 1/(K + 1) of the
    product's work. With few rows (K + 1 < 64: 26 and 10 in the benchmark) the copy does not pay."""
    if cols.shape[1] < _DZ_T_MIN_ROWS:
        return np.matmul(dz, cols.transpose(0, 2, 1)).sum(axis=0)
    dz_t = scratch("conv.dz_t", (dz.shape[0], dz.shape[2], dz.shape[1]))
    np.copyto(dz_t, dz.transpose(0, 2, 1))
    return np.matmul(cols, dz_t).sum(axis=0).T


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
