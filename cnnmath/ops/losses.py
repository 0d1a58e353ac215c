"""Loss functions: each returns the scalar loss *and* its gradient with respect to its first argument.

The gradient is what starts the backward pass (``dout`` of the last layer).
"""

from __future__ import annotations

import numpy as np

from .checks import as_array, as_labels, check_rank, check_shape

__all__ = ["softmax", "softmax_cross_entropy", "squared_error"]


def squared_error(a, t) -> tuple[float, np.ndarray]:
    """The seeds' squared error E = ½ Σ (t - a)², summed over ALL entries (not a mean).

    a: any shape, the network output; t: same shape, the targets.
    Returns (loss, da) with da = dE/da = a - t (the shape of a).
    (seed 004: ∂E_total/∂out_o1 = -(target_o1 - out_o1)). Seed 002's J(w, b) divides this by the
    number of samples m; multiply the learning rate by 1/m to get its update.
    """
    a, t = as_array("squared_error", "a", a), as_array("squared_error", "t", t)
    check_shape("squared_error", "t", t, a.shape, "one target per output")
    diff = a - t
    return 0.5 * float(np.sum(diff * diff)), diff


def softmax(logits) -> np.ndarray:
    """softmax along the last axis, stably: exp(z - max z) / Σ exp(z - max z).

    logits: (..., K) -> probabilities of the same shape (each row sums to 1).
    """
    z = as_array("softmax", "logits", logits)
    if z.ndim == 0:
        raise ValueError(f"softmax: logits must be at least 1-D (..., K), got shape {z.shape}")
    if z.shape[-1] == 0:
        raise ValueError(f"softmax: logits has an empty last axis (shape {z.shape}): it needs K >= 1 classes")
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _labels(fn: str, labels, N: int, K: int) -> np.ndarray:
    y = as_labels(fn, "labels", labels)
    if y.shape != (N,):
        raise ValueError(
            f"{fn}: labels has shape {y.shape}, expected ({N},) (one class id per row of logits)"
        )
    if y.min() < 0 or y.max() >= K:
        raise ValueError(
            f"{fn}: labels must lie in 0..{K - 1} for logits with K={K} classes, "
            f"got values from {y.min()} to {y.max()}"
        )
    return y


def softmax_cross_entropy(logits, labels) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of softmax(logits) against integer labels (torch.nn.functional.cross_entropy).

    logits: (N, K) scores, one row per sample; labels: (N,) integer class ids in 0..K-1.

        loss = (1/N) Σ_n [ logsumexp(logits[n]) - logits[n, labels[n]] ]
        dlogits[n, k] = (softmax(logits[n])_k - [k == labels[n]]) / N

    logsumexp is computed as m + log Σ exp(z - m) with m = max z, so large logits do not overflow.
    Returns (loss, dlogits) with dlogits (N, K).
    """
    fn = "softmax_cross_entropy"
    z = as_array(fn, "logits", logits)
    check_rank(fn, "logits", z, (2,), "(N, K)")
    N, K = z.shape
    if N == 0 or K == 0:
        raise ValueError(f"{fn}: logits must have at least one row and one class, got shape {z.shape}")
    y = _labels(fn, labels, N, K)
    shifted = z - z.max(axis=1, keepdims=True)
    log_sum = np.log(np.exp(shifted).sum(axis=1))
    rows = np.arange(N)
    loss = float(np.mean(log_sum - shifted[rows, y]))
    dlogits = np.exp(shifted - log_sum[:, None])
    dlogits[rows, y] -= 1.0
    return loss, dlogits / N
