"""A pooling layer as a sparse matrix P (seed 002: pooling is a fully connected layer too).

Flatten the H×W input into a vector of H*W entries and the Ho×Wo output into Ho*Wo entries:

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

from ._poolargs import pool_args
from .pool import max_pool2d_argmax

__all__ = ["pool_matrix"]

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
