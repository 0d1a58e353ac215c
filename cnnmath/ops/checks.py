"""Argument checks shared by every public function.

Every check raises ``ValueError`` with a message that names the function, the
argument and the shapes involved, so that a learner sees *what* is wrong
instead of a broadcasting error from deep inside numpy.
"""

from __future__ import annotations

import numbers

import numpy as np


def as_array(fn: str, name: str, a, *, dtype=np.float64) -> np.ndarray:
    """``np.asarray(a, dtype)`` with a readable error; ``dtype=None`` keeps object arrays."""
    try:
        arr = np.asarray(a) if dtype is None else np.asarray(a, dtype=dtype)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{fn}: {name} must be a numeric array, got {type(a).__name__} ({e})") from None
    if dtype is None and arr.dtype.kind not in "biufO":
        raise ValueError(f"{fn}: {name} must be numeric, got dtype {arr.dtype}")
    return arr


def check_int(fn: str, name: str, value, *, minimum: int) -> int:
    """An integer (not bool, not 2.0) that is at least ``minimum``."""
    if type(value) is int and value >= minimum:  # the common case, without the slower ABC check
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{fn}: {name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{fn}: {name} must be an integer >= {minimum}, got {value}")
    return int(value)


def check_kernel_size(fn: str, kernel_size) -> tuple[int, int]:
    """``k`` or ``(kh, kw)`` -> ``(kh, kw)``, each an integer >= 1."""
    if isinstance(kernel_size, tuple | list):
        if len(kernel_size) != 2:
            raise ValueError(f"{fn}: kernel_size must be an int or a pair (kh, kw), got {kernel_size!r}")
        kh, kw = kernel_size
        return (
            check_int(fn, "kernel_size[0]", kh, minimum=1),
            check_int(fn, "kernel_size[1]", kw, minimum=1),
        )
    k = check_int(fn, "kernel_size", kernel_size, minimum=1)
    return k, k


def check_rank(fn: str, name: str, a: np.ndarray, ranks: tuple[int, ...], layout: str) -> None:
    if a.ndim not in ranks:
        allowed = " or ".join(str(r) for r in ranks)
        raise ValueError(f"{fn}: {name} must be {allowed}-D {layout}, got shape {a.shape}")


def check_shape(fn: str, name: str, a: np.ndarray, expected: tuple[int, ...], why: str) -> None:
    if a.shape != tuple(expected):
        raise ValueError(f"{fn}: {name} has shape {a.shape}, expected {tuple(expected)} ({why})")


def to_nchw(a: np.ndarray) -> np.ndarray:
    """(H, W) -> (1, 1, H, W); (C, H, W) -> (1, C, H, W); (N, C, H, W) unchanged (views)."""
    if a.ndim == 4:
        return a
    return a.reshape((1,) * (4 - a.ndim) + a.shape)


def from_nchw(a: np.ndarray, ndim: int) -> np.ndarray:
    """Undo :func:`to_nchw` for a result of the same rank as the input."""
    if ndim == 4:
        return a
    return a.reshape(a.shape[4 - ndim :])
