"""cnnmath.widgets.pooling, driven headless: pooling_router shows seed 003's tables and tie, and dx
accumulates window by window as the pooling functions' backward passes say."""

from __future__ import annotations

import numpy as np
import pytest

import cnnmath as cm
from cnnmath.widgets import pooling_router
from cnnmath.widgets._live import GREEN, RED


def test_pooling_router_seed003_tables_and_tie(close, shown, text):
    w = pooling_router()
    # seed 003 (王中雷): 2×2 max and average pooling of the 6×6 table A, stride 2
    np.testing.assert_array_equal(shown(w, "y"), [[7, 9, 9], [5, 9, 7], [9, 7, 7]])
    w.step.value = 3  # window (1, 0) = [[5, 0], [5, 2]]: two maxima
    assert "max = 5 at x[2, 0]; also at x[3, 0]" in text(w)
    assert ("x", 2, 0, 3, 1, GREEN) in w.canvas.boxes and ("x", 3, 0, 4, 1, RED) in w.canvas.boxes
    x, dy = w.data()
    assert "dx[2, 0] += δ[1, 0] = " + f"{dy[1, 0]:g}" in text(w)
    assert shown(w, "dx")[2, 0] == dy[1, 0] and shown(w, "dx")[3, 0] == 0
    w.step.value = 8
    np.testing.assert_array_equal(shown(w, "dx"), cm.max_pool2d_backward(dy, x, 2))
    w.mode.value = "mean"
    assert close(shown(w, "y"), np.array([[4.25, 6.0, 6.25], [3.0, 6.0, 2.25], [3.25, 3.75, 3.0]]))
    assert close(shown(w, "dx"), cm.avg_pool2d_backward(dy, x, 2))


@pytest.mark.parametrize("mode", ["max", "mean", "Lp"])
def test_pooling_router_overlapping_windows_accumulate(mode, close, shown, text):
    w = pooling_router(mode=mode, p=3.0)
    w.size.value = 7
    w.kernel_size.value, w.stride.value = 3, 2
    x, dy = w.data()
    assert w.preset.value == "after a ReLU (ties)" and x.shape == (7, 7)
    back = {
        "max": lambda d: cm.max_pool2d_backward(d, x, 3, stride=2),
        "mean": lambda d: cm.avg_pool2d_backward(d, x, 3, stride=2),
        "Lp": lambda d: cm.lp_pool2d_backward(d, x, 3.0, 3, stride=2),
    }[mode]
    order = np.arange(9).reshape(3, 3)
    for step in range(9):
        w.step.value = step
        assert close(shown(w, "dx"), back(dy * (order <= step)))
    assert close(shown(w, "dx"), back(dy))
    assert "the windows overlap" in text(w)
