"""Running a learner's function over a battery: call, compare with cnnmath, explain the first failure.

Precision: a result passes at float32 precision, not only float64: entry by entry
|got - expected| <= TOL·(|expected| + max|expected|), and float32 arrays are accepted. A result
computed in float32, or in another order of summation, passes; a truncation, a stale value or a
wrong formula misses by far more. A case with its own ``tol = (rtol, atol)`` is graded entry by entry
with |got - expected| <= atol + rtol·|expected| instead (a checker whose mistakes are small, such as
forward instead of central differences).

A case whose input holds SymPy symbols (an object array; conv_matrix's last case) expects an object
array and compares it entry by entry exactly: ``expand(got - expected) == 0``.

Expected values come from the checker's reference function, or from the case itself
(``Case.expected``) where an independent source exists. A graded output whose expected value is a
scalar (a loss) may be returned as a number. Warnings raised inside the learner's function are
silenced: an overflow is graded, and explained, by the result it gives (inf or nan).
"""

from __future__ import annotations

import numbers
import os
import re
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp

from . import _report
from ._battery import Case, arrays
from ._hints import advice, diagnose, hint

__all__ = ["ExerciseFailed", "Spec", "matches", "run"]

TOL = 1e-5  # float32's epsilon is 1.2e-7: room for sums of a few dozen terms in float32
FLOATS = (np.float64, np.float32)
_NOT_MINE = tuple(  # tracebacks: frames in these folders are not the learner's code
    os.path.dirname(m.__file__) + os.sep for m in (np, sp, __import__("cnnmath"), __import__("functools"))
)


_SYMBOLS = (
    "Your function passed the cases with numbers, so its geometry is right; with SymPy symbols it puts "
    "other entries: look for what treats the weights as numbers (a comparison, abs, a sort, a test such "
    "as w[r, t] != 0)."
)


class ExerciseFailed(AssertionError):
    """A learner's function gave a wrong answer (or crashed) on one case of a checker's battery."""


@dataclass(frozen=True)
class Spec:
    """name: the function the learner writes, as the messages call it (mostly the name of
    ``reference``, the cnnmath function it re-implements and the ground truth); outputs: names of
    what it returns (one name: a single array); graded: the outputs compared; home: where a learner
    finds the reference (``cnnmath`` for the fast forms), as ``home.<reference's name>``; diagnose:
    the checker's own known mistakes, ``diagnose(case, part, got, expected) -> str | None``, tried
    after the shared ones that rest on evidence (see :func:`cnnmath.check._hints.diagnose`)."""

    name: str
    reference: Callable
    outputs: tuple[str, ...]
    graded: tuple[str, ...]
    summary: str
    home: str = "cnnmath"
    diagnose: Callable | None = None


class _Stub(Exception):
    def __init__(self, number: int, error: NotImplementedError):
        super().__init__(number, error)
        self.number = number


def _header(spec: Spec, number: int, total: int, case: Case, what: str) -> str:
    return (
        f"{spec.name}: {what} in case {number} of {total} ({case.about}).\n"
        f"{_report.case_text(spec.name, case)}"
    )


def _split(spec: Spec, out) -> tuple[dict | None, str | None]:
    """The returned value as {output name: value}, or a message saying why it cannot be."""
    if len(spec.outputs) == 1:
        return {spec.outputs[0]: out}, None
    k, names = len(spec.outputs), ", ".join(spec.outputs)
    if not isinstance(out, tuple | list) or len(out) != k:
        got = f"a {type(out).__name__}" + (f" of length {len(out)}" if isinstance(out, tuple | list) else "")
        return None, (
            f"  it must return a tuple ({names}) of {k} arrays, got {got}."
            " Return None for a part the exercise does not ask for."
        )
    return dict(zip(spec.outputs, out, strict=True)), None


def _bad(got: np.ndarray, exp: np.ndarray, tol: tuple[float, float] | None) -> np.ndarray:
    """Entries that differ by more than float32 precision, or by more than the case's ``tol``
    (see the module's docstring)."""
    if tol is not None:
        rtol, atol = tol
    else:  # float32 precision, relative to the largest expected entry
        scale = float(np.max(np.abs(exp), initial=0.0)) if np.all(np.isfinite(exp)) else 0.0
        rtol, atol = TOL, TOL * scale + 1e-12
    with np.errstate(invalid="ignore"):
        return ~np.isclose(got, exp, rtol=rtol, atol=atol)


def _same(a, b) -> bool:
    """Same shape and entries (NaN equal to NaN; for object arrays of SymPy expressions, ==)."""
    a, b = np.asarray(a), np.asarray(b)
    symbolic = a.dtype == object or b.dtype == object
    return a.shape == b.shape and np.array_equal(a, b, equal_nan=not symbolic)


