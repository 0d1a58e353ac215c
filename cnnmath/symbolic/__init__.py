"""SymPy helpers that keep the derivation cells short.

Arrays of symbols are numpy object arrays, so the loop forms in :mod:`cnnmath.reference` run on
them unchanged: ``net = reference.conv2d(grid("x", (3, 3)), grid("w", (2, 2)))``.

Names follow the seeds and are 1-based in display (``x_{1,1}`` is ``x[0, 0]``).
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp

__all__ = [
    "activation",
    "elementwise",
    "evaluate",
    "grad",
    "grid",
    "is_zero",
    "lambdify_array",
    "prove_equal",
    "sym_sum",
    "to_matrix",
]


def grid(name: str, shape, *, start: int = 1, **assumptions) -> np.ndarray:
    """An object array of symbols ``name_{i,j}`` (1-based by default), e.g. grid("δ", (2, 2)).

    shape: any tuple; a 1-D grid is named ``name_{i}``. Assumptions (``real=True``...) pass to SymPy.
    """
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if not shape or any((not isinstance(n, int)) or n < 1 for n in shape):
        raise ValueError(f"grid: shape must be a tuple of positive ints, got {shape!r}")
    out = np.empty(shape, dtype=object)
    for idx in itertools.product(*(range(n) for n in shape)):
        label = ",".join(str(i + start) for i in idx)
        out[idx] = sp.Symbol(f"{name}_{{{label}}}", **assumptions)
    return out


def activation(name: str = "a"):
    """An unknown activation a(·) and its derivative a′(·), as SymPy functions with d a(u)/du = a′(u).

    Derivations that hold for *any* activation keep it unknown: SymPy then writes a′(z) instead of
    expanding (or failing to simplify) a particular sigmoid. Returns (a, a_prime).
    """
    a_prime = sp.Function(f"{name}'")
    a = type(name, (sp.Function,), {"fdiff": lambda self, argindex=1: a_prime(self.args[0])})
    return a, a_prime


def elementwise(f):
    """f applied entry by entry to an object array of expressions (returns an object array)."""
    return np.vectorize(f, otypes=[object])


def to_matrix(a) -> sp.Matrix:
    """A 1-D or 2-D array (of symbols or numbers) as a SymPy Matrix, for display."""
    a = np.asarray(a, dtype=object)
    if a.ndim == 1:
        a = a.reshape(-1, 1)
    if a.ndim != 2:
        raise ValueError(f"to_matrix: need a 1-D or 2-D array, got shape {a.shape}")
    return sp.Matrix(a.tolist())


def is_zero(expr) -> bool:
    """``sp.expand(expr) == 0``: fast and exact for the polynomial/rational identities used here."""
    return sp.expand(sp.sympify(expr)) == 0


def prove_equal(lhs, rhs, *, simplify: bool = False) -> bool:
    """Prove two arrays (or scalars) of expressions equal entry by entry; return True.

    Uses ``expand(l - r) == 0``; ``simplify=True`` falls back to ``sp.simplify`` for entries with
    functions (exp, Max...) that expansion alone does not cancel. Raises AssertionError naming the
    first entry that differs (and the difference), so a wrong formula cannot pass.
    """
    L = np.asarray(lhs, dtype=object)
    R = np.asarray(rhs, dtype=object)
    if L.shape != R.shape:
        raise AssertionError(f"prove_equal: shapes differ: {L.shape} vs {R.shape}")
    for idx in np.ndindex(L.shape):
        diff = sp.expand(sp.sympify(L[idx]) - sp.sympify(R[idx]))
        if diff != 0 and simplify:
            diff = sp.simplify(diff)
        if diff != 0:
            where = f" at index {idx}" if idx else ""
            raise AssertionError(f"prove_equal: not equal{where}: difference {diff}")
    return True


def grad(expr, wrt) -> np.ndarray:
    """The array of partial derivatives ∂expr/∂wrt[idx], with wrt's shape."""
    wrt = np.asarray(wrt, dtype=object)
    out = np.empty(wrt.shape, dtype=object)
    for idx in np.ndindex(wrt.shape):
        out[idx] = sp.diff(expr, wrt[idx])
    return out


def sym_sum(a) -> sp.Expr:
    """Sum of every entry of an object array (``np.sum`` would start from int 0 and be slow)."""
    return sp.Add(*np.asarray(a, dtype=object).ravel().tolist())


def lambdify_array(exprs, *symbol_arrays):
    """Turn an array of expressions into a numpy function of numeric arrays.

    ``f = lambdify_array(delta_expr, X, W)`` then ``f(x, w)`` returns a float64 array with
    delta_expr's shape, where x and w have the shapes of the symbol arrays X and W.
    """
    E = np.asarray(exprs, dtype=object)
    arrays = [np.asarray(s, dtype=object) for s in symbol_arrays]
    flat_syms = [sym for a in arrays for sym in a.ravel()]
    fn = sp.lambdify(flat_syms, list(E.ravel()), modules="numpy")

    def evaluate_numeric(*values):
        if len(values) != len(arrays):
            raise ValueError(f"expected {len(arrays)} arrays, got {len(values)}")
        flat = []
        for a, v in zip(arrays, values, strict=True):
            v = np.asarray(v, dtype=np.float64)
            if v.shape != a.shape:
                raise ValueError(f"argument has shape {v.shape}, expected {a.shape}")
            flat.extend(v.ravel())
        return np.asarray(fn(*flat), dtype=np.float64).reshape(E.shape)

    return evaluate_numeric


def evaluate(exprs, *pairs) -> np.ndarray:
    """Substitute numbers for symbol arrays: ``evaluate(dx_expr, (X, x), (W, w), (D, dz))`` -> float64."""
    if not all(isinstance(p, tuple) and len(p) == 2 for p in pairs):
        raise ValueError("evaluate: pass (symbol_array, value_array) pairs after the expressions")
    return lambdify_array(exprs, *(p[0] for p in pairs))(*(p[1] for p in pairs))
