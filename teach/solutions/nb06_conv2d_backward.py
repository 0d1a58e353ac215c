"""Notebook 06, exercise 1: dw and db for every stride and padding, as seed 003's window sums.

Only dw and db are graded in notebook 06, so dx is None (as the exercise allows).
"""

import numpy as np


def conv2d_backward(dz, x, w, *, stride=1, padding=0):
    dz, x, w = (np.asarray(a, dtype=float) for a in (dz, x, w))
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    Ho, Wo = dz.shape[2:]
    S, P = stride, padding
    x_pad = np.zeros((N, C, H + 2 * P, W + 2 * P))
    x_pad[:, :, P : P + H, P : P + W] = x
    dw = np.zeros((F, C, KH, KW))
    db = np.zeros(F)
    for n in range(N):  # a batch is one more shared axis: add the samples
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    window = x_pad[n, :, i * S : i * S + KH, j * S : j * S + KW]  # seed 003's slice
                    dw[f] += dz[n, f, i, j] * window  # each weight was used by every window
                    db[f] += dz[n, f, i, j]
    return None, dw, db
