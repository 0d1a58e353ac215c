"""Convolution layer, fast form: im2col and one matrix product per sample, forward and backward
side by side. Both are cross-correlations, as in the seeds and PyTorch:

    z[n, f, i, j] = b[f] + sum_{c, r, t} xpad[n, c, i*S + r*D, j*S + t*D] * w[f, c, r, t]

with stride S and dilation D (D = 1: the taps are neighbours; D > 1: D - 1 pixels are skipped between
taps, the same as a kernel with D - 1 zeros inserted between its entries, ``sf.dilate(w, D)``).
im2col lays every window out as a column: ``cols[n, (c, r, t), (i, j)] = xpad[n, c, i*S + r*D, j*S + t*D]``,
plus a last row of ones. With ``wb = [w.reshape(F, C*KH*KW) | b]`` the layer is three matrix products
per sample (the row of ones makes the bias part of the first and db part of the second):

    z      = wb @ cols                                 (F, Ho*Wo): already in NCHW order
    [dw|db] = sum_n dz @ cols.T                         shared weights: summed over positions
    dcols  = w2.T @ dz, then col2im adds every column back onto the pixels it was copied from

Samples go through in chunks of about ``_tuning.CHUNK_BYTES`` of ``cols``, so the working set stays
in cache. Nothing is kept between calls: :func:`conv2d_backward` builds the columns again from x;
the :class:`cnnmath.nn.Conv2D` layer keeps the ones its forward pass built (:func:`forward` with
``keep_cols=True``, then :func:`backward` with ``cols=``), as CS231n's layers keep their cache.
col2im (dx from dz) is :mod:`cnnmath.ops._col2im`. The loop form of the same formula is
:mod:`cnnmath.reference.conv`; the seeds' "full convolution with the 180-degree rotated kernel"
form of the backward pass is :mod:`cnnmath.seedforms.full_convolution`.
"""

from __future__ import annotations

import numpy as np

from ._col2im import input_grad_fn
from ._tuning import CHUNK_BYTES
from .conv_args import ConvArgs, check_dz, conv_args, conv_output_size

__all__ = ["backward", "conv2d", "conv2d_backward", "conv_output_size", "forward"]


