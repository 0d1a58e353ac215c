"""cnnmath.reference.conv_transpose: the gather loops on numbers (a worked example typed by hand) and on
SymPy symbols (SymPy's own derivative of the conv2d loops is the referee)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from cnnmath import reference, symbolic
from cnnmath.reference import conv_transpose as ref_t


def test_one_pixel_spreads_the_kernel():
    """A single 1 at (1, 0) of a 2×2 input, stride 3: w lands at rows 3-4, columns 0-1."""
    x = np.array([[0.0, 0.0], [1.0, 0.0]])
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    y = ref_t.conv_transpose2d(x, w, stride=3)
    assert y.shape == (5, 5)
    want = np.zeros((5, 5))
    want[3:5, 0:2] = w
    np.testing.assert_array_equal(y, want)


def test_overlaps_add_up():
    """Stride 1, 2×2 kernel of ones on a 2×2 input of ones: the centre is reached four times."""
    y = ref_t.conv_transpose2d(np.ones((2, 2)), np.ones((2, 2)))
    np.testing.assert_array_equal(y, [[1, 2, 1], [2, 4, 2], [1, 2, 1]])


@pytest.mark.parametrize(("s", "p", "op"), [(1, 0, 0), (2, 0, 1), (2, 1, 0), (3, 1, 2)])
def test_on_symbols_it_is_sympys_derivative_of_the_conv2d_loops(s, p, op):
    """E = Σ δ ⊙ conv2d(y, w): ∂E/∂y (sp.diff) equals the loops' transposed convolution of δ."""
    H, W, K = 2, 3, 2
    Hp, Wp = (H - 1) * s - 2 * p + K + op, (W - 1) * s - 2 * p + K + op
    y, w, d = symbolic.grid("y", (Hp, Wp)), symbolic.grid("w", (K, K)), symbolic.grid("δ", (H, W))
    E = symbolic.sym_sum(reference.conv2d(y, w, stride=s, padding=p) * d)
    got = ref_t.conv_transpose2d(d, w, stride=s, padding=p, output_padding=op)
    assert got.dtype == object and got.shape == (Hp, Wp)
    assert symbolic.prove_equal(symbolic.grad(E, y), got)


def test_a_wrong_formula_fails_the_same_proof():
    y, w, d = symbolic.grid("y", (3, 3)), symbolic.grid("w", (2, 2)), symbolic.grid("δ", (2, 2))
    E = symbolic.sym_sum(reference.conv2d(y, w) * d)
    rotated = ref_t.conv_transpose2d(d, w[::-1, ::-1])
    with pytest.raises(AssertionError, match="not equal"):
        symbolic.prove_equal(symbolic.grad(E, y), rotated)


def test_symbols_and_floats_mix():
    w = symbolic.grid("w", (1, 1, 2, 2))
    y = ref_t.conv_transpose2d(np.ones((1, 1, 1, 1)), w)
    assert y.dtype == object
    assert sp.expand(y[0, 0, 1, 1] - w[0, 0, 1, 1]) == 0
