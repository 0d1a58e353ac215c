"""cnnmath.ops.conv_args: the output-size formula (by hand, and against sliding the window along an
axis) and the stride quoted as the caller gave it. conv2d's and conv2d_backward's bad-input table,
which runs conv_args' other checks through the public functions, is in test_conv.py."""

from __future__ import annotations

import numpy as np
import pytest

import cnnmath as cm
from cnnmath import reference as ref


def test_output_size():
    assert cm.conv_output_size(5, 3) == 3
    assert cm.conv_output_size(5, 3, stride=2) == 2
    assert cm.conv_output_size(7, 3, stride=2, padding=1) == 4
    assert cm.conv_output_size(6, 3, stride=2) == 2  # floor((6-3)/2)+1
    assert cm.conv_output_size(28, 5) == 24


def test_dilated_output_size():
    assert cm.conv_output_size(7, 3, dilation=2) == 3  # spans 5 pixels
    assert cm.conv_output_size(7, 3, dilation=3) == 1  # spans 7: one window
    assert cm.conv_output_size(7, 3, stride=2, padding=1, dilation=2) == 3  # floor((9 - 5) / 2) + 1
    assert cm.conv_output_size(8, 2, stride=3, dilation=4) == 2  # floor((8 - 5) / 3) + 1
    for n, k, s, p, d in [
        (n, k, s, p, d)
        for n in range(1, 9)
        for k in (1, 2, 3)
        for s in (1, 2, 3)
        for p in (0, 1, 2)
        for d in (1, 2, 3)
        if d * (k - 1) + 1 <= n + 2 * p
    ]:
        starts = [i for i in range(0, n + 2 * p, s) if i + d * (k - 1) < n + 2 * p]  # windows by sliding
        assert cm.conv_output_size(n, k, stride=s, padding=p, dilation=d) == len(starts)


def test_a_message_quotes_the_stride_as_given():
    with pytest.raises(
        ValueError, match=r"dz has shape \(2, 2\), expected \(1, 1\).*stride=1180591620717411303424"
    ):
        cm.conv2d_backward(np.ones((2, 2)), np.ones((5, 5)), np.ones((3, 3)), stride=2**70)


@pytest.mark.parametrize(
    ("x_shape", "k_shape", "kw", "message"),
    [
        (
            (5, 2),
            (1, 3),
            {},
            r"kernel \(1, 3\) \(w.shape=\(1, 3\)\) is larger than the padded input \(5, 2\)",
        ),
        (
            (2, 5),
            (3, 1),
            {},
            r"kernel \(3, 1\) \(w.shape=\(3, 1\)\) is larger than the padded input \(2, 5\)",
        ),
        ((5, 2), (1, 5), {"padding": 1}, r"kernel \(1, 5\).*larger than the padded input \(7, 4\)"),
        (
            (7, 3),
            (2, 2),
            {"dilation": 3},
            r"kernel \(2, 2\).*with dilation=3 spans dilation\*\(K-1\)\+1 = \(4, 4\) pixels, "
            r"more than the padded input \(7, 3\)",
        ),
    ],
)
def test_the_kernel_must_fit_along_each_axis(x_shape, k_shape, kw, message):
    """A kernel that fits the rows but not the columns (or the other way round) is refused, not turned
    into an empty output: each axis is checked on its own, by the fast and the loop form alike."""
    x, w = np.ones(x_shape), np.ones(k_shape)
    for conv2d in (cm.conv2d, ref.conv2d):
        with pytest.raises(ValueError, match=message):
            conv2d(x, w, **kw)
