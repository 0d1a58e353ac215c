"""Data augmentation (数据增强, seed 003): new training images from old ones by small translations.

A digit moved one pixel is still the same digit, but to the network it is a different input: a
conv layer's feature maps move with the image (convolution is translation-equivariant), while
the dense layer on top sees every position separately. Training on shifted copies teaches it that
position does not matter. x: (..., H, W) everywhere; the uncovered border gets ``fill`` (use the
background value, :attr:`cnnmath.data.Split.background`, for standardized images).
"""

from __future__ import annotations

import numpy as np

from ..ops.checks import as_array, check_int, check_real

__all__ = ["ONE_PIXEL_SHIFTS", "random_shifts", "shift_images"]

# The eight one-pixel moves (down, right), row-major.
ONE_PIXEL_SHIFTS = [(r, c) for r in (-1, 0, 1) for c in (-1, 0, 1) if (r, c) != (0, 0)]


def _check_shift(fn: str, name: str, v, n: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int | np.integer) or abs(v) >= n:
        raise ValueError(f"{fn}: {name} must be an integer with |{name}| < {n}, got {v!r}")
    return int(v)


def shift_images(x, down: int, right: int, *, fill: float = 0.0) -> np.ndarray:
    """Translate images by ``down`` rows and ``right`` columns (negative: up / left).

    x: (..., H, W). Returns a new array of the same shape with
    out[..., i, j] = x[..., i - down, j - right] where that pixel exists, else ``fill``.
    """
    x = as_array("shift_images", "x", x)
    if x.ndim < 2:
        raise ValueError(f"shift_images: x must have at least 2 dimensions (..., H, W), got shape {x.shape}")
    check_real("shift_images", "fill", fill, finite=False, allow_nan=True)
    H, W = x.shape[-2:]
    r = _check_shift("shift_images", "down", down, H)
    c = _check_shift("shift_images", "right", right, W)
    out = np.full_like(x, fill)
    out[..., max(r, 0) : H + min(r, 0), max(c, 0) : W + min(c, 0)] = x[
        ..., max(-r, 0) : H + min(-r, 0), max(-c, 0) : W + min(-c, 0)
    ]
    return out


def random_shifts(x, rng: np.random.Generator, *, max_shift: int = 1, fill: float = 0.0) -> np.ndarray:
    """Each image moved by its own random (down, right), both uniform in -max_shift..max_shift.

    x: (N, ...) with images on the last two axes. rng: a numpy Generator (draws 2·N integers:
    all N ``down`` values, then all N ``right`` values). Returns a new array of x's shape.
    """
    x = as_array("random_shifts", "x", x)
    if x.ndim < 3:
        raise ValueError(f"random_shifts: x must be a batch (N, ..., H, W), got shape {x.shape}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"random_shifts: rng must be a numpy Generator (np.random.default_rng(seed)), got {rng!r}"
        )
    m = check_int("random_shifts", "max_shift", max_shift, minimum=0)
    check_real("random_shifts", "fill", fill, finite=False, allow_nan=True)
    if m >= min(x.shape[-2:]):
        raise ValueError(
            f"random_shifts: max_shift={m} must be smaller than the images' height and width "
            f"{x.shape[-2:]} (x.shape={x.shape})"
        )
    downs, rights = rng.integers(-m, m + 1, size=(2, len(x)))
    out = np.empty_like(x)
    for r in range(-m, m + 1):
        for c in range(-m, m + 1):
            rows = (downs == r) & (rights == c)
            out[rows] = shift_images(x[rows], r, c, fill=fill)
    return out
