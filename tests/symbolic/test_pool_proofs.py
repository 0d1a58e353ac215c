"""The grid proofs pass for the collection's backward passes and fail for wrong ones."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from cnnmath.reference import pool as ref_pool
from cnnmath.reference import pool_weighted as ref_weighted
from cnnmath.symbolic import pool_proofs as pp

CASES = pp.grid_cases([(3, 3), (4, 5)], [(2, 2), (2, 3)], [(1, 1), (2, 2), (1, 2)])


def test_grid_cases_keeps_only_windows_that_fit():
    cases = pp.grid_cases([(2, 3)], [(2, 2), (3, 1), (1, 3)], [(1, 1)])
    assert cases == [((2, 3), (2, 2), (1, 1)), ((2, 3), (1, 3), (1, 1))]
    assert len(CASES) == 12


def test_the_collection_passes():
    assert pp.prove_mean_pool(CASES) == len(CASES)
    assert pp.prove_weighted_pool(CASES) == len(CASES)
    assert pp.prove_lp_pool(CASES[:4], 1.5) == 4


def _overwrite(dy, x, k, *, stride=None):
    """Mean pooling's backward with '=' instead of '+=': wrong wherever windows overlap."""
    x = np.asarray(x, dtype=object)
    dx = np.full(x.shape, 0, dtype=object)
    (kh, kw), (sh, sw) = k, stride
    for i, j in np.ndindex(np.asarray(dy).shape):
        for r in range(kh):
            for t in range(kw):
                dx[i * sh + r, j * sw + t] = dy[i, j] * sp.Rational(1, kh * kw)
    return dx


def test_a_wrong_mean_backward_fails():
    pp.prove_mean_pool([((4, 4), (2, 2), (2, 2))], backward=_overwrite)  # no overlap: right
    with pytest.raises(AssertionError, match=r"loop dx differs .*\(1, 1\)"):
        pp.prove_mean_pool([((3, 3), (2, 2), (1, 1))], backward=_overwrite)


def test_a_wrong_weighted_backward_fails():
    def no_dw(dy, x, w, *, stride=None):
        dx, dw = ref_weighted.weighted_pool2d_backward(dy, x, w, stride=stride)
        return dx, dw * 0

    with pytest.raises(AssertionError, match="loop dw differs"):
        pp.prove_weighted_pool(CASES[:1], backward=no_dw)


def test_the_seeds_lp_formula_without_the_sign_fails():
    def at_abs(dy, x, p, k, *, stride=None):
        x = np.asarray(x)
        absx = np.vectorize(sp.Abs, otypes=[object])(x) if x.dtype == object else np.abs(x)
        return ref_pool.lp_pool2d_backward(dy, absx, p, k, stride=stride)

    with pytest.raises(AssertionError, match="loop dx differs"):
        pp.prove_lp_pool(CASES[:1], 1.5, backward=at_abs)
