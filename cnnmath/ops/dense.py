"""Fully connected (dense) layer, fast form, with forward and backward side by side.

Weights are stored like ``torch.nn.Linear``: ``w: (D_out, D_in)``, row j holds the weights *into*
output unit j, so w[j, i] is the seeds' w_ji (seed 002: "w_ij^(l) links unit j of layer l to unit
i of layer l+1"). For one sample

    z_j = sum_i w[j, i] x_i + b_j            i.e.  z = w @ x + b

and for a batch of rows x: (N, D_in), z = x @ w.T + b. The loop form is
:mod:`cnnmath.reference.dense`.
"""

from __future__ import annotations

import numpy as np

from .checks import as_array, check_rank, check_real, check_shape

__all__ = ["backward", "dense", "dense_args", "dense_backward", "forward", "l2_penalty"]


def dense_args(fn: str, x, w, *, symbolic: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """x: (N, D_in) or (D_in,) and w: (D_out, D_in) as arrays, checked (shared by the fast and loop
    forms; ``symbolic=True`` keeps object arrays of SymPy expressions as they are)."""
    dtype = None if symbolic else np.float64
    x, w = as_array(fn, "x", x, dtype=dtype), as_array(fn, "w", w, dtype=dtype)
    check_rank(fn, "x", x, (1, 2), "(N, D_in) or (D_in,)")
    check_rank(fn, "w", w, (2,), "(D_out, D_in)")
    if x.shape[-1] != w.shape[1]:
        raise ValueError(
            f"{fn}: x has shape {x.shape} with D_in={x.shape[-1]} features, "
            f"but w has shape {w.shape} and expects D_in={w.shape[1]}"
        )
    return x, w


def dense(x, w, b=None) -> np.ndarray:
    """Forward pass: z = x @ w.T + b.

    x: (N, D_in) or one sample (D_in,).
    w: (D_out, D_in).
    b: (D_out,) or None.
    Returns z: (N, D_out), or (D_out,) for a 1-D x.
    """
    x, w = dense_args("dense", x, w)
    if b is not None:
        b = as_array("dense", "b", b)
        check_shape("dense", "b", b, (w.shape[0],), f"one bias per output unit, w has shape {w.shape}")
    return forward(x, w, b)


def forward(x: np.ndarray, w: np.ndarray, b) -> np.ndarray:
    """z = x @ w.T + b for arguments already checked (b: (D_out,) or None); the Dense layer calls it
    after checking x under its own name."""
    z = x @ w.T
    return z if b is None else z + b


def dense_backward(dz, x, w) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of :func:`dense`.

    dz: (N, D_out) (or (D_out,) for a 1-D x), the upstream gradient dE/dz; it is not modified.
    x, w: as given to :func:`dense`.
    Returns (dx, dw, db): dx (N, D_in) like x, dw (D_out, D_in) like w, db (D_out,).

        dx[n, i] = sum_j dz[n, j] w[j, i]        dx = dz @ w   (seed 002: sum_k δ_k w_ki)
        dw[j, i] = sum_n dz[n, j] x[n, i]        dw = dz.T @ x (seed 004: δ_o · out_h)
        db[j]    = sum_n dz[n, j]

    The batch is *summed*, not averaged: divide by N yourself for seed 002's (1/m) Σ.
    """
    x, w = dense_args("dense_backward", x, w)
    dz = as_array("dense_backward", "dz", dz)
    check_shape("dense_backward", "dz", dz, (*x.shape[:-1], w.shape[0]), f"x {x.shape} @ w.T, w {w.shape}")
    return backward(dz, x, w)


def backward(dz: np.ndarray, x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dx, dw, db) of :func:`dense_backward` for arguments already checked."""
    dx = dz @ w
    if x.ndim == 1:
        return dx, np.outer(dz, x), dz.copy()
    return dx, dz.T @ x, dz.sum(axis=0)


def l2_penalty(w, lam) -> tuple[float, np.ndarray]:
    """Weight decay term of seed 002: penalty = (λ/2) Σ w², and its gradient dw = λ w.

    w: any shape (a weight array; seed 002 does not decay the biases).
    lam: λ >= 0.
    Returns (penalty, dw) with dw the shape of w. Adding dw to the data gradient and stepping
    with learning rate η gives w <- w - η (dE/dw + λ w), seed 002's update (which is written
    with η = 1 and the data term averaged over the m samples).
    """
    w = as_array("l2_penalty", "w", w)
    lam = float(check_real("l2_penalty", "lam", lam, minimum=0))
    return 0.5 * lam * float(np.sum(w * w)), lam * w
