"""Seed 003's slice form (channels last, one sample) == cnnmath's NCHW conv == finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cnnmath as cm
from cnnmath import reference, symbolic
from cnnmath.reference import slices


@st.composite
def cases(draw):
    """One sample, small shapes, stride 1-3, pad 0-2, a filter that fits the padded input."""
    C, F, p, s = (
        draw(st.integers(1, 2)),
        draw(st.integers(1, 2)),
        draw(st.integers(0, 2)),
        draw(st.integers(1, 3)),
    )
    H, W = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    fh, fw = draw(st.integers(1, min(3, H + 2 * p))), draw(st.integers(1, min(3, W + 2 * p)))
    r = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x, w, b = r.normal(size=(1, C, H, W)), r.normal(size=(F, C, fh, fw)), r.normal(size=F)
    dz = r.normal(size=(1, F, (H + 2 * p - fh) // s + 1, (W + 2 * p - fw) // s + 1))
    return x, w, b, dz, s, p


def to_seed(x, w, dz):
    """NCHW sample 0 -> seed 003's (H, W, C); w (F, C, f, f) -> (F, f, f, C)."""
    return x[0].transpose(1, 2, 0), w.transpose(0, 2, 3, 1), dz[0].transpose(1, 2, 0)


@given(cases())
def test_forward_matches_nchw_conv(case):
    x, w, b, dz, s, p = case
    A, Wt, _ = to_seed(x, w, dz)
    z = cm.conv2d(x, w, b, stride=s, padding=p)
    np.testing.assert_allclose(
        slices.conv_forward(A, Wt, b, stride=s, pad=p), z[0].transpose(1, 2, 0), atol=1e-12
    )


@given(cases())
def test_backward_matches_nchw_conv_backward(case):
    x, w, _, dz, s, p = case
    dx, dw, db = cm.conv2d_backward(dz, x, w, stride=s, padding=p)
    A, Wt, dZ = to_seed(x, w, dz)
    dA, dWt, dbt = slices.conv_backward(dZ, A, Wt, stride=s, pad=p)
    np.testing.assert_allclose(dA, dx[0].transpose(1, 2, 0), atol=1e-12)
    np.testing.assert_allclose(dWt, dw.transpose(0, 2, 3, 1), atol=1e-12)
    np.testing.assert_allclose(dbt, db, atol=1e-12)


def test_backward_matches_central_differences(rng):
    A, Wt, b = rng.normal(size=(5, 4, 2)), rng.normal(size=(3, 3, 2, 2)), rng.normal(size=3)
    dZ = rng.normal(size=slices.conv_forward(A, Wt, b, stride=2, pad=1).shape)
    dA, dW, db = slices.conv_backward(dZ, A, Wt, stride=2, pad=1)

    def loss(A_=A, W_=Wt, b_=b):
        return float(np.sum(dZ * slices.conv_forward(A_, W_, b_, stride=2, pad=1)))

    np.testing.assert_allclose(dA, cm.numerical_gradient(lambda v: loss(A_=v), A), atol=1e-7)
    np.testing.assert_allclose(dW, cm.numerical_gradient(lambda v: loss(W_=v), Wt), atol=1e-7)
    np.testing.assert_allclose(db, cm.numerical_gradient(lambda v: loss(b_=v), b), atol=1e-7)


def test_seed004_example_by_hand():
    """X 3×3, F 2×2, dO = identity: dF = conv(X, dO), dX = full conv of dO with the flipped F (by hand)."""
    X = np.arange(1.0, 10.0).reshape(3, 3, 1)
    F = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1)
    dO = np.array([[1.0, 0.0], [0.0, 1.0]]).reshape(2, 2, 1)
    dX, dF, db = slices.conv_backward(dO, X, F)
    np.testing.assert_array_equal(dF[0, :, :, 0], [[6, 8], [12, 14]])  # X[m,n] + X[m+1,n+1]
    np.testing.assert_array_equal(dX[:, :, 0], [[1, 2, 0], [3, 5, 2], [0, 3, 4]])
    np.testing.assert_array_equal(db, [2])


def test_symbols_match_reference_loops():
    A, Wt = symbolic.grid("a", (4, 4, 2)), symbolic.grid("w", (2, 2, 2, 2))
    dZ = symbolic.grid("δ", (2, 2, 2))
    dA, dW, db = slices.conv_backward(dZ, A, Wt, stride=2)
    x, w, dz = A.transpose(2, 0, 1)[None], Wt.transpose(0, 3, 1, 2), dZ.transpose(2, 0, 1)[None]
    rdx, rdw, rdb = reference.conv2d_backward(dz, x, w, stride=2)
    assert symbolic.prove_equal(dA, rdx[0].transpose(1, 2, 0))
    assert symbolic.prove_equal(dW, rdw.transpose(0, 2, 3, 1))
    assert symbolic.prove_equal(db, rdb)


def test_upstream_gradient_is_not_modified(rng):
    A, Wt = rng.normal(size=(4, 4, 1)), rng.normal(size=(2, 2, 2, 1))
    dZ = rng.normal(size=(3, 3, 2))
    before = dZ.copy()
    slices.conv_backward(dZ, A, Wt)
    np.testing.assert_array_equal(dZ, before)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((np.zeros((1, 3, 3, 1)), np.zeros((1, 2, 2, 1))), {}, "A_prev must be 3-D"),
        ((np.zeros((3, 3, 2)), np.zeros((1, 2, 2, 1))), {}, "W must be 4-D"),
        ((np.zeros((3, 3, 1)), np.zeros((1, 5, 5, 1))), {}, "larger than the padded input"),
        ((np.zeros((3, 3, 1)), np.zeros((1, 2, 2, 1))), {"stride": 0}, "stride must be an integer >= 1"),
        ((np.zeros((3, 3, 1)), np.zeros((2, 2, 2, 1)), np.zeros(3)), {}, "one bias per filter"),
        (
            (np.zeros((0, 3, 1)), np.zeros((1, 2, 2, 1))),
            {"pad": 1},
            r"empty spatial size in A_prev.shape=\(0, 3, 1\) or W.shape=\(1, 2, 2, 1\)",
        ),
    ],
)
def test_forward_rejects_bad_arguments(args, kwargs, message):
    with pytest.raises(ValueError, match=f"slices.conv_forward: .*{message}"):
        slices.conv_forward(*args, **kwargs)


def test_backward_rejects_wrong_dz_shape():
    with pytest.raises(
        ValueError, match=r"slices.conv_backward: dZ0 has shape \(3, 3, 1\), expected \(2, 2, 1\)"
    ):
        slices.conv_backward(np.zeros((3, 3, 1)), np.zeros((3, 3, 1)), np.zeros((1, 2, 2, 1)))
