"""scikit-learn's 8×8 handwritten digits as a fixed, stratified, standardized :class:`Split`.

scikit-learn is imported inside :func:`load_digits`, not when :mod:`cnnmath.data` is imported.
"""

from __future__ import annotations

import numpy as np

from ..ops.checks import check_int
from .split import Split

__all__ = ["load_digits"]


def load_digits(*, test_size: int = 450, seed: int = 0, standardize: bool = True) -> Split:
    """scikit-learn's 1,797 handwritten digits (8×8, 17 grey levels 0..16) as a fixed stratified split.

    test_size images go to the test set, stratified by class (each digit keeps its share), chosen by
    ``sklearn.model_selection.train_test_split(random_state=seed)``: the same split on every run.
    Pixels are scaled to [0, 1] (÷ 16); with ``standardize=True`` (the default) they are then
    standardized with the mean and standard deviation of the *training* pixels (two scalars).
    Returns a :class:`Split` with x (N, 1, 8, 8) float64 and y (N,) int64.
    """
    from sklearn.datasets import load_digits as sk_load_digits
    from sklearn.model_selection import train_test_split

    check_int("load_digits", "test_size", test_size, minimum=10)
    check_int("load_digits", "seed", seed, minimum=0)
    d = sk_load_digits()
    x = d.images.reshape(-1, 1, 8, 8).astype(np.float64) / 16.0
    y = d.target.astype(np.int64)
    if test_size > len(y) - 10:
        raise ValueError(f"load_digits: test_size={test_size} leaves too few of the {len(y)} images to train")
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_size, stratify=y, random_state=seed
    )
    mean, std = (float(x_train.mean()), float(x_train.std())) if standardize else (0.0, 1.0)
    return Split((x_train - mean) / std, y_train, (x_test - mean) / std, y_test, mean, std)
