"""Checkers for the exercises of notebooks 17–19: softmax cross-entropy, central differences, and the
backward pass of the two-conv-layer network.

They follow the other checkers' contract (see :mod:`cnnmath.check`): a fixed battery of small cases,
each there to catch one mistake learners make; one line ``✓ ...`` on success; an :class:`ExerciseFailed`
naming the first failing case, what was expected and what came back, and what to reread; and, for an
untouched stub (``NotImplementedError``), one fixed line after running the battery on the reference
solution instead. Expected values come from independent sources where one exists: the exact
derivative of the test function for ``numerical_gradient``; cnnmath's own function otherwise.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..ops.gradcheck import numerical_gradient
from ..ops.losses import softmax_cross_entropy
from ..seedforms import twoconv
from ._run import ExerciseFailed

__all__ = ["check_numerical_gradient", "check_softmax_cross_entropy", "check_twoconv_backward"]

RTOL, ATOL = 1e-6, 1e-9


@dataclass(frozen=True)
class _Case:
    """args: the positional arguments; about: what the case catches; expected: the right result;
    atol: the tolerance for this case; kwargs: keyword arguments."""

    args: tuple
    about: str
    expected: tuple
    atol: float = ATOL
    kwargs: dict | None = None

    def fresh(self) -> tuple:
        return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in self.args)


def _fmt(a) -> str:
    a = np.asarray(a, dtype=float) + 0.0
    return np.array2string(a, precision=6, suppress_small=True, floatmode="maxprec", max_line_width=100)


def _compare(name: str, got, expected, atol: float) -> str | None:
    """None if got matches expected, else what is wrong, in words."""
    exp = np.asarray(expected, dtype=float)
    if got is None:
        return f"{name} is None"
    try:
        g = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return f"{name} is a {type(got).__name__}, expected numbers of shape {exp.shape}"
    if g.shape != exp.shape:
        return f"{name} has shape {g.shape}, expected {exp.shape}"
    bad = ~np.isclose(g, exp, rtol=RTOL, atol=atol)
    if bad.any():
        return f"{name} is wrong:\n    expected {_fmt(exp)}\n    got      {_fmt(g)}"
    return None


@dataclass(frozen=True)
class _Spec:
    name: str
    reference: Callable
    outputs: tuple[str, ...]
    summary: str
    hint: str
    diagnose: Callable | None = None
    label: str = (
        ""  # how the reference solution is named in the stub line, e.g. "cnnmath.seedforms.twoconv.backward"
    )


def _call(fn, case: _Case):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # an overflow shows as a wrong (nan) result, explained below
        return fn(*case.fresh(), **(case.kwargs or {}))


def _problem(spec: _Spec, case: _Case, out) -> str | None:
    parts = (out,) if len(spec.outputs) == 1 else out
    if len(spec.outputs) > 1 and (not isinstance(parts, tuple | list) or len(parts) != len(spec.outputs)):
        return f"it must return a tuple ({', '.join(spec.outputs)}), got a {type(out).__name__}"
    for name, got, exp in zip(spec.outputs, parts, case.expected, strict=True):
        wrong = _compare(name, got, exp, case.atol)
        if wrong:
            found = spec.diagnose(name, got, exp, case) if spec.diagnose else None
            return wrong + (f"\n  It looks like {found}" if found else "")
    return None


def _grade(spec: _Spec, fn: Callable, cases: list[_Case], *, student: bool) -> int | None:
    """The number of the case where a stub raised NotImplementedError, or None if all pass."""
    for number, case in enumerate(cases, 1):
        head = f"{spec.name}: case {number} of {len(cases)} ({case.about})"
        try:
            out = _call(fn, case)
        except NotImplementedError:
            if student:
                return number
            raise
        except Exception as e:
            raise ExerciseFailed(f"{head}: your function raised {type(e).__name__}: {e}\n{spec.hint}") from e
        problem = _problem(spec, case, out)
        if problem:
            raise ExerciseFailed(f"{head}:\n  {problem}\n{spec.hint}")
    return None


def _run(spec: _Spec, fn: Callable, cases: list[_Case]) -> None:
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
    done = f"it passed {stub - 1} cases, then raised" if stub > 1 else "it raises"
    print(
        f"… {spec.name}: exercise not done yet ({done} NotImplementedError), so the {n} cases ran on "
        f"the reference solution {spec.label} instead: all pass. "
        "Replace the stub with your code and run this cell again."
    )


def _scale(got, exp) -> float | None:
    g, e = np.asarray(got, dtype=float), np.asarray(exp, dtype=float)
    e2 = float(np.sum(e * e))
    if g.shape != e.shape or e2 == 0 or not np.all(np.isfinite(g)):
        return None
    c = float(np.sum(g * e)) / e2
    return c if abs(c - 1) > 1e-6 and np.allclose(g, c * e, rtol=1e-6, atol=1e-9) else None


# ---------------------------------------------------------------- softmax cross-entropy (notebook 17)


def _ce_cases() -> list[_Case]:
    rng = np.random.default_rng(17)
    raw = [
        (np.array([[2.0, -1.0]]), np.array([0]), "one sample, K=2 classes"),
        (rng.normal(size=(3, 4)), np.array([3, 0, 2]), "a batch of N=3, K=4: the loss is the MEAN over n"),
        (np.zeros((2, 5)), np.array([1, 4]), "all logits equal: p = 1/K, loss = log K"),
        (
            np.array([[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 990.0]]),
            np.array([2, 1]),
            "huge logits: exp(1000) overflows unless the row maximum is subtracted first",
        ),
        (rng.normal(size=(4, 3)) * 3, np.array([0, 0, 1, 2]), "N=4, K=3, repeated labels"),
    ]
    return [_Case((z, y), about, softmax_cross_entropy(z, y)) for z, y, about in raw]


def _ce_diagnose(name, got, exp, case) -> str | None:
    z, y = case.args
    N, K = z.shape
    g = np.asarray(got, dtype=float)
    if not np.all(np.isfinite(g)):
        return "exp overflowed: subtract each row's maximum from the logits before exp (it cancels in p)."
    c = _scale(got, exp)
    if c is not None and abs(c - N) < 1e-9:
        return "a SUM over the batch: the loss is the mean over n, so every row of dlogits carries 1/N."
    if name == "dlogits" and np.allclose(g, exp + np.eye(K)[y] / N, atol=1e-9):
        return "you left out the − y: dlogits = (p − one_hot(labels)) / N."
    if c is not None and abs(c + 1) < 1e-9:
        return "the sign is flipped: the gradient of −log p_y is p − y, not y − p."
    return None


def check_softmax_cross_entropy(fn) -> None:
    """Grade ``fn(logits, labels) -> (loss, dlogits)`` (logits (N, K), labels (N,) ints; the mean over
    the batch) against :func:`cnnmath.softmax_cross_entropy`."""
    spec = _Spec(
        "softmax_cross_entropy",
        softmax_cross_entropy,
        ("loss", "dlogits"),
        "batches, equal logits, huge logits; graded: loss, dlogits",
        "Hint: loss = mean_n [log Σ_k exp(z[n, k]) − z[n, y_n]], dlogits = (softmax(z) − one_hot(y)) / N; "
        "compute log Σ exp as m + log Σ exp(z − m) with m the row maximum. "
        "Reread notebook 17-softmax-cross-entropy.ipynb.",
        _ce_diagnose,
        "cnnmath.softmax_cross_entropy",
    )
    _run(spec, fn, _ce_cases())


# ---------------------------------------------------------------- central differences (notebook 18)


def _cube_sum(x):
    return float(np.sum(np.asarray(x) ** 3))


def _abs_sum(x):
    return float(np.sum(np.abs(x)))


def _mixed(x):
    x = np.asarray(x)
    return float(np.sum(np.sin(x) * x[::-1]))  # entries interact: ∂/∂x_i = cos x_i x_{-i} + sin x_{-i}


def _nd_cases() -> list[_Case]:
    x1 = np.array([0.5, -1.0, 2.0])
    x2 = np.array([[0.3, -0.7], [1.1, 0.2], [-1.5, 0.9]])
    xk = np.array([0.05, -0.02, 0.5])
    xm = np.array([0.4, -0.3, 1.2, 0.8])
    return [
        _Case((_cube_sum, x1), "f(x) = Σ x³ on a 1-D x, eps = 1e-6", (3 * x1**2,), 1e-7),
        _Case(
            (_cube_sum, x2),
            "a 2-D x (3, 2): every entry is perturbed, the result has x's shape",
            (3 * x2**2,),
            1e-7,
        ),
        _Case(
            (_mixed, xm),
            "entries that interact: f(x) = Σ sin(x_i) x_(n−1−i)",
            (np.cos(xm) * xm[::-1] + np.sin(xm[::-1]),),
            1e-7,
        ),
        _Case(
            (_cube_sum, x1),
            "eps = 1e-3: central differences are off by eps², forward ones by eps",
            (3 * x1**2 + 1e-6,),
            1e-7,
            {"eps": 1e-3},
        ),
        _Case(
            (_abs_sum, xk),
            "f(x) = Σ |x| near its kink, eps = 0.1: the quotient (f(x+h) − f(x−h)) / 2h "
            "itself, not the derivative",
            (np.array([0.5, -0.2, 1.0]),),
            1e-9,
            {"eps": 0.1},
        ),
        _Case(
            (_cube_sum, np.arange(3)),
            "x given as integers: perturb a float copy",
            (3.0 * np.arange(3) ** 2,),
            1e-7,
        ),
    ]


def _nd_diagnose(name, got, exp, case) -> str | None:
    f, x = case.args
    eps = (case.kwargs or {}).get("eps", 1e-6)
    xf = np.asarray(x, dtype=float)
    forward = np.array([(f(xf + eps * e.reshape(xf.shape)) - f(xf)) / eps for e in np.eye(xf.size)])
    close = np.allclose(np.ravel(got), forward, rtol=RTOL, atol=case.atol)
    if close and not np.allclose(forward, np.ravel(exp), rtol=RTOL, atol=case.atol):
        return "forward differences (f(x + h) − f(x)) / h: their error is O(h), central ones O(h²)."
    c = _scale(got, exp)
    if c is not None and abs(c - 2) < 1e-6:
        return "you divided by eps instead of 2·eps."
    return None


def check_numerical_gradient(fn) -> None:
    """Grade ``fn(f, x, *, eps=1e-6) -> dx`` (central differences, dx with x's shape) against the exact
    derivatives of the test functions (and, near a kink, the exact difference quotient)."""
    spec = _Spec(
        "numerical_gradient",
        numerical_gradient,
        ("dx",),
        "1-D and 2-D x, eps = 1e-6, 1e-3 and 0.1, a kink",
        "Hint: for each entry i: save x_i, set x_i + eps, evaluate f, set x_i − eps, evaluate f, restore "
        "x_i; dx_i = (f₊ − f₋) / (2 eps). Work on a float copy of x. "
        "Reread notebook 18-gradient-checking.ipynb.",
        _nd_diagnose,
        "cnnmath.numerical_gradient",
    )
    _run(spec, fn, _nd_cases())


# ---------------------------------------------------------------- the two-conv network (notebook 19)


# (N, C0, C1, C2, H = W, K1, K2, classes, shift of b1, about), simplest first.
_TWOCONV = [
    (1, 1, 1, 1, 6, 3, 2, 2, 0.0, "one sample, one channel everywhere"),
    (2, 1, 2, 2, 7, 2, 2, 3, 0.0, "a batch of N=2: the parameter gradients SUM over n"),
    (2, 2, 3, 2, 8, 3, 2, 2, 0.0, "C0=2 input channels, C1=3, C2=2"),
    (3, 1, 2, 2, 7, 2, 2, 2, 0.5, "ReLU zeros: tied windows in the max pool (the first maximum)"),
]


def _tc_cases() -> list[_Case]:
    rng = np.random.default_rng(19)
    cases = []
    for N, C0, C1, C2, H, k1, k2, K, shift, about in _TWOCONV:
        p = twoconv.init_params((C0, C1, C2), (k1, k2), (H, H), K, rng)
        p = p._replace(b1=p.b1 - shift)  # shift > 0: most of z1 below 0, windows of zeros after the ReLU
        x = rng.normal(size=(N, C0, H, H))
        fwd = twoconv.forward(x, p)
        dlogits = rng.normal(size=(N, K))
        expected = twoconv.backward(dlogits, x, p, fwd)
        cases.append(_Case((dlogits, x, p, fwd), about, tuple(expected), 1e-10))
    return cases


def _tc_diagnose(name, got, exp, case) -> str | None:
    dlogits, x, p, fwd = case.args
    if name in ("w1", "b1"):
        no_relu = twoconv.backward(dlogits, x, p, fwd._replace(z1=np.abs(fwd.z1) + 1.0))
        if _compare(name, got, getattr(no_relu, name), 1e-10) is None:
            return "δ1 misses the factor f′(z1) (ReLU's mask z1 > 0) after the max pool's routing."
    c = _scale(got, exp)
    if c is not None and abs(c - 1 / len(x)) < 1e-9:
        return f"{name} is the MEAN over the batch; dlogits already holds the loss's 1/N, so SUM over n."
    return None


def check_twoconv_backward(fn) -> None:
    """Grade ``fn(dlogits, x, p, fwd) -> (dw1, db1, dw2, db2, dw3, db3)`` (p, fwd as in
    :mod:`cnnmath.seedforms.twoconv`) against :func:`cnnmath.seedforms.twoconv.backward`."""
    spec = _Spec(
        "backward",
        twoconv.backward,
        twoconv.Params._fields,
        "batches, channels, tied windows; all six gradients",
        "Hint: δ3 = dlogits; δ2 = (δ3 @ w3).reshape(z2.shape) · f′(z2); ∂E/∂p1 = the full convolution "
        "of δ2 with rot180(w2) (conv2d_backward's dx); δ1 = that, routed to each window's first maximum "
        "(fwd.gamma), · f′(z1); every weight gradient sums over the batch. "
        "Reread notebook 19-two-conv-layers.ipynb.",
        _tc_diagnose,
        "cnnmath.seedforms.twoconv.backward",
    )
    _run(spec, fn, _tc_cases())
