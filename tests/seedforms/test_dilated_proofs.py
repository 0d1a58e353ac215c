"""cnnmath.seedforms.dilated_proofs: the dilated layer's zero-insertion gradient routes and the
stride-dilation duality are proved exactly on a grid; the double turn, taps read next to each other
and unswapped roles fail, naming the case."""

from __future__ import annotations

import itertools

import pytest

from cnnmath import reference
from cnnmath import seedforms as sf
from cnnmath.seedforms import dilated_proofs as dp

# (N, C, F, H, W, KH, KW, S, P, D), the cases where the dilated kernel fits
GRID = [
    (*ncf, *shape, s, p, d)
    for ncf, shape in [((1, 2, 2), (5, 4, 2, 2)), ((2, 1, 3), (6, 5, 3, 2))]  # (N, C, F), (H, W, KH, KW)
    for s, p, d in itertools.product((1, 2, 3), (0, 1), (1, 2, 3))
    if d * (shape[2] - 1) + 1 <= shape[0] + 2 * p and d * (shape[3] - 1) + 1 <= shape[1] + 2 * p
]


def test_the_collection_passes():
    assert len(GRID) == 33
    assert dp.prove_gradient_routes(GRID) == len(GRID)
    assert dp.prove_swapped_weight_grad(GRID) == len(GRID)


def _twice_turned(dz, w, x_shape, *, stride, padding, dilation):
    """full convolution with rot180(dilate(w, D)): delta_full_conv turns the kernel already."""
    return sf.delta_full_conv(dz, sf.rot180(sf.dilate(w, dilation)), x_shape, stride=stride, padding=padding)


def _adjacent_taps(x, dz, kernel_size, *, stride, padding, dilation):
    """The span's correlation read at offsets r, t instead of rD, tD: right only for D = 1."""
    span = tuple(dilation * (k - 1) + 1 for k in kernel_size)
    dw = sf.weight_grad_correlate(x, dz, span, stride=stride, padding=padding)
    return dw[..., : kernel_size[0], : kernel_size[1]]


def test_the_double_turn_fails():
    with pytest.raises(AssertionError, match=r"case \(1, 2, 2, 5, 4, 2, 2, 1, 0, 1\): prove_equal \(∂E/∂x\)"):
        dp.prove_gradient_routes(GRID, dx_route=_twice_turned)


def test_taps_read_next_to_each_other_fail_at_the_first_dilation_two():
    undilated = [c for c in GRID if c[-1] == 1]
    assert dp.prove_gradient_routes(undilated, dw_route=_adjacent_taps) == len(undilated)
    with pytest.raises(AssertionError, match=r"case \(1, 2, 2, 5, 4, 2, 2, 1, 0, 2\): prove_equal \(∂E/∂w\)"):
        dp.prove_gradient_routes(GRID, dw_route=_adjacent_taps)


def _roles_not_swapped(x, w, *, stride, dilation):
    return reference.conv2d(x, w, stride=dilation, dilation=stride)  # undoes the swap: stride S, dilation D


def test_the_unswapped_roles_fail_where_stride_and_dilation_differ():
    same = [c for c in GRID if c[7] == c[9]]
    assert dp.prove_swapped_weight_grad(same, conv=_roles_not_swapped) == len(same)
    with pytest.raises(AssertionError, match=r"case \(1, 2, 2, 5, 4, 2, 2, 1, 0, 2\): prove_equal"):
        dp.prove_swapped_weight_grad(GRID, conv=_roles_not_swapped)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ((1, 2, 2, 5, 4, 2, 2, 1, 0), "each case must be 10 integers"),
        ((1, 2, 2, 5, 4, 2, 2, 1, 0, 0), r"got \(1, 2, 2, 5, 4, 2, 2, 1, 0, 0\)"),
        ((1, 1, 1, 5, 4, 3, 2, 1, 0, 3), "spans dilation"),
    ],
)
def test_bad_cases_are_refused(case, message):
    with pytest.raises(ValueError, match=message):
        dp.prove_gradient_routes([case])
