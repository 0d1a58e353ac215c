"""Notebook 07, exercise 1: max pooling's backward pass with plain loops over the windows."""

import numpy as np


def max_pool2d_backward(dy, x, kernel_size, *, stride=None):
    dy, x = np.asarray(dy, dtype=float), np.asarray(x, dtype=float)
    kh, kw = kernel_size if isinstance(kernel_size, tuple | list) else (kernel_size, kernel_size)
    stride = (kh, kw) if stride is None else stride
    sh, sw = stride if isinstance(stride, tuple | list) else (stride, stride)
    H, W = x.shape[-2:]
    Ho, Wo = dy.shape[-2:]
    maps, dys = x.reshape(-1, H, W), dy.reshape(-1, Ho, Wo)  # (..., H, W): one map at a time
    dx = np.zeros(maps.shape)
    for m in range(maps.shape[0]):
        for i in range(Ho):
            for j in range(Wo):
                window = maps[m, i * sh : i * sh + kh, j * sw : j * sw + kw]
                r, t = divmod(int(np.argmax(window)), kw)  # the first maximum, in row-major order
                dx[m, i * sh + r, j * sw + t] += dys[m, i, j]  # overlapping windows add up
    return dx.reshape(x.shape)
