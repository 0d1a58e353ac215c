"""cnnmath.widgets, the package: every widget's constructor refuses a bad argument with a ValueError
naming it. Each widget's own tests are in test_<module>.py beside this file (test_sliding.py,
test_errorflow.py, test_deltamap.py, test_pooling.py); what they all share in test_live.py (bad values,
the repr), test_canvas.py (the frame), test_static.py (stills, animations) and test_timing.py."""

from __future__ import annotations

import numpy as np
import pytest

from cnnmath.widgets import delta_map, error_flow, kernel_sliding, pooling_router


def test_constructor_rejects_bad_arguments():
    with pytest.raises(ValueError, match="activation must be one of"):
        delta_map(activation="softplus")
    with pytest.raises(ValueError, match="mode must be"):
        pooling_router(mode="median")
    with pytest.raises(ValueError, match="both x"):
        kernel_sliding(np.ones((3, 3)))
    with pytest.raises(ValueError, match="mode must be 'star' or 'full'"):
        error_flow(mode="sideways")
