"""Fully connected layers, reference form: the seeds' index formulas as plain Python loops.

Slow on purpose and readable next to the lecture text. Only ``+`` and ``*`` are used (and
``sympy.exp`` for a sigmoid of symbols), so everything here also runs on numpy object arrays of
SymPy symbols. Index convention (seed 002, 0-based): w[j, i] = w_ji links input unit i to output
unit j, so w has shape (D_out, D_in) like torch.nn.Linear.

    z_j = Σ_i w_ji x_i + b_j                              (forward, seed 002)
    δ_i^(out) = (a_i - t_i) f'(z_i^(out))                 (output layer, E = ½ Σ (t - a)²)
    δ_i^(l) = (Σ_k w_ki^(l+1) δ_k^(l+1)) f'(z_i^(l))      (the δ recursion, seed 002 / seed 004)
    ∂E/∂w_ji^(l) = δ_j^(l) a_i^(l-1),   ∂E/∂b_j^(l) = δ_j^(l)
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp

from ..ops.checks import as_array, check_rank, check_shape
from ..ops.dense import dense_args
from ._arrays import zeros

__all__ = ["dense", "dense_backward", "mlp_backward", "mlp_forward", "sigmoid", "sigmoid_prime"]


def _elementwise(fn, z) -> np.ndarray:
    out = np.empty(z.shape, dtype=object)
    for idx in itertools.product(*(range(n) for n in z.shape)):
        out[idx] = fn(z[idx])
    return out


def sigmoid(z) -> np.ndarray:
    """1 / (1 + exp(-z)) entry by entry; z: any shape. Object arrays use sympy.exp."""
    z = as_array("reference.sigmoid", "z", z, dtype=None)
    if z.dtype == object:
        return _elementwise(lambda v: 1 / (1 + sp.exp(-v)), z)
    from ..ops.activations import sigmoid as fast_sigmoid

    return fast_sigmoid(z)


def sigmoid_prime(z) -> np.ndarray:
    """σ(z) (1 - σ(z)) entry by entry (seed 004: out (1 - out)); z: any shape."""
    s = sigmoid(z)
    return s * (1 - s)


def _args(fn: str, x, w):
    x, w = dense_args(fn, x, w, symbolic=True)
    return x.reshape(x.shape[0] if x.ndim == 2 else 1, x.shape[-1]), w, x.ndim


def dense(x, w, b=None) -> np.ndarray:
    """Loop form of :func:`cnnmath.dense`: z[n, j] = Σ_i w[j, i] x[n, i] + b[j].

    x: (N, D_in) or (D_in,); w: (D_out, D_in); b: (D_out,) or None.
    Returns z: (N, D_out), or (D_out,) for a 1-D x.
    """
    x2, w, ndim = _args("reference.dense", x, w)
    (N, D_in), D_out = x2.shape, w.shape[0]
    if b is not None:
        b = as_array("reference.dense", "b", b, dtype=None)
        check_shape("reference.dense", "b", b, (D_out,), f"one bias per output unit, w has shape {w.shape}")
    z = zeros((N, D_out), x2, w, *([b] if b is not None else []))
    for n in range(N):
        for j in range(D_out):
            total = 0 if b is None else b[j]
            for i in range(D_in):
                total = total + w[j, i] * x2[n, i]
            z[n, j] = total
    return z if ndim == 2 else z[0]


def dense_backward(dz, x, w):
    """Loop form of :func:`cnnmath.dense_backward`.

    dz: (N, D_out) (or (D_out,) for a 1-D x); x: (N, D_in) or (D_in,); w: (D_out, D_in).
    Returns (dx, dw, db) with the shapes of x, w and (D_out,):
    dx[n, i] = Σ_j dz[n, j] w[j, i];  dw[j, i] = Σ_n dz[n, j] x[n, i];  db[j] = Σ_n dz[n, j].
    """
    fn = "reference.dense_backward"
    x2, w, ndim = _args(fn, x, w)
    dz = as_array(fn, "dz", dz, dtype=None)
    check_shape(fn, "dz", dz, (*x.shape[:-1], w.shape[0]) if ndim == 2 else (w.shape[0],), "z's shape")
    dz2 = dz.reshape(x2.shape[0], w.shape[0])
    (N, D_in), D_out = x2.shape, w.shape[0]
    dx, dw, db = zeros(x2.shape, dz2, w), zeros(w.shape, dz2, x2), zeros((D_out,), dz2)
    for n in range(N):
        for j in range(D_out):
            db[j] = db[j] + dz2[n, j]
            for i in range(D_in):
                dx[n, i] = dx[n, i] + dz2[n, j] * w[j, i]
                dw[j, i] = dw[j, i] + dz2[n, j] * x2[n, i]
    return (dx if ndim == 2 else dx[0]), dw, db


def mlp_forward(x, weights, biases, f=sigmoid):
    """Forward pass of an MLP for ONE sample: z^(l) = W^(l) a^(l-1) + b^(l), a^(l) = f(z^(l)).

    x: (D_0,); weights[l]: (D_{l+1}, D_l); biases[l]: (D_{l+1},); f: elementwise activation.
    Returns (zs, activations): zs[l] (D_{l+1},) pre-activations, activations[0] = x and
    activations[l + 1] = f(zs[l]).
    """
    x, weights, biases = _layers("mlp_forward", x, weights, biases)
    zs, acts = [], [x]
    for w, b in zip(weights, biases, strict=True):
        zs.append(dense(acts[-1], w, b))
        acts.append(f(zs[-1]))
    return zs, acts


def _layers(fn: str, x, weights, biases):
    """x (D_0,) and the layers' arrays, checked as a chain: weights[l] (D_{l+1}, D_l) and biases[l]
    (D_{l+1},), the first D_0 = x's length (object arrays of symbols allowed)."""
    for name, seq in (("weights", weights), ("biases", biases)):
        if not isinstance(seq, list | tuple):
            raise ValueError(
                f"{fn}: {name} must be a list of arrays, one per layer, got {type(seq).__name__}"
            )
    if len(weights) != len(biases):
        raise ValueError(f"{fn}: got {len(weights)} weight arrays but {len(biases)} bias arrays")
    x = as_array(fn, "x", x, dtype=None)
    check_rank(fn, "x", x, (1,), "(D_0,) (one sample)")
    ws = [as_array(fn, f"weights[{l}]", w, dtype=None) for l, w in enumerate(weights)]
    bs = [as_array(fn, f"biases[{l}]", b, dtype=None) for l, b in enumerate(biases)]
    d_in, came_from = x.shape[0], f"x has shape {x.shape}"
    for l, (w, b) in enumerate(zip(ws, bs, strict=True)):
        check_rank(fn, f"weights[{l}]", w, (2,), "(D_out, D_in)")
        if w.shape[1] != d_in:
            raise ValueError(
                f"{fn}: weights[{l}] has shape {w.shape}, expected (D_{l + 1}, {d_in}): {came_from}"
            )
        check_shape(fn, f"biases[{l}]", b, (w.shape[0],), f"one bias per row of weights[{l}] {w.shape}")
        d_in, came_from = w.shape[0], f"weights[{l}] has shape {w.shape}"
    return x, ws, bs