def _bad_symbolic(got: np.ndarray, exp: np.ndarray) -> np.ndarray:
    """Entries of an object array that are not exactly the expected SymPy expression."""
    out = np.zeros(exp.shape, dtype=bool)
    for idx in np.ndindex(exp.shape):
        try:
            out[idx] = sp.expand(sp.sympify(got[idx]) - sp.sympify(exp[idx])) != 0
        except (sp.SympifyError, TypeError):
            out[idx] = True
    return out


def matches(case: Case, got, value) -> bool:
    """``got`` has the shape of ``value`` and passes for it at the case's precision (for diagnoses:
    is this what a known mistake gives?)."""
    got, value = np.asarray(got, dtype=np.float64), np.asarray(value, dtype=np.float64)
    return got.shape == value.shape and not _bad(got, value, case.tol).any()


def _inputs(case: Case, args: tuple) -> list[tuple[str, np.ndarray]]:
    """Every array among the arguments, named (the fields of a NamedTuple argument too)."""
    return [pair for name, arg in zip(case.names, args, strict=True) for pair in arrays(name, arg)]


class _Log:
    """What the earlier cases returned: the learner's arrays (to see if a later call changes them)
    and the expected outputs (to recognise the answer of an earlier case with the same shapes)."""

    def __init__(self):
        self.returned: list[tuple[int, str, np.ndarray, np.ndarray]] = []
        self.expected: list[tuple[int, Case, dict]] = []

    def changed(self) -> tuple[int, str] | None:
        for number, name, arr, copy in self.returned:
            if not _same(arr, copy):
                return number, name
        return None


def _aliasing(spec: Spec, case: Case, args: tuple, parts: dict) -> tuple[str, str] | None:
    arrays = [(n, a) for n, a in parts.items() if isinstance(a, np.ndarray)]
    for i, (name, out) in enumerate(arrays):
        for arg_name, arg in _inputs(case, args):
            if np.shares_memory(out, arg):
                return f"{name} shares memory with {arg_name}", (
                    f"  your {name} is a view of the input {arg_name} (the same memory, "
                    f"e.g. {arg_name}[0] or {arg_name}.reshape(...)): when the caller changes {arg_name}, "
                    f"{name} changes too."
                    " Return a new array (np.array(...), .copy())."
                )
        for other, out2 in arrays[i + 1 :]:
            if np.shares_memory(out, out2):
                return f"{name} shares memory with {other}", (
                    f"  your {name} and {other} share memory: changing one (an optimizer's update) changes "
                    "the other. Return separate arrays (.copy())."
                )
    return None


def _problem(spec: Spec, case: Case, number: int, args: tuple, snapshot: tuple, out, log: _Log):
    """(what is wrong, details, hint or None) for the first problem with one call's result, or None."""
    for (name, arg), (_, before) in zip(_inputs(case, args), _inputs(case, snapshot), strict=True):
        if not _same(arg, before):
            return f"{name} was modified", _report.modified_text(name, before, arg), None
    parts, message = _split(spec, out)
    if message:
        return "the result has the wrong form", message, None
    changed = log.changed()
    if changed is not None:
        k, name = changed
        return (
            f"the {name} of case {k} changed",
            (
                f"  the {name} your function returned in case {k} changed when it was called again "
                f"in case {number}: it returns an array kept outside the function (a module-level buffer), "
                "which the next call "
                "overwrites."
            ),
            None,
        )
    truth = case.expected if case.expected is not None else spec.reference(*case.fresh(), **case.kwargs)
    expected, _ = _split(spec, truth)
    for name in spec.graded:
        got, exp = parts[name], np.asarray(expected[name])
        if got is None:
            return f"{name} is None", f"  it returned None for {name}, which this exercise asks for.", None
        if exp.ndim == 0 and isinstance(got, numbers.Number | np.generic):
            got = parts[name] = np.asarray(got)  # a scalar output (a loss) may be a number
        if not isinstance(got, np.ndarray):
            kind = "a number" if exp.ndim == 0 else "an array"
            what = "a number" if exp.ndim == 0 else f"a numpy array of shape {exp.shape}"
            return f"{name} is not {kind}", f"  {name} is a {type(got).__name__}, expected {what}.", None
        if exp.dtype == object and got.dtype != object:
            return (
                f"{name} has dtype {got.dtype}",
                f"  {name} has dtype {got.dtype}, expected an object array holding SymPy expressions "
                "(the input holds SymPy symbols).",
                "topical",
            )
        if got.dtype not in FLOATS and exp.dtype != object:
            integer = got.dtype.kind in "iub"
            return (
                f"{name} has dtype {got.dtype}",
                (
                    f"  {name} has dtype {got.dtype}, expected float64 (or float32)"
                    + (
                        ": an integer array truncates gradients. Create it with np.zeros(shape) "
                        "(float64), not np.zeros_like(x) of an integer x."
                        if integer
                        else "."
                    )
                ),
                None,
            )
        if got.shape != exp.shape:
            return f"{name} has the wrong shape", _report.shape_text(name, exp, got), "topical"
    alias = _aliasing(spec, case, args, parts)
    if alias is not None:
        return (*alias, None)
    for name in spec.graded:
        exp = np.asarray(expected[name])
        if exp.dtype == object:  # SymPy expressions: exactly, and no numeric diagnosis
            got = np.asarray(parts[name])
            bad = _bad_symbolic(got, exp)
            if bad.any():
                return (
                    f"{name} is wrong",
                    _report.diff_text(name, exp, got, bad),
                    advice(spec.name, _SYMBOLS, name),
                )
            continue
        got = np.asarray(parts[name], dtype=np.float64)
        bad = _bad(got, exp, case.tol)
        if bad.any():
            found = diagnose(spec, case, name, got, exp, log.expected)
            details = _report.diff_text(name, exp, got, bad)
            if found is None:
                return f"{name} is wrong", details, "topical"
            text, own_hint = found
            return f"{name} is wrong", f"{details}\n  It looks like {text}", own_hint or "topical"
    for name, got in parts.items():
        if isinstance(got, np.ndarray):
            log.returned.append((number, name, got, got.copy()))
    log.expected.append((number, case, expected))
    return None


