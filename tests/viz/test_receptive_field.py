"""cnnmath.viz.receptive_field: the field measured by backpropagation == the pixels the loop forward
pass reads (on ring generators) == 1 + Σ D_l (K − 1); a broken backward pass would be caught."""

from __future__ import annotations

import numpy as np
import pytest

from cnnmath import reference
from cnnmath.symbolic import ring
from cnnmath.viz import receptive_field as rf

STACKS = [
    ((1,), 3),
    ((1, 1, 1), 3),
    ((1, 2, 4), 3),
    ((2, 2, 2), 3),
    ((1, 2, 4, 8), 2),
    ((3, 1), 2),
    ((2,), 4),
]


def _read_by_the_loops(dilations, k, size):
    """Rows × columns of the generators the centre output's polynomial contains: the loop forward
    pass (reference.conv2d) of all-ones kernels on an input of ring generators."""
    R, (x,) = ring.grids(("x", (size, size)))
    z = x
    for d in dilations:
        z = reference.conv2d(z, np.ones((k, k), dtype=int), dilation=d)
    centre = z[z.shape[0] // 2, z.shape[1] // 2]
    read = [divmod(R.gens.index(g), size) for g, deg in zip(R.gens, centre.degrees(), strict=True) if deg]
    rows, cols = zip(*read, strict=True)
    return max(rows) - min(rows) + 1, max(cols) - min(cols) + 1


@pytest.mark.parametrize(("dilations", "k"), STACKS)
def test_measured_equals_the_loops_and_the_formula(dilations, k):
    field = 1 + sum(d * (k - 1) for d in dilations)
    size = field + 3  # an input larger than the field: the centre output's field lies inside it
    measured = rf.dilated_stack(dilations, kernel_size=k)
    assert measured == rf.dilated_stack(dilations, kernel_size=k, size=size)
    assert measured == _read_by_the_loops(dilations, k, size) == (field, field)


def test_notebook_21s_stacks():
    assert rf.dilated_stack((1, 1, 1)) == (7, 7)  # three 3×3 layers
    assert rf.dilated_stack((1, 2, 4)) == (15, 15)
    assert rf.dilated_stack((2, 2, 2)) == (13, 13)
    assert rf.dilated_stack((1, 2, 4, 8)) == (31, 31)  # exercise 3: 1 + 2 (1 + 2 + 4 + 8)


def test_a_backward_pass_that_loses_the_outer_taps_is_caught(monkeypatch):
    """The measurement depends on the backward pass: one that sends δ back through the centre tap
    only (a wrong dx) measures 1 × 1, which the loops' referee rejects."""
    right = rf.conv2d_backward

    def centre_tap_only(dz, x, w, *, dilation):
        mask = np.zeros(w.shape)
        mask[..., w.shape[-2] // 2, w.shape[-1] // 2] = 1.0
        return right(dz, x, w * mask, dilation=dilation)

    monkeypatch.setattr(rf, "conv2d_backward", centre_tap_only)
    assert rf.dilated_stack((1, 2)) == (1, 1) != _read_by_the_loops((1, 2), 3, 12)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: rf.dilated_stack(()), "non-empty tuple or list"),
        (lambda: rf.dilated_stack(2), "non-empty tuple or list"),
        (lambda: rf.dilated_stack((1, 0)), r"dilations\[1\] must be an integer >= 1"),
        (lambda: rf.dilated_stack((1,), kernel_size=0), "kernel_size must be"),
        (lambda: rf.dilated_stack((1, 2, 4), size=14), "spans dilation"),
    ],
)
def test_bad_input_is_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()
