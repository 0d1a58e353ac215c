"""The checkers' messages, in plain words: which case, what was expected, what came back.

Numbers are printed with fixed settings (not the notebook's print options), so a message is the
same on every machine and in every kernel.
"""

from __future__ import annotations

import numpy as np

from ._battery import Case, arrays

__all__ = ["array_text", "case_text", "diff_text", "modified_text", "num", "shape_text"]

_SMALL = 40  # inputs with at most this many entries are printed in full


def num(v, digits: int = 6) -> str:
    """A scalar without numpy's ``np.float64(...)`` repr: ``3``, ``-0.25``, ``nan``."""
    return f"{float(v) + 0.0:.{digits}g}"  # + 0.0 turns -0 into 0


def _nums(expected, got) -> tuple[str, str]:
    """Both with 6 significant digits, or with as many more as it takes to tell them apart."""
    for digits in (6, 9, 12, 17):
        e, g = num(expected, digits), num(got, digits)
        if e != g:
            break
    return e, g


def array_text(a: np.ndarray, indent: str = "    ") -> str:
    a = np.asarray(a)
    text = np.array2string(
        a if a.dtype.kind in "iuO" else a.astype(float) + 0.0,  # integers (labels), SymPy as they are
        precision=4,
        suppress_small=True,
        floatmode="maxprec",
        max_line_width=100,
        threshold=200,
        edgeitems=3,
        sign="-",
        legacy=False,
    )
    return "\n".join((indent + line).rstrip() for line in text.splitlines())


def _index(name: str, idx) -> str:
    return f"{name}[{', '.join(str(int(i)) for i in idx)}]" if len(idx) else name


def _one_map(a: np.ndarray) -> bool:
    """At most 2-D once leading axes of length 1 are dropped, and small: worth printing in full."""
    return a.size <= _SMALL and all(n == 1 for n in a.shape[:-2])


def _show_input(name: str, a: np.ndarray) -> str:
    """A 4-D input whose leading axes are 1 is printed as its single 2-D map, x[0, 0]."""
    lead = (0,) * max(a.ndim - 2, 0)
    return f"  {_index(name, lead)} =\n{array_text(a[lead])}"


def case_text(fn_name: str, case: Case) -> str:
    """The call and the shapes (a NamedTuple of arrays, such as a network's parameters, on a line of
    its own); the inputs themselves when the case is small."""
    pairs = list(zip(case.names, case.args, strict=True))
    held = [arrays(n, a) for n, a in pairs]
    values = [
        n if h else a.__name__ if callable(a) else repr(a) for (n, a), h in zip(pairs, held, strict=True)
    ]
    call = f"{fn_name}({', '.join(values + [f'{k}={v!r}' for k, v in case.shown.items()])})"
    shapes, fields = [], []
    for (n, a), h, v in zip(pairs, held, values, strict=True):
        if isinstance(a, np.ndarray) or not h:
            shapes.append(f"{n}.shape={a.shape}" if h else f"{n}={v}")
        else:
            fields.append(f"  {n}: " + ", ".join(f"{k[len(n) + 1 :]}.shape={x.shape}" for k, x in h))
    lines = [f"  the call: {call}", f"  with {', '.join(shapes)}", *fields]
    inputs = [(n, a) for n, a in pairs if isinstance(a, np.ndarray)]
    if all(_one_map(a) for _, a in inputs):  # else the shapes say enough; the diff shows one map
        lines += [_show_input(n, a) for n, a in inputs]
    return "\n".join(lines)


def diff_text(name: str, expected: np.ndarray, got: np.ndarray, bad: np.ndarray) -> str:
    """The first differing entries, then the 2-D slice holding the first one, expected and got."""
    if expected.ndim == 0:  # a scalar (a loss)
        e, g = _nums(expected, got)
        return f"  {name}: expected {e}, got {g}"
    where = np.argwhere(bad)
    lines = [f"  {name}: {len(where)} of {expected.size} entries differ. The first ones:"]
    for idx in where[:3]:
        t = tuple(int(i) for i in idx)
        e, g = (str(expected[t]), str(got[t])) if expected.dtype == object else _nums(expected[t], got[t])
        lines.append(f"    {_index(name, t)}: expected {e}, got {g}")
    first = tuple(int(i) for i in where[0])
    lead = first[:-2] if expected.ndim > 2 else ()
    exp2, got2 = expected[lead], got[lead]
    if exp2.ndim == 2 and exp2.size > 120:  # a big matrix (conv_matrix): only the row that differs
        lead, exp2, got2 = first[:1], exp2[first[0]], got2[first[0]]
    label = _index(name, lead)
    lines += [f"  expected {label} =", array_text(exp2), f"  got {label} =", array_text(got2)]
    return "\n".join(lines)


def shape_text(name: str, expected: np.ndarray, got: np.ndarray) -> str:
    text = f"  {name} has shape {got.shape}, expected {expected.shape}."
    if 0 in got.shape and 0 not in expected.shape:
        text += (
            " An axis of length 0 often comes from a crop like a[p:-p]: when p = 0 that is a[0:-0],"
            " an empty slice. Crop with a[p:p + H] instead."
        )
    elif got.ndim == 2 and got.shape == expected.shape[::-1]:
        text += f" That is the shape of {name}.T: check the order of the factors."
    return text


def modified_text(name: str, before: np.ndarray, after) -> str:
    after = np.asarray(after)
    text = f"  your function changed its argument {name} in place"
    if after.shape == before.shape and before.dtype == object:  # SymPy symbols
        t = tuple(int(i) for i in np.argwhere(after != before)[0])
        text += f" ({_index(name, t)} was {before[t]}, is now {after[t]})"
    elif after.shape == before.shape:
        t = tuple(int(i) for i in np.argwhere(~((after == before) | (np.isnan(after) & np.isnan(before))))[0])
        text += f" ({_index(name, t)} was {num(before[t])}, is now {num(after[t])})"
    return text + (
        ". Never modify an input, least of all the upstream gradient: the caller still needs it."
        " Work on a copy (a.copy()) or build a new array (np.zeros(a.shape))."
    )
