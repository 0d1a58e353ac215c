"""cnnmath.seedforms.full_convolution: seed 003's Kronecker form of the mean-pool backward pass equals
avg_pool2d_backward. The convolution routes (δ^{l-1} = crop(full_conv(dilate(δ), rot180 w)) and
dW = xpad ⋆ dilate(δ), with and without dilation) are proved against the fast form over hypothesis'
shapes in tests/ops/test_conv.py (test_seed_route_equals_chain_rule,
test_dilated_gradients_by_the_seed_routes), which share their shapes with the other convolution tests;
on SymPy symbols in tests/symbolic/test_symbolic.py and tests/symbolic/test_ring.py."""

from __future__ import annotations

import numpy as np
import pytest

import cnnmath as cm
from cnnmath import seedforms as sf


@pytest.mark.parametrize(("shape", "k"), [((6, 6), 2), ((2, 3, 4, 6), (2, 3)), ((3, 9, 6), 3)])
def test_mean_pool_is_a_kronecker_product(rng, shape, k):
    """Seed 003: dA = dZ ⊗ M with M = ones/(kh·kw), for non-overlapping windows."""
    x = rng.normal(size=shape)
    dy = rng.normal(size=cm.avg_pool2d(x, k).shape)
    np.testing.assert_allclose(sf.mean_pool_backward_kron(dy, k), cm.avg_pool2d_backward(dy, x, k))


def test_mean_pool_kron_pads_rows_the_windows_missed(rng):
    x = rng.normal(size=(5, 7))
    dy = rng.normal(size=(2, 3))
    got = sf.mean_pool_backward_kron(dy, 2, input_hw=(5, 7))
    np.testing.assert_allclose(got, cm.avg_pool2d_backward(dy, x, 2))
    assert not got[4].any() and not got[:, 6].any()
