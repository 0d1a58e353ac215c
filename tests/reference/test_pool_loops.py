"""cnnmath.reference.pool: the pooling loops on SymPy symbols (mean pooling is exact quarters, the Lp
backward pass is sympy.diff of the Lp forward pass)."""

from __future__ import annotations

import numpy as np
import sympy as sp

from cnnmath import reference as ref
from cnnmath.symbolic import grid, prove_equal


def test_reference_avg_and_lp_on_sympy_symbols():
    """The loop forms run on symbols: mean pooling is exact quarters; the Lp gradient is sp.diff."""
    X = grid("x", (2, 4), real=True)
    y = ref.avg_pool2d(X, 2)
    prove_equal(y[0, 0], sp.Rational(1, 4) * (X[0, 0] + X[0, 1] + X[1, 0] + X[1, 1]))
    D = grid("δ", (1, 2))
    for p in (1, 2, 3):
        yp = ref.lp_pool2d(X, p, 2)
        dx = ref.lp_pool2d_backward(D, X, p, 2)
        loss = D[0, 0] * yp[0, 0] + D[0, 1] * yp[0, 1]
        for idx in np.ndindex(X.shape):
            assert sp.simplify(sp.diff(loss, X[idx]) - dx[idx]) == 0, (p, idx)
