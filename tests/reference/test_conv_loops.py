"""cnnmath.reference.conv on SymPy symbols: entries of the forward and backward pass written out by
hand; with dilation, the loops' backward pass is the exact derivative of their forward pass, and the
forward pass is the undilated one with sf.dilate(w, D)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp

from cnnmath import reference as ref
from cnnmath import seedforms as sf
from cnnmath.symbolic import ring as sg

# (H, W, KH, KW) x stride x padding x dilation; kept only where the dilated kernel fits
GRID = [
    (h, w, kh, kw, s, p, d)
    for (h, w, kh, kw), s, p, d in itertools.product(
        [(5, 4, 2, 2), (6, 5, 3, 2), (4, 6, 2, 3)], (1, 2, 3), (0, 1), (1, 2, 3)
    )
    if d * (kh - 1) + 1 <= h + 2 * p and d * (kw - 1) + 1 <= w + 2 * p
]


def _prove(h, w, kh, kw, s, p, d, C=2, F=2):
    ho, wo = (h + 2 * p - d * (kh - 1) - 1) // s + 1, (w + 2 * p - d * (kw - 1) - 1) // s + 1
    _, (x, W, b, dz) = sg.grids(
        ("x", (1, C, h, w)), ("w", (F, C, kh, kw)), ("b", (F,)), ("δ", (1, F, ho, wo))
    )
    kw_ = {"stride": s, "padding": p, "dilation": d}
    z = ref.conv2d(x, W, b, **kw_)
    E = sg.total(z * dz)  # E = Σ δ ∘ z: its gradients are the backward pass with upstream δ
    dx, dw, db = ref.conv2d_backward(dz, x, W, **kw_)
    sg.prove_equal(sg.grad(E, x), dx, label="dx")
    sg.prove_equal(sg.grad(E, W), dw, label="dw")
    sg.prove_equal(sg.grad(E, b), db, label="db")
    sg.prove_equal(z, ref.conv2d(x, sf.dilate(W, d), b, stride=s, padding=p), label="z = conv with dilate(w)")


def test_grid_is_large_enough():
    assert len(GRID) == 48 and {g[-1] for g in GRID} == {1, 2, 3}


@pytest.mark.parametrize("case", GRID, ids=lambda c: "H{}W{}K{}x{}s{}p{}d{}".format(*c))
def test_loop_backward_is_the_exact_derivative(case):
    _prove(*case)


def test_a_wrong_tap_offset_is_caught():
    """The proof can fail: reading the taps at r instead of r·D (dilation forgotten in dw)."""
    _, (x, W, dz) = sg.grids(("x", (1, 1, 5, 5)), ("w", (1, 1, 2, 2)), ("δ", (1, 1, 3, 3)))
    E = sg.total(ref.conv2d(x, W, dilation=2) * dz)
    wrong = np.empty((1, 1, 2, 2), dtype=object)  # dw[r, t] = Σ δ[i, j] x[i + r, j + t]: taps at r, not r·D
    for r, t in itertools.product(range(2), range(2)):
        wrong[0, 0, r, t] = sg.total(dz[0, 0] * x[0, 0, r : r + 3, t : t + 3])
    with pytest.raises(AssertionError, match="not equal"):
        sg.prove_equal(sg.grad(E, W), wrong)


def test_loops_on_sympy_expressions():
    X = np.array(sp.symbols("x0:16"), dtype=object).reshape(4, 4)
    Wk = np.array(sp.symbols("w0:4"), dtype=object).reshape(2, 2)
    z = ref.conv2d(X, Wk, dilation=2)
    assert z.shape == (2, 2)
    assert (
        sp.expand(
            z[0, 1] - (Wk[0, 0] * X[0, 1] + Wk[0, 1] * X[0, 3] + Wk[1, 0] * X[2, 1] + Wk[1, 1] * X[2, 3])
        )
        == 0
    )


def test_reference_runs_on_sympy_symbols():
    X = np.array(sp.symbols("x0:9"), dtype=object).reshape(3, 3)
    W = np.array(sp.symbols("w0:4"), dtype=object).reshape(2, 2)
    D = np.array(sp.symbols("d0:4"), dtype=object).reshape(2, 2)
    z = ref.conv2d(X, W)
    assert (
        sp.expand(z[1, 0] - (W[0, 0] * X[1, 0] + W[0, 1] * X[1, 1] + W[1, 0] * X[2, 0] + W[1, 1] * X[2, 1]))
        == 0
    )
    dx, dw, db = ref.conv2d_backward(D, X, W)
    # the centre pixel takes part in all four outputs, once with each weight
    assert (
        sp.expand(dx[1, 1] - (D[0, 0] * W[1, 1] + D[0, 1] * W[1, 0] + D[1, 0] * W[0, 1] + D[1, 1] * W[0, 0]))
        == 0
    )
    assert sp.expand(db - sum(D.ravel())) == 0
    assert (
        sp.expand(dw[0, 0] - (D[0, 0] * X[0, 0] + D[0, 1] * X[0, 1] + D[1, 0] * X[1, 0] + D[1, 1] * X[1, 1]))
        == 0
    )
