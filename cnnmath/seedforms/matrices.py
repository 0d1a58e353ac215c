"""Convolution and pooling as (sparse) matrices: the "CNN as a fully connected network" view.

The convolution (seed 001, 展平 "flattening"): flatten the H×W image into a vector of H*W inputs
and the Ho×Wo output into Ho*Wo neurons: a convolution is then an ordinary fully connected layer
whose weight matrix is mostly zeros and repeats the same few kernel values in every row (weight
sharing, 权值共享).

Pooling (seed 002: pooling is a fully connected layer too), with the same flattening:

* mean (average) pooling is the constant matrix with 1/(kh·kw) in row i*Wo + j at the columns of
  window (i, j)'s pixels;
* max pooling is a 0/1 matrix with a single 1 per row, at the column of the window's first
  maximum (row-major, PyTorch's rule): seed 002's "the weight to the maximum is 1, the other
  three are 0". It depends on the data: a different x can move the 1s.

Forward ``P @ x.ravel()`` is the pooled map; backward ``P.T @ dy.ravel()`` routes δ. Overlapping
windows (stride < window) give columns with several nonzeros, so Pᵀ adds their δs up.
"""

from __future__ import annotations

import numpy as np

from ..ops.checks import as_array, check_rank, check_sizes
from ..ops.conv_args import conv_args
from ..ops.pool import max_pool2d_argmax
from ..ops.pool_args import pool_args

__all__ = ["conv_matrix", "pool_matrix"]


def conv_matrix(input_shape, w, *, stride: int = 1, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """The matrix M of shape (Ho*Wo, H*W) with conv2d(x, w).ravel() == M @ x.ravel().

    input_shape: (H, W) of a 2-D image; w: a 2-D kernel (KH, KW) (floats or SymPy symbols).
    Row i*Wo + j is output pixel (i, j); column a*W + b is input pixel (a, b); zero padding only
    removes terms (padded pixels are zeros). Its transpose applied to δ gives dE/dx:
    ``M.T @ dz.ravel() == conv2d_backward(dz, x, w)[0].ravel()``. With ``dilation=D`` tap (r, t)
    reads pixel (i*S + r*D - p, j*S + t*D - p), as in :func:`cnnmath.conv2d`.
    """
    fn = "conv_matrix"
    shape = check_sizes(fn, "input_shape", input_shape, "a pair (H, W)")
    w = as_array(fn, "w", w, dtype=None)
    check_rank(fn, "w", w, (2,), "(KH, KW), a kernel for the 2-D image of input_shape")
    probe = np.zeros(shape)  # only its shape is used, through the shared checks
    a = conv_args(fn, probe, w, stride=stride, padding=padding, symbolic=True, dilation=dilation)
    H, W = shape
    k = a.w[0, 0]
    KH, KW = k.shape
    Ho, Wo = a.out_hw
    S, p, D = a.stride, a.padding, a.dilation
    M = np.zeros((Ho * Wo, H * W), dtype=k.dtype)
    for i in range(Ho):
        for j in range(Wo):
            for r in range(KH):
                for t in range(KW):
                    row, col = i * S + r * D - p, j * S + t * D - p
                    if 0 <= row < H and 0 <= col < W:
                        M[i * Wo + j, row * W + col] = k[r, t]
    return M


_KINDS = ("max", "avg")


def pool_matrix(x, kernel_size, *, stride=None, kind: str = "max") -> np.ndarray:
    """The matrix P of shape (Ho*Wo, H*W) with pool(x).ravel() == P @ x.ravel().

    x: a 2-D image (H, W) (for kind="avg" only its shape matters); kernel_size: k or (kh, kw);
    stride: None (= kernel_size), an int or a pair; kind: "max" or "avg".
    Row i*Wo + j is output pixel (i, j); column a*W + b is input pixel (a, b). Then
    ``P.T @ dy.ravel() == max_pool2d_backward(dy, x, kernel_size, stride=stride).ravel()``
    (or avg_pool2d_backward) for dy: (Ho, Wo).
    """
    fn = "pool_matrix"
    if not isinstance(kind, str) or kind not in _KINDS:
        raise ValueError(f"{fn}: kind must be one of {_KINDS}, got {kind!r}")
    a = pool_args(fn, x, kernel_size, stride)
    if a.x.ndim != 2:
        raise ValueError(f"{fn}: x must be a 2-D image (H, W), got shape {a.x.shape}")
    H, W = a.x.shape
    Ho, Wo = a.out_hw
    out_index = np.arange(Ho * Wo)
    P = np.zeros((Ho * Wo, H * W))
    if kind == "max":
        rows, cols = max_pool2d_argmax(a.x, (a.kh, a.kw), stride=(a.sh, a.sw))
        P[out_index, (rows * W + cols).ravel()] = 1.0
        return P
    share = 1.0 / (a.kh * a.kw)
    for r in range(a.kh):
        for t in range(a.kw):
            rows = np.arange(Ho).reshape(Ho, 1) * a.sh + r
            cols = np.arange(Wo) * a.sw + t
            P[out_index, (rows * W + cols).ravel()] = share
    return P