def _chunks(N: int, per_sample: int) -> list[slice]:
    """Slices of the batch, each holding about CHUNK_BYTES of float64 columns (at least 1 sample)."""
    step = max(1, CHUNK_BYTES // (8 * per_sample))
    if step >= N:  # the whole batch (also an empty one) in one chunk
        return [slice(0, N)]
    return [slice(n, min(n + step, N)) for n in range(0, N, step)]


def padded(x: np.ndarray, p: int) -> np.ndarray:
    """x: (n, C, H, W) -> a C-contiguous (n, C, H + 2p, W + 2p) with zeros around (x's dtype)."""
    if p == 0:
        return np.ascontiguousarray(x)
    n, C, H, W = x.shape
    xp = np.zeros((n, C, H + 2 * p, W + 2 * p), dtype=x.dtype)
    xp[:, :, p : p + H, p : p + W] = x
    return xp


def windows(xp: np.ndarray, KH: int, KW: int, s: int, Ho: int, Wo: int, *, dilation: int = 1) -> np.ndarray:
    """The windows of a C-contiguous padded input xp (n, C, Hp, Wp), as a read-only view
    (n, C, KH, KW, Ho, Wo) whose entry [n, c, r, t, i, j] is xp[n, c, i*s + r*d, j*s + t*d]
    (d = dilation): the same memory with repeated strides, nothing copied. Object arrays (SymPy
    symbols) work too."""
    n, C = xp.shape[:2]
    sn, sc, sh, sw = xp.strides
    d = dilation
    shape, strides = (n, C, KH, KW, Ho, Wo), (sn, sc, sh * d, sw * d, sh * s, sw * s)
    if xp.dtype == object:  # np.ndarray(buffer=...) refuses objects; as_strided is slower but works
        return np.lib.stride_tricks.as_strided(xp, shape, strides, writeable=False)
    view = np.ndarray(shape, xp.dtype, xp, 0, strides)
    view.flags.writeable = False
    return view


def _im2col(x: np.ndarray, p: int, KH: int, KW: int, s: int, Ho: int, Wo: int, out: np.ndarray, d: int = 1):
    """x: (n, C, H, W) -> out: (n, C*KH*KW + 1, Ho*Wo), the windows of the padded x (taps d apart;
    rows in (c, r, t) order, as w.reshape(F, C*KH*KW)) and a last row of ones (for the bias)."""
    n, C = x.shape[:2]
    view = windows(padded(x, p), KH, KW, s, Ho, Wo, dilation=d)
    np.copyto(out[:, :-1].reshape(n, C, KH, KW, Ho, Wo), view)
    out[:, -1] = 1.0
    return out


def forward(a: ConvArgs, *, keep_cols: bool = False) -> tuple[np.ndarray, list[np.ndarray]]:
    """z: (N, F, Ho*Wo) for validated arguments ``a``, and (with keep_cols) each chunk's im2col
    columns, which :func:`backward` can take instead of building them again (the Conv2D layer does)."""
    (N, C, _, _), (F, _, KH, KW) = a.x.shape, a.w.shape
    (Ho, Wo), K = a.out_hw, C * KH * KW
    wb = np.concatenate((a.w.reshape(F, K), np.zeros((F, 1)) if a.b is None else a.b.reshape(F, 1)), axis=1)
    z, kept = np.empty((N, F, Ho * Wo)), []
    chunks = _chunks(N, (K + 1) * Ho * Wo)
    buf = None if keep_cols else np.empty((chunks[0].stop, K + 1, Ho * Wo))
    for sl in chunks:
        n = sl.stop - sl.start
        cols = _im2col(
            a.x[sl],
            a.padding,
            KH,
            KW,
            a.stride,
            Ho,
            Wo,
            np.empty((n, K + 1, Ho * Wo)) if keep_cols else buf[:n],
            a.dilation,
        )
        np.matmul(wb, cols, out=z[sl])
        if keep_cols:
            kept.append(cols)
    return z, kept


def backward(a: ConvArgs, dz4: np.ndarray, *, cols=None, input_grad: bool = True):
    """(dx, dw, db) for validated arguments and dz4: (N, F, Ho, Wo): dx (N, C, H, W) or None when
    input_grad is False, dw (F, C, KH, KW), db (F,). cols: the list :func:`forward` kept, or None
    (then the columns are built again from a.x)."""
    (N, C, H, W), (F, _, KH, KW) = a.x.shape, a.w.shape
    (Ho, Wo), K = a.out_hw, C * KH * KW
    dz3, dwb = dz4.reshape(N, F, Ho * Wo), None
    chunks = _chunks(N, (K + 1) * Ho * Wo)
    buf = np.empty((chunks[0].stop, K + 1, Ho * Wo)) if cols is None else None
    dx = np.empty((N, C, H, W)) if input_grad else None
    scatter = None
    if input_grad:
        chunk_shape = (chunks[0].stop, C, H, W)
        scatter = input_grad_fn(a.w, chunk_shape, (Ho, Wo), a.stride, a.padding, dilation=a.dilation)
    for k, sl in enumerate(chunks):
        if cols is None:
            c = _im2col(a.x[sl], a.padding, KH, KW, a.stride, Ho, Wo, buf[: sl.stop - sl.start], a.dilation)
        else:
            c = cols[k]
        g = _weight_grad(dz3[sl], c)  # (F, K + 1): [dw | db] of this chunk
        dwb = g if dwb is None else np.add(dwb, g, out=dwb)
        if input_grad:
            scatter(dz4[sl], dx[sl])
    return dx, np.ascontiguousarray(dwb[:, :K].reshape(F, C, KH, KW)), dwb[:, K].copy()


def _weight_grad(dz: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """sum_n dz[n] @ cols[n].T: (F, K + 1) for dz (n, F, Ho*Wo) and cols (n, K + 1, Ho*Wo).

    (Computing it as (cols[n] @ dz[n].T).T on a transposed copy of dz measured 0.94-1.05x at
    64x16x14x14 on this project's machines, so the plain product it is.) One sample is one 2-D
    product, without the sum over a batch of one."""
    if len(dz) == 1:
        return dz[0] @ cols[0].T
    return np.matmul(dz, cols.transpose(0, 2, 1)).sum(axis=0)


def conv2d(x, w, b=None, *, stride: int = 1, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """Forward pass of a convolution layer (cross-correlation with zero padding).

    x: (N, C, H, W), or (C, H, W), or a 2-D image (H, W) used with a 2-D kernel.
    w: (F, C, KH, KW), or (KH, KW) for a 2-D image.
    b: (F,), a scalar for a 2-D kernel, or None.
    dilation: D >= 1, the distance between the kernel's taps (``torch.nn.functional.conv2d``'s dilation).
    Returns z: (N, F, Ho, Wo) (same rank as x) with
    Ho = conv_output_size(H, KH, stride=S, padding=p, dilation=D) = (H + 2p - D*(KH - 1) - 1) // S + 1.
    """
    a = conv_args("conv2d", x, w, b, stride=stride, padding=padding, dilation=dilation)
    z, _ = forward(a)
    return a.restore(z.reshape(len(a.x), a.w.shape[0], *a.out_hw))


def conv2d_backward(dz, x, w, *, stride: int = 1, padding: int = 0, dilation: int = 1):
    """Backward pass of :func:`conv2d`.

    dz: (N, F, Ho, Wo), the upstream gradient dE/dz (same rank as the forward output); only read.
    x, w, stride, padding, dilation: as given to :func:`conv2d`.
    Returns (dx, dw, db): dx with x's shape, dw with w's shape, db (F,) (a float for a 2-D kernel).

        dw[f, c, r, t] = sum_{n, i, j} dz[n, f, i, j] * xpad[n, c, i*S + r*D, j*S + t*D]   (x ⋆ dz)
        db[f]          = sum_{n, i, j} dz[n, f, i, j]
        dxpad[n, c, i*S + r*D, j*S + t*D] += dz[n, f, i, j] * w[f, c, r, t]  (crop padding)

    In the seeds' words: dx is the full convolution of dilate(dz, S) with rot180(dilate(w, D)), and
    dw[r, t] is the correlation of xpad read at offsets (r*D, t*D) with dilate(dz, S).
    """
    a = conv_args("conv2d_backward", x, w, stride=stride, padding=padding, dilation=dilation)
    dx, dw, db = backward(a, check_dz("conv2d_backward", a, dz))
    if a.ndim == 2:
        return a.restore(dx), dw.reshape(dw.shape[2:]), float(db[0])
    return a.restore(dx), dw, db
