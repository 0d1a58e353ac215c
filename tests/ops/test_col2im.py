"""The three col2im strategies of the fast backward pass (cnnmath.ops._col2im), each held to the loops.

The public functions choose a strategy by size and stride, so most small random cases take the
dense one; here each strategy is forced in turn, over random shapes and over several chunks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cnnmath as cm
from cnnmath import reference as ref
from cnnmath.ops import _col2im, conv


def forced(kind: str):
    """An input_grad_fn that always takes one strategy."""

    def make(w, chunk_shape, out_hw, s, p, *, dilation=1):
        d = dilation
        if kind == "grid":
            return _col2im._grid_scatter(w, chunk_shape, out_hw, p, d)
        if kind == "strided":
            return _col2im._strided_scatter(w, out_hw, s, p, d)
        _, C, H, W = chunk_shape
        return _col2im._dense_scatter(w, _col2im._scatter_matrix(C, H, W, *w.shape[2:], s, p, d), s, p, d)

    return make


ANY_STRIDE = st.integers(1, 3)


@st.composite
def cases(draw, strides=ANY_STRIDE):
    N, C, F = draw(st.integers(1, 5)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    p, s, d = draw(st.integers(0, 3)), draw(strides), draw(st.sampled_from([1, 1, 2, 3]))  # d: dilation
    H, W = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    KH = draw(st.integers(1, min(5, (H + 2 * p - 1) // d + 1)))
    KW = draw(st.integers(1, min(5, (W + 2 * p - 1) // d + 1)))
    r = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x, w = r.normal(size=(N, C, H, W)), r.normal(size=(F, C, KH, KW))
    dz = r.normal(
        size=(N, F, (H + 2 * p - d * (KH - 1) - 1) // s + 1, (W + 2 * p - d * (KW - 1) - 1) // s + 1)
    )
    chunk_bytes = draw(st.sampled_from([1, 4096, 1 << 21]))  # 1 sample per chunk, a few, all at once
    return x, w, dz, s, p, d, chunk_bytes


def check_forced(kind, case):
    x, w, dz, s, p, d, chunk_bytes = case
    want = ref.conv2d_backward(dz, x, w, stride=s, padding=p, dilation=d)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(conv, "input_grad_fn", forced(kind))
        mp.setattr(conv, "CHUNK_BYTES", chunk_bytes)
        got = cm.conv2d_backward(dz, x, w, stride=s, padding=p, dilation=d)
    for g, r_ in zip(got, want, strict=True):
        np.testing.assert_allclose(g, r_, rtol=1e-12, atol=1e-12)


@given(case=cases(strides=st.just(1)))
def test_grid_equals_the_loops(case):
    check_forced("grid", case)


@pytest.mark.parametrize("kind", ["strided", "dense"])
@given(case=cases())
def test_strided_and_dense_equal_the_loops(kind, case):
    check_forced(kind, case)


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "s", "p", "kind"),
    [
        ((1, 1, 5, 5), (1, 1, 3, 3), 1, 0, "_dense_scatter"),  # seed 001's example: tiny
        ((64, 1, 8, 8), (8, 1, 3, 3), 1, 1, "_grid_scatter"),
        ((4, 3, 12, 10), (2, 3, 3, 3), 2, 1, "_strided_scatter"),
    ],
)
def test_strategy_choice(x_shape, w_shape, s, p, kind):
    w = np.ones(w_shape)
    Ho = (x_shape[2] + 2 * p - w_shape[2]) // s + 1
    Wo = (x_shape[3] + 2 * p - w_shape[3]) // s + 1
    assert _col2im.input_grad_fn(w, x_shape, (Ho, Wo), s, p).__qualname__.startswith(kind)


def test_inf_in_w_is_not_spread_by_the_grid(rng):
    """On the grid the unused columns are 0 * w; with an inf in w that would be nan and land on pixels
    the inf never reaches. Such a w takes the strided adds and matches the loops, nan for nan."""
    x, w, dz = rng.normal(size=(3, 2, 9, 9)), rng.normal(size=(4, 2, 3, 3)), rng.normal(size=(3, 4, 7, 7))
    w[1, 0, 2, 2] = np.inf
    assert _col2im.input_grad_fn(w, x.shape, (7, 7), 1, 0).__qualname__.startswith("_strided_scatter")
    dx, _, _ = cm.conv2d_backward(dz, x, w)
    want, _, _ = ref.conv2d_backward(dz, x, w)
    assert np.isfinite(want).any() and not np.isfinite(want).all()
    np.testing.assert_allclose(dx, want, rtol=1e-12)


@pytest.mark.parametrize("kind", ["grid", "strided", "dense"])
@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_inf_and_nan_in_dz_stay_where_the_loops_put_them(rng, kind, bad):
    x, w, dz = rng.normal(size=(2, 1, 5, 5)), rng.normal(size=(2, 1, 3, 3)), rng.normal(size=(2, 2, 5, 5))
    dz[1, 0, 2, 3] = bad
    want, _, _ = ref.conv2d_backward(dz, x, w, padding=1)
    assert np.isfinite(want).any() and not np.isfinite(want).all()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(conv, "input_grad_fn", forced(kind))
        dx, _, _ = cm.conv2d_backward(dz, x, w, padding=1)
    np.testing.assert_allclose(dx, want, rtol=1e-12)


@pytest.mark.parametrize("kind", ["grid", "strided", "dense"])
@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_inf_and_nan_in_dz_of_a_dilated_kernel_stay_where_the_loops_put_them(rng, kind, bad):
    """The same at dilation 2: the dense scatter's way around inf·0 (the strided adds) must space the
    taps D apart too. This small case is one conv2d_backward sends to the dense scatter by itself."""
    x, w, dz = rng.normal(size=(2, 1, 5, 5)), rng.normal(size=(2, 1, 3, 3)), rng.normal(size=(2, 2, 3, 3))
    dz[1, 0, 1, 1] = bad  # its window reads no padding (inf·0 would make the loops' dw nan)
    assert _col2im.input_grad_fn(w, x.shape, (3, 3), 1, 1, dilation=2).__qualname__.startswith("_dense")
    want, _, _ = ref.conv2d_backward(dz, x, w, padding=1, dilation=2)
    assert np.isfinite(want).any() and not np.isfinite(want).all()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(conv, "input_grad_fn", forced(kind))
        dx, _, _ = cm.conv2d_backward(dz, x, w, padding=1, dilation=2)
    np.testing.assert_allclose(dx, want, rtol=1e-12)


@pytest.mark.parametrize("kind", ["grid", "strided", "dense"])
def test_an_empty_batch_gives_empty_dx_and_zero_dw(kind):
    x, w, dz = np.zeros((0, 2, 5, 5)), np.ones((3, 2, 3, 3)), np.zeros((0, 3, 5, 5))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(conv, "input_grad_fn", forced(kind))
        dx, dw, db = cm.conv2d_backward(dz, x, w, padding=1)
    assert dx.shape == x.shape and cm.conv2d(x, w, padding=1).shape == (0, 3, 5, 5)
    np.testing.assert_array_equal(dw, np.zeros(w.shape))
    np.testing.assert_array_equal(db, np.zeros(3))


def test_results_are_new_arrays(rng):
    x, w = rng.normal(size=(6, 2, 9, 9)), rng.normal(size=(3, 2, 3, 3))
    dz1, dz2 = rng.normal(size=(2, 6, 3, 9, 9))
    first = cm.conv2d_backward(dz1, x, w, padding=1)
    z1 = cm.conv2d(x, w, padding=1)
    saved = [a.copy() for a in (*first, z1)]
    cm.conv2d_backward(dz2, x, w, padding=1)
    cm.conv2d(2 * x, w, padding=1)
    for a, b in zip((*first, z1), saved, strict=True):
        np.testing.assert_array_equal(a, b)
