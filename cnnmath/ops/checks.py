"""Argument checks shared by every public function.

Every check raises ``ValueError`` with a message that names the function, the
argument and the shapes involved, so that a learner sees *what* is wrong
instead of a broadcasting error from deep inside numpy.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

# The largest array a cnnmath function agrees to build (the padded input, the output, ...): a
# teaching package never needs more, and a typo (padding=30000) fails at once with the size it
# would have had instead of swapping or raising numpy's MemoryError. Raise it for your own use.
MAX_ARRAY_BYTES = 4 * 2**30

_KINDS = {  # numpy dtype kinds that are refused, with what to do instead
    "U": "strings: convert them yourself (np.asarray(x, dtype=float)) if they are numbers",
    "S": "bytes: convert them yourself (np.asarray(x, dtype=float)) if they are numbers",
    "M": "dates (datetime64): convert them to numbers first if that is meant",
    "m": "time spans (timedelta64): convert them to numbers first if that is meant",
    "c": "complex numbers: cnnmath works on real numbers (pass x.real if the imaginary part is 0)",
    "V": "structured records: pass a plain numeric array",
}


def _refuse(fn: str, name: str, arr: np.ndarray) -> None:
    """TypeError for what numpy would silently coerce: strings, dates, complex, None in an object array."""
    kind = arr.dtype.kind
    if kind in _KINDS:
        raise TypeError(f"{fn}: {name} holds {_KINDS[kind]}; got dtype {arr.dtype}, shape {arr.shape}")
    if kind == "O":
        for idx, v in np.ndenumerate(arr):
            if v is None or isinstance(v, str | bytes | complex | np.datetime64 | np.timedelta64):
                where = f"{name}[{', '.join(map(str, idx))}]" if idx else name
                raise TypeError(
                    f"{fn}: {name} must hold numbers, but {where} is {v!r} "
                    f"({type(v).__name__}; shape {arr.shape})" + (" (a missing value?)" if v is None else "")
                )


def _asarray(fn: str, name: str, a, what: str, fix: str) -> np.ndarray:
    """``np.asarray(a)``, refusing a masked array (its mask would be lost: ``fix`` says what to do)
    and naming the argument when numpy cannot make an array of it (``what`` it must be)."""
    if isinstance(a, np.ma.MaskedArray):
        raise TypeError(
            f"{fn}: {name} is a masked array (shape {a.shape}, {int(np.ma.count_masked(a))} masked): "
            f"the mask would be lost; {fix}"
        )
    try:
        return np.asarray(a)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{fn}: {name} must be {what}, got {type(a).__name__} ({e})") from None


def as_array(fn: str, name: str, a, *, dtype=np.float64) -> np.ndarray:
    """``np.asarray(a, dtype)`` with a readable error; ``dtype=None`` keeps object arrays.

    Refused with a TypeError instead of being coerced: masked arrays (the mask would be lost),
    strings, datetime64/timedelta64, complex numbers, None (or a string) inside an object array."""
    if type(a) is np.ndarray and a.dtype == dtype:  # the common case, checked in nanoseconds
        return a
    raw = _asarray(fn, name, a, "a numeric array", f"pass {name}.filled(value) or drop the masked entries")
    _refuse(fn, name, raw)
    if dtype is None:
        if raw.dtype.kind not in "biufO":
            raise ValueError(f"{fn}: {name} must be numeric, got dtype {raw.dtype}")
        return raw
    try:
        return raw.astype(dtype, copy=False)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{fn}: {name} must be a numeric array, got {type(a).__name__} ({e})") from None


def check_bytes(fn: str, what: str, shape: tuple[int, ...], because: str, *, itemsize: int = 8) -> None:
    """ValueError, before anything is allocated, if an array of ``shape`` would exceed MAX_ARRAY_BYTES."""
    size = itemsize * math.prod(shape)  # shapes hold Python ints (checked): exact, never a wrapped int64
    if size > MAX_ARRAY_BYTES:
        raise ValueError(
            f"{fn}: {because} would make {what} of shape {tuple(int(n) for n in shape)}: "
            f"{_gib(size)}, over cnnmath's limit of {_gib(MAX_ARRAY_BYTES)} per array "
            "(cnnmath.ops.checks.MAX_ARRAY_BYTES)"
        )


def _gib(n: int) -> str:
    return f"{n / 2**30:.3g} GiB" if n < 2**70 else f"about 2**{n.bit_length() - 1} bytes"


def check_int(fn: str, name: str, value, *, minimum: int) -> int:
    """An integer (not bool, not 2.0) that is at least ``minimum``."""
    if type(value) is int and value >= minimum:  # the common case, without the slower ABC check
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{fn}: {name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{fn}: {name} must be an integer >= {minimum}, got {value}")
    return int(value)


def check_real(
    fn: str,
    name: str,
    value,
    *,
    minimum=None,
    strict: bool = False,
    finite: bool = True,
    allow_nan: bool = False,
    why: str = "",
):
    """A real number (not bool, not a string, not complex; numpy and SymPy numbers are fine) that is
    at least ``minimum`` (above it with ``strict=True``) and, with ``finite=True``, finite; NaN only
    with ``allow_nan=True`` (a fill value, say). Returned as given (a SymPy Rational stays exact);
    ``why`` ends the message."""
    if finite:
        rule = (
            "a finite number" if minimum is None else f"a finite number {'>' if strict else '>='} {minimum}"
        )
    else:
        rule = "a number" if minimum is None else f"a number {'>' if strict else '>='} {minimum}"
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ValueError(f"{fn}: {name} must be {rule}{why}, got {value!r}")
    if allow_nan and value != value:
        return value
    ok = value == value  # False for NaN
    if ok and minimum is not None:
        ok = value > minimum if strict else value >= minimum
    if ok and finite:
        ok = -math.inf < value < math.inf
    if not ok:
        raise ValueError(f"{fn}: {name} must be {rule}{why}, got {value!r}")
    return value


def check_sizes(fn: str, name: str, value, layout: str, *, minimum: int = 1) -> tuple[int, ...]:
    """A tuple (or list) of as many integers >= ``minimum`` as ``layout`` names, e.g. "(H, W)" or
    "(N, C, H, W)" (a numpy shape is a tuple). Returns a tuple of Python ints."""
    n = layout.count(",") + 1
    if not isinstance(value, tuple | list) or len(value) != n:
        raise ValueError(f"{fn}: {name} must be {layout}, got {value!r}")
    return tuple(check_int(fn, f"{name}[{i}]", v, minimum=minimum) for i, v in enumerate(value))


def check_callable(fn: str, name: str, f) -> None:
    if not callable(f):
        raise ValueError(f"{fn}: {name} must be a function, got {type(f).__name__} {f!r}")


def as_labels(fn: str, name: str, labels) -> np.ndarray:
    """Integer class ids as an intp array (any shape; callers check it). Refused: floats, booleans,
    strings, None and masked arrays; an empty list (numpy reads it as float64) is an empty label array."""
    y = _asarray(fn, name, labels, "integer class ids", "drop the masked entries")
    if y.size == 0 and y.dtype == np.float64:
        y = y.astype(np.intp)
    if y.dtype.kind not in "iu":
        raise ValueError(f"{fn}: {name} must be integer class ids, got dtype {y.dtype} (shape {y.shape})")
    return y.astype(np.intp, copy=False)


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
