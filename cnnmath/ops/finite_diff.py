"""Gradient checking as a method: difference schemes, the step h, relative error, kinks.

:func:`cnnmath.numerical_gradient` is the ground truth of the tests (central differences, float64,
h = 1e-6). This module takes it apart, to study when such a check can be trusted:

    forward:  (f(x + h e_i) - f(x)) / h               error  ≈ (h/2) |f''|  +  2 ε|f| / h
    central:  (f(x + h e_i) - f(x - h e_i)) / (2h)    error  ≈ (h²/6) |f'''| +  ε|f| / h

(truncation + rounding, ε the unit roundoff of the dtype: 2^-53 for float64, 2^-24 for float32),

    relative error  = |a - n| / max(|a|, |n|)         (CS231n; 0 where both are 0)

and a kink (ReLU at 0, a tie in a max pool) inside [x - h, x + h] makes the difference quotient an
average of two one-sided slopes, which no analytic (sub)gradient matches.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .checks import as_array, check_callable, check_real
from .gradcheck import scalar_value

__all__ = [
    "SCHEMES",
    "THRESHOLDS",
    "difference_gradient",
    "kinks_within",
    "relative_error",
    "step_errors",
    "verdict",
]

SCHEMES = ("central", "forward")
# CS231n's rule of thumb for the largest relative error between analytic and numeric gradients:
# (upper bound, verdict), first bound that the error stays below wins.
THRESHOLDS = (
    (1e-7, "fine"),
    (1e-4, "fine for objectives with kinks, suspicious otherwise"),
    (1e-2, "uncomfortable: probably a bug"),
    (np.inf, "probably wrong"),
)


def _scheme(fn: str, scheme: str) -> str:
    if scheme not in SCHEMES:
        raise ValueError(f"{fn}: scheme must be one of {SCHEMES}, got {scheme!r}")
    return scheme


def difference_gradient(f: Callable, x, h: float, *, scheme: str = "central", dtype=np.float64) -> np.ndarray:
    """The finite-difference gradient of a scalar f at x, entry by entry, computed in ``dtype``.

    f: a function of an array of x's shape returning a scalar (it must not keep its argument);
    x: any shape, not modified; h > 0: the step; scheme: "central" or "forward";
    dtype: np.float64 or np.float32 — x, x ± h e_i, f's values and the quotient are all rounded to it.
    Returns an array of x's shape and of ``dtype``.
    """
    fn = "difference_gradient"
    _scheme(fn, scheme)
    check_callable(fn, "f", f)
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise ValueError(f"{fn}: dtype must be float32 or float64, got {dtype!r}") from None
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"{fn}: dtype must be float32 or float64, got {dtype}")
    check_real(fn, "h", h, minimum=0, strict=True)
    x = np.array(as_array(fn, "x", x), dtype=dtype)
    flat, grad = x.reshape(-1), np.zeros(x.size, dtype=dtype)
    step = dtype.type(h)

    def value():
        return dtype.type(scalar_value(fn, f(x), x.shape))

    f0 = value() if scheme == "forward" else None
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + step
        fp = value()
        if scheme == "central":
            flat[i] = old - step
            fm = value()
            grad[i] = (fp - fm) / (dtype.type(2) * step)
        else:
            grad[i] = (fp - f0) / step
        flat[i] = old
    return grad.reshape(x.shape)


def relative_error(analytic, numeric) -> float:
    """max over entries of |a - n| / max(|a|, |n|); an entry where both are exactly 0 counts 0.

    analytic, numeric: arrays of the same shape. Scale-free, unlike |a - n|: 1e-7 means about seven
    matching digits whatever the size of the gradient.
    """
    a = as_array("relative_error", "analytic", analytic)
    n = as_array("relative_error", "numeric", numeric)
    if a.shape != n.shape:
        raise ValueError(f"relative_error: analytic has shape {a.shape}, numeric has shape {n.shape}")
    scale = np.maximum(np.abs(a), np.abs(n))
    err = np.divide(np.abs(a - n), scale, out=np.zeros_like(scale), where=scale > 0)
    return float(err.max()) if err.size else 0.0


def verdict(error: float) -> str:
    """CS231n's reading of a relative error (see THRESHOLDS)."""
    check_real("verdict", "error", error, minimum=0, finite=False)
    return next(text for bound, text in THRESHOLDS if error < bound)


def step_errors(f: Callable, df: Callable, x0: float, hs, *, scheme: str = "central", dtype=np.float64):
    """|difference quotient - f'(x0)| for a scalar function of one variable, for every step in hs.

    f, df: numpy functions of a 0-d array (f is evaluated in ``dtype``; df, the exact derivative,
    in float64); x0: the point; hs: 1-D steps. Returns a float64 array of hs's length.
    """
    fn = "step_errors"
    _scheme(fn, scheme)
    check_callable(fn, "f", f)
    check_callable(fn, "df", df)
    x0 = float(check_real(fn, "x0", x0))
    hs = as_array(fn, "hs", hs)
    if hs.ndim != 1 or not np.all((hs > 0) & (hs < np.inf)):
        raise ValueError(
            f"{fn}: hs must be a 1-D array of finite positive steps, got shape {hs.shape}: "
            f"{np.array2string(hs, threshold=8)}"
        )
    exact = float(df(np.float64(x0)))
    return np.array(
        [abs(float(difference_gradient(f, np.array(x0), h, scheme=scheme, dtype=dtype)) - exact) for h in hs]
    )


def kinks_within(z, h: float) -> np.ndarray:
    """Mask of the entries of z (a ReLU's input, say) closer than h to the kink at 0: a central
    difference with step h that moves z by up to h crosses the kink there. z: any shape -> bool array."""
    z = as_array("kinks_within", "z", z)
    check_real("kinks_within", "h", h, minimum=0, strict=True, finite=False)
    return np.abs(z) < h
