"""pool_matrix: P @ x == the pool, Pᵀ δ == the pool's backward (ties and overlapping windows included);
conv_matrix with dilation against the loops and the zero-inserted kernel."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import cnnmath as cm
from cnnmath import reference as ref
from cnnmath import seedforms as sf
from cnnmath.seedforms import pool_matrix


def test_max_matrix_by_hand_tie_goes_to_the_first_maximum():
    """Seed 003's tied window [[5, 0], [5, 2]] next to a plain one: a single 1 per row."""
    x = np.array([[5.0, 0.0, 1.0, 4.0], [5.0, 2.0, 3.0, 2.0]])
    expected = np.array(
        [
            [1, 0, 0, 0, 0, 0, 0, 0],  # window 0: the upper 5 (x[0, 0]), not also x[1, 0]
            [0, 0, 0, 1, 0, 0, 0, 0],  # window 1: the 4 at x[0, 3]
        ],
        float,
    )
    np.testing.assert_array_equal(pool_matrix(x, 2), expected)


def test_avg_matrix_by_hand():
    q = 0.25
    expected = np.array([[q, q, 0, 0, q, q, 0, 0], [0, 0, q, q, 0, 0, q, q]])
    np.testing.assert_array_equal(pool_matrix(np.zeros((2, 4)), 2, kind="avg"), expected)


def test_overlapping_max_matrix_by_hand():
    """Stride 1 on a row [1, 3, 2]: both windows pick the 3, so its column holds two 1s."""
    x = np.array([[1.0, 3.0, 2.0]])
    expected = np.array([[0, 1, 0], [0, 1, 0]], float)
    np.testing.assert_array_equal(pool_matrix(x, (1, 2), stride=1), expected)
    np.testing.assert_array_equal(pool_matrix(x, (1, 2), stride=1).T @ [10.0, 1.0], [0, 11, 0])


@st.composite
def cases(draw):
    H, W = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    kh, kw = draw(st.integers(1, min(H, 3))), draw(st.integers(1, min(W, 3)))
    stride = draw(st.one_of(st.none(), st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    r = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    tied = draw(st.booleans())
    x = r.integers(0, 3, size=(H, W)).astype(float) if tied else r.normal(size=(H, W))
    return x, (kh, kw), stride, r


@given(cases())
def test_max_matrix_is_the_pool_and_its_transpose_the_backward(case):
    x, k, s, r = case
    P = pool_matrix(x, k, stride=s)
    y = cm.max_pool2d(x, k, stride=s)
    np.testing.assert_array_equal(P.sum(axis=1), np.ones(y.size))  # one route per window, ties too
    np.testing.assert_array_equal(P @ x.ravel(), y.ravel())
    dy = r.normal(size=y.shape)
    np.testing.assert_allclose(
        P.T @ dy.ravel(), cm.max_pool2d_backward(dy, x, k, stride=s).ravel(), atol=1e-12
    )


@given(cases())
def test_avg_matrix_is_the_pool_and_its_transpose_the_backward(case):
    x, k, s, r = case
    P = pool_matrix(x, k, stride=s, kind="avg")
    y = cm.avg_pool2d(x, k, stride=s)
    np.testing.assert_allclose(P @ x.ravel(), y.ravel(), atol=1e-12)
    dy = r.normal(size=y.shape)
    np.testing.assert_allclose(
        P.T @ dy.ravel(), cm.avg_pool2d_backward(dy, x, k, stride=s).ravel(), atol=1e-12
    )


def test_avg_matrix_is_the_conv_matrix_of_a_constant_kernel(rng):
    """Seed 004 §4.1: 2×2 mean pooling is a stride-2 convolution with a kernel of 1/4s."""
    x = rng.normal(size=(6, 4))
    np.testing.assert_allclose(
        pool_matrix(x, 2, kind="avg"), sf.conv_matrix((6, 4), np.full((2, 2), 0.25), stride=2)
    )


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((np.zeros((1, 4, 4)), 2), {}, r"pool_matrix: x must be a 2-D image \(H, W\), got shape \(1, 4, 4\)"),
        ((np.zeros((4, 4)), 2), {"kind": "min"}, r"pool_matrix: kind must be one of \('max', 'avg'\)"),
        ((np.zeros((2, 2)), 3), {}, r"pool_matrix: the pooling window kernel_size=\(3, 3\) is larger"),
        ((np.zeros((4, 4)), 2), {"stride": 0}, r"pool_matrix: stride must be an integer >= 1"),
        ((np.zeros(4), 2), {}, r"pool_matrix: x must have at least 2 dimensions"),
    ],
)
def test_bad_input_raises_value_error(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        pool_matrix(*args, **kwargs)


@given(
    st.integers(1, 7), st.integers(1, 7), st.integers(1, 3), st.integers(0, 2), st.integers(2, 3), st.data()
)
def test_dilated_conv_matrix_is_the_loops_and_the_zero_inserted_kernel_s_matrix(H, W, s, p, d, data):
    """Referees: the seed's loops with dilation, and conv_matrix of sf.dilate(w, D), the kernel with
    D - 1 zeros between its taps (the same entries, exactly: each is one kernel value or 0)."""
    KH = data.draw(st.integers(1, (H + 2 * p - 1) // d + 1))
    KW = data.draw(st.integers(1, (W + 2 * p - 1) // d + 1))
    r = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    x, w = r.normal(size=(H, W)), r.normal(size=(KH, KW))
    M = sf.conv_matrix((H, W), w, stride=s, padding=p, dilation=d)
    z = ref.conv2d(x, w, stride=s, padding=p, dilation=d)
    np.testing.assert_allclose(M @ x.ravel(), z.ravel(), atol=1e-12)
    np.testing.assert_array_equal(M, sf.conv_matrix((H, W), sf.dilate(w, d), stride=s, padding=p))


def test_dilated_conv_matrix_on_symbols_by_hand():
    """3×3 image, a 1×2 kernel [a, b] with dilation 2: each output reads x[i, 0] and x[i, 2]."""
    a, b = sp.symbols("a b")
    M = sf.conv_matrix((3, 3), np.array([[a, b]], dtype=object), dilation=2)
    expected = np.zeros((3, 9), dtype=object)
    for i in range(3):
        expected[i, 3 * i], expected[i, 3 * i + 2] = a, b
    assert M.shape == (3, 9) and all(m == e for m, e in zip(M.ravel(), expected.ravel(), strict=True))


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ((4.0, 4), r"input_shape\[0\] must be an integer >= 1, got 4.0"),
        ((4, -4), r"input_shape\[1\] .* got -4"),
    ],
)
def test_conv_matrix_with_a_float_or_negative_shape(shape, message):
    with pytest.raises(ValueError, match=f"conv_matrix: {message}"):
        sf.conv_matrix(shape, np.ones((2, 2)))


def test_conv_matrix_names_w_not_an_x_the_caller_never_passed():
    with pytest.raises(
        ValueError,
        match=r"^conv_matrix: w must be 2-D \(KH, KW\), a kernel for the 2-D image of input_shape, "
        r"got shape \(1, 1, 3, 3\)$",
    ):
        sf.conv_matrix((4, 4), np.ones((1, 1, 3, 3)))
