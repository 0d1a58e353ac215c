"""Max pooling on SymPy symbols: Γ derived from the maximum itself, not typed in.

Seed 000's (2) pools a block with ``max``; its (9) says the derivative of that maximum is Γ, 1 at
the block's maximum and 0 elsewhere. Here the maximum is SymPy's own ``Max`` and SymPy differentiates
it: ∂ Max(u_1, ..., u_k)/∂u_r = Heaviside(u_r - Max(the other u's)), which is 1 or 0 once the window's
values are numbers that are all different (at a tie SymPy's Heaviside(0) = 1/2: a maximum has no
derivative there). Evaluating at orderings of the window's values then gives Γ without assuming it.

    max_pool(a, kernel_size, stride=None)   seed 000's (2) on an object array of expressions
    window_max_derivative(kernel_size)      (u, Max(u), SymPy's ∂Max/∂u) for one window of symbols
    max_pool_backward_derived(dy, x, ...)   the chain rule Σ_windows dy · (SymPy's ∂Max/∂u), in numbers
    orderings(shape, count, rng)            arrays of the distinct values 1..size in random orders

Shapes as in :mod:`cnnmath.ops.pool`: x: (..., H, W) -> (..., Ho, Wo), Ho = ⌊(H - kh)/sh⌋ + 1; stride
None means the window (seed 000's non-overlapping blocks).
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp

from ..ops.checks import check_kernel_size
from ..ops.pool_args import check_dy, pool_args
from . import grad, grid

__all__ = ["max_pool", "max_pool_backward_derived", "orderings", "window_max_derivative"]


def max_pool(a, kernel_size, *, stride=None) -> np.ndarray:
    """Seed 000's (2), z^P_ij = max over window (i, j), as SymPy ``Max`` of each window's entries.

    a: (..., H, W) object array of expressions (e.g. ``elementwise(act)(grid("z^F", ...))``);
    returns an object array (..., Ho, Wo).
    """
    p = pool_args("max_pool", np.asarray(a, dtype=object), kernel_size, stride, symbolic=True)
    out = np.empty(p.y_shape, dtype=object)
    for idx in np.ndindex(out.shape):
        *lead, i, j = idx
        window = p.x[(*lead, slice(i * p.sh, i * p.sh + p.kh), slice(j * p.sw, j * p.sw + p.kw))]
        out[idx] = sp.Max(*window.ravel().tolist())
    return out


def window_max_derivative(kernel_size) -> tuple[np.ndarray, sp.Expr, np.ndarray]:
    """One window of symbols u (kh, kw), its maximum Max(u) and SymPy's derivative ∂Max/∂u (kh, kw).

    Nothing about Γ goes in: the derivative is whatever ``sp.diff`` makes of ``sp.Max`` (computed once
    per window shape and kept).
    """
    return _window_max_derivative(*check_kernel_size("window_max_derivative", kernel_size))


@functools.cache
def _window_max_derivative(kh: int, kw: int) -> tuple[np.ndarray, sp.Expr, np.ndarray]:
    u = grid("u", (kh, kw))
    top = sp.Max(*u.ravel().tolist())
    return u, top, grad(top, u)


def _number(v: float) -> sp.Expr:
    return sp.Integer(int(v)) if float(v).is_integer() else sp.Float(float(v))


def _window_gradient(kh: int, kw: int, values: np.ndarray) -> np.ndarray:
    """SymPy's ∂Max/∂u for a (kh, kw) window, evaluated at the window's values (a float array)."""
    u, _, du = _window_max_derivative(kh, kw)
    at = {s: _number(v) for s, v in zip(u.ravel(), values.ravel(), strict=True)}
    return np.array([float(e.xreplace(at)) for e in du.ravel()]).reshape(kh, kw)


def max_pool_backward_derived(dy, x, kernel_size, *, stride=None) -> np.ndarray:
    """∂/∂x of Σ dy · max_pool(x): every window adds dy_ij · (SymPy's ∂Max/∂u at that window's values).

    The chain rule over the windows (a pixel read by several overlapping windows collects from each);
    the derivative of one window's maximum is not written here but derived by SymPy
    (:func:`window_max_derivative`). x: (..., H, W) float with no ties inside a window (a tie has no
    derivative; SymPy's Heaviside(0) would give 1/2); dy: (..., Ho, Wo). Returns dx with x's shape.
    """
    p = pool_args("max_pool_backward_derived", x, kernel_size, stride)
    dy = check_dy("max_pool_backward_derived", p, dy)
    dx = np.zeros_like(p.x)
    for idx in np.ndindex(dy.shape):
        *lead, i, j = idx
        window = (*lead, slice(i * p.sh, i * p.sh + p.kh), slice(j * p.sw, j * p.sw + p.kw))
        dx[window] += dy[idx] * _window_gradient(p.kh, p.kw, p.x[window])
    return dx


def orderings(shape, count: int, rng: np.random.Generator) -> np.ndarray:
    """count arrays of the given shape, each holding 1..size (all different) in a random order.

    Returns an int array (count, *shape): no ties, so every maximum is unique.
    """
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if not isinstance(count, int) or count < 1:
        raise ValueError(f"orderings: count must be a positive int, got {count!r}")
    size = int(np.prod(shape))
    return np.array([rng.permutation(size) + 1 for _ in range(count)]).reshape(count, *shape)
