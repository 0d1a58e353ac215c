"""Notebook 21, exercise 1: the backward pass of a dilated convolution with plain loops. Tap (r, t) of
the kernel reads the padded input at (i·S + r·D, j·S + t·D); each δ[n, f, i, j] sends δ·w back along
the same taps (dx) and collects δ·x there (dw)."""

import numpy as np


def conv2d_dilated_backward(dz, x, w, *, stride=1, padding=0, dilation=1):
    dz, x, w = (np.asarray(a, dtype=float) for a in (dz, x, w))
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    S, P, D = stride, padding, dilation
    x_pad = np.zeros((N, C, H + 2 * P, W + 2 * P))
    x_pad[:, :, P : P + H, P : P + W] = x
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros(w.shape)
    Ho, Wo = dz.shape[2:]
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    d = dz[n, f, i, j]
                    for c in range(C):
                        for r in range(KH):
                            for t in range(KW):
                                a, b = i * S + r * D, j * S + t * D  # the tap's pixel in the padded input
                                dx_pad[n, c, a, b] += d * w[f, c, r, t]
                                dw[f, c, r, t] += d * x_pad[n, c, a, b]
    db = dz.sum(axis=(0, 2, 3))
    return dx_pad[:, :, P : P + H, P : P + W].copy(), dw, db
