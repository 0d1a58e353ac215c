"""Dense layer: fast form == loop form == finite differences == PyTorch == the published 2-2-2 example.
(The loop form against sympy.diff: tests/reference/test_dense_loops.py.)"""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnmath import (
    dense,
    dense_backward,
    l2_penalty,
    numerical_gradient,
    squared_error,
)
from cnnmath.ops import activations as act

# The loop-form module itself: cnnmath.reference may re-export its function ``dense`` under the
# same name as the module, so ``from cnnmath.reference import dense`` could give the function.
ref = importlib.import_module("cnnmath.reference.dense")

# The classic 2-2-2 worked example (seed 004's network: inputs i1, i2; hidden h1, h2; outputs o1, o2).
# w1: i1→h1, w2: i2→h1, w3: i1→h2, w4: i2→h2 -> W1[j, i] = weight from input i into hidden j.
# w5: h1→o1, w6: h2→o1, w7: h1→o2, w8: h2→o2 -> W2[k, j] = weight from hidden j into output k.
X = np.array([0.05, 0.10])
W1 = np.array([[0.15, 0.20], [0.25, 0.30]])
B1 = np.array([0.35, 0.35])
W2 = np.array([[0.40, 0.45], [0.50, 0.55]])
B2 = np.array([0.60, 0.60])
T = np.array([0.01, 0.99])
LR = 0.5
# The published values (8-9 significant digits), typed in, not computed here.
PUBLISHED = {
    "out_h1": 0.593269992,
    "out_h2": 0.596884378,
    "out_o1": 0.75136507,
    "out_o2": 0.772928465,
    "E_total": 0.298371109,
    "w5+": 0.35891648,
    "w6+": 0.408666186,
    "w7+": 0.511301270,
    "w8+": 0.561370121,
    "w1+": 0.149780716,
    "w2+": 0.19956143,
    "w3+": 0.24975114,
    "w4+": 0.29950229,
}


@st.composite
def dense_cases(draw):
    """Random small shapes; x 1-D (one sample) or 2-D (a batch); bias or None."""
    D_in, D_out = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    batch = draw(st.sampled_from([None, 1, 2, 3]))
    r = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x_shape = (D_in,) if batch is None else (batch, D_in)
    z_shape = (D_out,) if batch is None else (batch, D_out)
    b = r.normal(size=D_out) if draw(st.booleans()) else None
    return r.normal(size=x_shape), r.normal(size=(D_out, D_in)), b, r.normal(size=z_shape)


@given(dense_cases())
def test_fast_equals_reference_loops(case):
    x, w, b, dz = case
    np.testing.assert_allclose(dense(x, w, b), ref.dense(x, w, b), rtol=1e-12, atol=1e-12)
    for got, want in zip(dense_backward(dz, x, w), ref.dense_backward(dz, x, w), strict=True):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@given(dense_cases())
def test_backward_matches_central_differences(case):
    x, w, b, dz = case
    b = np.zeros(w.shape[0]) if b is None else b
    dx, dw, db = dense_backward(dz, x, w)

    def loss(x_=x, w_=w, b_=b):
        return float(np.sum(dense(x_, w_, b_) * dz))

    np.testing.assert_allclose(dx, numerical_gradient(lambda v: loss(x_=v), x), atol=1e-7)
    np.testing.assert_allclose(dw, numerical_gradient(lambda v: loss(w_=v), w), atol=1e-7)
    np.testing.assert_allclose(db, numerical_gradient(lambda v: loss(b_=v), b), atol=1e-7)


