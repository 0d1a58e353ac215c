"""Notebook 08, exercise 1: the convolution matrix with stride and padding (numbers or SymPy symbols)."""

import numpy as np


def conv_matrix(input_shape, w, *, stride=1, padding=0):
    w = np.asarray(w)
    if w.dtype != object:  # numbers become floats; SymPy symbols stay objects
        w = w.astype(float)
    H, W = input_shape
    KH, KW = w.shape
    S, P = stride, padding
    Ho, Wo = (H + 2 * P - KH) // S + 1, (W + 2 * P - KW) // S + 1
    M = np.zeros((Ho * Wo, H * W), dtype=w.dtype)
    for i in range(Ho):
        for j in range(Wo):
            for r in range(KH):
                for t in range(KW):
                    a, b = i * S + r - P, j * S + t - P  # the input pixel under w[r, t]
                    if 0 <= a < H and 0 <= b < W:  # a padded zero adds no term: no column
                        M[i * Wo + j, a * W + b] = w[r, t]
    return M
