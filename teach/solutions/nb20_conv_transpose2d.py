"""Notebook 20, exercise 1: the transposed convolution as a scatter, the conv layer's backward pass
run forwards: every input pixel x[n, f, i, j] adds x · w[f, c] into the window it came from."""

import numpy as np


def conv_transpose2d(x, w, *, stride=1, padding=0, output_padding=0):
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    N, F, H, W = x.shape
    _, C, KH, KW = w.shape
    S, P, OP = stride, padding, output_padding
    # the padded output: (H - 1)·S + KH rows, plus output_padding more at the bottom (and right)
    full = np.zeros((N, C, (H - 1) * S + KH + OP, (W - 1) * S + KW + OP))
    for n in range(N):
        for f in range(F):
            for i in range(H):
                for j in range(W):
                    for c in range(C):
                        full[n, c, i * S : i * S + KH, j * S : j * S + KW] += x[n, f, i, j] * w[f, c]
    # padding crops P rows and columns from each side of the full output (conv2d padded its input)
    return full[:, :, P : full.shape[2] - P, P : full.shape[3] - P].copy()
