"""Notebook 02, exercise 1: the convolution as a fully connected matrix (stride 1, no padding, as asked)."""

import numpy as np


def conv_matrix(input_shape, w, *, stride=1, padding=0):
    w = np.asarray(w)
    if w.dtype != object:  # numbers become floats; SymPy symbols stay objects
        w = w.astype(float)
    H, W = input_shape
    KH, KW = w.shape
    Ho, Wo = H - KH + 1, W - KW + 1
    M = np.zeros((Ho * Wo, H * W), dtype=w.dtype)
    for i in range(Ho):
        for j in range(Wo):  # row i·Wo + j is output pixel (i, j)
            for r in range(KH):
                for t in range(KW):  # it reads input pixel (i + r, j + t) with weight w[r, t]
                    M[i * Wo + j, (i + r) * W + (j + t)] = w[r, t]
    return M
