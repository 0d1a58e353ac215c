"""cnnmath.ops.pool_args: the pooling functions refuse a window that does not fit, a bad kernel_size or
stride, an input of fewer than 2 dimensions and an upstream gradient of the wrong shape, naming the
argument and the shapes (the checks every pooling function shares, run through max and average
pooling)."""

from __future__ import annotations

import numpy as np
import pytest

import cnnmath as cm

BAD = [
    (lambda: cm.max_pool2d(np.ones((3, 3)), 4), r"window kernel_size=\(4, 4\) is larger than.*\(3, 3\)"),
    (
        lambda: cm.avg_pool2d(np.ones((1, 5, 2)), (2, 3)),
        r"kernel_size=\(2, 3\) is larger.*x.shape=\(1, 5, 2\)",
    ),
    (lambda: cm.max_pool2d(np.ones((4, 4)), 0), r"kernel_size must be an integer >= 1"),
    (lambda: cm.max_pool2d(np.ones((4, 4)), 2.0), r"kernel_size must be an integer"),
    (lambda: cm.max_pool2d(np.ones((4, 4)), (2, 2, 2)), r"kernel_size must be an int or a pair"),
    (lambda: cm.max_pool2d(np.ones((4, 4)), 2, stride=0), r"stride must be an integer >= 1"),
    (lambda: cm.max_pool2d(np.ones((4, 4)), 2, stride=(1,)), r"stride must be an int or a pair"),
    (lambda: cm.max_pool2d(np.ones(4), 2), r"x must have at least 2 dimensions.*\(4,\)"),
    (
        lambda: cm.max_pool2d_backward(np.ones((3, 3)), np.ones((4, 4)), 2),
        r"dy has shape \(3, 3\), expected \(2, 2\).*x.shape=\(4, 4\)",
    ),
    (
        lambda: cm.avg_pool2d_backward(np.ones((2, 2)), np.ones((5, 5)), 3, stride=1),
        r"dy has shape \(2, 2\), expected \(3, 3\).*stride=\(1, 1\)",
    ),
]


@pytest.mark.parametrize(("call", "message"), BAD)
def test_bad_input_raises_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
