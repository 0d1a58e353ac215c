"""Notebook 17, exercise 1: the mean softmax cross-entropy and its δ, (p − y)/N, with the row maximum
subtracted before exp (log p_k = z_k − log Σ_m e^{z_m}, the form the notebook derives)."""

import numpy as np


def softmax_cross_entropy(logits, labels):
    z = np.asarray(logits, dtype=float)
    N, K = z.shape
    y = np.eye(K)[np.asarray(labels)]  # one-hot target rows: y[n, k] = 1 where k = labels[n]
    # subtracting each row's maximum m changes no p (e^{z−m} / Σ e^{z−m} = e^z / Σ e^z); exp cannot overflow
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))  # z_k − log Σ_m e^{z_m}
    loss = -np.sum(y * log_p) / N  # the mean over n of −Σ_k y_{n,k} log p_{n,k}
    dlogits = (np.exp(log_p) - y) / N  # ∂L/∂z_{n,k} = (p_{n,k} − y_{n,k}) / N
    return float(loss), dlogits
