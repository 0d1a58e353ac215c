"""cnnmath.widgets._static, stills and animations: the widgets for a reader without a kernel.

A still must show the frame the live widget shows (same pixels above the caption) and carry the
widget's formula as its text; an animation must hold one frame per step, each the widget's frame at
that step, play offline (no outside address, no icon font) and come out the same twice (nbval
compares the stored HTML). (Grid figures, drawn as stills: test_figure.py.)
"""

from __future__ import annotations

import base64
import itertools
import re

import numpy as np
import pytest

from cnnmath.widgets import error_flow, kernel_sliding, pooling_router
from cnnmath.widgets._static import compact_png


@pytest.fixture
def frames_of(decode):
    """``frames_of(html)``: the PNG frames embedded in an animation's HTML, decoded."""

    def frames(html: str) -> list[np.ndarray]:
        return [decode(base64.b64decode(b)) for b in re.findall(r'data:image/png;base64,([^"]+)"', html)]

    return frames


def test_still_shows_the_live_frame_and_its_formula(decode):
    w = kernel_sliding()
    w.step.value = 4
    still = w.still()
    live = decode(w.canvas.image.value)
    shown = decode(still._repr_png_())
    top = shown[: live.shape[0], : live.shape[1]].astype(int)
    assert np.abs(top - live).mean() < 1.0  # the palette keeps the picture (128 colours)
    assert shown.shape[0] > live.shape[0]  # the caption strip under it
    assert still.text == w.text and "z[1, 1] = " in repr(still)
    assert still.labels["z"][1, 1] == "4"  # seed 001's output at (1, 1)


def test_still_refuses_a_widget_that_shows_a_message():
    w = kernel_sliding()
    w.stride.value = 9
    assert w.error
    with pytest.raises(ValueError, match="shows a message"):
        w.still()


def test_animation_has_one_frame_per_step_and_restores_the_step(decode, frames_of):
    w = pooling_router()
    w.step.value = 2
    anim = w.animation()
    frames = frames_of(anim.to_html())
    assert len(frames) == len(anim.frames) == 9  # seed 003's 6×6 table, 2×2 windows, stride 2
    assert w.step.value == 2
    for k in (0, 5, 8):
        w.step.value = k
        live = decode(w.canvas.image.value)
        assert np.abs(frames[k][: live.shape[0], : live.shape[1]].astype(int) - live).mean() < 1.0
    assert all(not np.array_equal(a, b) for a, b in itertools.pairwise(frames))


def test_animation_plays_offline_and_is_reproducible():
    html = kernel_sliding().animation().to_html()
    assert html == kernel_sliding().animation().to_html()
    assert not re.search(r"https?://", html)
    assert "fa fa-" not in html and "font-awesome" not in html
    assert "▶" in html  # the play button is a character


def test_animation_of_chosen_steps_and_bad_steps():
    w = error_flow(size=3, kernel_size=2)
    assert len(w.animation([0, 4, 8]).frames) == 3
    with pytest.raises(ValueError, match=r"steps must lie in 0…8, got 9"):
        w.animation([0, 9])
    assert w.step.value == 0


def test_compact_png_is_smaller_and_close(decode):
    frame = kernel_sliding().canvas.frame
    png = compact_png(frame)
    assert np.abs(decode(png).astype(int) - frame).mean() < 1.0
    assert len(png) < len(kernel_sliding().canvas.png())
