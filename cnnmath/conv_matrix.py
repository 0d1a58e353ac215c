"""The convolution as a sparse fully connected layer (seed 001, 展平 "flattening").

Flatten the H×W image into a vector of H*W inputs and the Ho×Wo output into Ho*Wo neurons: a
convolution is then an ordinary fully connected layer whose weight matrix is mostly zeros and
repeats the same few kernel values in every row (weight sharing, 权值共享).
"""

from __future__ import annotations

import numpy as np

from ._convargs import conv_args
from ._validate import check_int

__all__ = ["conv_matrix"]


def conv_matrix(input_shape, w, *, stride: int = 1, padding: int = 0) -> np.ndarray:
    """The matrix M of shape (Ho*Wo, H*W) with conv2d(x, w).ravel() == M @ x.ravel().

    input_shape: (H, W) of a 2-D image; w: a 2-D kernel (KH, KW) (floats or SymPy symbols).
    Row i*Wo + j is output pixel (i, j); column a*W + b is input pixel (a, b); zero padding only
    removes terms (padded pixels are zeros). Its transpose applied to δ gives dE/dx:
    ``M.T @ dz.ravel() == conv2d_backward(dz, x, w)[0].ravel()``.
    """
    fn = "conv_matrix"
    shape = tuple(input_shape) if isinstance(input_shape, tuple | list) else None
    if shape is None or len(shape) != 2:
        raise ValueError(f"{fn}: input_shape must be a pair (H, W), got {input_shape!r}")
    shape = tuple(check_int(fn, f"input_shape[{i}]", n, minimum=1) for i, n in enumerate(shape))
    probe = np.zeros(shape)  # only its shape is used, through the shared checks
    a = conv_args(fn, probe, w, stride=stride, padding=padding, symbolic=True)
    if a.ndim != 2:
        raise ValueError(f"{fn}: w must be a 2-D kernel (KH, KW), got shape {np.shape(w)}")
    H, W = shape
    k = a.w[0, 0]
    KH, KW = k.shape
    Ho, Wo = a.out_hw
    S, p = a.stride, a.padding
    M = np.zeros((Ho * Wo, H * W), dtype=k.dtype)
    for i in range(Ho):
        for j in range(Wo):
            for r in range(KH):
                for t in range(KW):
                    row, col = i * S + r - p, j * S + t - p
                    if 0 <= row < H and 0 <= col < W:
                        M[i * Wo + j, row * W + col] = k[r, t]
    return M
