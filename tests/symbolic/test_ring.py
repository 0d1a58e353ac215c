"""Exact proofs in a polynomial ring over ZZ (cnnmath.symbolic.ring)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from cnnmath import reference, symbolic
from cnnmath import seedforms as sf
from cnnmath.symbolic import ring as sg


def test_grids_returns_generators_with_the_shapes_and_names_asked_for():
    R, (x, w) = sg.grids(("x", (2, 3)), ("w", (1, 2, 2)))
    assert x.shape == (2, 3) and w.shape == (1, 2, 2)
    assert len(R.gens) == 6 + 4
    assert str(x[1, 2].as_expr()) == "x_{2,3}" and str(w[0, 1, 0].as_expr()) == "w_{1,2,1}"


def test_grad_is_the_derivative_sympy_computes():
    _, (x, w) = sg.grids(("x", (3, 3)), ("w", (2, 2)))
    E = sg.total(reference.conv2d(x, w) * reference.conv2d(x, w))  # a quadratic in x and w
    X, W = symbolic.grid("x", (3, 3)), symbolic.grid("w", (2, 2))
    E_sym = symbolic.sym_sum(reference.conv2d(X, W) ** 2)
    for idx in np.ndindex(3, 3):
        assert sp.expand(sg.grad(E, x)[idx].as_expr() - sp.diff(E_sym, X[idx])) == 0


def test_prove_equal_proves_a_true_identity_and_names_a_false_one():
    _, (x, w, d) = sg.grids(("x", (4, 5)), ("w", (2, 3)), ("δ", (2, 2)))
    E = sg.total(reference.conv2d(x, w, stride=2) * d)
    assert sg.prove_equal(sg.grad(E, x), sf.delta_full_conv(d, w, x.shape, stride=2))
    wrong = sf.full_conv(d, w)  # the stride-1 rule without zero insertion: wrong shape
    with pytest.raises(AssertionError, match="shapes differ"):
        sg.prove_equal(sg.grad(E, x), wrong)
    shifted = np.roll(sf.delta_full_conv(d, w, x.shape, stride=2), 1, axis=1)
    with pytest.raises(AssertionError, match=r"not equal at index \(0, 0\)"):
        sg.prove_equal(sg.grad(E, x), shifted, label="rolled")


def test_prove_over_counts_the_cases_and_names_the_failing_one():
    def claim(n):
        assert n != 3, "three is out"

    assert sg.prove_over(claim, [(1,), (2,)]) == 2
    with pytest.raises(AssertionError, match=r"case \(3,\): three is out"):
        sg.prove_over(claim, [(1,), (3,)])
    with pytest.raises(ValueError, match="no cases"):
        sg.prove_over(claim, [])


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="pair"):
        sg.grids("x")
    with pytest.raises(ValueError, match="names must differ"):
        sg.grids(("x", (2,)), ("x", (3,)))
    with pytest.raises(ValueError, match="at least one"):
        sg.grids()
    with pytest.raises(TypeError, match="ring element"):
        sg.grad(sp.Symbol("x"), [sp.Symbol("x")])
    with pytest.raises(ValueError, match="no ring element"):
        sg.total(np.zeros(3, dtype=object))
