"""Checkers for the exercises of notebooks 17–19: softmax cross-entropy, central differences, and the
backward pass of the two-conv-layer network.

They run on the checkers' runner (:mod:`cnnmath.check._run`, see :mod:`cnnmath.check`), with batteries
of their own: a few small cases, each there to catch one mistake learners make, graded at a tolerance
of their own (``Case.tol``: tighter than float32 precision, since some of these mistakes are small,
such as forward instead of central differences). Expected values come from independent sources where
one exists: the exact derivative of the test function for ``numerical_gradient`` (``Case.expected``);
cnnmath's own function otherwise.
"""

from __future__ import annotations

import numpy as np

from ..ops.gradcheck import numerical_gradient
from ..ops.losses import softmax_cross_entropy
from ..seedforms import twoconv
from ._battery import Case
from ._hints import _scale
from ._run import Spec, matches, run

__all__ = ["check_numerical_gradient", "check_softmax_cross_entropy", "check_twoconv_backward"]

RTOL, ATOL = 1e-6, 1e-9


# ---------------------------------------------------------------- softmax cross-entropy (notebook 17)


def _ce_cases() -> list[Case]:
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
    return [Case((z, y), ("logits", "labels"), {}, about, tol=(RTOL, ATOL)) for z, y, about in raw]


def _ce_diagnose(case: Case, part: str, got: np.ndarray, exp: np.ndarray) -> str | None:
    z, y = case.args
    N, K = z.shape
    if not np.all(np.isfinite(got)):
        return "exp overflowed: subtract each row's maximum from the logits before exp (it cancels in p)."
    c = _scale(got, exp)
    if c is not None and abs(c - N) < 1e-9:
        return "a SUM over the batch: the loss is the mean over n, so every row of dlogits carries 1/N."
    if part == "dlogits" and np.allclose(got, exp + np.eye(K)[y] / N, atol=1e-9):
        return "you left out the − y: dlogits = (p − one_hot(labels)) / N."
    if c is not None and abs(c + 1) < 1e-9:
        return "the sign is flipped: the gradient of −log p_y is p − y, not y − p."
    return None


def check_softmax_cross_entropy(fn) -> None:
    """Grade ``fn(logits, labels) -> (loss, dlogits)`` (logits (N, K), labels (N,) ints; the mean over
    the batch) against :func:`cnnmath.softmax_cross_entropy`."""
    spec = Spec(
        "softmax_cross_entropy",
        softmax_cross_entropy,
        ("loss", "dlogits"),
        ("loss", "dlogits"),
        "batches, equal logits, huge logits; graded: loss, dlogits",
        diagnose=_ce_diagnose,
    )
    run(spec, fn, _ce_cases())


# ---------------------------------------------------------------- central differences (notebook 18)


def sum_of_cubes(x):
    return float(np.sum(np.asarray(x) ** 3))


def sum_of_abs(x):
    return float(np.sum(np.abs(x)))


def sin_times_reversed(x):
    x = np.asarray(x)
    return float(np.sum(np.sin(x) * x[::-1]))  # entries interact: ∂/∂x_i = cos x_i x_{-i} + sin x_{-i}


def _nd_case(f, x, about: str, exact: np.ndarray, atol: float, eps: float | None = None) -> Case:
    """``exact``: the exact derivative (near a kink, the exact difference quotient), not a finite
    difference."""
    kwargs = {} if eps is None else {"eps": eps}  # the default eps = 1e-6 is not passed
    shown = {"eps": 1e-6 if eps is None else eps}
    return Case((f, x), ("f", "x"), kwargs, about, shown=shown, tol=(RTOL, atol), expected=exact)


def _nd_cases() -> list[Case]:
    x1 = np.array([0.5, -1.0, 2.0])
    x2 = np.array([[0.3, -0.7], [1.1, 0.2], [-1.5, 0.9]])
    xk = np.array([0.05, -0.02, 0.5])
    xm = np.array([0.4, -0.3, 1.2, 0.8])
    return [
        _nd_case(sum_of_cubes, x1, "f(x) = Σ x³ on a 1-D x, eps = 1e-6", 3 * x1**2, 1e-7),
        _nd_case(
            sum_of_cubes,
            x2,
            "a 2-D x (3, 2): every entry is perturbed, the result has x's shape",
            3 * x2**2,
            1e-7,
        ),
        _nd_case(
            sin_times_reversed,
            xm,
            "entries that interact: f(x) = Σ sin(x_i) x_(n−1−i)",
            np.cos(xm) * xm[::-1] + np.sin(xm[::-1]),
            1e-7,
        ),
        _nd_case(
            sum_of_cubes,
            x1,
            "eps = 1e-3: central differences are off by eps², forward ones by eps",
            3 * x1**2 + 1e-6,
            1e-7,
            eps=1e-3,
        ),
        _nd_case(
            sum_of_abs,
            xk,
            "f(x) = Σ |x| near its kink, eps = 0.1: the quotient (f(x+h) − f(x−h)) / 2h "
            "itself, not the derivative",
            np.array([0.5, -0.2, 1.0]),
            1e-9,
            eps=0.1,
        ),
        _nd_case(
            sum_of_cubes,
            np.arange(3),
            "x given as integers: perturb a float copy",
            3.0 * np.arange(3) ** 2,
            1e-7,
        ),
    ]


