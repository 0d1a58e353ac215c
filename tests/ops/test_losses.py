"""Losses: by hand, finite differences, PyTorch; bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cnnmath import (
    numerical_gradient,
    softmax,
    softmax_cross_entropy,
    squared_error,
)


def test_squared_error_by_hand_and_finite_differences(rng):
    loss, da = squared_error([[1.0, 2.0], [3.0, 4.0]], [[1.0, 0.0], [0.0, 4.0]])
    assert loss == 0.5 * (4 + 9)  # summed over all entries, not averaged
    np.testing.assert_array_equal(da, [[0.0, 2.0], [3.0, 0.0]])
    a, t = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    np.testing.assert_allclose(
        squared_error(a, t)[1], numerical_gradient(lambda v: squared_error(v, t)[0], a), atol=1e-7
    )


def test_softmax_cross_entropy_by_hand():
    loss, d = softmax_cross_entropy([[0.0, 0.0]], [1])
    assert loss == pytest.approx(math.log(2), rel=1e-15)
    np.testing.assert_allclose(d, [[0.5, -0.5]], rtol=1e-15)
    # logits (1, 2, 3), label 2: loss = log(e + e² + e³) - 3 = log(1 + e^-1 + e^-2)
    # logits (5, 5, 5), label 0: loss = log 3; the batch loss is the mean of the two rows
    loss, d = softmax_cross_entropy(np.array([[1.0, 2.0, 3.0], [5.0, 5.0, 5.0]]), np.array([2, 0]))
    row0 = math.log(1 + math.exp(-1) + math.exp(-2))
    assert loss == pytest.approx((row0 + math.log(3)) / 2, rel=1e-14)
    denom = math.e + math.e**2 + math.e**3
    expect = [
        [math.e / denom / 2, math.e**2 / denom / 2, (math.e**3 / denom - 1) / 2],
        [-1 / 3, 1 / 6, 1 / 6],
    ]
    np.testing.assert_allclose(d, expect, rtol=1e-14)


def test_softmax_cross_entropy_is_stable_and_matches_finite_differences(rng):
    loss, d = softmax_cross_entropy([[1000.0, 0.0], [-1000.0, 0.0]], [0, 0])
    assert loss == pytest.approx(500.0, rel=1e-15)  # row 0: 0, row 1: log(e^-1000 + 1) + 1000 = 1000
    np.testing.assert_allclose(d, [[0.0, 0.0], [-0.5, 0.5]], atol=1e-300)
    z, y = rng.normal(size=(4, 5)) * 3, rng.integers(0, 5, size=4)
    np.testing.assert_allclose(
        softmax_cross_entropy(z, y)[1],
        numerical_gradient(lambda v: softmax_cross_entropy(v, y)[0], z),
        atol=1e-8,
    )
    np.testing.assert_allclose(softmax(z).sum(axis=1), np.ones(4), rtol=1e-15)


def test_softmax_is_stable_by_hand():
    """softmax itself (not only the loss) subtracts the row maximum: exp(1000) would overflow to inf.
    Rows: (1000, 1000 + log 3) -> (1/4, 3/4); (-1000, 0) -> (e^-1000 / (1 + e^-1000), ...) = (0, 1) in
    float64; (1000, -1000) -> (1, 0); and along the last axis of a 3-D array, three equal 800s -> 1/3."""
    p = softmax(np.array([[1000.0, 1000.0 + math.log(3)], [-1000.0, 0.0], [1000.0, -1000.0]]))
    np.testing.assert_allclose(p, [[0.25, 0.75], [0.0, 1.0], [1.0, 0.0]], rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(softmax(np.full((2, 4, 3), 800.0)), np.full((2, 4, 3), 1 / 3), rtol=1e-15)


def test_softmax_cross_entropy_matches_torch(torch, rng):
    z, y = rng.normal(size=(6, 4)) * 5, rng.integers(0, 4, size=6)
    zt = torch.tensor(z, requires_grad=True)
    lt = torch.nn.functional.cross_entropy(zt, torch.tensor(y))
    lt.backward()
    loss, d = softmax_cross_entropy(z, y)
    assert loss == pytest.approx(lt.item(), rel=1e-14)
    np.testing.assert_allclose(d, zt.grad.numpy(), rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(softmax(z), torch.softmax(torch.tensor(z), dim=1).numpy(), rtol=1e-14)


BAD = [
    (lambda: squared_error(np.ones(3), np.ones(2)), r"squared_error: t has shape \(2,\), expected \(3,\)"),
    (lambda: softmax_cross_entropy(np.ones(3), [0]), r"softmax_cross_entropy: logits must be 2-D.*\(3,\)"),
    (
        lambda: softmax_cross_entropy(np.ones((2, 3)), [0, 3]),
        r"softmax_cross_entropy: labels must lie in 0..2 for logits with K=3.*from 0 to 3",
    ),
    (lambda: softmax_cross_entropy(np.ones((2, 3)), [-1, 0]), r"labels must lie in 0..2.*from -1 to 0"),
    (
        lambda: softmax_cross_entropy(np.ones((2, 3)), [0.0, 1.0]),
        r"softmax_cross_entropy: labels must be integer class ids, got dtype float64",
    ),
    (lambda: softmax_cross_entropy(np.ones((2, 3)), [True, False]), r"labels must be integer.*bool"),
    (
        lambda: softmax_cross_entropy(np.ones((2, 3)), [0, 1, 2]),
        r"softmax_cross_entropy: labels has shape \(3,\), expected \(2,\)",
    ),
    (lambda: softmax_cross_entropy(np.ones((2, 3)), [[0, 1]]), r"labels has shape \(1, 2\), expected \(2,\)"),
    (lambda: softmax_cross_entropy(np.ones((0, 3)), []), r"at least one row and one class.*\(0, 3\)"),
    (lambda: softmax(np.float64(1.0)), r"softmax: logits must be at least 1-D"),
]


@pytest.mark.parametrize(("call", "message"), BAD)
def test_bad_input_raises_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_softmax_of_an_empty_axis():
    with pytest.raises(ValueError, match=r"softmax: logits has an empty last axis \(shape \(3, 0\)\)"):
        softmax(np.ones((3, 0)))
    assert softmax(np.ones((0, 3))).shape == (0, 3)  # no rows is fine: nothing to normalise


def test_masked_labels_are_refused_not_unmasked():
    with pytest.raises(
        TypeError, match=r"^softmax_cross_entropy: labels is a masked array \(shape \(2,\), 1 masked\)"
    ):
        softmax_cross_entropy(np.ones((2, 3)), np.ma.masked_array([0, 2], mask=[0, 1]))