def _raised_at(e: BaseException) -> tuple[int, str] | None:
    """(line number, source line) of the innermost frame of the learner's code in e's traceback."""
    frames = traceback.extract_tb(e.__traceback__)[1:]  # the first frame is the checker's call
    mine = [f for f in frames if not f.filename.startswith(_NOT_MINE) and f.line]
    return (mine[-1].lineno, mine[-1].line.strip()) if mine else None


def _raised(spec: Spec, case: Case, number: int, total: int, e: Exception) -> ExerciseFailed:
    """The report of an exception: its text, the line that raised it, a hint about that line."""
    text = str(e)
    lines = [
        _header(spec, number, total, case, f"your function raised {type(e).__name__}"),
        f"  {type(e).__name__}: {text}",
    ]
    at = _raised_at(e)
    part = spec.graded[0]
    if at is not None:
        lines.append(f"  at line {at[0]} of your function: {at[1]}")
        named = [p for p in spec.outputs if re.search(rf"\b{p}\b", at[1])]
        part = next((p for p in named if p in spec.graded), named[0] if named else part)
    if "Cannot cast ufunc" in text and "int" in text:
        lines.append(
            advice(
                spec.name,
                "An integer array cannot hold the non-integer values added to it: it "
                "was made with an integer dtype, e.g. np.zeros_like(x) of an integer x. Use "
                "np.zeros(x.shape) (float64).",
                part,
            )
        )
        return ExerciseFailed("\n".join(lines))
    if "float" in text and "integer" in text:
        lines.append("  Sizes must be integers: Ho = (H + 2p − KH) // S + 1 (// is integer division).")
    lines.append(hint(spec.name, case, part))
    return ExerciseFailed("\n".join(lines))


def _grade(spec: Spec, fn: Callable, cases: list[Case], *, student: bool) -> _Stub | None:
    total = len(cases)
    log = _Log()
    for number, case in enumerate(cases, 1):
        args = case.fresh()
        snapshot = case.fresh()
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")  # an overflow is graded by its result (see the docstring)
                out = fn(*args, **case.kwargs)
        except NotImplementedError as e:
            if student:
                return _Stub(number, e)
            raise
        except Exception as e:
            raise _raised(spec, case, number, total, e) from e
        problem = _problem(spec, case, number, args, snapshot, out, log)
        if problem is not None:
            what, details, own = problem
            part = next((p for p in spec.graded if what.startswith(p + " ")), spec.graded[0])
            text = hint(spec.name, case, part) if own == "topical" else own  # None: no hint
            raise ExerciseFailed(
                f"{_header(spec, number, total, case, what)}\n{details}" + (f"\n{text}" if text else "")
            )
    return None


def run(spec: Spec, fn: Callable, cases: list[Case]) -> None:
    """Grade ``fn`` on ``cases``; print one line on success or for a stub; raise ExerciseFailed."""
    if not callable(fn):
        raise TypeError(
            f"the {spec.name} checker: pass your function itself (its name, without parentheses), "
            f"got a {type(fn).__name__}"
        )
    stub = _grade(spec, fn, cases, student=True)
    n = len(cases)
    if stub is None:
        print(f"✓ {spec.name}: all {n} cases pass ({spec.summary}).")
        return
    _grade(spec, spec.reference, cases, student=False)
    done = f"it passed {stub.number - 1} cases, then raised" if stub.number > 1 else "it raises"
    print(
        f"… {spec.name}: exercise not done yet ({done} NotImplementedError), so its cases ran on "
        f"the reference solution {spec.home}.{spec.reference.__name__} instead: all pass. "
        "Replace the stub with your code and run this cell again."
    )
