"""Notebook 05, exercise 1: dx for every stride and padding — dilate δ, full-convolve, sum the filters, crop.

Only dx is graded in notebook 05, so dw and db are None (as the exercise allows).
"""

import numpy as np


def conv2d_backward(dz, x, w, *, stride=1, padding=0):
    dz, x, w = (np.asarray(a, dtype=float) for a in (dz, x, w))
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    Ho, Wo = dz.shape[2:]
    S, P = stride, padding
    # dilate δ (S − 1 zeros between its entries) and pad it with K − 1 zeros for the full convolution
    Hd, Wd = (Ho - 1) * S + 1, (Wo - 1) * S + 1
    d = np.zeros((N, F, Hd + 2 * (KH - 1), Wd + 2 * (KW - 1)))
    d[:, :, KH - 1 : KH - 1 + Hd : S, KW - 1 : KW - 1 + Wd : S] = dz
    w_rot = w[:, :, ::-1, ::-1]
    # the gradient of the padded input; rows and columns no window reached keep their 0
    dx_pad = np.zeros((N, C, H + 2 * P, W + 2 * P))
    for n in range(N):
        for c in range(C):
            for a in range(Hd + KH - 1):
                for b in range(Wd + KW - 1):
                    # sum over the filters f and the kernel offsets (r, t) in one go
                    dx_pad[n, c, a, b] = np.sum(d[n, :, a : a + KH, b : b + KW] * w_rot[:, c])
    return dx_pad[:, :, P : P + H, P : P + W], None, None
