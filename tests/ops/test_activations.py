"""Activations: fast form == closed forms == PyTorch; bad input. (The loop form's sigmoid on SymPy
symbols: tests/reference/test_dense_loops.py.)"""

from __future__ import annotations

import math

import numpy as np
import pytest

from cnnmath import (
    numerical_gradient,
)
from cnnmath.ops import activations as act

ACTS = [
    (act.sigmoid, act.sigmoid_prime, lambda v: 1 / (1 + math.exp(-v))),
    (act.relu, act.relu_prime, lambda v: max(v, 0.0)),
    (act.tanh, act.tanh_prime, math.tanh),
]


@pytest.mark.parametrize(("f", "f_prime", "scalar"), ACTS)
def test_activation_values_and_derivatives(rng, f, f_prime, scalar):
    z = rng.normal(size=(2, 3, 4)) * 3
    np.testing.assert_allclose(f(z), np.vectorize(scalar)(z), rtol=1e-14, atol=1e-300)
    dy = rng.normal(size=z.shape)  # elementwise: d/dz Σ dy·f(z) = dy·f'(z)
    np.testing.assert_allclose(
        dy * f_prime(z), numerical_gradient(lambda v: float(np.sum(dy * f(v))), z), atol=1e-7
    )


def test_activation_special_points():
    z = np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0])
    s = act.sigmoid(z)  # no overflow warning (warnings are errors here)
    np.testing.assert_allclose(
        s, [0.0, math.exp(-40) / (1 + math.exp(-40)), 0.5, 1 / (1 + math.exp(-40)), 1.0]
    )
    assert s[1] > 0  # the small tail is not flushed to 0
    np.testing.assert_array_equal(act.sigmoid_prime([0.0]), [0.25])
    # full relative precision in the tails (1 - σ and 1 - tanh² would cancel there)
    e40 = math.exp(-40)
    np.testing.assert_allclose(act.sigmoid_prime([-40.0, 40.0]), [e40 / (1 + e40) ** 2] * 2, rtol=1e-15)
    np.testing.assert_allclose(act.tanh_prime([-20.0, 20.0]), [1 / math.cosh(20) ** 2] * 2, rtol=1e-14)
    assert act.sigmoid_prime([800.0])[0] == 0.0 and act.tanh_prime([800.0])[0] == 0.0  # no warning
    np.testing.assert_array_equal(act.relu([-1.0, 0.0, 2.0]), [0.0, 0.0, 2.0])
    np.testing.assert_array_equal(act.relu_prime([-1.0, 0.0, 2.0]), [0.0, 0.0, 1.0])  # 0 at 0, like PyTorch
    np.testing.assert_array_equal(act.tanh_prime([0.0]), [1.0])
    np.testing.assert_array_equal(act.tanh([-1000.0, 1000.0]), [-1.0, 1.0])


def test_activations_match_torch(torch, rng):
    z = rng.normal(size=(3, 5)) * 4
    z[0, 0] = 0.0  # relu's kink: both say 0
    dy = rng.normal(size=z.shape)
    for f, f_prime, tf in (
        (act.sigmoid, act.sigmoid_prime, torch.sigmoid),
        (act.relu, act.relu_prime, torch.relu),
        (act.tanh, act.tanh_prime, torch.tanh),
    ):
        zt = torch.tensor(z, requires_grad=True)
        y = tf(zt)
        y.backward(torch.tensor(dy))
        np.testing.assert_allclose(f(z), y.detach().numpy(), rtol=1e-14, atol=1e-300)
        # torch forms dy·y(1-y) and dy·(1-y²), which lose relative precision in the tails
        np.testing.assert_allclose(dy * f_prime(z), zt.grad.numpy(), rtol=1e-12, atol=1e-15)


BAD = [
    (lambda: act.sigmoid([[1], []]), r"sigmoid: z must be a numeric array"),
    (lambda: act.relu_prime([[1, 2], [3]]), r"relu_prime: z must be a numeric array"),
]


@pytest.mark.parametrize(("call", "message"), BAD)
def test_bad_input_raises_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
