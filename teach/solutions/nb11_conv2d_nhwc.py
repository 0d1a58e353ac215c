"""Notebook 11, exercise 1: seed 003's forward pass in its own channels-last layout, with its slice loops."""

import numpy as np


def conv2d_nhwc(A_prev, W, b=None, *, stride=1, padding=0):
    A_prev, W = np.asarray(A_prev, dtype=float), np.asarray(W, dtype=float)
    n, d_H, d_W, _ = A_prev.shape  # (n, d_H, d_W, d_C_prev)
    d_C, f_H, f_W, _ = W.shape
    S, P = stride, padding
    A_pad = np.pad(A_prev, ((0, 0), (P, P), (P, P), (0, 0)))
    d_H_out, d_W_out = (d_H + 2 * P - f_H) // S + 1, (d_W + 2 * P - f_W) // S + 1
    Z = np.zeros((n, d_H_out, d_W_out, d_C))
    for i in range(n):
        for h in range(d_H_out):
            for v in range(d_W_out):
                a_slice = A_pad[i, h * S : h * S + f_H, v * S : v * S + f_W, :]  # (f_H, f_W, d_C_prev)
                for c in range(d_C):
                    Z[i, h, v, c] = np.sum(a_slice * W[c])
                    if b is not None:
                        Z[i, h, v, c] += float(np.ravel(b)[c])  # b: (d_C, 1, 1, 1)
    return Z
