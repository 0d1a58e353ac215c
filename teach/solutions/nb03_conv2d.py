"""Notebook 03, exercise 1: the forward pass as the notebook's index formula, with plain loops."""

import numpy as np


def conv2d(x, w, b=None, *, stride=1, padding=0):
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    S, P = stride, padding
    x_pad = np.zeros((N, C, H + 2 * P, W + 2 * P))
    x_pad[:, :, P : P + H, P : P + W] = x
    Ho, Wo = (H + 2 * P - KH) // S + 1, (W + 2 * P - KW) // S + 1
    z = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    total = 0.0 if b is None else float(b[f])
                    for c in range(C):
                        for r in range(KH):
                            for t in range(KW):
                                total += x_pad[n, c, i * S + r, j * S + t] * w[f, c, r, t]
                    z[n, f, i, j] = total
    return z
