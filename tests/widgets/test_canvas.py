"""cnnmath.widgets._canvas, the frame renderer: the PNG a widget shows is the canvas's frame, and the
numbers are stamped into it (cnnmath.widgets._glyphs) in dark ink."""

from __future__ import annotations

import numpy as np
import pytest

from cnnmath.widgets import kernel_sliding
from cnnmath.widgets._glyphs import stamp


def test_frames_are_the_canvas_and_numbers_are_inked(png_pixels):
    w = kernel_sliding()
    np.testing.assert_array_equal(png_pixels(w), w.canvas.frame)
    img = np.full((20, 40, 3), 255, np.uint8)
    stamp(img, "-0.38", 20, 10)
    assert img.min() < 100  # dark ink where the number is
    with pytest.raises(ValueError, match="no glyph"):
        stamp(img, "x²", 20, 10)
