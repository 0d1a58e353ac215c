"""Pooling gradients proved over a grid of input sizes, windows and strides (not at one size).

For every case (H, W), (kh, kw), (sh, sw) the truth is the exact derivative of

    E = Σ_{i,j} δ_ij · y_ij,     y = the LOOP forward pass (:mod:`cnnmath.reference`) on symbols,

(any loss has this gradient locally, with δ = ∂E/∂y). Mean and weighted pooling are polynomials, so
E lives in a ``sympy.polys`` ring (over QQ; exact and fast); Lp pooling is not, so SymPy's ``diff``
differentiates each window's y_ij with respect to the symbols it contains. Against the truth:

- the loop backward pass on the same symbols (exactly: equal polynomials / ``expand(a - b) == 0``);
- the fast numpy form against the loops at random numbers (``allclose``: floats). With the line
  above this makes the fast form equal to the truth at those numbers.

Each function raises AssertionError naming the case and entry of the first mismatch, and returns
the number of cases proved. Pooling has no padding in :mod:`cnnmath`, so the grid has none.
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp

from .. import symbolic
from ..ops import pool, pool_weighted
from ..reference import pool as ref_pool
from ..reference import pool_weighted as ref_weighted
from .ring import grids

__all__ = ["grid_cases", "prove_lp_pool", "prove_mean_pool", "prove_weighted_pool"]


def grid_cases(sizes, windows, strides) -> list[tuple[tuple[int, int], tuple[int, int], tuple[int, int]]]:
    """Every ((H, W), (kh, kw), (sh, sw)) from the three lists of pairs in which the window fits."""
    return [
        (tuple(hw), tuple(k), tuple(s))
        for hw, k, s in itertools.product(sizes, windows, strides)
        if k[0] <= hw[0] and k[1] <= hw[1]
    ]


def _out_hw(hw, k, s) -> tuple[int, int]:
    return (hw[0] - k[0]) // s[0] + 1, (hw[1] - k[1]) // s[1] + 1


def _fail(case, what, idx, got, want):
    raise AssertionError(f"{what} differs for (H, W), (kh, kw), (sh, sw) = {case} at {idx}: {got} vs {want}")


def _check_ring(case, what, E, wrt, claimed, R):
    for idx in np.ndindex(wrt.shape):
        truth = E.diff(wrt[idx])
        if R(claimed[idx]) != truth:
            _fail(case, what, idx, R(claimed[idx]).as_expr(), truth.as_expr())


def prove_mean_pool(cases, *, backward=ref_pool.avg_pool2d_backward, rng=None) -> int:
    """∂E/∂x for mean pooling on every case: loops (``backward``) exactly; ``cm.avg_pool2d_backward``
    against the loops at random numbers."""
    rng = np.random.default_rng(0) if rng is None else rng
    for hw, k, s in cases:
        case = (hw, k, s)
        R, (X, D) = grids(("x", hw), ("d", _out_hw(hw, k, s)), domain=sp.QQ)
        E = sum((D * ref_pool.avg_pool2d(X, k, stride=s)).ravel(), R.zero)
        _check_ring(case, "loop dx", E, X, backward(D, X, k, stride=s), R)
        x, dy = rng.normal(size=hw), rng.normal(size=D.shape)
        fast = pool.avg_pool2d_backward(dy, x, k, stride=s)
        loops = np.asarray(backward(dy, x, k, stride=s), dtype=float)
        if not np.allclose(fast, loops, rtol=1e-12, atol=1e-12):
            _fail(case, "fast dx", "some entry", fast, loops)
    return len(cases)


def prove_weighted_pool(cases, *, backward=ref_weighted.weighted_pool2d_backward, rng=None) -> int:
    """∂E/∂x and ∂E/∂w for weighted (Gaussian, trainable) pooling with a window of symbols w on every
    case: loops exactly; ``pool_weighted.weighted_pool2d_backward`` against the loops at random
    numbers. A Gaussian
    window is one value of w, so this covers Gaussian pooling's dx for every σ."""
    rng = np.random.default_rng(0) if rng is None else rng
    for hw, k, s in cases:
        case = (hw, k, s)
        R, (X, Wg, D) = grids(("x", hw), ("w", k), ("d", _out_hw(hw, k, s)), domain=sp.QQ)
        E = sum((D * ref_weighted.weighted_pool2d(X, Wg, stride=s)).ravel(), R.zero)
        dX, dW = backward(D, X, Wg, stride=s)
        _check_ring(case, "loop dx", E, X, dX, R)
        _check_ring(case, "loop dw", E, Wg, dW, R)
        x, w, dy = (rng.normal(size=shape) for shape in (hw, k, D.shape))
        fast = pool_weighted.weighted_pool2d_backward(dy, x, w, stride=s)
        loops = backward(dy, x, w, stride=s)
        for name, f, lp in zip(("fast dx", "fast dw"), fast, loops, strict=True):
            if not np.allclose(f, np.asarray(lp, dtype=float), rtol=1e-12, atol=1e-12):
                _fail(case, name, "some entry", f, lp)
    return len(cases)


def _index(symbol) -> tuple[int, int]:
    """grid("x", ...) names its symbols x_{i,j}, 1-based."""
    i, j = str(symbol).split("_", 1)[1].strip("{}").split(",")
    return int(i) - 1, int(j) - 1


def prove_lp_pool(cases, p, *, backward=ref_pool.lp_pool2d_backward, rng=None) -> int:
    """∂E/∂x for Lp pooling (real x, so |x| and sign(x) matter) on every case: SymPy's ``diff`` of
    each window's loop forward y_ij with respect to each symbol it contains, summed with the δ's,
    against the loops (``expand(a - b) == 0``); ``cm.lp_pool2d_backward`` against the loops at
    random normals."""
    rng = np.random.default_rng(0) if rng is None else rng
    q = sp.nsimplify(p)
    for hw, k, s in cases:
        case = (hw, k, s)
        X, D = symbolic.grid("x", hw, real=True), symbolic.grid("δ", _out_hw(hw, k, s))
        Y = ref_pool.lp_pool2d(X, q, k, stride=s)
        truth = np.full(hw, sp.Integer(0), dtype=object)
        for ij in np.ndindex(Y.shape):
            for v in Y[ij].free_symbols:
                truth[_index(v)] += D[ij] * sp.diff(Y[ij], v)
        claimed = backward(D, X, q, k, stride=s)
        for idx in np.ndindex(hw):
            if sp.expand(truth[idx] - claimed[idx]) != 0:
                _fail(case, "loop dx", idx, claimed[idx], truth[idx])
        x, dy = rng.normal(size=hw), rng.normal(size=D.shape)
        fast = pool.lp_pool2d_backward(dy, x, p, k, stride=s)
        loops = np.asarray(backward(dy, x, p, k, stride=s), dtype=float)
        if not np.allclose(fast, loops, rtol=1e-10, atol=1e-12):
            _fail(case, "fast dx", "some entry", fast, loops)
    return len(cases)
