"""cnnmath.reference.pool: max pooling's loops on seed 003's table and mean pooling's float loops (a
non-square window and stride), worked out by hand; the pooling loops on SymPy symbols (mean pooling
is exact quarters, the Lp backward pass is sympy.diff of the Lp forward pass)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from cnnmath import reference as ref
from cnnmath.symbolic import grid, prove_equal


def test_reference_max_pooling_on_seed003_by_hand(seed003_a):
    """2×2 windows, stride 2: each window's maximum, read off seed 003's table; δ = 1..9 goes to the
    cell that held it, the upper 5 of the tied window (1, 0) (row-major first, PyTorch's rule)."""
    np.testing.assert_array_equal(ref.max_pool2d(seed003_a, 2), [[7, 9, 9], [5, 9, 7], [9, 7, 7]])
    dy = np.arange(1.0, 10.0).reshape(3, 3)
    expected = np.zeros((6, 6))
    for (row, col), d in zip(
        [(1, 1), (1, 2), (0, 5), (2, 0), (2, 2), (3, 4), (4, 0), (5, 3), (5, 5)], dy.ravel(), strict=True
    ):
        expected[row, col] = d
    np.testing.assert_array_equal(ref.max_pool2d_backward(dy, seed003_a, 2), expected)


def test_reference_max_pooling_overlapping_windows_add_up():
    """3×3 windows with stride 1 on a 4×4 image whose maximum 9 sits in all four windows: it gets
    the sum of their four δ; nothing else gets any."""
    x = np.zeros((4, 4))
    x[1, 2] = 9.0
    dy = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(ref.max_pool2d(x, 3, stride=1), [[9, 9], [9, 9]])
    expected = np.zeros((4, 4))
    expected[1, 2] = 10.0
    np.testing.assert_array_equal(ref.max_pool2d_backward(dy, x, 3, stride=1), expected)


def test_reference_avg_pooling_on_floats_by_hand():
    """The float path (the symbols' path uses sp.Rational): a 2×3 window with strides (1, 2) on the 3×5
    image x[i, j] = 5i + j. Window (i, j) covers rows i, i+1 and columns 2j..2j+2, so its mean is
    5(i + 1/2) + 2j + 1. Backward with δ = 1: each pixel gets (windows covering it)/6, i.e. its row's
    count (1, 2, 1) times its column's count (1, 1, 2, 1, 1), over 6."""
    x = 5.0 * np.arange(3)[:, None] + np.arange(5.0)
    np.testing.assert_allclose(
        ref.avg_pool2d(x, (2, 3), stride=(1, 2)), [[3.5, 5.5], [8.5, 10.5]], rtol=1e-15
    )
    dx = ref.avg_pool2d_backward(np.ones((2, 2)), x, (2, 3), stride=(1, 2))
    np.testing.assert_allclose(dx, np.outer([1, 2, 1], [1, 1, 2, 1, 1]) / 6, rtol=1e-15)


def test_reference_avg_and_lp_on_sympy_symbols():
    """The loop forms run on symbols: mean pooling is exact quarters; the Lp gradient is sp.diff."""
    X = grid("x", (2, 4), real=True)
    y = ref.avg_pool2d(X, 2)
    prove_equal(y[0, 0], sp.Rational(1, 4) * (X[0, 0] + X[0, 1] + X[1, 0] + X[1, 1]))
    D = grid("δ", (1, 2))
    for p in (1, 2, 3):
        yp = ref.lp_pool2d(X, p, 2)
        dx = ref.lp_pool2d_backward(D, X, p, 2)
        loss = D[0, 0] * yp[0, 0] + D[0, 1] * yp[0, 1]
        for idx in np.ndindex(X.shape):
            assert sp.simplify(sp.diff(loss, X[idx]) - dx[idx]) == 0, (p, idx)


@pytest.mark.parametrize("p", [0.5, -1, True, float("nan"), float("inf"), "2", None, 1 + 0j])
def test_the_loops_check_p_like_the_fast_form(p):
    """The loops used to take any p (0.5, True, nan gave numbers; "2" a TypeError from deep inside)."""
    for fn, call in [
        ("reference.lp_pool2d", lambda: ref.lp_pool2d(np.ones((2, 2)), p, 2)),
        (
            "reference.lp_pool2d_backward",
            lambda: ref.lp_pool2d_backward(np.ones((1, 1)), np.ones((2, 2)), p, 2),
        ),
    ]:
        with pytest.raises(
            ValueError, match=rf"^{fn}: p must be a finite number >= 1 \(the Lp norm's exponent\), got "
        ):
            call()
    ones = np.full((2, 2), sp.Integer(1), dtype=object)
    assert ref.lp_pool2d(ones, sp.Rational(3, 2), 2)[0, 0] == 4 ** sp.Rational(2, 3)  # an exact p stays exact