def test_dense_by_hand():
    x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]])
    w = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
    np.testing.assert_array_equal(dense(x, w, [10.0, 20.0]), [[8.0, 24.0], [9.0, 19.0]])
    np.testing.assert_array_equal(dense(x[0], w), [-2.0, 4.0])
    dz = np.array([[1.0, 0.0], [0.0, 1.0]])
    dx, dw, db = dense_backward(dz, x, w)
    np.testing.assert_array_equal(dx, [[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])  # row n picks w[n]
    np.testing.assert_array_equal(dw, [[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]])  # row j picks x[j]
    np.testing.assert_array_equal(db, [1.0, 1.0])


def test_dz_is_not_modified(rng):
    x, w, dz = rng.normal(size=(3, 4)), rng.normal(size=(2, 4)), rng.normal(size=(3, 2))
    for d, xx in ((dz, x), (dz[0], x[0])):
        before = d.copy()
        _, _, db = dense_backward(d, xx, w)
        db += 1.0  # the returned db must not alias dz either
        np.testing.assert_array_equal(d, before)


def test_worked_example_222():
    """Total error and one SGD step of the published 2-2-2 example, via the fast and loop forms."""
    # fast form: dense + sigmoid + squared_error, backward by the chain rule
    z1 = dense(X, W1, B1)
    h = act.sigmoid(z1)
    z2 = dense(h, W2, B2)
    o = act.sigmoid(z2)
    E, do = squared_error(o, T)
    np.testing.assert_allclose(h, [PUBLISHED["out_h1"], PUBLISHED["out_h2"]], atol=1e-9)
    np.testing.assert_allclose(o, [PUBLISHED["out_o1"], PUBLISHED["out_o2"]], atol=1e-8)
    assert E == pytest.approx(PUBLISHED["E_total"], abs=1e-9)
    dz2 = do * act.sigmoid_prime(z2)
    dh, dW2, _ = dense_backward(dz2, h, W2)
    _, dW1, _ = dense_backward(dh * act.sigmoid_prime(z1), X, W1)
    # loop form: the seed's δ recursion
    _, dws, _ = ref.mlp_backward(X, T, [W1, W2], [B1, B2])
    np.testing.assert_allclose(dws[0], dW1, rtol=1e-12)
    np.testing.assert_allclose(dws[1], dW2, rtol=1e-12)
    W1n, W2n = W1 - LR * dW1, W2 - LR * dW2  # biases are not updated in the published example
    expect_w2 = [[PUBLISHED["w5+"], PUBLISHED["w6+"]], [PUBLISHED["w7+"], PUBLISHED["w8+"]]]
    expect_w1 = [[PUBLISHED["w1+"], PUBLISHED["w2+"]], [PUBLISHED["w3+"], PUBLISHED["w4+"]]]
    np.testing.assert_allclose(W2n, expect_w2, atol=1e-8)
    np.testing.assert_allclose(W1n, expect_w1, atol=1e-8)
    assert W2n[0, 0] == pytest.approx(0.358916480, abs=1e-9)
    assert W1n[0, 0] == pytest.approx(0.149780716, abs=1e-9)


def test_dense_matches_torch_linear(torch, rng):
    x, w, b = rng.normal(size=(4, 3)), rng.normal(size=(5, 3)), rng.normal(size=5)
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    zt = torch.nn.functional.linear(xt, wt, bt)
    dz = rng.normal(size=(4, 5))
    zt.backward(torch.tensor(dz))
    np.testing.assert_allclose(dense(x, w, b), zt.detach().numpy(), rtol=1e-13)
    for got, t in zip(dense_backward(dz, x, w), (xt, wt, bt), strict=True):
        np.testing.assert_allclose(got, t.grad.numpy(), rtol=1e-13, atol=1e-15)


def test_l2_penalty_seed002(rng):
    """Seed 002: J += (λ/2) Σ w², so ∂/∂w = λ w."""
    penalty, dw = l2_penalty([[1.0, -2.0], [3.0, 0.0]], 0.1)
    assert penalty == pytest.approx(0.05 * 14, rel=1e-15)
    np.testing.assert_allclose(dw, [[0.1, -0.2], [0.3, 0.0]], rtol=1e-15)
    w = rng.normal(size=(3, 2))
    dw = l2_penalty(w, 0.7)[1]
    assert dw.shape == w.shape
    np.testing.assert_allclose(dw, numerical_gradient(lambda v: l2_penalty(v, 0.7)[0], w), atol=1e-8)
    penalty, dw = l2_penalty(w, 0)
    assert penalty == 0.0
    np.testing.assert_array_equal(dw, np.zeros_like(w))


BAD = [
    (lambda: dense(np.ones((2, 3)), np.ones((4, 2))), r"dense: x has shape \(2, 3\).*w has shape \(4, 2\)"),
    (lambda: dense(np.ones(3), np.ones((4, 2))), r"dense: x has shape \(3,\) with D_in=3.*D_in=2"),
    (
        lambda: dense(np.ones((2, 3)), np.ones((4, 3)), np.ones(3)),
        r"dense: b has shape \(3,\), expected \(4,\)",
    ),
    (lambda: dense(np.ones((1, 2, 3)), np.ones((4, 3))), r"dense: x must be 1 or 2-D.*\(1, 2, 3\)"),
    (lambda: dense(np.ones(3), np.ones(3)), r"dense: w must be 2-D.*\(3,\)"),
    (lambda: dense([[1, 2], [3]], np.ones((4, 3))), r"dense: x must be a numeric array"),
    (
        lambda: dense_backward(np.ones((2, 3)), np.ones((2, 3)), np.ones((4, 3))),
        r"dense_backward: dz has shape \(2, 3\), expected \(2, 4\)",
    ),
    (
        lambda: dense_backward(np.ones((1, 4)), np.ones(3), np.ones((4, 3))),
        r"dense_backward: dz has shape \(1, 4\), expected \(4,\)",
    ),
    (
        lambda: dense_backward(np.ones((2, 4)), np.ones((2, 2)), np.ones((4, 3))),
        r"dense_backward: x has shape \(2, 2\)",
    ),
    (lambda: ref.dense(np.ones((2, 3)), np.ones((4, 2))), r"reference.dense: x has shape \(2, 3\)"),
    (lambda: ref.dense(np.ones(2), np.ones((4, 2)), np.ones(2)), r"reference.dense: b has shape \(2,\)"),
    (
        lambda: ref.dense_backward(np.ones(3), np.ones(2), np.ones((4, 2))),
        r"reference.dense_backward: dz has shape \(3,\), expected \(4,\)",
    ),
    (lambda: ref.mlp_forward(np.ones(2), [W1, W2], [B1]), r"mlp_forward: got 2 weight arrays but 1 bias"),
    (lambda: ref.mlp_forward(np.ones((1, 2)), [W1], [B1]), r"mlp_forward: x must be 1-D"),
    (lambda: ref.mlp_backward(X, np.ones(3), [W1, W2], [B1, B2]), r"mlp_backward: t has shape \(3,\)"),
    (lambda: l2_penalty(np.ones(2), -0.1), r"l2_penalty: lam must be a finite number >= 0, got -0.1"),
    (lambda: l2_penalty(np.ones(2), "0.1"), r"l2_penalty: lam must be a finite number"),
    (lambda: l2_penalty(np.ones(2), float("nan")), r"l2_penalty: lam must be a finite number"),
]


@pytest.mark.parametrize(("call", "message"), BAD)
def test_bad_input_raises_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
