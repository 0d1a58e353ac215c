"""Fixtures shared by the tests of cnnmath.check."""

from __future__ import annotations

import pytest


def _battery_of(name):
    from cnnmath.check import _battery

    if name == "conv2d_backward":
        return _battery.conv_cases("backward", (1, 2, 3), (0, 1, 2))
    return _battery.pool_cases(name.split("_")[0])


@pytest.fixture(scope="session")
def battery_of():
    """``battery_of(name)``: the cases of check_conv2d_backward (every stride and padding), or of the
    pooling checker ``name`` (max_pool2d_backward, ...)."""
    return _battery_of
