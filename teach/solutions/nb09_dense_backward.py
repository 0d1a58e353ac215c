"""Notebook 09, exercise 1: the output layer's backward pass in matrix form (the seed's (11) and (16))."""

import numpy as np


def dense_backward(dz, x, w):
    dz, x, w = (np.asarray(a, dtype=float) for a in (dz, x, w))
    dx = dz @ w  # Σ_l ∂C/∂z_l · w_l,γ: the error passed back to the pooled neurons
    dw = dz.T @ x  # ∂C/∂w_lγ = ∂C/∂z_l · a_γ, summed over the batch
    db = dz.sum(axis=0)  # ∂C/∂b_l = ∂C/∂z_l, summed over the batch
    return dx, dw, db
