"""cnnmath.widgets.sliding, driven headless: kernel_sliding shows seed 001's output and, at every step,
stride and padding, the weighted sum conv2d computes."""

from __future__ import annotations

import re

import numpy as np
import pytest

import cnnmath as cm
from cnnmath import seedforms as sf
from cnnmath.widgets import kernel_sliding


def test_kernel_sliding_shows_seed001_output(shown):
    w = kernel_sliding()
    assert w.formula.value.startswith(
        "<code>z[0, 0] = 1·1 + 0·1 + 1·1 + 0·0 + 1·1 + 0·1 + 1·0 + 0·0 + 1·1 = <b>4</b>"
    )
    assert np.isnan(shown(w, "z")[0, 1])  # not computed yet
    w.step.value = 8
    # seed 001 (郑元春): the 5×5 image ⋆ the 3×3 kernel at stride 1
    np.testing.assert_array_equal(shown(w, "z"), [[4, 3, 4], [2, 4, 3], [2, 3, 4]])
    boxes = [b[:5] for b in w.canvas.boxes]
    assert ("x", 2, 2, 5, 5) in boxes and ("z", 2, 2, 3, 3) in boxes  # the window at step 8


@pytest.mark.parametrize(("stride", "padding"), [(2, 0), (2, 1), (1, 2), (3, 1)])
def test_kernel_sliding_every_step_matches_conv2d(stride, padding, close, code, product_sum, shown):
    w = kernel_sliding()
    w.stride.value, w.padding.value = stride, padding
    x, k = w.data()
    z = cm.conv2d(x, k, stride=stride, padding=padding)
    assert w.step.max == w.play.max == z.size - 1
    w.step.value = 2
    assert w.play.value == 2  # ▶ continues from where Python left the step (kernel-side link)
    w.play.value = 1  # what ▶ does in the browser
    assert w.step.value == 1 and code(w).startswith("z[0, 1] =")
    assert close(shown(w, "x"), sf.pad(x, padding))
    for step in range(z.size):
        w.step.value = step
        i, j = divmod(step, z.shape[1])
        m = re.fullmatch(r"z\[(\d+), (\d+)\] = (.*) =\s+(\S+)\s*", code(w))
        assert (int(m[1]), int(m[2])) == (i, j)
        assert float(m[4]) == product_sum(m[3]) == z[i, j]
        assert ("x", i * stride, j * stride) in [b[:3] for b in w.canvas.boxes]
    assert close(shown(w, "z"), z)


def test_kernel_sliding_random_sizes_and_custom_arrays(rng, close, shown):
    w = kernel_sliding()
    w.size.value, w.kernel_size.value = 7, 3
    assert w.preset.value == "small random integers"
    x, k = w.data()
    assert x.shape == (7, 7) and k.shape == (3, 3) and (k < 0).any()
    w.step.value = w.step.max
    assert close(shown(w, "z"), cm.conv2d(x, k))
    x2, k2 = rng.integers(-3, 4, (6, 6)), rng.integers(-2, 3, (2, 2))
    w2 = kernel_sliding(x2, k2, stride=2)
    w2.step.value = w2.step.max
    assert close(shown(w2, "z"), cm.conv2d(x2, k2, stride=2))
