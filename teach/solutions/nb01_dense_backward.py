"""Notebook 01, exercise 1: a dense layer's backward pass, written as seed 002's sums, one term at a time."""

import numpy as np


def dense_backward(dz, x, w):
    dz, x, w = (np.asarray(a, dtype=float) for a in (dz, x, w))
    N, D_in = x.shape
    D_out = w.shape[0]
    dx = np.zeros((N, D_in))
    dw = np.zeros((D_out, D_in))
    db = np.zeros(D_out)
    for n in range(N):  # the batch is summed, not averaged
        for j in range(D_out):
            db[j] += dz[n, j]  # ∂E/∂b_j = δ_j
            for i in range(D_in):
                dw[j, i] += dz[n, j] * x[n, i]  # ∂E/∂w_ji = δ_j a_i
                dx[n, i] += dz[n, j] * w[j, i]  # (Wᵀ δ)_i: every output j that input i feeds
    return dx, dw, db
