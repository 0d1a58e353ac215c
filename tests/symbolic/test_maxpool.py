"""cnnmath.symbolic.maxpool: SymPy's Max, differentiated, gives max pooling's routing (Γ) without
assuming it."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp

import cnnmath as cm
from cnnmath import reference as ref
from cnnmath.seedforms import seed000
from cnnmath.symbolic import grid
from cnnmath.symbolic.maxpool import max_pool, max_pool_backward_derived, orderings, window_max_derivative


def test_max_pool_on_numbers_is_the_loop_form(rng):
    x = rng.normal(size=(2, 5, 7))
    sym = max_pool(x.astype(object), (2, 3), stride=(1, 2))
    np.testing.assert_array_equal(sym.astype(float), ref.max_pool2d(x, (2, 3), stride=(1, 2)))


def test_max_pool_on_symbols_is_a_max_of_each_window():
    A = grid("a", (4, 4))
    Y = max_pool(A, 2)
    assert Y.shape == (2, 2)
    assert Y[1, 0] == sp.Max(A[2, 0], A[2, 1], A[3, 0], A[3, 1])


@pytest.mark.parametrize("window", [(1, 2), (2, 2), (2, 3)])
def test_window_derivative_is_one_at_the_maximum_for_every_ordering(window):
    u, _, du = window_max_derivative(window)
    k = u.size
    for order in itertools.permutations(range(1, k + 1)):
        at = dict(zip(u.ravel(), map(sp.Integer, order), strict=True))
        got = np.array([int(e.xreplace(at)) for e in du.ravel()])
        expected = np.zeros(k, dtype=int)
        expected[int(np.argmax(order))] = 1
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize(
    ("shape", "window", "stride"),
    [((4, 4), 2, None), ((5, 5), 2, 1), ((5, 7), (2, 3), (1, 2)), ((6, 6), 2, 3), ((2, 6, 6), 3, None)],
)
def test_derived_backward_is_cnnmaths_routing(shape, window, stride, rng):
    for v in orderings(shape, 3, rng).astype(float):
        dy = rng.integers(-5, 6, size=cm.max_pool2d(v, window, stride=stride).shape).astype(float)
        np.testing.assert_array_equal(
            max_pool_backward_derived(dy, v, window, stride=stride),
            ref.max_pool2d_backward(dy, v, window, stride=stride),
        )


def test_derived_backward_is_seed000_gamma_for_blocks(rng):
    v = orderings((2, 4, 4), 1, rng)[0].astype(float)
    np.testing.assert_array_equal(max_pool_backward_derived(np.ones((2, 2, 2)), v, 2), seed000.gamma(v, 2))


def test_a_tie_has_no_derivative_sympy_gives_one_half():
    u, _, du = window_max_derivative((1, 2))
    at = dict(zip(u.ravel(), [sp.Integer(3), sp.Integer(3)], strict=True))
    assert [e.xreplace(at) for e in du.ravel()] == [sp.S.Half, sp.S.Half]


def test_orderings_hold_each_value_once(rng):
    o = orderings((2, 3), 4, rng)
    assert o.shape == (4, 2, 3)
    for v in o:
        assert sorted(v.ravel().tolist()) == list(range(1, 7))


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="max_pool: kernel_size must be an integer >= 1, got 0"):
        max_pool(grid("a", (3, 3)), 0)
    with pytest.raises(ValueError, match=r"kernel_size=\(4, 4\) is larger than .* \(H, W\)=\(3, 3\)"):
        max_pool(grid("a", (3, 3)), 4)
    with pytest.raises(ValueError, match=r"dy has shape \(3, 3\), expected \(2, 2\)"):
        max_pool_backward_derived(np.ones((3, 3)), np.arange(16.0).reshape(4, 4), 2)
    with pytest.raises(ValueError, match="count"):
        orderings((2, 2), 0, np.random.default_rng(0))


def test_window_size_may_be_a_list_or_an_int():
    assert window_max_derivative([2, 2])[0].shape == (2, 2)
    assert window_max_derivative(3)[0].shape == (3, 3)
    with pytest.raises(ValueError, match=r"kernel_size\[1\] must be an integer >= 1, got 0"):
        window_max_derivative((2, 0))
