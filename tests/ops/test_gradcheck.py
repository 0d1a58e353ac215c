"""cnnmath.ops.gradcheck: numerical_gradient, the central differences every gradient is checked
against, refuses a function that does not return one real number (test_finite_diff.py checks that it
is finite_diff's central scheme, whose error order is measured there)."""

from __future__ import annotations

import numpy as np
import pytest

import cnnmath as cm


def test_numerical_gradient_of_a_vector_function():
    with pytest.raises(
        ValueError, match=r"f must return one real number .* shape \(3,\) .* x of shape \(3,\)"
    ):
        cm.numerical_gradient(lambda x: 2 * x, np.ones(3))
    with pytest.raises(ValueError, match=r"dtype complex128"):
        cm.numerical_gradient(lambda x: complex(x.sum()), np.ones(3))
    np.testing.assert_allclose(
        cm.numerical_gradient(lambda x: np.sum(x**2, keepdims=True), np.ones(2)), [2, 2]
    )
