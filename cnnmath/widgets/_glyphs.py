"""Numbers stamped into an RGB frame from a glyph atlas, so that a frame needs no matplotlib text.

A matplotlib ``Text`` costs about 1 ms to draw with Agg; a widget frame shows ~100 numbers, so the
numbers are drawn here instead: every character of ``_ALPHABET`` is rendered once by FreeType (the
font matplotlib uses, DejaVu Sans) into a small alpha bitmap, and a string is the bitmaps placed side
by side along the pen, alpha-blended into the frame with numpy (about 10 µs per number).

img: (height, width, 3) uint8, y downwards; positions are pixel coordinates in that array.
"""

from __future__ import annotations

from functools import cache, lru_cache

import numpy as np
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font

__all__ = ["blit", "label", "stamp", "text_width"]

_ALPHABET = "0123456789.-+e−·=/()[], "
DPI = 100
SIZE_PT = 7.5


class _Glyph:
    __slots__ = ("advance", "alpha", "bearing", "descent")

    def __init__(self, alpha: np.ndarray, descent: float, bearing: float, advance: float):
        self.alpha = alpha.astype(np.float32) / 255.0  # (h, w) ink coverage
        self.descent = descent  # pixels the ink reaches below the baseline (negative: above)
        self.bearing = bearing  # pixels from the pen to the ink's left edge
        self.advance = advance  # pixels the pen moves on


@cache
def _atlas(size_pt: float) -> dict[str, _Glyph]:
    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"))
    font = FT2Font(path)
    font.set_size(size_pt, DPI)
    atlas = {}
    for c in _ALPHABET:
        g = font.load_char(ord(c))
        font.set_text(c, 0.0)
        font.draw_glyphs_to_bitmap(antialiased=True)
        alpha = np.asarray(font.get_image()).copy()
        atlas[c] = _Glyph(alpha, font.get_descent() / 64, g.horiBearingX / 64, g.horiAdvance / 64)
    return atlas


def text_width(text: str, size_pt: float = SIZE_PT) -> float:
    """Width in pixels of ``text`` (sum of the characters' advances)."""
    atlas = _atlas(size_pt)
    return sum(atlas[c].advance for c in text)


@lru_cache(maxsize=2048)
def _bitmap(text: str, size_pt: float) -> tuple[np.ndarray, int, int]:
    """The whole string's ink, composed once: (alpha (h, w, 1) float32, left, top), where (left, top)
    is the bitmap's corner relative to the text's centre on the pen line and the digits' centre line."""
    atlas = _atlas(size_pt)
    missing = sorted(set(text) - set(atlas))
    if missing:
        raise ValueError(f"stamp: no glyph for {missing!r} in {text!r}")
    digit_h = atlas["0"].alpha.shape[0]
    pen = -text_width(text, size_pt) / 2
    boxes = []  # (x0, y0, alpha) with y relative to the baseline
    for c in text:
        g = atlas[c]
        y1 = round(g.descent)
        boxes.append((round(pen + g.bearing), y1 - g.alpha.shape[0], g.alpha))
        pen += g.advance
    left = min([b[0] for b in boxes] + [0])
    top = min([b[1] for b in boxes] + [0])
    right = max([b[0] + b[2].shape[1] for b in boxes] + [1])
    bottom = max([b[1] + b[2].shape[0] for b in boxes] + [1])
    alpha = np.zeros((bottom - top, right - left), np.float32)
    for x0, y0, a in boxes:
        region = alpha[y0 - top : y0 - top + a.shape[0], x0 - left : x0 - left + a.shape[1]]
        np.maximum(region, a, out=region)
    # the baseline sits half a digit height below the centre line
    return alpha[..., None], left, top + round(digit_h / 2)


@lru_cache(maxsize=2048)
def _blend(text: str, color: tuple[int, int, int], size_pt: float) -> tuple[np.ndarray, np.ndarray, int, int]:
    """(keep, add, left, top): a pixel p under the text becomes p·keep + add (keep = 1 − alpha)."""
    alpha, left, top = _bitmap(text, size_pt)
    return 1.0 - alpha, np.asarray(color, np.float32) * alpha + 0.5, left, top


def stamp(
    img: np.ndarray, text: str, cx: float, cy: float, color=(0, 0, 0), size_pt: float = SIZE_PT
) -> None:
    """Draw ``text`` centred at pixel (cx, cy) of ``img`` (height, width, 3) uint8, in place.

    The digits' ink is centred vertically on cy. Characters outside ``_ALPHABET`` raise ValueError;
    ink that falls outside ``img`` is clipped.
    """
    keep, add, left, top = _blend(text, tuple(int(v) for v in color), size_pt)
    x0, y0 = round(cx) + left, round(cy) + top
    h, w = keep.shape[:2]
    H, W = img.shape[:2]
    if x0 >= 0 and y0 >= 0 and x0 + w <= W and y0 + h <= H:  # the usual case: no clipping
        region = img[y0 : y0 + h, x0 : x0 + w]
        region[...] = region * keep + add
        return
    ax0, ay0 = max(0, -x0), max(0, -y0)
    ax1, ay1 = min(w, W - x0), min(h, H - y0)
    if ax1 > ax0 and ay1 > ay0:
        region = img[y0 + ay0 : y0 + ay1, x0 + ax0 : x0 + ax1]
        region[...] = region * keep[ay0:ay1, ax0:ax1] + add[ay0:ay1, ax0:ax1]


@lru_cache(maxsize=128)
def label(text: str, size_pt: float = 8.5) -> np.ndarray:
    """Any text (mathtext too) rendered once by matplotlib: alpha (LABEL_H, width) float32 with the
    baseline LABEL_BASE pixels above the bottom row; cached, so a layout change costs no drawing."""
    width = 1200
    fig = Figure(figsize=(width / DPI, LABEL_H / DPI), dpi=DPI, facecolor="white")
    canvas = FigureCanvasAgg(fig)
    fig.text(2 / width, LABEL_BASE / LABEL_H, text, fontsize=size_pt, va="baseline", ha="left")
    canvas.draw()
    alpha = (255.0 - np.asarray(canvas.buffer_rgba())[..., 0].astype(np.float32)) / 255.0
    used = np.flatnonzero(alpha.max(axis=0) > 0)
    return alpha[:, : (used[-1] + 3 if used.size else 1)].copy()


LABEL_H, LABEL_BASE = 24, 7


def blit(img: np.ndarray, alpha: np.ndarray, x0: int, y0: int, color=(0, 0, 0)) -> None:
    """Blend ``color`` into img (H, W, 3) uint8 with coverage alpha (h, w) at top-left (x0, y0), clipped."""
    h, w = alpha.shape
    H, W = img.shape[:2]
    ax0, ay0, ax1, ay1 = max(0, -x0), max(0, -y0), min(w, W - x0), min(h, H - y0)
    if ax1 <= ax0 or ay1 <= ay0:
        return
    a = alpha[ay0:ay1, ax0:ax1, None]
    region = img[y0 + ay0 : y0 + ay1, x0 + ax0 : x0 + ax1]
    region[...] = region * (1.0 - a) + (np.asarray(color, np.float32) * a + 0.5)
