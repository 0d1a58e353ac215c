"""The seeds' way of writing the conv layer's backward pass, as functions.

* ``rot180(w)`` — the kernel turned by 180 degrees (翻转180度).
* ``dilate(d, stride)`` — zero insertion: stride-1 zeros between the entries of δ (seed 001, stride S).
* ``pad(x, p)`` — zero padding (补零) of the last two axes.
* ``full_conv(d, w)`` — "full" convolution: δ padded by K-1 zeros, cross-correlated with rot180(w).
* ``delta_full_conv(dz, w, x_shape, ...)`` — the previous layer's δ, the seeds' formula
  δ^{l-1} = dilate(δ^l) * W with ``*`` the full convolution (it turns the kernel itself: pad, then
  correlate with rot180(W)), then crop the padding; summed over filters.
* ``weight_grad_correlate(x, dz, kernel_size, ...)`` — ∂E/∂w = input ⋆ δ (dilated for stride).
* ``mean_pool_backward_kron(dy, kernel_size)`` — seed 003's mean-pool backward dA = dZ ⊗ M.

These are a *second* route to the numbers :func:`cnnmath.conv2d_backward` computes; the tests and
notebooks prove the two agree. All of them work on float arrays and on object arrays of SymPy
symbols (then the plain-loop :mod:`cnnmath.reference.conv` does the arithmetic).
"""

from __future__ import annotations

import numpy as np

from ..ops import conv as _fast
from ..ops.checks import (
    as_array,
    check_int,
    check_kernel_size,
    check_rank,
    check_sizes,
    from_nchw,
    to_nchw,
)
from ..ops.conv_args import conv_output_size
from ..reference import conv as _loops

__all__ = [
    "delta_full_conv",
    "dilate",
    "full_conv",
    "mean_pool_backward_kron",
    "pad",
    "rot180",
    "weight_grad_correlate",
]


def _arr(fn, name, a):
    a = as_array(fn, name, a, dtype=None)
    return a if a.dtype == object else a.astype(np.float64)


def _spatial(fn: str, name: str, a: np.ndarray) -> None:
    """The last two axes (H, W) must not be empty."""
    if min(a.shape[-2:]) < 1:
        raise ValueError(f"{fn}: {name} has an empty spatial size (..., H, W) = {a.shape}")


def _out_hw(fn: str, hw, khw, s: int, p: int, kernel: str, where: str) -> tuple[int, int]:
    """The conv2d output size (Ho, Wo) for input (H, W), kernel (KH, KW), stride s and padding p, or a
    ValueError when the kernel does not fit the padded input (``kernel`` and ``where`` say which
    arguments the sizes came from)."""
    (H, W), (KH, KW) = hw, khw
    if KH > H + 2 * p or KW > W + 2 * p:
        raise ValueError(f"{fn}: {kernel} is larger than the padded input {(H + 2 * p, W + 2 * p)} ({where})")
    return conv_output_size(H, KH, stride=s, padding=p), conv_output_size(W, KW, stride=s, padding=p)


def _conv(x, w):
    """Stride-1, unpadded cross-correlation; loops for symbols, the fast form for floats."""
    return (_loops if object in (x.dtype, w.dtype) else _fast).conv2d(x, w)


def rot180(w) -> np.ndarray:
    """w: (..., KH, KW) -> the same shape, turned by 180 degrees (both of the last two axes flipped)."""
    w = _arr("rot180", "w", w)
    if w.ndim < 2:
        raise ValueError(f"rot180: w must have at least 2 dimensions (..., KH, KW), got shape {w.shape}")
    return w[..., ::-1, ::-1].copy()


def dilate(d, stride: int) -> np.ndarray:
    """d: (..., H, W) -> (..., (H-1)*S + 1, (W-1)*S + 1) with S-1 zeros inserted between entries."""
    d = _arr("dilate", "d", d)
    s = check_int("dilate", "stride", stride, minimum=1)
    if d.ndim < 2:
        raise ValueError(f"dilate: d must have at least 2 dimensions (..., H, W), got shape {d.shape}")
    _spatial("dilate", "d", d)
    H, W = d.shape[-2:]
    out = np.zeros((*d.shape[:-2], (H - 1) * s + 1, (W - 1) * s + 1), dtype=d.dtype)
    out[..., ::s, ::s] = d
    return out