def _nd_diagnose(case: Case, part: str, got: np.ndarray, exp: np.ndarray) -> str | None:
    f, x = case.args
    eps = case.kwargs.get("eps", 1e-6)
    xf = np.asarray(x, dtype=float)
    forward = np.array([(f(xf + eps * e.reshape(xf.shape)) - f(xf)) / eps for e in np.eye(xf.size)])
    forward = forward.reshape(xf.shape)
    if matches(case, got, forward) and not matches(case, forward, exp):
        return "forward differences (f(x + h) − f(x)) / h: their error is O(h), central ones O(h²)."
    c = _scale(got, exp)
    if c is not None and abs(c - 2) < 1e-6:
        return "you divided by eps instead of 2·eps."
    return None


def check_numerical_gradient(fn) -> None:
    """Grade ``fn(f, x, *, eps=1e-6) -> dx`` (central differences, dx with x's shape) against the exact
    derivatives of the test functions (and, near a kink, the exact difference quotient)."""
    spec = Spec(
        "numerical_gradient",
        numerical_gradient,
        ("dx",),
        ("dx",),
        "1-D and 2-D x, eps = 1e-6, 1e-3 and 0.1, a kink",
        diagnose=_nd_diagnose,
    )
    run(spec, fn, _nd_cases())


# ---------------------------------------------------------------- the two-conv network (notebook 19)


# (N, C0, C1, C2, H = W, K1, K2, classes, shift of b1, about), simplest first.
_TWOCONV = [
    (1, 1, 1, 1, 6, 3, 2, 2, 0.0, "one sample, one channel everywhere"),
    (2, 1, 2, 2, 7, 2, 2, 3, 0.0, "a batch of N=2: the parameter gradients SUM over n"),
    (2, 2, 3, 2, 8, 3, 2, 2, 0.0, "C0=2 input channels, C1=3, C2=2"),
    (3, 1, 2, 2, 7, 2, 2, 2, 0.5, "ReLU zeros: tied windows in the max pool (the first maximum)"),
]


def _tc_cases() -> list[Case]:
    rng = np.random.default_rng(19)
    cases = []
    for N, C0, C1, C2, H, k1, k2, K, shift, about in _TWOCONV:
        p = twoconv.init_params((C0, C1, C2), (k1, k2), (H, H), K, rng)
        p = p._replace(b1=p.b1 - shift)  # shift > 0: most of z1 below 0, windows of zeros after the ReLU
        x = rng.normal(size=(N, C0, H, H))
        fwd = twoconv.forward(x, p)
        dlogits = rng.normal(size=(N, K))
        names = ("dlogits", "x", "p", "fwd")
        cases.append(Case((dlogits, x, p, fwd), names, {}, about, tol=(RTOL, 1e-10)))
    return cases


def _tc_diagnose(case: Case, part: str, got: np.ndarray, exp: np.ndarray) -> str | None:
    dlogits, x, p, fwd = case.args
    if part in ("dw1", "db1"):
        no_relu = twoconv.backward(dlogits, x, p, fwd._replace(z1=np.abs(fwd.z1) + 1.0))
        if matches(case, got, getattr(no_relu, part[1:])):
            return "δ1 misses the factor f′(z1) (ReLU's mask z1 > 0) after the max pool's routing."
    c = _scale(got, exp)
    if c is not None and abs(c - 1 / len(x)) < 1e-9:
        return f"{part} is the MEAN over the batch; dlogits already holds the loss's 1/N, so SUM over n."
    return None


def check_twoconv_backward(fn) -> None:
    """Grade ``fn(dlogits, x, p, fwd) -> (dw1, db1, dw2, db2, dw3, db3)`` (p, fwd as in
    :mod:`cnnmath.seedforms.twoconv`) against :func:`cnnmath.seedforms.twoconv.backward`."""
    grads = tuple(f"d{name}" for name in twoconv.Params._fields)
    spec = Spec(
        "backward",
        twoconv.backward,
        grads,
        grads,
        "batches, channels, tied windows; all six gradients",
        home="cnnmath.seedforms.twoconv",
        diagnose=_tc_diagnose,
    )
    run(spec, fn, _tc_cases())
