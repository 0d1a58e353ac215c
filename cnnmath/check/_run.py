"""Running a learner's function over a battery: call, compare with cnnmath, explain the first failure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import _report
from ._battery import Case
from ._hints import diagnose, hint

__all__ = ["ExerciseFailed", "Spec", "run"]

RTOL, ATOL = 1e-6, 1e-9


class ExerciseFailed(AssertionError):
    """A learner's function gave a wrong answer (or crashed) on one case of a checker's battery."""


@dataclass(frozen=True)
class Spec:
    """name: the cnnmath function the learner re-implements (also the ground truth, ``reference``);
    outputs: names of what it returns (one name: a single array); graded: the outputs compared;
    home: where a learner finds the reference (``cnnmath`` for the fast forms)."""

    name: str
    reference: Callable
    outputs: tuple[str, ...]
    graded: tuple[str, ...]
    summary: str
    home: str = "cnnmath"


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


def _problem(spec: Spec, case: Case, args: tuple, snapshot: tuple, out) -> tuple[str, str] | None:
    """(what is wrong, details) for the first problem with one call's result, or None."""
    for name, arg, before in zip(case.names, args, snapshot, strict=True):
        if isinstance(before, np.ndarray) and not (
            np.shape(arg) == before.shape and np.array_equal(arg, before, equal_nan=True)
        ):
            return f"{name} was modified", _report.modified_text(name, before, arg)
    parts, message = _split(spec, out)
    if message:
        return "the result has the wrong form", message
    expected, _ = _split(spec, spec.reference(*case.fresh(), **case.kwargs))
    for name in spec.graded:
        got, exp = parts[name], np.asarray(expected[name])
        if got is None:
            return f"{name} is None", f"  it returned None for {name}, which this exercise asks for."
        if not isinstance(got, np.ndarray):
            return f"{name} is not an array", (
                f"  {name} is a {type(got).__name__}, expected a numpy array of shape {exp.shape}."
            )
        if got.dtype != np.float64:
            return f"{name} has dtype {got.dtype}", (
                f"  {name} has dtype {got.dtype}, expected float64 (an integer array truncates gradients:"
                " create it with np.zeros(shape) or np.zeros_like of a float array)."
            )
        if got.shape != exp.shape:
            return f"{name} has the wrong shape", _report.shape_text(name, exp, got)
        bad = ~np.isclose(got, exp, rtol=RTOL, atol=ATOL)
        if bad.any():
            found = diagnose(spec.name, case, name, got, exp)
            details = _report.diff_text(name, exp, got, bad)
            return f"{name} is wrong", details + (f"\n  It looks like {found}" if found else "")
    return None


def _grade(spec: Spec, fn: Callable, cases: list[Case], *, student: bool) -> _Stub | None:
    total = len(cases)
    for number, case in enumerate(cases, 1):
        args = case.fresh()
        snapshot = case.fresh()
        try:
            out = fn(*args, **case.kwargs)
        except NotImplementedError as e:
            if student:
                return _Stub(number, e)
            raise
        except Exception as e:
            sizes = "float" in str(e) and "integer" in str(e)
            raise ExerciseFailed(
                f"{_header(spec, number, total, case, f'your function raised {type(e).__name__}')}\n"
                f"  {type(e).__name__}: {e}\n"
                + (
                    "  Sizes must be integers: Ho = (H + 2p − KH) // S + 1 (// is integer division).\n"
                    if sizes
                    else ""
                )
                + hint(spec.name, case, spec.graded[0])
            ) from e
        problem = _problem(spec, case, args, snapshot, out)
        if problem is not None:
            what, details = problem
            part = next((p for p in spec.graded if what.startswith(p + " ")), spec.graded[0])
            topical = what.endswith(("is wrong", "wrong shape"))  # not for a modified input, a dtype, ...
            raise ExerciseFailed(
                f"{_header(spec, number, total, case, what)}\n{details}"
                + (f"\n{hint(spec.name, case, part)}" if topical else "")
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
        f"… {spec.name}: exercise not done yet ({done} NotImplementedError), so the {n} cases ran on "
        f"the reference solution {spec.home}.{spec.name} instead: all pass. Replace the stub with your code "
        "and run this cell again."
    )