def pad(x, p) -> np.ndarray:
    """x: (..., H, W) -> (..., H + top + bottom, W + left + right), zeros around.

    p: an int (the same on every side) or a tuple (top, bottom, left, right).
    """
    x = _arr("pad", "x", x)
    sides = (p,) * 4 if not isinstance(p, tuple | list) else tuple(p)
    if len(sides) != 4:
        raise ValueError(f"pad: p must be an int or (top, bottom, left, right), got {p!r}")
    top, bottom, left, right = (check_int("pad", "p", v, minimum=0) for v in sides)
    if x.ndim < 2:
        raise ValueError(f"pad: x must have at least 2 dimensions (..., H, W), got shape {x.shape}")
    H, W = x.shape[-2:]
    out = np.zeros((*x.shape[:-2], H + top + bottom, W + left + right), dtype=x.dtype)
    out[..., top : top + H, left : left + W] = x
    return out


def full_conv(d, w) -> np.ndarray:
    """Full convolution of δ with the kernel: pad δ by K-1 zeros, correlate with rot180(w).

    2-D: d (Ho, Wo), w (KH, KW) -> (Ho + KH - 1, Wo + KW - 1).
    4-D: d (N, F, Ho, Wo), w (F, C, KH, KW) -> (N, C, Ho + KH - 1, Wo + KW - 1), summed over the
    F filters (seed 001: δ_d^{l-1} = Σ_n δ_n^l * W_nd, with ``*`` this full convolution).
    """
    d, w = _arr("full_conv", "d", d), _arr("full_conv", "w", w)
    check_rank("full_conv", "d", d, (2, 4), "(Ho, Wo) or (N, F, Ho, Wo)")
    if w.ndim != d.ndim:
        raise ValueError(f"full_conv: d.shape={d.shape} and w.shape={w.shape} must have the same rank")
    _spatial("full_conv", "w", w)
    KH, KW = w.shape[-2:]
    if d.ndim == 4 and d.shape[1] != w.shape[0]:
        raise ValueError(
            f"full_conv: d has {d.shape[1]} filters (d.shape={d.shape}) but w has {w.shape[0]} "
            f"(w.shape={w.shape})"
        )
    dp = pad(d, (KH - 1, KH - 1, KW - 1, KW - 1))
    w_rot = rot180(w) if w.ndim == 2 else rot180(w).swapaxes(0, 1)  # (C, F, KH, KW)
    return _conv(dp, w_rot)


def delta_full_conv(dz, w, x_shape, *, stride: int = 1, padding: int = 0) -> np.ndarray:
    """dE/dx by the seeds' route: dilate δ by the stride, full-convolve with w, crop the padding.

    dz: (N, F, Ho, Wo) or (Ho, Wo); w: (F, C, KH, KW) or (KH, KW); x_shape: the input's shape.
    Rows/columns of the padded input that no window reached (when (H + 2p - KH) % S != 0) get 0.
    """
    fn = "delta_full_conv"
    dz, w = _arr(fn, "dz", dz), _arr(fn, "w", w)
    s = check_int(fn, "stride", stride, minimum=1)
    p = check_int(fn, "padding", padding, minimum=0)
    check_rank(fn, "dz", dz, (2, 4), "(Ho, Wo) or (N, F, Ho, Wo)")
    if w.ndim != dz.ndim:
        raise ValueError(f"{fn}: dz.shape={dz.shape} and w.shape={w.shape} must have the same rank (2 or 4)")
    _spatial(fn, "w", w)
    n = len(x_shape) if isinstance(x_shape, tuple | list) else None
    if n == 4 and dz.ndim == 4:  # (N, C, H, W): N and C must be dz's and w's
        N, C, H, W = check_sizes(fn, "x_shape", x_shape, "(N, C, H, W)")
        if (N, C) != (dz.shape[0], w.shape[1]):
            raise ValueError(
                f"{fn}: x_shape={tuple(x_shape)} does not match dz.shape={dz.shape} (N = {dz.shape[0]}) "
                f"and w.shape={w.shape} (C = {w.shape[1]})"
            )
    elif n == 2:
        H, W = check_sizes(fn, "x_shape", x_shape, "(H, W)")
    else:
        layout = "(H, W) or (N, C, H, W)" if dz.ndim == 4 else "(H, W)"
        raise ValueError(f"{fn}: x_shape must be {layout}, got {x_shape!r}")
    KH, KW = w.shape[-2:]
    kernel = f"the kernel {(KH, KW)} (w.shape={w.shape})"
    expected = _out_hw(fn, (H, W), (KH, KW), s, p, kernel, f"x_shape={tuple(x_shape)}, padding={p}")
    if dz.shape[-2:] != expected:
        raise ValueError(
            f"{fn}: dz.shape={dz.shape} does not end in {expected}, the output size for "
            f"x_shape={tuple(x_shape)}, w.shape={w.shape}, stride={s}, padding={p}"
        )
    full = full_conv(dilate(dz, s), w)  # (.., Hp - rem_h, Wp - rem_w)
    rem_h, rem_w = H + 2 * p - full.shape[-2], W + 2 * p - full.shape[-1]
    full = pad(full, (0, rem_h, 0, rem_w))
    return full[..., p : p + H, p : p + W].copy()


