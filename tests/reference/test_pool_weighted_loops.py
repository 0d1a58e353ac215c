"""cnnmath.reference.pool_weighted: the weighted-pooling loops on the generators of a polynomial ring,
where the loop backward pass must be the ring's exact derivative of the loop forward pass."""

from __future__ import annotations

import numpy as np
import pytest

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
