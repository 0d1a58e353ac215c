"""Softmax with cross-entropy against target *distributions*, and why it learns where squared error stalls.

:func:`cnnmath.softmax_cross_entropy` takes integer labels; here the targets are probability rows
y (each row sums to 1), so seed 004's soft targets (0.01, 0.99) fit as they are:

    loss = -(1/N) Σ_n Σ_k y[n, k] log p[n, k],   p = softmax(logits)
    dlogits[n, k] = (p[n, k] - y[n, k]) / N          (only because Σ_k y[n, k] = 1)

:func:`descend` runs plain gradient descent on the seeds' 2-2-2 network with one of two output heads,
so the two learning curves can be compared from the same weights:

    "sigmoid-se":  out = σ(net_o),       E = ½ Σ (t - out)²,  δ_o = (out - t) σ'(net_o)   (seed 004)
    "softmax-ce":  out = softmax(net_o), E = -Σ t log out,    δ_o = out - t
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from ..ops.activations import sigmoid
from ..ops.checks import as_array, check_rank, check_shape
from ..ops.losses import softmax, squared_error
from .layers import Dense, Sigmoid
from .sequential import Sequential, check_rates, sgd_step

__all__ = ["HEADS", "Descent", "descend", "soft_cross_entropy"]

HEADS = ("sigmoid-se", "softmax-ce")
ROW_SUM_TOL = 1e-9  # how far a target row may sum from 1


def soft_cross_entropy(logits, targets) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of softmax(logits) against target rows (torch's cross_entropy with
    probabilities as target).

    logits: (N, K); targets: (N, K), entries >= 0, each row summing to 1 (a one-hot row is a label).
    Returns (loss, dlogits) with dlogits = (softmax(logits) - targets) / N, shape (N, K).
    """
    fn = "soft_cross_entropy"
    z, y = as_array(fn, "logits", logits), as_array(fn, "targets", targets)
    check_rank(fn, "logits", z, (2,), "(N, K)")
    check_shape(fn, "targets", y, z.shape, "one probability per logit")
    if z.size == 0:
        raise ValueError(f"{fn}: logits must have at least one row and one class, got shape {z.shape}")
    if np.any(y < 0) or not np.allclose(y.sum(axis=1), 1.0, rtol=0, atol=ROW_SUM_TOL):
        raise ValueError(
            f"{fn}: each row of targets (shape {y.shape}) must be a probability distribution "
            f"(entries >= 0, summing to 1); row sums are {np.round(y.sum(axis=1), 6).tolist()}"
        )
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    N = len(z)
    loss = -float(np.sum(y * log_p)) / N
    return loss, (np.exp(log_p) - y) / N


class Descent(NamedTuple):
    """What :func:`descend` records, one row per step (step 0 = the start): the outputs (out (steps+1, K)),
    the loss, and the output δ = ∂E/∂net_o (delta (steps+1, K))."""

    out: np.ndarray
    loss: np.ndarray
    delta: np.ndarray


def _head(head: str, net_o: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
    if head == "sigmoid-se":
        out = sigmoid(net_o)
        loss, dout = squared_error(out, t)
        return out, loss, dout * out * (1 - out)  # seed 004: δ_o = −(t − out) · out (1 − out)
    out = softmax(net_o)
    loss, delta = soft_cross_entropy(net_o, t)
    return out, loss * len(t), delta * len(t)  # summed over the samples, like squared_error: δ_o = out − t


def descend(x, t, weights, *, head: str, lr, steps: int) -> Descent:
    """Gradient descent on the 2-layer network dense → σ → dense → head, one sample at a time.

    x: (N, D_in) samples; t: (N, K) targets (rows summing to 1 for "softmax-ce"); weights: (W1, B1, W2, B2)
    with W1 (H, D_in), B1 (H,), W2 (K, H), B2 (K,) (copied, not modified); head: one of HEADS.
    Each step takes the gradient of the loss summed over the N samples (seed 004 has N = 1).
    """
    if head not in HEADS:
        raise ValueError(f"descend: head must be one of {HEADS}, got {head!r}")
    fn = "descend"
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValueError(f"{fn}: steps must be an integer >= 0, got {steps!r}")
    check_rates(fn, lr)
    x, t = as_array(fn, "x", x), as_array(fn, "t", t)
    check_rank(fn, "x", x, (1, 2), "(N, D_in) or one sample (D_in,)")
    x, t = np.atleast_2d(x), np.atleast_2d(t)
    if not isinstance(weights, list | tuple) or len(weights) != 4:
        raise ValueError(f"{fn}: weights must be (W1, B1, W2, B2), got {weights!r:.80}")
    names = ("W1", "B1", "W2", "B2")
    W1, B1, W2, B2 = (as_array(fn, name, a) for name, a in zip(names, weights, strict=True))
    check_rank(fn, "W1", W1, (2,), "(H, D_in)")
    if W1.shape[1] != x.shape[1]:
        raise ValueError(
            f"{fn}: x has D_in = {x.shape[1]} features (x.shape={x.shape}), "
            f"W1 {W1.shape} expects {W1.shape[1]}"
        )
    check_shape(fn, "B1", B1, W1.shape[:1], f"one bias per hidden unit, W1 has shape {W1.shape}")
    check_rank(fn, "W2", W2, (2,), "(K, H)")
    check_shape(fn, "W2", W2, (len(W2), len(W1)), f"it reads the H = {len(W1)} hidden units of W1 {W1.shape}")
    check_shape(fn, "B2", B2, W2.shape[:1], f"one bias per output, W2 has shape {W2.shape}")
    check_shape(fn, "t", t, (len(x), len(W2)), f"one target row per sample, W2 has shape {W2.shape}")
    body = Sequential(Dense(W1.shape[1], W1.shape[0]), Sigmoid(), Dense(W2.shape[1], W2.shape[0]))
    for layer, w, b in ((body[0], W1, B1), (body[2], W2, B2)):
        layer.params["w"][...], layer.params["b"][...] = w, b
    outs, losses, deltas = [], [], []
    for step in range(steps + 1):
        out, loss, delta = _head(head, body.forward(x), t)
        outs.append(out.sum(axis=0) if len(x) == 1 else out.mean(axis=0))
        losses.append(loss)
        deltas.append(delta.mean(axis=0))
        if step < steps:
            body.backward(delta)
            sgd_step(body, lr=lr)
    return Descent(np.array(outs), np.array(losses), np.array(deltas))
