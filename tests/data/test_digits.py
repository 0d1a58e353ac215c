"""cnnmath.data.digits: scikit-learn's digits as a fixed stratified standardized split."""

from __future__ import annotations

import numpy as np
import pytest

from cnnmath import data


def test_load_digits_is_a_fixed_stratified_standardized_split():
    from sklearn.datasets import load_digits as sk

    raw = sk()
    d = data.load_digits()
    assert d.x_train.shape == (1347, 1, 8, 8) and d.x_test.shape == (450, 1, 8, 8)
    assert d.y_train.dtype == np.int64 and d.x_train.dtype == np.float64
    # every image is used exactly once: undo the scaling and match the multiset of images
    pixels = np.concatenate([d.x_train, d.x_test]) * d.pixel_std + d.pixel_mean
    both = np.round(pixels * 16).astype(int).reshape(1797, 64)
    key = np.lexsort(both.T[::-1])
    ref = raw.data.astype(int)
    np.testing.assert_array_equal(both[key], ref[np.lexsort(ref.T[::-1])])
    # stratified: each class keeps its share (450/1797 of it, rounded) in the test set
    share = np.bincount(raw.target) * 450 / 1797
    assert np.all(np.abs(np.bincount(d.y_test) - share) <= 1)
    # standardized with the *training* statistics only
    assert abs(d.x_train.mean()) < 1e-12 and abs(d.x_train.std() - 1) < 1e-12
    assert abs(d.x_test.mean()) > 1e-6
    assert d.background == pytest.approx(d.x_train.min())
    # the same split every time; another seed gives another split
    again = data.load_digits()
    np.testing.assert_array_equal(again.x_test, d.x_test)
    assert not np.array_equal(data.load_digits(seed=1).y_test, d.y_test)
    plain = data.load_digits(standardize=False)
    assert (plain.pixel_mean, plain.pixel_std, plain.background) == (0.0, 1.0, 0.0)
    np.testing.assert_array_equal(plain.x_train * 16, np.round(plain.x_train * 16))
    assert plain.x_train.max() == 1.0
    assert repr(d) == "Split(x_train (1347, 1, 8, 8), y_train (1347,), x_test (450, 1, 8, 8), y_test (450,))"
    with pytest.raises(ValueError, match=r"load_digits: test_size=1790 leaves too few of the 1797 images"):
        data.load_digits(test_size=1790)
