"""cnnmath.data.split: the Split every loader returns, on arrays and numbers chosen by hand."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from cnnmath import data


def _split(**stats) -> data.Split:
    x_train, x_test = np.zeros((3, 1, 2, 5)), np.zeros((2, 1, 2, 5))
    y_train, y_test = np.array([0, 1, 2]), np.array([1, 0])
    return data.Split(x_train, y_train, x_test, y_test, **stats)


def test_split_background_is_the_standardized_zero_pixel():
    # pixels standardized as (p - 0.25) / 0.5: a zero pixel becomes -0.5
    assert _split(pixel_mean=0.25, pixel_std=0.5).background == -0.5
    plain = _split()
    assert (plain.pixel_mean, plain.pixel_std, plain.background) == (0.0, 1.0, 0.0)


def test_split_repr_shows_shapes_not_pixels_and_is_frozen():
    s = _split()
    assert repr(s) == "Split(x_train (3, 1, 2, 5), y_train (3,), x_test (2, 1, 2, 5), y_test (2,))"
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.pixel_mean = 1.0
