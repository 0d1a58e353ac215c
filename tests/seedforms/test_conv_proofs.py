"""cnnmath.seedforms.conv_proofs: the conv layer's forward formula and its three backward routes are
proved exactly on grids of sizes; wrong formulas fail, naming the case; bad case lists are refused."""

from __future__ import annotations

import itertools

import pytest

import cnnmath as cm
from cnnmath import reference
from cnnmath import seedforms as sf
from cnnmath.seedforms import conv_proofs as cp

FORWARD = [
    (D, N, H, L, F, S, P)
    for D, N, (H, L), F, S, P in itertools.product((1, 2), (1, 2), [(4, 4), (3, 5)], (1, 3), (1, 2), (0, 1))
]
# (N, C, F, H, W, KH, KW, S, P): non-square inputs and kernels, so a transposed kernel cannot pass
BACKWARD = [
    (1, 2, 1, h, w, kh, kw, s, p)
    for (h, w), (kh, kw), s, p in itertools.product([(4, 3), (3, 5)], [(1, 2), (3, 2)], (1, 2, 3), (0, 2))
]
SEVERAL = [(2, 2, 3, 3, 4, 2, 3, s, 1) for s in (1, 2)]  # a batch of 2, 2 channels, 3 filters


def test_the_collection_passes():
    assert cp.prove_forward(FORWARD) == len(FORWARD) == 64
    sizes = [(h, w, k) for h in (2, 3, 5) for w in (2, 4) for k in (1, 2, 3) if k <= min(h, w)]
    assert cp.prove_full_conv(sizes) == len(sizes) == 14
    for prove in (cp.prove_delta_route, cp.prove_channel_sum, cp.prove_weight_route):
        assert prove(BACKWARD) == len(BACKWARD) == 24
        assert prove(SEVERAL) == 2


def _turned_kernel(x, w, b=None, **knobs):
    """A "convolution" with the kernel turned: the true convolution, not the seed's formula."""
    return reference.conv2d(x, sf.rot180(w), b, **knobs)


def _no_bias(x, w, b=None, **knobs):
    return reference.conv2d(x, w, **knobs)


def _fast_without_padding(x, w, b=None, *, stride=1, padding=0):
    return cm.conv2d(x, w, b, stride=stride)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        ({"conv": _turned_kernel}, r"case \(1, 1, 4, 4, 3, 1, 0\): prove_equal \(the seed's formula\)"),
        ({"conv": _no_bias}, r"case \(1, 1, 4, 4, 1, 1, 0\): prove_equal \(the seed's formula\)"),
        ({"fast": _fast_without_padding}, r"case \(1, 1, 4, 4, 1, 1, 1\): the fast form differs"),
    ],
)
def test_wrong_forward_formulas_fail_naming_the_case(wrong, message):
    with pytest.raises(AssertionError, match=message):
        cp.prove_forward(FORWARD, **wrong)


def _not_rotated_full_conv(d, w):
    K = w.shape[-1]
    return reference.conv2d(sf.pad(d, K - 1), w)  # δ padded, correlated with w itself


def test_the_unrotated_kernel_fails():
    cp.prove_full_conv([(3, 3, 1)], route=_not_rotated_full_conv)  # 1×1: turning changes nothing
    with pytest.raises(AssertionError, match=r"case \(3, 3, 2\): prove_equal \(∂E/∂a\): not equal"):
        cp.prove_full_conv([(3, 3, 1), (3, 3, 2)], route=_not_rotated_full_conv)


def _twice_turned(dz, w, x_shape, *, stride, padding):
    """delta_full_conv already turns the kernel: turning it before is the double turn."""
    return sf.delta_full_conv(dz, sf.rot180(w), x_shape, stride=stride, padding=padding)


def _undilated_weight_grad(x, dz, kernel_size, *, stride, padding):
    """x_pad correlated with δ itself, not dilate(δ, S): right only at stride 1."""
    xs, ds = sf.pad(x, padding).swapaxes(0, 1), dz.swapaxes(0, 1)
    return reference.conv2d(xs, ds)[:, :, : kernel_size[0], : kernel_size[1]].swapaxes(0, 1)


def test_wrong_delta_routes_fail_naming_the_case():
    first = r"case \(1, 2, 1, 4, 3, 1, 2, 1, 0\): prove_equal \(∂E/∂x"  # a 1×2 kernel, turned twice
    with pytest.raises(AssertionError, match=first):
        cp.prove_delta_route(BACKWARD, route=_twice_turned)
    with pytest.raises(AssertionError, match=first):
        cp.prove_channel_sum(BACKWARD, route=_twice_turned)


def test_the_undilated_weight_gradient_fails_at_the_first_stride_two():
    stride_one = [c for c in BACKWARD if c[7] == 1]
    assert cp.prove_weight_route(stride_one, route=_undilated_weight_grad) == len(stride_one)
    with pytest.raises(AssertionError, match=r"case \(1, 2, 1, 4, 3, 1, 2, 2, 0\): prove_equal \(∂E/∂w\)"):
        cp.prove_weight_route(BACKWARD, route=_undilated_weight_grad)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: cp.prove_forward([]), "no cases given"),
        (lambda: cp.prove_delta_route([(1, 2, 1, 4, 3)]), r"each case must be 9 integers"),
        (lambda: cp.prove_weight_route([(1, 2, 1, 4, 3, 2, 2, 0, 0)]), r"got \(1, 2, 1, 4, 3, 2, 2, 0, 0\)"),
        (lambda: cp.prove_full_conv([(3, 3, 2.0)]), "each case must be 3 integers"),
        (lambda: cp.prove_channel_sum([(1, 1, 1, 3, 3, 5, 1, 1, 0)]), "kernel_size=5 is larger"),
    ],
)
def test_bad_cases_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()
