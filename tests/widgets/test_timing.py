"""cnnmath.widgets.timing: `make bench`'s case (every widget on a 7×7 input with a 3×3 kernel) redraws
a new frame on every control change."""

from __future__ import annotations

import pytest

from cnnmath.widgets.timing import SEVEN_BY_THREE, drive


@pytest.mark.parametrize("name", list(SEVEN_BY_THREE))
def test_driving_a_widget_redraws_every_frame(name):
    """The frame-time case of `make bench` (7×7 input, 3×3 kernel): every control change draws a new
    frame whose numbers change. (Frame *times* are measured by `make bench`, not asserted here.)"""
    make, panel = SEVEN_BY_THREE[name]
    w = make()
    assert w.shown(panel).shape == (7, 7)
    first = w.canvas.image.value
    times = drive(w)
    assert len(times) == 21 and all(t > 0 for t in times)
    assert w.canvas.image.value != first and not w.error
