"""The train/test split every loader in :mod:`cnnmath.data` returns: images as NCHW float64 arrays,
labels as int64 class ids, and the two numbers the images were standardized with."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Split"]


@dataclass(frozen=True, repr=False)
class Split:
    """A train/test split. x_*: (N, 1, H, W) float64 (NCHW); y_*: (N,) int64 class ids.

    ``pixel_mean`` and ``pixel_std`` are the two numbers the images were standardized with
    (x = (pixels - mean) / std, both from the *training* images); 0 and 1 if they were not.
    The background (a pixel value of 0) is then ``-pixel_mean / pixel_std``.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    pixel_mean: float = 0.0
    pixel_std: float = 1.0

    @property
    def background(self) -> float:
        return -self.pixel_mean / self.pixel_std

    def __repr__(self) -> str:
        return (
            f"Split(x_train {self.x_train.shape}, y_train {self.y_train.shape}, "
            f"x_test {self.x_test.shape}, y_test {self.y_test.shape})"
        )