def weight_grad_correlate(x, dz, kernel_size, *, stride: int = 1, padding: int = 0):
    """dE/dw as the input correlated with δ: dw[f, c] = Σ_n xpad[n, c] ⋆ dilate(dz[n, f], S).

    x: (N, C, H, W) or (H, W); dz: (N, F, Ho, Wo) or (Ho, Wo); returns dw: (F, C, KH, KW) or (KH, KW).
    """
    fn = "weight_grad_correlate"
    x, dz = _arr(fn, "x", x), _arr(fn, "dz", dz)
    KH, KW = check_kernel_size(fn, kernel_size)
    s = check_int(fn, "stride", stride, minimum=1)
    p = check_int(fn, "padding", padding, minimum=0)
    check_rank(fn, "x", x, (2, 4), "(H, W) or (N, C, H, W)")
    if dz.ndim != x.ndim or (x.ndim == 4 and dz.shape[0] != x.shape[0]):
        raise ValueError(f"{fn}: x.shape={x.shape} and dz.shape={dz.shape} do not match (N and rank)")
    x4, dz4 = to_nchw(x), to_nchw(dz)
    _spatial(fn, "x", x)
    H, W = x4.shape[2:]
    where = f"x.shape={x.shape}, padding={p}"
    if dz4.shape[2:] != _out_hw(fn, (H, W), (KH, KW), s, p, f"kernel_size={(KH, KW)}", where):
        raise ValueError(
            f"{fn}: dz.shape={dz.shape} is not the output size for x.shape={x.shape}, "
            f"kernel_size={(KH, KW)}, stride={s}, padding={p}"
        )
    # Treat N as the channel axis being summed: (C, N, Hp, Wp) correlated with (F, N, Ho', Wo').
    xs = pad(x4, p).swapaxes(0, 1)
    ds = dilate(dz4, s).swapaxes(0, 1)
    dw = _conv(xs, ds)[:, :, :KH, :KW].swapaxes(0, 1)  # (F, C, KH, KW)
    return from_nchw(dw.copy(), 2) if x.ndim == 2 else dw.copy()


def mean_pool_backward_kron(dy, kernel_size, *, input_hw=None) -> np.ndarray:
    """Seed 003's form of the mean-pool backward: dA = dZ ⊗ M, M = ones((kh, kw)) / (kh·kw).

    Only for non-overlapping windows (stride = kernel_size). dy: (..., Ho, Wo) -> (..., Ho·kh, Wo·kw);
    with ``input_hw=(H, W)`` the rows/columns the windows did not reach are added as zeros.
    """
    fn = "mean_pool_backward_kron"
    dy = as_array(fn, "dy", dy)
    if dy.ndim < 2:
        raise ValueError(f"{fn}: dy must have at least 2 dimensions (..., Ho, Wo), got shape {dy.shape}")
    kh, kw = check_kernel_size(fn, kernel_size)
    dx = np.kron(dy, np.full((kh, kw), 1.0 / (kh * kw)))
    if input_hw is None:
        return dx
    H, W = check_sizes(fn, "input_hw", input_hw, "(H, W)")
    Ho, Wo = dy.shape[-2:]
    if H // kh != Ho or W // kw != Wo:
        raise ValueError(
            f"{fn}: dy.shape={dy.shape} is not the pooled size of input_hw={tuple(input_hw)} "
            f"with kernel_size={(kh, kw)} (expected ({H // kh}, {W // kw}))"
        )
    out = np.zeros((*dy.shape[:-2], H, W))
    out[..., : Ho * kh, : Wo * kw] = dx
    return out