def mlp_backward(x, t, weights, biases, f=sigmoid, f_prime=sigmoid_prime):
    """The δ recursion for E = ½ Σ_k (t_k - a_k)² on ONE sample, written out as loops.

    x: (D_0,); t: (D_L,) targets; weights, biases, f: as in :func:`mlp_forward`;
    f_prime: f' with respect to z.
    Returns (deltas, dws, dbs): deltas[l] = ∂E/∂z^(l) (like zs[l]), dws[l] like weights[l],
    dbs[l] like biases[l].
    """
    x, weights, biases = _layers("mlp_backward", x, weights, biases)
    if not weights:
        raise ValueError("mlp_backward: weights and biases must hold at least one layer, got none")
    zs, acts = mlp_forward(x, weights, biases, f)
    t = as_array("mlp_backward", "t", t, dtype=None)
    check_shape("mlp_backward", "t", t, acts[-1].shape, "one target per output unit")
    L = len(weights)
    deltas = [None] * L
    fp = f_prime(zs[-1])
    out = zeros(zs[-1].shape, zs[-1], t)
    for i in range(out.shape[0]):
        out[i] = (acts[-1][i] - t[i]) * fp[i]  # δ_i^(out) = (a_i - t_i) f'(z_i)
    deltas[-1] = out
    for l in range(L - 2, -1, -1):
        w_next, d_next, fp = weights[l + 1], deltas[l + 1], f_prime(zs[l])
        d = zeros(zs[l].shape, zs[l], d_next, w_next)
        for i in range(d.shape[0]):
            total = 0
            for k in range(d_next.shape[0]):
                total = total + w_next[k, i] * d_next[k]  # Σ_k w_ki δ_k
            d[i] = total * fp[i]
        deltas[l] = d
    dws, dbs = [], []
    for l in range(L):
        d, a_prev = deltas[l], acts[l]
        dw = zeros((d.shape[0], a_prev.shape[0]), d, a_prev)
        for j in range(d.shape[0]):
            for i in range(a_prev.shape[0]):
                dw[j, i] = d[j] * a_prev[i]  # ∂E/∂w_ji = δ_j a_i
        dws.append(dw)
        dbs.append(d.copy())
    return deltas, dws, dbs
