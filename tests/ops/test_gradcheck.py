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


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"eps": True}, r"^numerical_gradient: eps must be a finite number > 0, got True$"),
        ({"eps": float("inf")}, r"^numerical_gradient: eps must be a finite number > 0, got inf$"),
        ({"eps": 0}, r"^numerical_gradient: eps must be a finite number > 0, got 0$"),
        ({"eps": "1e-6"}, r"^numerical_gradient: eps must be a finite number > 0, got '1e-6'$"),
        ({"f": 3}, r"^numerical_gradient: f must be a function, got int 3$"),
    ],
)
def test_bad_settings_are_refused(kwargs, message):
    args = {"f": np.sum, "x": np.ones(3), **kwargs}
    with pytest.raises(ValueError, match=message):
        cm.numerical_gradient(args.pop("f"), args.pop("x"), **args)


def test_a_numpy_float_step_is_a_step():
    np.testing.assert_allclose(cm.numerical_gradient(np.sum, np.ones(3), eps=np.float32(1e-3)), 1.0)
