"""cnnmath.symbolic: names, proofs that catch wrong closed forms, gradients, the lambdify bridge."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import cnnmath as cm
from cnnmath import reference as ref
from cnnmath import seedforms as sf
from cnnmath.symbolic import (
    activation,
    elementwise,
    evaluate,
    grad,
    grid,
    is_zero,
    lambdify_array,
    prove_equal,
    sym_sum,
    to_matrix,
)


def test_grid_names_are_one_based_like_the_seeds():
    X = grid("x", (2, 3))
    assert X.shape == (2, 3)
    assert str(X[0, 0]) == "x_{1,1}" and str(X[1, 2]) == "x_{2,3}"
    assert str(grid("b", 3)[2]) == "b_{3}"
    assert str(grid("w", (2, 2), start=0)[1, 1]) == "w_{1,1}"
    assert grid("a", (1, 1), real=True)[0, 0].is_real


@pytest.mark.parametrize("shape", [(), (0, 2), (2, -1), (2, 1.5)])
def test_grid_rejects_bad_shapes(shape):
    with pytest.raises(ValueError, match="shape must be a tuple of positive ints"):
        grid("x", shape)


def _conv_delta():
    """δ^{l-1} of a 3x3 input and 2x2 kernel by the chain rule, with the δ and w symbols used."""
    X, W, D = grid("a", (3, 3)), grid("w", (2, 2)), grid("δ", (2, 2))
    E = sym_sum(ref.conv2d(X, W) * D)  # ∂E/∂net = δ, so E = Σ δ·net (up to terms without a)
    return grad(E, X), D, W


def test_prove_equal_accepts_the_seeds_full_convolution_formula():
    chain, D, W = _conv_delta()
    assert prove_equal(chain, sf.full_conv(D, W))  # full_conv turns the kernel by 180°


def test_prove_equal_rejects_the_unrotated_kernel_and_names_the_entry():
    """Correlating the zero-padded δ with w itself (no 180° turn) is the classic wrong closed form."""
    chain, D, W = _conv_delta()
    unrotated = ref.conv2d(sf.pad(D, 1), W)
    with pytest.raises(AssertionError, match=r"not equal at index \(0, 0\): difference"):
        prove_equal(chain, unrotated)


def test_prove_equal_checks_shapes_and_scalars():
    a, b = sp.symbols("a b")
    assert prove_equal((a + b) ** 2, a**2 + 2 * a * b + b**2)
    with pytest.raises(AssertionError, match="not equal: difference"):
        prove_equal((a + b) ** 2, a**2 + b**2)
    with pytest.raises(AssertionError, match=r"shapes differ: \(2,\) vs \(3,\)"):
        prove_equal(np.array([a, b]), np.array([a, b, a]))


def test_prove_equal_simplify_handles_functions_that_expand_cannot_cancel():
    z = sp.Symbol("z", real=True)
    s = 1 / (1 + sp.exp(-z))
    derivative = sp.diff(s, z)
    with pytest.raises(AssertionError):
        prove_equal(derivative, s * (1 - s))
    assert prove_equal(derivative, s * (1 - s), simplify=True)
    with pytest.raises(AssertionError):
        prove_equal(derivative, s * (1 + s), simplify=True)


def test_is_zero():
    a, b = sp.symbols("a b")
    assert is_zero((a - b) * (a + b) - (a**2 - b**2))
    assert not is_zero(a * b - b * a + 1)


def test_grad_is_the_array_of_partials():
    X = grid("x", (2, 2))
    E = X[0, 0] ** 2 * X[1, 1] + 3 * X[0, 1]
    g = grad(E, X)
    assert g.shape == (2, 2)
    prove_equal(g, np.array([[2 * X[0, 0] * X[1, 1], 3], [0, X[0, 0] ** 2]], dtype=object))


def test_sym_sum_and_to_matrix():
    X = grid("x", (2, 3))
    assert sp.expand(sym_sum(X) - sum(X.ravel())) == 0
    M = to_matrix(X)
    assert M.shape == (2, 3) and M[1, 2] == X[1, 2]
    assert to_matrix(grid("v", 3)).shape == (3, 1)
    with pytest.raises(ValueError, match=r"1-D or 2-D array, got shape \(1, 1, 1\)"):
        to_matrix(grid("t", (1, 1, 1)))


def test_lambdify_bridge_reproduces_cnnmath_numbers(rng):
    """The symbolic dx of a 4x4 input / 2x2 kernel at stride 2, evaluated, equals conv2d_backward."""
    X, W, D = grid("x", (4, 4)), grid("w", (2, 2)), grid("δ", (2, 2))
    dx_sym = ref.conv2d_backward(D, X, W, stride=2)[0]
    x, w, d = rng.normal(size=(4, 4)), rng.normal(size=(2, 2)), rng.normal(size=(2, 2))
    want = cm.conv2d_backward(d, x, w, stride=2)[0]
    np.testing.assert_allclose(lambdify_array(dx_sym, X, W, D)(x, w, d), want, atol=1e-12)
    np.testing.assert_allclose(evaluate(dx_sym, (X, x), (W, w), (D, d)), want, atol=1e-12)


def test_lambdify_bridge_rejects_wrong_arguments(rng):
    X = grid("x", (2, 2))
    f = lambdify_array(X * 2, X)
    with pytest.raises(ValueError, match="expected 1 arrays, got 2"):
        f(np.ones((2, 2)), np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"argument has shape \(3,\), expected \(2, 2\)"):
        f(np.ones(3))
    with pytest.raises(ValueError, match="pass \\(symbol_array, value_array\\) pairs"):
        evaluate(X, X)


def test_unknown_activation_differentiates_to_its_prime():
    a, a_prime = activation("f")
    z, w = sp.symbols("z w")
    assert sp.diff(a(w * z) ** 2, w) == 2 * a(w * z) * a_prime(w * z) * z
    assert str(a_prime(z)) == "f'(z)"
    X = grid("x", (2, 2))
    A = elementwise(a)(X)
    assert A.shape == (2, 2) and A.dtype == object and A[1, 0] == a(X[1, 0])
    prove_equal(grad(sym_sum(A), X), elementwise(a_prime)(X))
