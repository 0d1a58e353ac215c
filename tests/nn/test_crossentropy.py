"""cnnmath.nn.crossentropy: soft-target cross-entropy == SymPy / central differences / integer labels /
PyTorch; descend's two heads against the seeds' worked example and against each other."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import cnnmath as cm
from cnnmath import symbolic
from cnnmath.nn import crossentropy as ce

SEED_X = np.array([0.05, 0.10])
SEED_T = np.array([0.01, 0.99])
SEED_WEIGHTS = (
    np.array([[0.15, 0.20], [0.25, 0.30]]),
    np.array([0.35, 0.35]),
    np.array([[0.40, 0.45], [0.50, 0.55]]),
    np.array([0.60, 0.60]),
)


def _targets(rng, shape):
    y = rng.uniform(0.1, 1.0, size=shape)
    return y / y.sum(axis=1, keepdims=True)


@given(st.integers(1, 4), st.integers(1, 5), st.integers(0, 2**31))
def test_gradient_is_central_differences(N, K, seed):
    rng = np.random.default_rng(seed)
    z, y = rng.normal(size=(N, K)) * 3, _targets(rng, (N, K))
    loss, dz = ce.soft_cross_entropy(z, y)
    np.testing.assert_allclose(
        dz, cm.numerical_gradient(lambda v: ce.soft_cross_entropy(v, y)[0], z), atol=1e-8
    )
    assert loss >= 0 or np.isclose(loss, 0)


def test_loss_and_gradient_equal_sympy_for_concrete_sizes():
    N, K = 2, 3
    Z, Y = symbolic.grid("z", (N, K)), symbolic.grid("y", (N, K))
    sums = [sp.Add(*[sp.exp(v) for v in Z[n]]) for n in range(N)]
    L = -sp.Rational(1, N) * sp.Add(
        *[Y[n, k] * sp.log(sp.exp(Z[n, k]) / sums[n]) for n in range(N) for k in range(K)]
    )
    rng = np.random.default_rng(3)
    z, y = rng.normal(size=(N, K)), _targets(rng, (N, K))
    values = dict(zip([*Z.ravel(), *Y.ravel()], [*z.ravel(), *y.ravel()], strict=True))
    loss, dz = ce.soft_cross_entropy(z, y)
    assert float(L.xreplace(values)) == pytest.approx(loss, rel=1e-12)
    sympy_dz = np.array([float(e.xreplace(values)) for e in symbolic.grad(L, Z).ravel()]).reshape(N, K)
    np.testing.assert_allclose(dz, sympy_dz, rtol=1e-10, atol=1e-15)


def test_one_hot_targets_are_the_integer_label_loss(rng):
    z, labels = rng.normal(size=(5, 4)), np.array([0, 3, 1, 1, 2])
    loss, dz = ce.soft_cross_entropy(z, np.eye(4)[labels])
    ref_loss, ref_dz = cm.softmax_cross_entropy(z, labels)
    assert loss == pytest.approx(ref_loss, rel=1e-13)
    np.testing.assert_allclose(dz, ref_dz, rtol=1e-13, atol=1e-16)


def test_huge_logits_do_not_overflow():
    loss, dz = ce.soft_cross_entropy(np.array([[1000.0, -1000.0]]), np.array([[0.0, 1.0]]))
    assert loss == pytest.approx(2000.0) and np.allclose(dz, [[1.0, -1.0]])


def test_torch_agrees(torch, rng):
    z, y = rng.normal(size=(3, 4)), _targets(rng, (3, 4))
    zt = torch.tensor(z, requires_grad=True)
    lt = torch.nn.functional.cross_entropy(zt, torch.tensor(y))
    lt.backward()
    loss, dz = ce.soft_cross_entropy(z, y)
    assert loss == pytest.approx(lt.item(), rel=1e-12)
    np.testing.assert_allclose(dz, zt.grad.numpy(), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize(
    ("logits", "targets", "match"),
    [
        (np.zeros(3), np.ones(3) / 3, r"logits must be 2-D"),
        (np.zeros((2, 3)), np.ones((2, 2)) / 2, r"targets has shape \(2, 2\), expected \(2, 3\)"),
        (np.zeros((1, 2)), np.array([[0.5, 0.6]]), r"probability distribution"),
        (np.zeros((1, 2)), np.array([[1.5, -0.5]]), r"probability distribution"),
        (np.zeros((0, 2)), np.zeros((0, 2)), r"at least one row"),
    ],
)
def test_bad_input(logits, targets, match):
    with pytest.raises(ValueError, match=match):
        ce.soft_cross_entropy(logits, targets)


def test_descend_first_step_is_the_seeds_worked_example():
    d = ce.descend(SEED_X, SEED_T, SEED_WEIGHTS, head="sigmoid-se", lr=0.5, steps=1)
    assert f"{d.loss[0]:.9f}" == "0.298371109"  # seed 004's E_total (Matt Mazur's example)
    np.testing.assert_allclose(d.out[0], [0.751365070, 0.772928465], atol=5e-10)
    np.testing.assert_allclose(d.delta[0], (d.out[0] - SEED_T) * d.out[0] * (1 - d.out[0]), rtol=1e-12)


def test_descend_softmax_head_delta_is_p_minus_t():
    d = ce.descend(SEED_X, SEED_T, SEED_WEIGHTS, head="softmax-ce", lr=0.5, steps=3)
    np.testing.assert_allclose(d.out.sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(d.delta, d.out - SEED_T, atol=1e-15)
    assert np.all(np.diff(d.loss) < 0)


@pytest.mark.parametrize("head", ce.HEADS)
def test_each_heads_delta_is_central_differences_of_its_loss(head, rng):
    net_o, t = rng.normal(size=(3, 2)) * 2, _targets(rng, (3, 2))
    _, _, delta = ce._head(head, net_o, t)
    numeric = cm.numerical_gradient(lambda v: ce._head(head, v, t)[1], net_o)
    np.testing.assert_allclose(delta, numeric, atol=1e-9)


def test_saturated_start_stalls_with_squared_error_but_not_with_cross_entropy():
    W1, B1 = SEED_WEIGHTS[:2]
    wrong = (W1, B1, np.array([[4.0, 4.5], [-5.0, -5.5]]), np.array([3.0, -3.0]))
    se = ce.descend(SEED_X, SEED_T, wrong, head="sigmoid-se", lr=0.5, steps=100)
    xe = ce.descend(SEED_X, SEED_T, wrong, head="softmax-ce", lr=0.5, steps=100)
    assert se.out[-1, 1] < 0.01 and xe.out[-1, 1] > 0.95


def test_descend_bad_input():
    with pytest.raises(ValueError, match="head must be one of"):
        ce.descend(SEED_X, SEED_T, SEED_WEIGHTS, head="mse", lr=0.1, steps=1)
    with pytest.raises(ValueError, match="steps must be an integer"):
        ce.descend(SEED_X, SEED_T, SEED_WEIGHTS, head="softmax-ce", lr=0.1, steps=-1)
    with pytest.raises(ValueError, match=r"weights must be \(W1, B1, W2, B2\)"):
        ce.descend(SEED_X, SEED_T, SEED_WEIGHTS[:3], head="softmax-ce", lr=0.1, steps=1)
    with pytest.raises(ValueError, match="t has shape"):
        ce.descend(SEED_X, np.ones(3) / 3, SEED_WEIGHTS, head="softmax-ce", lr=0.1, steps=1)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"weights": None}, r"^descend: weights must be \(W1, B1, W2, B2\), got None$"),
        ({"W1": np.ones(2)}, r"^descend: W1 must be 2-D \(H, D_in\), got shape \(2,\)$"),
        ({"B1": 0.5}, r"^descend: B1 has shape \(\), expected \(2,\) \(one bias per hidden unit"),
        ({"B1": np.ones(1)}, r"^descend: B1 has shape \(1,\), expected \(2,\)"),
        ({"B1": np.ones(3)}, r"^descend: B1 has shape \(3,\), expected \(2,\)"),
        ({"W2": np.ones((2, 3))}, r"^descend: W2 has shape \(2, 3\), expected \(2, 2\) \(it reads the H = 2"),
        (
            {"x": np.ones((1, 3))},
            r"^descend: x has D_in = 3 features \(x.shape=\(1, 3\)\), W1 \(2, 2\) expects 2$",
        ),
        ({"x": np.ones((1, 1, 2))}, r"^descend: x must be 1 or 2-D .*got shape \(1, 1, 2\)$"),
        ({"lr": -1}, r"^descend: lr must be a finite number >= 0, got -1$"),
        ({"lr": -1, "steps": 0}, r"^descend: lr must be a finite number >= 0, got -1$"),
    ],
)
def test_descend_checks_the_network_before_it_builds_it(change, message):
    """The weights were copied into Dense layers with [...] = ..., which broadcast a scalar or (1,) bias
    silently and failed in numpy or the dense layer for other shapes; lr was checked only by sgd_step."""
    W1, B1, W2, B2 = (change.pop(k, v) for k, v in zip(("W1", "B1", "W2", "B2"), SEED_WEIGHTS, strict=True))
    kw = {"x": SEED_X, "weights": (W1, B1, W2, B2), "lr": 0.5, "steps": 1, **change}
    with pytest.raises(ValueError, match=message):
        ce.descend(kw.pop("x"), SEED_T, kw.pop("weights"), head="sigmoid-se", **kw)
