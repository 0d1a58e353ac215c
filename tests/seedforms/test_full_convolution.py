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


K3 = np.ones((3, 3))
W4 = np.ones((4, 3, 3, 3))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: sf.dilate(np.ones((0, 2)), 2),
            r"^dilate: d has an empty spatial size \(..., H, W\) = \(0, 2\)$",
        ),
        (lambda: sf.full_conv(np.ones((3, 3)), np.ones((0, 2))), r"^full_conv: w has an empty spatial size"),
        (
            lambda: sf.delta_full_conv(np.ones((4, 4)), K3, None),
            r"^delta_full_conv: x_shape must be \(H, W\), got None$",
        ),
        (
            lambda: sf.delta_full_conv(np.ones((4, 4)), K3, (6,)),
            r"^delta_full_conv: x_shape must be \(H, W\), got \(6,\)$",
        ),
        (
            lambda: sf.delta_full_conv(np.ones((4, 4)), K3, 6),
            r"^delta_full_conv: x_shape must be \(H, W\), got 6$",
        ),
        (
            lambda: sf.delta_full_conv(np.ones((4, 4)), K3, (6.0, 6.0)),
            r"^delta_full_conv: x_shape\[0\] must be an integer >= 1, got 6.0$",
        ),
        (
            lambda: sf.delta_full_conv(np.ones((4, 4)), K3, (2, 2)),
            r"^delta_full_conv: the kernel \(3, 3\) \(w.shape=\(3, 3\)\) is larger than the padded input "
            r"\(2, 2\) \(x_shape=\(2, 2\), padding=0\)$",
        ),
        (
            lambda: sf.delta_full_conv(np.ones((1, 1, 4, 4)), K3, (1, 1, 6, 6)),
            r"^delta_full_conv: dz.shape=\(1, 1, 4, 4\) and w.shape=\(3, 3\) must have the same rank",
        ),
        (
            lambda: sf.delta_full_conv(np.ones((4, 4)), np.ones(3), (6, 6)),
            r"^delta_full_conv: dz.shape=\(4, 4\) and w",
        ),
        (
            lambda: sf.delta_full_conv(np.ones((2, 4, 4, 4)), W4, (2, 2, 6, 6)),
            r"^delta_full_conv: x_shape=\(2, 2, 6, 6\) does not match dz.shape=\(2, 4, 4, 4\) \(N = 2\) "
            r"and w.shape=\(4, 3, 3, 3\) \(C = 3\)$",
        ),
        (
            lambda: sf.delta_full_conv(np.ones((2, 4, 4, 4)), W4, (3, 3, 6, 6)),
            r"^delta_full_conv: x_shape=\(3, 3, 6, 6\) does not match dz.shape",
        ),
        (
            lambda: sf.delta_full_conv(np.ones((2, 4, 4, 4)), W4, (2, 3, 6)),
            r"^delta_full_conv: x_shape must be \(H, W\) or \(N, C, H, W\), got \(2, 3, 6\)$",
        ),
        (
            lambda: sf.weight_grad_correlate(np.ones((2, 2)), np.ones((1, 1)), 3),
            r"^weight_grad_correlate: kernel_size=\(3, 3\) is larger than the padded input \(2, 2\) "
            r"\(x.shape=\(2, 2\), padding=0\)$",
        ),
        (
            lambda: sf.mean_pool_backward_kron(np.ones((2, 2)), 2, input_hw=(4,)),
            r"^mean_pool_backward_kron: input_hw must be \(H, W\), got \(4,\)$",
        ),
        (
            lambda: sf.mean_pool_backward_kron(np.ones((2, 2)), 2, input_hw=(5.0, 5.0)),
            r"^mean_pool_backward_kron: input_hw\[0\] must be an integer >= 1, got 5.0$",
        ),
        (
            lambda: sf.mean_pool_backward_kron(np.ones((1, 1)), 1, input_hw=(True, True)),
            r"^mean_pool_backward_kron: input_hw\[0\] must be an integer >= 1, got True$",
        ),
    ],
)
def test_bad_input_names_the_argument_and_the_shapes(call, message):
    """These failed deep inside (unpacking, numpy's negative dimensions, conv_output_size's n) or, for
    x_shape's N and C, returned dx of the wrong shape."""
    with pytest.raises(ValueError, match=message):
        call()
