"""Notebook 04, exercise 1: dx at stride 1 without padding, a full convolution with the kernel turned by 180°.

Only dx is graded in notebook 04, so dw and db are None (as the exercise allows).
"""

import numpy as np


def conv2d_backward(dz, x, w, *, stride=1, padding=0):
    dz, x, w = (np.asarray(a, dtype=float) for a in (dz, x, w))
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    Ho, Wo = dz.shape[2:]
    # full convolution: pad δ with KH − 1 rows and KW − 1 columns of zeros on every side ...
    dz_pad = np.zeros((N, F, Ho + 2 * (KH - 1), Wo + 2 * (KW - 1)))
    dz_pad[:, :, KH - 1 : KH - 1 + Ho, KW - 1 : KW - 1 + Wo] = dz
    w_rot = w[:, :, ::-1, ::-1]  # ... and slide the kernel turned by 180° over it
    dx = np.zeros((N, C, H, W))
    for n in range(N):
        for c in range(C):
            for a in range(H):
                for b in range(W):
                    for f in range(F):  # every filter sends its share back: add them
                        for r in range(KH):
                            for t in range(KW):
                                dx[n, c, a, b] += dz_pad[n, f, a + r, b + t] * w_rot[f, c, r, t]
    return dx, None, None
