"""Index-level SymPy forms of the conv layer's backward pass, for *general* sizes H, W, K.

:mod:`cnnmath.symbolic` proves formulas on small grids of named symbols (3×3, 2×2 ...). This
module writes the same formulas with ``IndexedBase`` / ``Sum`` / ``KroneckerDelta`` and symbolic
sizes, so SymPy itself carries the chain rule for every size at once (stride 1, no padding):

    net_{i,j} = Σ_{m,n} w_{m,n} a_{i+m, j+n}            a: (H, W), w: (K, K), net: (H-K+1, W-K+1)
    E         = Σ_{i,j} δ_{i,j} net_{i,j}               δ = ∂E/∂net, the sensitivity map (Ho, Wo)

Indices are 0-based like numpy (seed 001's ``Σ_{m=0}^{2}``): i, j (output), m, n (kernel),
p, q (input pixel), r, t (kernel after renaming). Where SymPy cannot finish a step symbolically,
:func:`prove_on_sizes` instantiates a closed form for concrete sizes and proves it entrywise.
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp

from .. import reference, symbolic

__all__ = [  # noqa: RUF022 (symbols first, then functions)
    "H",
    "K",
    "W",
    "Ho",
    "Wo",
    "a",
    "d",
    "w",
    "i",
    "j",
    "m",
    "n",
    "p",
    "q",
    "r",
    "t",
    "correlate",
    "dE_da_convolution",
    "dE_da_full_conv",
    "dE_dw_correlation",
    "delta_ext",
    "in_range",
    "instantiate",
    "kronecker_summand",
    "loss",
    "loss_summand",
    "prove_on_sizes",
    "prove_same",
    "rot180_at",
    "sum_out",
]

H, W, K = sp.symbols("H W K", integer=True, positive=True)
Ho, Wo = H - K + 1, W - K + 1  # output size at stride 1, no padding
i, j, m, n, p, q, r, t = sp.symbols("i j m n p q r t", integer=True)
a, w, d = sp.IndexedBase("a^{l-1}"), sp.IndexedBase("w"), sp.IndexedBase("δ^l")


def _at(A, x, y):
    """A[x, y] for an IndexedBase, A(x, y) for a callable (a zero-extended or rotated array)."""
    return A[x, y] if isinstance(A, sp.IndexedBase) else A(x, y)


def correlate(A, B, x, y, rows=K, cols=K, u=m, v=n) -> sp.Sum:
    """Cross-correlation at one output index: Σ_{u<rows, v<cols} B[u, v] · A[x+u, y+v].

    A, B: IndexedBase or callables (x, y) -> expression. With A = a, B = w this is net_{x,y}.
    """
    return sp.Sum(_at(B, u, v) * _at(A, x + u, y + v), (u, 0, rows - 1), (v, 0, cols - 1))


def loss_summand() -> sp.Expr:
    """δ_{i,j} · w_{m,n} · a_{i+m, j+n}: E is its sum over i, j, m, n."""
    return d[i, j] * w[m, n] * a[i + m, j + n]


def loss() -> sp.Sum:
    """E = Σ_{i<Ho, j<Wo} δ_{i,j} net_{i,j} (the nested Sum, for display and ``sp.diff``)."""
    return sp.Sum(d[i, j] * correlate(a, w, i, j), (i, 0, Ho - 1), (j, 0, Wo - 1))


def kronecker_summand(wrt: sp.Indexed) -> sp.Expr:
    """∂(loss summand)/∂wrt; SymPy writes ∂a_{i+m,j+n}/∂a_{p,q} as KroneckerDelta(p, i+m)·(q, j+n)."""
    return sp.diff(loss_summand(), wrt)


def sum_out(expr, *limits) -> sp.Expr:
    """Sum ``expr`` over each (var, lo, hi) in turn and let SymPy evaluate it.

    A KroneckerDelta in the summand collapses the sum: Σ_{i=lo}^{hi} f(i)·δ_{p,i+m} = f(p-m) if
    lo <= p-m <= hi else 0 (a Piecewise). The result is ``piecewise_fold``-ed to one Piecewise.
    """
    for lim in limits:
        expr = sp.piecewise_fold(sp.Sum(expr, lim).doit())
    return expr


def delta_ext(x, y) -> sp.Piecewise:
    """δ^l extended by zeros: δ_{x,y} inside 0 <= x < Ho, 0 <= y < Wo, else 0 (padding, 补零)."""
    return sp.Piecewise((d[x, y], (x >= 0) & (x <= Ho - 1) & (y >= 0) & (y <= Wo - 1)), (0, True))


def rot180_at(B, x, y, size=K):
    """Entry (x, y) of B turned by 180 degrees (翻转180度): B[size-1-x, size-1-y]."""
    return _at(B, size - 1 - x, size - 1 - y)


def in_range(expr, cond):
    """The value of a Piecewise ``(value, cond), (0, True)``, after checking its condition is
    exactly ``cond`` (same inequalities, any order/form), e.g. "the free index is inside the kernel".
    """
    (value, got), rest = expr.args[0], expr.args[1:]
    terms = [{c.canonical for c in sp.And.make_args(x)} for x in (got, cond)]
    if rest != ((0, True),) or terms[0] != terms[1]:
        raise AssertionError(f"in_range: expected Piecewise((value, {cond}), (0, True)), got {expr}")
    return value


def dE_da_convolution() -> sp.Sum:
    """Σ_{m,n} w_{m,n} · δext_{p-m, q-n}: a true convolution (卷积) of δ with w (index p-m, not p+m)."""
    return sp.Sum(w[m, n] * delta_ext(p - m, q - n), (m, 0, K - 1), (n, 0, K - 1))


def dE_dw_correlation() -> sp.Sum:
    """∂E/∂w_{p,q} = Σ_{i<Ho, j<Wo} δ_{i,j} a_{i+p, j+q}: the input correlated with δ (0 <= p, q < K)."""
    return correlate(a, d, p, q, Ho, Wo, i, j)


def dE_da_full_conv(rotate: bool = True) -> sp.Sum:
    """The seeds' closed form of ∂E/∂a_{p,q}: δ padded by K-1 zeros, correlated with rot180(w).

    Σ_{r,t} rot180(w)_{r,t} · δpad_{p+r, q+t}, δpad_{x,y} = δext_{x-(K-1), y-(K-1)}.
    ``rotate=False`` gives the classic WRONG form (the un-rotated kernel), for the tests/notebooks.
    """
    B = (lambda x, y: rot180_at(w, x, y)) if rotate else w
    return correlate(lambda x, y: delta_ext(x - (K - 1), y - (K - 1)), B, p, q, u=r, v=t)


def prove_same(lhs, rhs) -> bool:
    """Prove two index-level expressions equal; return True or raise AssertionError.

    Sums must have the same limits; their summands (and plain expressions) are compared
    structurally after ``piecewise_fold``, then by ``sp.simplify(l - r) == 0``. A failure means
    SymPy found no proof (use :func:`prove_on_sizes` for a concrete counterexample).
    """
    if isinstance(lhs, sp.Sum) or isinstance(rhs, sp.Sum):
        if not (isinstance(lhs, sp.Sum) and isinstance(rhs, sp.Sum)) or lhs.limits != rhs.limits:
            limits = [getattr(s, "limits", None) for s in (lhs, rhs)]
            raise AssertionError(f"prove_same: limits differ: {limits[0]} vs {limits[1]}")
        lhs, rhs = lhs.function, rhs.function
    L, R = sp.piecewise_fold(lhs), sp.piecewise_fold(rhs)
    if L == R or sp.simplify(L - R) == 0:
        return True
    raise AssertionError(f"prove_same: SymPy cannot show these equal:\n  {L}\n  {R}")


class _Strict:
    """An array view that refuses negative / out-of-range indices (numpy would wrap around)."""

    def __init__(self, arr: np.ndarray):
        self.arr = arr

    def __getitem__(self, idx):
        if any(k < 0 or k >= s for k, s in zip(idx, self.arr.shape, strict=True)):
            raise IndexError(f"index {idx} outside an array of shape {self.arr.shape}")
        return self.arr[idx]


def _evaluate(fn, arrays, sizes, shape) -> np.ndarray:
    """Call a lambdified closed form fn(*arrays, x, y, *sizes) at every index of ``shape``."""
    arrs = [_Strict(np.asarray(v, dtype=object)) for v in arrays]
    out = np.empty(tuple(shape), dtype=object)
    for idx in itertools.product(*(range(s) for s in shape)):
        out[idx] = fn(*arrs, *idx, *sizes)
    return out


def instantiate(expr, sizes: dict, arrays: dict, shape, free=(p, q)) -> np.ndarray:
    """Evaluate an index-level expression for concrete sizes at every free index.

    sizes: {H: 3, W: 3, K: 2}; arrays: {a: A, w: Wg, d: D} with object arrays of symbols (or
    numbers) of the matching shapes; shape: the result's shape (e.g. (H, W) for ∂E/∂a).
    Returns an object array of that shape: entry [x, y] is expr at free = (x, y). Sums become
    Python loops (via ``lambdify``); an index outside an array raises IndexError.
    """
    fn = sp.lambdify([*arrays, *free, *sizes], expr, modules="math")
    out = _evaluate(fn, arrays.values(), sizes.values(), shape)
    return np.vectorize(sp.sympify, otypes=[object])(out)


def _ring_grids(*named_shapes):
    """Grids of symbols as generators of one polynomial ring over ZZ: (R, [object arrays])."""
    grids = [symbolic.grid(name, shape) for name, shape in named_shapes]
    R, *gens = sp.ring([s for g in grids for s in g.ravel()], sp.ZZ)
    it = iter(gens)
    return R, [np.array([next(it) for _ in range(g.size)], dtype=object).reshape(g.shape) for g in grids]


def prove_on_sizes(closed_form, sizes, wrt: str = "a") -> int:
    """Prove ∂E/∂a (or ∂E/∂w, ``wrt="w"``) = ``closed_form`` for every (H, W, K) in ``sizes``.

    closed_form: an index-level expression in p, q, H, W, K, a, w, d (e.g. :func:`dE_da_full_conv`).
    For each size the truth is the derivative of E = Σ δ ∘ reference.conv2d(A, w) (stride 1) on 2-D
    grids of symbols, computed exactly in a ``sympy.polys`` ring (much faster than ``sp.diff``).
    Raises AssertionError naming the size and entry of the first mismatch; returns len(sizes).
    """
    if wrt not in ("a", "w"):
        raise ValueError(f"prove_on_sizes: wrt must be 'a' or 'w', got {wrt!r}")
    fn = sp.lambdify([a, w, d, p, q, H, W, K], closed_form, modules="math")
    for h, wd, k in sizes:
        R, (Ar, Wr, Dr) = _ring_grids(("a", (h, wd)), ("w", (k, k)), ("δ", (h - k + 1, wd - k + 1)))
        E = sum((reference.conv2d(Ar, Wr) * Dr).ravel(), R.zero)
        X = Ar if wrt == "a" else Wr
        got = _evaluate(fn, (Ar, Wr, Dr), (h, wd, k), X.shape)
        for idx in np.ndindex(X.shape):
            if R(got[idx]) != E.diff(X[idx]):
                raise AssertionError(
                    f"prove_on_sizes: H={h}, W={wd}, K={k}: not equal at index {idx}: closed form "
                    f"{R(got[idx]).as_expr()} vs derivative {E.diff(X[idx]).as_expr()}"
                )
    return len(sizes)
