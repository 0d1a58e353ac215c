"""Exact proofs over a grid of sizes: the layer's polynomials in a ``sympy.polys`` ring over ZZ.

Every identity of the conv notebooks (the forward formula, ∂E/∂x, ∂E/∂w, ∂E/∂b for any stride,
padding, depth and number of filters) is an identity between polynomials with integer
coefficients in the entries of x, w, b and δ. In the ring ZZ[x, w, b, δ] such a polynomial is
stored by its coefficients, so ``lhs - rhs == 0`` is an exact proof, and ``PolyElement.diff`` is
the exact partial derivative — the same derivative as ``sp.diff`` on SymPy expressions, only
much faster. The loop forms in :mod:`cnnmath.reference` and the seeds' routes in
:mod:`cnnmath.seedforms` use only ``+`` and ``*``, so they run on object arrays of ring elements
unchanged.

A case is proved at one concrete size; :func:`prove_over` runs a claim over a list of cases and
returns how many it proved, so a notebook can say exactly which grid was proved::

    R, (x, w, d) = grids(("x", (1, 2, 5, 4)), ("w", (1, 2, 3, 2)), ("δ", (1, 1, 2, 2)))
    E = total(reference.conv2d(x, w, stride=2) * d)       # E = Σ δ ∘ net
    prove_equal(grad(E, x), delta_full_conv(d, w, x.shape, stride=2))
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from .. import symbolic

__all__ = ["grad", "grids", "prove_equal", "prove_over", "total"]


def grids(*named_shapes, domain=sp.ZZ):
    """Grids of symbols (named like :func:`cnnmath.symbolic.grid`) as generators of one ring over
    ``domain`` (ZZ; QQ where the formula has fractions, as mean pooling's 1/(kh·kw)).

    named_shapes: ``(name, shape)`` pairs, e.g. ``("x", (1, 2, 4, 4))``. Returns ``(R, arrays)``:
    the ring and one object array of generators per pair, each with its shape.
    """
    if not named_shapes:
        raise ValueError("grids: give at least one (name, shape) pair")
    for pair in named_shapes:
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str)):
            raise ValueError(f"grids: each argument must be a (name, shape) pair, got {pair!r}")
    names = [name for name, _ in named_shapes]
    if len(set(names)) != len(names):
        raise ValueError(f"grids: names must differ, got {names}")
    sym_grids = [symbolic.grid(name, shape) for name, shape in named_shapes]
    R, *gens = sp.ring([s for g in sym_grids for s in g.ravel()], domain)
    arrays, start = [], 0
    for g in sym_grids:
        a = np.empty(g.size, dtype=object)
        a[:] = gens[start : start + g.size]  # slice assignment: numpy keeps each element as is
        arrays.append(a.reshape(g.shape))
        start += g.size
    return R, arrays


def _ring_of(a):
    for v in np.asarray(a, dtype=object).ravel():
        if isinstance(v, sp.polys.rings.PolyElement):
            return v.ring
    raise ValueError("no ring element found: build the arrays with symbolic_grid.grids")


def total(a):
    """The sum of every entry of an object array of ring elements (a ring element)."""
    a = np.asarray(a, dtype=object)
    R = _ring_of(a)
    return sum(a.ravel().tolist(), R.zero)


def grad(expr, wrt) -> np.ndarray:
    """∂expr/∂wrt[idx] for every generator in wrt (exact polynomial derivative); wrt's shape."""
    wrt = np.asarray(wrt, dtype=object)
    if not isinstance(expr, sp.polys.rings.PolyElement):
        raise TypeError(f"grad: expr must be a ring element (from grids), got {type(expr).__name__}")
    out = np.empty(wrt.shape, dtype=object)
    for idx in np.ndindex(wrt.shape):
        out[idx] = expr.diff(wrt[idx])
    return out


def prove_equal(lhs, rhs, *, label: str = "") -> bool:
    """Prove two arrays of ring elements (or ints) equal entry by entry; return True.

    Raises AssertionError naming the first entry that differs and the difference (as a SymPy
    expression), so a wrong formula cannot pass.
    """
    L, Rr = np.asarray(lhs, dtype=object), np.asarray(rhs, dtype=object)
    where = f" ({label})" if label else ""
    if L.shape != Rr.shape:
        raise AssertionError(f"prove_equal{where}: shapes differ: {L.shape} vs {Rr.shape}")
    for idx in np.ndindex(L.shape):
        diff = L[idx] - Rr[idx]
        if diff != 0:
            shown = diff.as_expr() if isinstance(diff, sp.polys.rings.PolyElement) else diff
            raise AssertionError(f"prove_equal{where}: not equal at index {idx}: difference {shown}")
    return True


def prove_over(claim, cases) -> int:
    """Run ``claim(*case)`` for every case (a tuple of sizes); return the number of cases proved.

    claim must raise AssertionError when the identity fails (e.g. by calling :func:`prove_equal`);
    the error is re-raised with the case prepended, so the failing size is named.
    """
    cases = list(cases)
    if not cases:
        raise ValueError("prove_over: no cases given")
    for case in cases:
        try:
            claim(*case)
        except AssertionError as err:
            raise AssertionError(f"case {case}: {err}") from None
    return len(cases)
