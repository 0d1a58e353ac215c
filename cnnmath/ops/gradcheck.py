"""Central finite differences: the numeric ground truth every gradient is checked against."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .checks import as_array, check_callable, check_real

__all__ = ["numerical_gradient", "scalar_value"]


def numerical_gradient(f: Callable[[np.ndarray], float], x, *, eps: float = 1e-6) -> np.ndarray:
    """Central differences ``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)`` for every entry of ``x``.

    f: a scalar function of an array of ``x``'s shape (it must not keep a reference to its argument).
    x: any shape; it is not modified (a float64 copy is perturbed).
    Returns dx: same shape as ``x``. The error is O(eps²) for smooth f.
    """
    fn = "numerical_gradient"
    check_callable(fn, "f", f)
    x = as_array(fn, "x", x).copy()
    eps = float(check_real(fn, "eps", eps, minimum=0, strict=True))
    dx = np.zeros_like(x)
    flat, dflat = x.reshape(-1), dx.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        fp = scalar_value(fn, f(x), x.shape)
        flat[i] = old - eps
        fm = scalar_value(fn, f(x), x.shape)
        flat[i] = old
        dflat[i] = (fp - fm) / (2 * eps)
    return dx


def scalar_value(fn: str, value, x_shape) -> float:
    """f's value as a float; a ValueError naming the shapes if f returned a vector or a non-number
    (None, a string, a complex number). Shared by every finite-difference routine."""
    v = np.asarray(value)
    if v.size != 1 or v.dtype.kind not in "biuf":
        raise ValueError(
            f"{fn}: f must return one real number (a loss), got an array of shape {v.shape} "
            f"and dtype {v.dtype} for x of shape {x_shape}; for a vector function g, differentiate a "
            "scalar such as lambda x: np.sum(g(x) * dy)"
        )
    return float(v.reshape(-1)[0])
