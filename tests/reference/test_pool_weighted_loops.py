"""cnnmath.reference.pool_weighted: the weighted-pooling loops on the generators of a polynomial ring,
where the loop backward pass must be the ring's exact derivative of the loop forward pass."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from cnnmath.reference import pool_weighted as rpw
from cnnmath.symbolic.ring import grids


@pytest.mark.parametrize(
    ("hw", "k", "stride"),
    [
        ((4, 4), (2, 2), None),
        ((5, 5), (3, 3), 2),
        ((5, 4), (2, 3), (1, 2)),
        ((6, 5), (3, 2), 1),
        ((3, 7), (1, 3), 3),
    ],
)
def test_loops_equal_the_derivative_on_symbols(hw, k, stride):
    """Exact: E = Σ δ · (loop forward on ring generators), differentiated by the ring, against the loop
    backward (on the same generators). Overlapping, non-square and unreached-pixel cases."""
    sh, sw = k if stride is None else (stride, stride) if isinstance(stride, int) else stride
    out_hw = ((hw[0] - k[0]) // sh + 1, (hw[1] - k[1]) // sw + 1)
    R, (X, Wg, D) = grids(("x", hw), ("w", k), ("d", out_hw))
    E = sum((rpw.weighted_pool2d(X, Wg, stride=stride) * D).ravel(), R.zero)
    dX, dW = rpw.weighted_pool2d_backward(D, X, Wg, stride=stride)
    assert all(E.diff(X[i]) == R(dX[i]) for i in np.ndindex(X.shape))
    assert all(E.diff(Wg[i]) == R(dW[i]) for i in np.ndindex(Wg.shape))


def test_a_wrong_backward_fails_the_symbolic_check():
    """The referee can fail: a backward pass that uses the transposed window is caught."""
    R, (X, Wg, D) = grids(("x", (4, 4)), ("w", (2, 2)), ("d", (3, 3)))
    E = sum((rpw.weighted_pool2d(X, Wg, stride=1) * D).ravel(), R.zero)
    dX, _ = rpw.weighted_pool2d_backward(D, X, Wg.T, stride=1)
    assert not all(E.diff(X[i]) == R(dX[i]) for i in np.ndindex(X.shape))


@pytest.mark.parametrize("sigma", [0, -1.0, True, float("nan"), float("inf"), "1", None])
def test_gaussian_kernel_checks_sigma_like_the_fast_form(sigma):
    """It used to divide by zero (0), give nan (nan) or fail deep inside SymPy/numpy ("1", None)."""
    with pytest.raises(
        ValueError,
        match=r"^reference.gaussian_kernel: sigma must be a finite number > 0 \(the Gaussian's width\)",
    ):
        rpw.gaussian_kernel(3, sigma)


def test_gaussian_kernel_refuses_a_sympy_sigma_that_is_not_positive():
    with pytest.raises(ValueError, match=r"^reference.gaussian_kernel: sigma must be > 0 .*, got 0$"):
        rpw.gaussian_kernel(3, sp.Integer(0))
    s = sp.Symbol("s", positive=True)
    assert rpw.gaussian_kernel(2, s).sum() == 1  # a positive symbol is a width
