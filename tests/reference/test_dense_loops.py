"""cnnmath.reference.dense: the dense layer's loops, the δ recursion of an MLP and the sigmoid on
SymPy symbols, against sympy.diff and the formulas typed by hand."""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest
import sympy as sp

# The module, not the function ``cnnmath.reference.dense`` that the package re-exports under its name.
ref = importlib.import_module("cnnmath.reference.dense")


def test_reference_dense_on_sympy_symbols_matches_sympy_diff():
    """dx, dw, db of the loop form == sympy.diff of Σ_j dz_j z_j (an honest symbolic check)."""
    x = np.array(sp.symbols("x1:4"), dtype=object)
    w = np.array(sp.symbols("w1:7"), dtype=object).reshape(2, 3)
    b = np.array(sp.symbols("b1:3"), dtype=object)
    dz = np.array(sp.symbols("d1:3"), dtype=object)
    z = ref.dense(x, w, b)
    assert sp.expand(z[1] - (w[1, 0] * x[0] + w[1, 1] * x[1] + w[1, 2] * x[2] + b[1])) == 0
    scalar = sum(dz[j] * z[j] for j in range(2))
    dx, dw, db = ref.dense_backward(dz, x, w)
    for grad, wrt in ((dx, x), (dw, w), (db, b)):
        assert grad.shape == wrt.shape
        for idx in np.ndindex(wrt.shape):
            assert sp.expand(grad[idx] - sp.diff(scalar, wrt[idx])) == 0


def test_reference_dense_on_a_batch_by_hand():
    """Three samples: the loops sum dw and db over the batch (the symbolic test above has one sample).
    x rows (1, 2), (3, 4), (5, 6); w = [[1, -1]]; b = [0.5]; dz = (1, 10, 100)."""
    x, w, b = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), np.array([[1.0, -1.0]]), np.array([0.5])
    np.testing.assert_array_equal(ref.dense(x, w, b), [[-0.5], [-0.5], [-0.5]])
    dx, dw, db = ref.dense_backward(np.array([[1.0], [10.0], [100.0]]), x, w)
    np.testing.assert_array_equal(dx, [[1, -1], [10, -10], [100, -100]])
    np.testing.assert_array_equal(dw, [[1 + 30 + 500, 2 + 40 + 600]])
    np.testing.assert_array_equal(db, [111])


def _symbolic_222():
    x = np.array(sp.symbols("i1:3"), dtype=object)
    W1s = np.array(sp.symbols("w1:5"), dtype=object).reshape(2, 2)
    W2s = np.array(sp.symbols("w5:9"), dtype=object).reshape(2, 2)
    b1, b2 = sp.symbols("b1 b2")
    t = np.array(sp.symbols("t1:3"), dtype=object)
    return x, W1s, W2s, np.array([b1, b1], dtype=object), np.array([b2, b2], dtype=object), t


def test_delta_recursion_on_symbols_equals_sympy_diff():
    """The δ recursion (loops on SymPy symbols, sigmoid via sympy.exp) == sympy.diff of E = ½Σ(t - a)².

    sympy.cancel treats every exp(...) as an independent generator, so a 0 result is a proof.
    """
    x, W1s, W2s, b1, b2, t = _symbolic_222()
    _, acts = ref.mlp_forward(x, [W1s, W2s], [b1, b2])
    E = sum((t[k] - acts[-1][k]) ** 2 for k in range(2)) / 2
    _, dws, dbs = ref.mlp_backward(x, t, [W1s, W2s], [b1, b2])
    for W, dW in ((W1s, dws[0]), (W2s, dws[1])):
        for idx in np.ndindex(W.shape):
            assert sp.cancel(sp.together(sp.diff(E, W[idx]) - dW[idx])) == 0, idx
    # b1 is shared by both hidden units (as in the worked example): dE/db1 = δ_h1 + δ_h2
    b1_sym = b1[0]
    assert sp.cancel(sp.together(sp.diff(E, b1_sym) - dbs[0][0] - dbs[0][1])) == 0


def test_reference_sigmoid_on_symbols():
    z = sp.Symbol("z")
    s = ref.sigmoid(np.array([z], dtype=object))[0]
    assert sp.simplify(s - 1 / (1 + sp.exp(-z))) == 0
    assert sp.simplify(ref.sigmoid_prime(np.array([z], dtype=object))[0] - sp.diff(s, z)) == 0
    np.testing.assert_allclose(ref.sigmoid(np.array([0.0, 2.0])), [0.5, 1 / (1 + math.exp(-2))])


def test_empty_features_and_batches_run_like_the_fast_form():
    """D_in = 0 used to fail in a reshape; z is then b alone (an empty sum), as for cnnmath.dense."""
    np.testing.assert_array_equal(
        ref.dense(np.ones((2, 0)), np.ones((3, 0)), np.arange(3.0)), [[0, 1, 2]] * 2
    )
    dx, dw, db = ref.dense_backward(np.ones((2, 3)), np.ones((2, 0)), np.ones((3, 0)))
    assert (dx.shape, dw.shape) == ((2, 0), (3, 0))
    np.testing.assert_array_equal(db, [2, 2, 2])
    assert ref.dense(np.ones((0, 4)), np.ones((3, 4))).shape == (0, 3)


W1, B1, W2, B2 = np.ones((3, 2)), np.zeros(3), np.ones((2, 3)), np.zeros(2)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: ref.mlp_forward(np.ones(3), [W1, W2], [B1, B2]),
            r"^mlp_forward: weights\[0\] has shape \(3, 2\), expected \(D_1, 3\): x has shape \(3,\)$",
        ),
        (
            lambda: ref.mlp_forward(np.ones(2), [W1, np.ones((2, 4))], [B1, B2]),
            r"^mlp_forward: weights\[1\] has shape \(2, 4\), expected \(D_2, 3\): "
            r"weights\[0\] has shape \(3, 2\)$",
        ),
        (
            lambda: ref.mlp_forward(np.ones(2), [W1, W2], [np.zeros(2), B2]),
            r"^mlp_forward: biases\[0\] has shape \(2,\), expected \(3,\) "
            r"\(one bias per row of weights\[0\] \(3, 2\)\)$",
        ),
        (
            lambda: ref.mlp_forward(np.ones(2), [W1, np.ones(3)], [B1, B2]),
            r"^mlp_forward: weights\[1\] must be 2-D \(D_out, D_in\), got shape \(3,\)$",
        ),
        (lambda: ref.mlp_forward(np.ones(2), None, [B1]), r"^mlp_forward: weights must be a list of arrays"),
        (lambda: ref.mlp_forward(np.ones(2), [W1 + 1j], [B1]), r"^mlp_forward: weights\[0\] holds complex"),
        (
            lambda: ref.mlp_backward(np.ones(2), np.ones(2), [W1], []),
            r"^mlp_backward: got 1 weight arrays but 0",
        ),
        (
            lambda: ref.mlp_backward(np.ones(2), np.ones(2), [], []),
            r"^mlp_backward: weights and biases must hold",
        ),
    ],
)
def test_the_mlp_layers_are_checked_as_a_chain(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
