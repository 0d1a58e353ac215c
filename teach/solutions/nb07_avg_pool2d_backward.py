"""Notebook 07, exercise 2: mean pooling's backward pass: equal shares, added where windows overlap."""

import numpy as np


def avg_pool2d_backward(dy, x, kernel_size, *, stride=None):
    dy, x = np.asarray(dy, dtype=float), np.asarray(x, dtype=float)
    kh, kw = kernel_size if isinstance(kernel_size, tuple | list) else (kernel_size, kernel_size)
    stride = (kh, kw) if stride is None else stride
    sh, sw = stride if isinstance(stride, tuple | list) else (stride, stride)
    H, W = x.shape[-2:]
    Ho, Wo = dy.shape[-2:]
    dys = dy.reshape(-1, Ho, Wo)  # (..., H, W): one map at a time
    dx = np.zeros((dys.shape[0], H, W))
    for m in range(dys.shape[0]):
        for i in range(Ho):
            for j in range(Wo):
                dx[m, i * sh : i * sh + kh, j * sw : j * sw + kw] += dys[m, i, j] / (kh * kw)
    return dx.reshape(x.shape)
