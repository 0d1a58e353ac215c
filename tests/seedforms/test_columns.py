"""im2col: columns by hand; one matrix product == cnnmath.conv2d and conv2d_backward's dw; == torch unfold."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import cnnmath as cm
from cnnmath import reference as ref
from cnnmath.seedforms import im2col
from cnnmath.symbolic import grid


@st.composite
def conv_cases(draw):
    N, C, F = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    H, W = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    p, s = draw(st.integers(0, 2)), draw(st.integers(1, 3))
    KH, KW = draw(st.integers(1, H + 2 * p)), draw(st.integers(1, W + 2 * p))
    r = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return r.normal(size=(N, C, H, W)), r.normal(size=(F, C, KH, KW)), r.normal(size=F), s, p


@given(conv_cases())
def test_one_matrix_product_is_the_convolution(case):
    x, w, b, s, p = case
    F, _, KH, KW = w.shape
    z = cm.conv2d(x, w, b, stride=s, padding=p)
    cols = im2col(x, (KH, KW), stride=s, padding=p)
    assert cols.shape == (x.shape[0], w[0].size, z.shape[2] * z.shape[3])
    np.testing.assert_allclose((w.reshape(F, -1) @ cols + b[:, None]).reshape(z.shape), z, atol=1e-12)
    dz = np.random.default_rng(0).normal(size=z.shape)
    dw = np.einsum("nfl,nkl->fk", dz.reshape(*dz.shape[:2], -1), cols).reshape(w.shape)  # Σ_n dz_n cols_nᵀ
    np.testing.assert_allclose(dw, cm.conv2d_backward(dz, x, w, stride=s, padding=p)[1], atol=1e-10)


def test_columns_by_hand():
    """3×3 image, 2×2 kernel: column i*2 + j is the window at (i, j), read row by row (typed by hand)."""
    x = np.arange(1.0, 10.0).reshape(3, 3)  # 1 2 3 / 4 5 6 / 7 8 9
    expected = [[1, 2, 4, 5], [2, 3, 5, 6], [4, 5, 7, 8], [5, 6, 8, 9]]
    np.testing.assert_array_equal(im2col(x, 2), expected)
    padded = im2col(x, 2, stride=2, padding=1)  # windows at (-1, -1), (-1, 1), (1, -1), (1, 1)
    np.testing.assert_array_equal(padded, [[0, 0, 0, 5], [0, 0, 4, 6], [0, 2, 0, 8], [1, 3, 7, 9]])


def test_channel_blocks_and_ranks(rng):
    x = rng.normal(size=(2, 3, 4, 5))
    cols4 = im2col(x, (2, 3), stride=2, padding=1)
    np.testing.assert_array_equal(im2col(x[1], (2, 3), stride=2, padding=1), cols4[1])  # (C, H, W)
    np.testing.assert_array_equal(im2col(x[1, 2], (2, 3), stride=2, padding=1), cols4[1, 12:18])  # (H, W)
    assert cols4.shape == (2, 3 * 2 * 3, 3 * 3)


def test_symbols_stay_symbols():
    X = grid("a", (2, 3))
    cols = im2col(X, 2)
    assert cols.dtype == object and cols.shape == (4, 2)
    a = sp.Symbol
    assert list(cols[:, 1]) == [a("a_{1,2}"), a("a_{1,3}"), a("a_{2,2}"), a("a_{2,3}")]
    assert im2col(X, 2, padding=1)[0, 0] == 0


def test_input_not_modified(rng):
    x = rng.normal(size=(1, 2, 4, 4))
    saved = x.copy()
    im2col(x, 3, padding=2)[...] = 7.0
    np.testing.assert_array_equal(x, saved)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: im2col(np.zeros(5), 2), "2 or 3 or 4-D"),
        (lambda: im2col(np.zeros((3, 3)), 4), "does not fit"),
        (lambda: im2col(np.zeros((3, 3)), (2, 2, 2)), "kernel_size"),
        (lambda: im2col(np.zeros((3, 3)), 2, stride=0), "stride"),
        (lambda: im2col(np.zeros((3, 3)), 2, padding=-1), "padding"),
        (lambda: im2col([[1, 2], [3]], 1), "numeric"),
    ],
)
def test_bad_input_raises_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_torch_unfold_oracle(torch, rng):
    x = rng.normal(size=(2, 3, 6, 5))
    for k, s, p in [((2, 3), 1, 0), (3, 2, 1), ((3, 2), 3, 2)]:
        expected = torch.nn.functional.unfold(torch.tensor(x), k, padding=p, stride=s).numpy()
        np.testing.assert_allclose(im2col(x, k, stride=s, padding=p), expected, atol=0)


@st.composite
def dilated_cases(draw):
    """x (N, C, H, W), a kernel whose dilated span fits the padded input, stride, padding, dilation."""
    N, C, F = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
    H, W = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    p, s, d = draw(st.integers(0, 2)), draw(st.integers(1, 3)), draw(st.integers(2, 3))
    KH = draw(st.integers(1, (H + 2 * p - 1) // d + 1))
    KW = draw(st.integers(1, (W + 2 * p - 1) // d + 1))
    r = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return r.normal(size=(N, C, H, W)), r.normal(size=(F, C, KH, KW)), s, p, d


@given(dilated_cases())
def test_dilated_columns_are_the_loops_product_and_the_spanning_window_s_taps(case):
    """Referees: the seed's loops with dilation, and the undilated columns of the whole span
    D*(K-1)+1, of which the dilated window keeps every D-th row and column."""
    x, w, s, p, d = case
    F, C, KH, KW = w.shape
    cols = im2col(x, (KH, KW), stride=s, padding=p, dilation=d)
    z = ref.conv2d(x, w, stride=s, padding=p, dilation=d)
    np.testing.assert_allclose((w.reshape(F, -1) @ cols).reshape(z.shape), z, atol=1e-12)
    span = (d * (KH - 1) + 1, d * (KW - 1) + 1)
    full = im2col(x, span, stride=s, padding=p).reshape(x.shape[0], C, *span, -1)
    np.testing.assert_array_equal(cols, full[:, :, ::d, ::d].reshape(cols.shape))


def test_dilated_columns_by_hand():
    """4×4 image 0..15, a 2×2 kernel with dilation 2: taps (0,0), (0,2), (2,0), (2,2) of each window."""
    x = np.arange(16.0).reshape(4, 4)
    expected = [[0, 1, 4, 5], [2, 3, 6, 7], [8, 9, 12, 13], [10, 11, 14, 15]]
    np.testing.assert_array_equal(im2col(x, 2, dilation=2), expected)


def test_a_dilated_window_that_does_not_fit_is_refused():
    with pytest.raises(
        ValueError, match=r"im2col: kernel_size \(3, 3\) spans \(5, 5\) with dilation=2 does not fit"
    ):
        im2col(np.zeros((4, 4)), 3, dilation=2)
    with pytest.raises(ValueError, match="dilation must be an integer >= 1"):
        im2col(np.zeros((4, 4)), 2, dilation=0)


def test_torch_unfold_oracle_with_dilation(torch, rng):
    x = rng.normal(size=(2, 3, 7, 6))
    for k, s, p, d in [((2, 3), 1, 0, 2), (3, 2, 1, 2), ((2, 2), 1, 2, 3)]:
        expected = torch.nn.functional.unfold(torch.tensor(x), k, dilation=d, padding=p, stride=s).numpy()
        np.testing.assert_allclose(im2col(x, k, stride=s, padding=p, dilation=d), expected, atol=0)
