"""What the loop forms share: zeros of the dtype their inputs need."""

from __future__ import annotations

import numpy as np


def zeros(shape, *arrays) -> np.ndarray:
    """Zeros that can hold whatever the inputs hold: float64, or (if any input is an object
    array) objects, so that the loops run on SymPy expressions too."""
    dtype = object if any(a.dtype == object for a in arrays) else np.float64
    return np.zeros(shape, dtype=dtype)
