"""cnnmath.ops.finite_diff: the difference schemes against exact derivatives and their known error orders,
float32 against float64, relative error, the verdicts, kinks."""

from __future__ import annotations

import numpy as np
import pytest

import cnnmath as cm
from cnnmath.ops import finite_diff as fd


def _f(x):
    return np.sum(np.sin(x) * np.exp(x))


def _df(x):
    return (np.cos(x) + np.sin(x)) * np.exp(x)


def test_central_at_eps_is_numerical_gradient(rng):
    x = rng.normal(size=(3, 2))
    np.testing.assert_array_equal(fd.difference_gradient(_f, x, 1e-6), cm.numerical_gradient(_f, x, eps=1e-6))


@pytest.mark.parametrize(("scheme", "order"), [("central", 2), ("forward", 1)])
def test_truncation_error_has_the_schemes_order(scheme, order):
    """Halving h divides the error by 2^order while truncation dominates (h from 1e-1 to 1e-2)."""
    hs = np.array([0.08, 0.04, 0.02])
    err = fd.step_errors(_f, _df, 1.0, hs, scheme=scheme)
    ratios = err[:-1] / err[1:]
    np.testing.assert_allclose(ratios, 2.0**order, rtol=0.1)


def test_rounding_dominates_at_tiny_steps_and_float32_rounds_sooner():
    tiny = np.array([1e-11])
    assert fd.step_errors(_f, _df, 1.0, tiny)[0] > 1e-7  # rounding ε|f|/h, much larger than (h²/6)|f'''|
    best64 = fd.step_errors(_f, _df, 1.0, np.logspace(-8, -3, 11)).min()
    best32 = fd.step_errors(_f, _df, 1.0, np.logspace(-4, -1, 7), dtype=np.float32).min()
    assert best64 < 1e-9 and 1e-7 < best32 < 1e-4


def test_float32_really_computes_in_float32():
    out = fd.difference_gradient(lambda v: np.sum(v * v), np.array([1.0, 2.0]), 1e-3, dtype=np.float32)
    assert out.dtype == np.float32


def test_x_is_not_modified(rng):
    x = rng.normal(size=4)
    before = x.copy()
    fd.difference_gradient(_f, x, 1e-4, scheme="forward")
    np.testing.assert_array_equal(x, before)


def test_relative_error():
    assert fd.relative_error([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert fd.relative_error([1.0, 2.0], [1.0, 2.2]) == pytest.approx(0.2 / 2.2)
    assert fd.relative_error([1e-12], [2e-12]) == pytest.approx(0.5)  # scale-free
    assert fd.relative_error(np.zeros((0,)), np.zeros((0,))) == 0.0


@pytest.mark.parametrize(
    ("error", "word"), [(1e-9, "fine"), (1e-5, "kinks"), (1e-3, "probably a bug"), (0.5, "probably wrong")]
)
def test_verdict(error, word):
    assert word in fd.verdict(error)


def test_relu_kink_fools_central_differences():
    x = np.array([0.0, 1e-7, -1e-7, 0.5])
    numeric = fd.difference_gradient(lambda v: np.sum(cm.relu(v)), x, 1e-6)
    np.testing.assert_allclose(numeric, [0.5, 0.55, 0.45, 1.0], atol=1e-6)
    np.testing.assert_array_equal(fd.kinks_within(x, 1e-6), [True, True, True, False])


def test_kinks_within_is_strict_at_distance_h():
    """At |z| = h a central difference reaches the kink without crossing it: for ReLU with h = 0.5 the
    quotient at z = ±0.5 is exactly the one-sided slope 1 or 0 (dyadic numbers: no rounding), so such
    z are not flagged; at |z| < h the quotient is a blend of the two slopes and they are."""
    h, z = 0.5, np.array([0.5, -0.5, 0.25, -0.25, 0.75])
    numeric = fd.difference_gradient(lambda v: np.sum(cm.relu(v)), z, h)
    np.testing.assert_array_equal(numeric, [1.0, 0.0, 0.75, 0.25, 1.0])
    np.testing.assert_array_equal(fd.kinks_within(z, h), [False, False, True, True, False])


def test_max_pool_tie_splits_the_gradient():
    x = np.array([[1.0, 1.0], [0.0, 0.0]])
    numeric = fd.difference_gradient(lambda v: float(cm.max_pool2d(v, 2)[0, 0]), x, 1e-6)
    np.testing.assert_allclose(numeric, [[0.5, 0.5], [0, 0]], atol=1e-9)
    analytic = cm.max_pool2d_backward(np.ones((1, 1)), x, 2)
    np.testing.assert_array_equal(analytic, [[1, 0], [0, 0]])


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: fd.difference_gradient(_f, np.ones(2), 0.0), "h must be a finite number > 0, got 0.0"),
        (lambda: fd.difference_gradient(_f, np.ones(2), True), "h must be a finite number > 0, got True"),
        (lambda: fd.difference_gradient(_f, np.ones(2), np.inf), "h must be a finite number > 0, got inf"),
        (
            lambda: fd.difference_gradient(_f, np.ones(2), 1e-3, dtype="bad"),
            "dtype must be float32 or float64, got 'bad'",
        ),
        (lambda: fd.difference_gradient(3, np.ones(2), 1e-3), "difference_gradient: f must be a function"),
        (
            lambda: fd.difference_gradient(lambda x: x, np.ones(2), 1e-3),
            r"difference_gradient: f must return one real number .* shape \(2,\)",
        ),
        (
            lambda: fd.difference_gradient(lambda x: None, np.ones(2), 1e-3),
            r"difference_gradient: f must return one real number .* dtype object",
        ),
        (lambda: fd.difference_gradient(_f, np.ones(2), 1e-3, scheme="backward"), "scheme must be one of"),
        (lambda: fd.difference_gradient(_f, np.ones(2), 1e-3, dtype=np.float16), "float32 or float64"),
        (lambda: fd.relative_error(np.ones(2), np.ones(3)), r"shape \(2,\), numeric has shape \(3,\)"),
        (lambda: fd.step_errors(_f, _df, 1.0, [1e-3, -1.0]), "positive steps"),
        (lambda: fd.step_errors(_f, _df, 1.0, [1e-3, np.nan]), r"finite positive steps, got shape \(2,\)"),
        (lambda: fd.step_errors(_f, _df, 1.0, [np.inf]), r"finite positive steps, got shape \(1,\): \[inf\]"),
        (lambda: fd.step_errors(_f, _df, "1", [1e-3]), "step_errors: x0 must be a finite number, got '1'"),
        (lambda: fd.step_errors(_f, _df, np.ones(2), [1e-3]), "step_errors: x0 must be a finite number"),
        (lambda: fd.step_errors(_f, _df, 1j, [1e-3]), "step_errors: x0 must be a finite number, got 1j"),
        (lambda: fd.kinks_within(np.ones(2), -1), "h must be a number > 0, got -1"),
        (lambda: fd.kinks_within(np.ones(2), True), "h must be a number > 0, got True"),
        (lambda: fd.verdict("a"), "verdict: error must be a number >= 0, got 'a'"),
        (lambda: fd.verdict(np.nan), "verdict: error must be a number >= 0, got nan"),
        (lambda: fd.verdict(-1e-9), "verdict: error must be a number >= 0, got -1e-09"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
