"""The tiled max-pool engine (stride = window) against the loops and the offset masks, ties on purpose.

Referees: the seed's loops (cnnmath.reference.max_pool2d[_backward]) and pool.py's offset-by-offset
masks (OffsetSwitches), an independent routing of the same first-maximum rule. With tiling windows
each pixel receives at most one dy, so both sides copy values and are compared exactly.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cnnmath as cm
from cnnmath import nn
from cnnmath import reference as ref
from cnnmath.ops import pool
from cnnmath.ops._tiled_max import TiledSwitches, tiles
from cnnmath.ops.pool_args import pool_args


def offsets_route(dy, x, kernel):
    """The same routing through pool.py's offset masks (the path overlapping windows take)."""
    a = pool_args("test", x, kernel)
    y = pool.window_max(pool_args("test", x, kernel, (1, 1)))[..., :: a.kh, :: a.kw]
    return y, pool.OffsetSwitches(a, list(pool.switches(a, y))).route(dy)


@st.composite
def tiled_cases(draw):
    """x of rank 2-4 (H, W not always multiples of the window), values often tied, and dy."""
    lead = draw(st.lists(st.integers(1, 3), min_size=0, max_size=2))
    H, W = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    kh, kw = draw(st.integers(1, min(H, 4))), draw(st.integers(1, min(W, 4)))
    r = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    tied = draw(st.booleans())
    x = r.integers(-1, 2, size=(*lead, H, W)).astype(float) if tied else r.normal(size=(*lead, H, W))
    dy = r.normal(size=(*lead, H // kh, W // kw))
    return x, (kh, kw), dy


@given(tiled_cases())
def test_tiled_path_equals_the_loops_and_the_offset_masks(case):
    x, k, dy = case
    assert tiles(pool_args("test", x, k))
    y_loops, dx_loops = ref.max_pool2d(x, k), ref.max_pool2d_backward(dy, x, k)
    y_offsets, dx_offsets = offsets_route(dy, x, k)
    y, routes = pool.max_switches(pool_args("test", x, k))
    assert isinstance(routes, TiledSwitches)
    for got in (y, cm.max_pool2d(x, k)):
        np.testing.assert_array_equal(got, y_loops)
    np.testing.assert_array_equal(y_offsets, y_loops)
    for got in (routes.route(dy), cm.max_pool2d_backward(dy, x, k)):
        np.testing.assert_array_equal(got, dx_loops)
        np.testing.assert_array_equal(got, dx_offsets)


def test_ties_go_to_the_first_maximum_in_row_major_order():
    """[[0, 5], [5, 0]]: row-major first is (0, 1); a column-first pass would pick (1, 0)."""
    x = np.array([[0.0, 5.0], [5.0, 0.0]])
    np.testing.assert_array_equal(cm.max_pool2d_backward(np.array([[2.0]]), x, 2), [[0, 2], [0, 0]])
    x = np.full((3, 3), 7.0)  # all tied: the top-left pixel takes it
    np.testing.assert_array_equal(
        cm.max_pool2d_backward(np.array([[2.0]]), x, 3), [[2, 0, 0], [0, 0, 0], [0, 0, 0]]
    )


def test_the_gradient_is_selected_exactly_no_negative_zero_no_nan():
    x = np.array([[1.0, 0.0, 0.0, 3.0], [0.0, 0.0, 0.0, 0.0]])
    dx = cm.max_pool2d_backward(np.array([[-np.inf, np.nan]]), x, 2)
    np.testing.assert_array_equal(dx, [[-np.inf, 0, 0, np.nan], [0, 0, 0, 0]])
    assert not np.signbit(dx[dx == 0]).any()
    tiny = np.array([[-5e-324]])  # the smallest subnormal survives the bit select unchanged
    assert cm.max_pool2d_backward(tiny, np.eye(2), 2)[0, 0] == -5e-324


def test_a_window_holding_nan_passes_no_gradient_as_in_the_offset_path():
    x = np.array([[1.0, np.nan, 2.0, 0.0], [0.0, 0.0, 1.0, 0.0]])
    dy = np.array([[3.0, 4.0]])
    dx = cm.max_pool2d_backward(dy, x, 2)
    np.testing.assert_array_equal(dx, [[0, 0, 4, 0], [0, 0, 0, 0]])
    np.testing.assert_array_equal(dx, offsets_route(dy, x, 2)[1])
    assert np.isnan(cm.max_pool2d(x, 2)[0, 0])


@pytest.mark.parametrize("layout", ["reversed", "transposed", "sliced"])
def test_non_contiguous_inputs(rng, layout):
    """The engine reshapes x into windows: that must stay a view of the right pixels for any strides."""
    base = rng.integers(0, 3, size=(3, 2, 9, 8)).astype(float)
    x = {
        "reversed": base[..., ::-1, :],
        "transposed": base.transpose(1, 0, 3, 2),
        "sliced": base[:, :, 1::1, ::2],
    }[layout]
    dy = rng.normal(size=(*x.shape[:-2], x.shape[-2] // 2, x.shape[-1] // 2))
    np.testing.assert_array_equal(cm.max_pool2d(x, 2), ref.max_pool2d(x, 2))
    np.testing.assert_array_equal(
        cm.max_pool2d_backward(dy[..., ::-1], x, 2), ref.max_pool2d_backward(dy[..., ::-1], x, 2)
    )


def test_the_layer_keeps_the_tiled_switches_and_returns_the_function_s_numbers(rng):
    x = rng.integers(0, 2, size=(2, 3, 7, 6)).astype(float)
    layer = nn.MaxPool2D(2)
    y = layer.forward(x)
    dy = rng.normal(size=y.shape)
    assert isinstance(layer._cache[1], TiledSwitches)
    np.testing.assert_array_equal(layer.backward(dy), cm.max_pool2d_backward(dy, x, 2))


def test_overlapping_or_spaced_windows_do_not_take_the_tiled_path():
    x = np.zeros((6, 6))
    for stride in (1, (2, 1), 3):
        assert not tiles(pool_args("test", x, 2, stride))
        assert isinstance(pool.max_switches(pool_args("test", x, 2, stride))[1], pool.OffsetSwitches)
