"""The numbers the widgets start from: the seeds' examples and small deterministic grids.

* ``SEED001_IMAGE``, ``SEED001_KERNEL`` — seed 001's 5×5 binary image and 3×3 kernel (bias 0); at
  stride 1 the output is [[4, 3, 4], [2, 4, 3], [2, 3, 4]].
* ``SEED003_A`` — seed 003's 6×6 table A^[l] for 2×2 pooling with stride 2 (window (1, 0) holds two 5s:
  a tie).
* ``KERNELS`` — named 3×3 kernels for the live δ map.
* ``small_ints(shape, low, high, seed)`` — deterministic integer-valued float grids.
"""

from __future__ import annotations

import numpy as np

__all__ = ["KERNELS", "SEED001_IMAGE", "SEED001_KERNEL", "SEED003_A", "relu_grid", "small_ints"]

SEED001_IMAGE = np.array(
    [[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]], dtype=float
)
SEED001_KERNEL = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=float)

SEED003_A = np.array(
    [
        [3, 6, 5, 4, 8, 9],
        [1, 7, 9, 6, 8, 0],
        [5, 0, 9, 6, 2, 0],
        [5, 2, 6, 3, 7, 0],
        [9, 0, 3, 2, 3, 1],
        [3, 1, 3, 7, 1, 7],
    ],
    dtype=float,
)

KERNELS = {
    "seed 001 (1 0 1 / 0 1 0 / 1 0 1)": SEED001_KERNEL,
    "identity (centre 1)": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=float),
    "vertical edge (Sobel)": np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], dtype=float),
    "box blur (all 0.1)": np.full((3, 3), 0.1),
}


def small_ints(shape: tuple[int, ...], low: int, high: int, seed: int) -> np.ndarray:
    """Integers in [low, high) as float64, the same for the same (shape, low, high, seed)."""
    rng = np.random.default_rng([seed, *shape, high - low])
    return rng.integers(low, high, size=shape).astype(float)


def relu_grid(n: int, seed: int = 7) -> np.ndarray:
    """An n×n grid as it looks after a ReLU: many zeros (so pooling windows have ties) and small ints."""
    return np.maximum(small_ints((n, n), -3, 4, seed), 0.0)
