"""The shared frame renderer: grids of numbered cells, drawn fast enough to feel live.

A *layout* (which panels, their titles and sizes) becomes a background image once: white, the panel
titles (rendered by matplotlib once per distinct title and cached) and the row/column index labels.
A *frame* is numpy work on a copy of it: cell colours, hatching, highlight boxes and the numbers
(stamped from a glyph atlas, see :mod:`._glyphs`), encoded as a PNG by matplotlib and pushed into
an ``ipywidgets.Image``. No figure and no matplotlib text is drawn per frame, which keeps a frame
at a few milliseconds; a layout change costs about as much as a frame.

Pixel geometry: every cell is ``CELL`` × ``CELL`` pixels; panels are laid out in rows, left to right.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from matplotlib import colormaps
from matplotlib import image as mpimg

from ._glyphs import LABEL_BASE, LABEL_H, blit, label, stamp

__all__ = ["CELL", "Canvas", "Panel", "colorize", "encode_png"]

CELL = 34  # pixels per cell
_LEFT, _GAP, _TOP, _BOTTOM, _ROW_GAP = 24, 36, 44, 8, 12
_TITLE_PT, _INDEX_PT = 8.5, 6.5
_GRID = np.array([150, 150, 150], np.uint8)
_INDEX = (110, 110, 110)
# A pale diverging palette (blue < 0 < red), pale enough that black numbers stay readable.
_LUT = (255 - 0.5 * (255 - 255 * colormaps["RdBu_r"](np.linspace(0.1, 0.9, 256))[:, :3])).astype(np.uint8)


def encode_png(image: np.ndarray) -> bytes:
    """image: (H, W, 3) uint8 -> PNG bytes (zlib level 1: ~10 ms for a 900×600 frame; level 6 costs
    ~50% more)."""
    buf = io.BytesIO()
    mpimg.imsave(buf, image, format="png", pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def colorize(values: np.ndarray, vmax: float | None = None) -> np.ndarray:
    """values: (rows, cols) floats -> (rows, cols, 3) uint8 pale colours, 0 = white, ±vmax = strongest."""
    v = np.asarray(values, dtype=float)
    top = float(np.max(np.abs(v), initial=0.0)) if vmax is None else vmax
    if top == 0:
        return np.full((*v.shape, 3), 255, np.uint8)
    idx = np.clip(np.rint((v / top + 1.0) * 127.5), 0, 255).astype(np.intp)
    return _LUT[idx]


@dataclass(frozen=True)
class Panel:
    """One grid: ``name`` (key for painting), a title, ``shape`` (rows, cols) and optional index labels."""

    name: str
    title: str
    shape: tuple[int, int]
    row_labels: tuple[str, ...] | None = None
    col_labels: tuple[str, ...] | None = None


def _slot(p: Panel) -> int:
    """Width in pixels a panel takes: its cells, or its title if that is wider."""
    return max(p.shape[1] * CELL, label(p.title, _TITLE_PT).shape[1])


class Canvas:
    """Owns the ``image`` widget. ``layout(rows_of_panels)`` (cheap when unchanged), then per frame:
    ``begin()``, paint with ``fill``/``hatch``/``numbers``/``box``, then ``show()``.

    ``labels[name]`` holds the strings stamped into panel ``name`` in the current frame ("" = blank)
    and ``boxes`` the outlines drawn, (name, r0, c0, r1, c1, rgb), so tests can read what is shown.
    """

    def __init__(self) -> None:
        self.image = widgets.Image(format="png")
        self.labels: dict[str, np.ndarray] = {}
        self.boxes: list[tuple] = []
        self._key = None
        self._origin: dict[str, tuple[int, int]] = {}
        self._shape: dict[str, tuple[int, int]] = {}

    def layout(self, rows: list[list[Panel]]) -> None:
        key = tuple(tuple(row) for row in rows)
        if key == self._key:
            return
        heights = [max(p.shape[0] for p in row) * CELL for row in rows]
        slots = [[_slot(p) for p in row] for row in rows]
        W = max(sum(_LEFT + w + _GAP for w in row) for row in slots)
        H = sum(_TOP + h + _ROW_GAP for h in heights) + _BOTTOM
        bg = np.full((H, W, 3), 255, np.uint8)
        self._origin, self._shape = {}, {}
        y = 0
        for row, h, row_slots in zip(rows, heights, slots, strict=True):
            x = 0
            for p, slot in zip(row, row_slots, strict=True):
                x0, y0 = x + _LEFT, y + _TOP
                self._origin[p.name], self._shape[p.name] = (x0, y0), p.shape
                self._decorate(bg, p, x0, y0)
                x = x0 + slot + _GAP
            y += _TOP + h + _ROW_GAP
        self._bg = bg
        self.frame = np.empty_like(bg)  # reused by every frame (no 2 MB allocation per frame)
        self._key = key

    @staticmethod
    def _decorate(bg: np.ndarray, p: Panel, x0: int, y0: int) -> None:
        """The panel's title above it and its row/column index labels (0-based unless given)."""
        r, c = p.shape
        blit(bg, label(p.title, _TITLE_PT), x0 - 2, y0 - 17 - LABEL_H + LABEL_BASE)
        cols = p.col_labels if p.col_labels is not None else [str(j) for j in range(c)]
        rows = p.row_labels if p.row_labels is not None else [str(i) for i in range(r)]
        for j, s in enumerate(cols):
            if s:
                stamp(bg, s, x0 + (j + 0.5) * CELL, y0 - 7, _INDEX, _INDEX_PT)
        for i, s in enumerate(rows):
            if s:
                stamp(bg, s, x0 - 10, y0 + (i + 0.5) * CELL, _INDEX, _INDEX_PT)

    # ------------------------------------------------------------ painting one frame

    def begin(self) -> None:
        np.copyto(self.frame, self._bg)
        self.labels = {}
        self.boxes = []

    def _cells(self, name: str) -> tuple[int, int, int, int]:
        (x0, y0), (r, c) = self._origin[name], self._shape[name]
        return x0, y0, r, c

    def fill(self, name: str, rgb: np.ndarray) -> None:
        """rgb: (rows, cols, 3) uint8, one colour per cell; grid lines are drawn on top."""
        x0, y0, r, c = self._cells(name)
        block = np.repeat(np.repeat(np.asarray(rgb, np.uint8), CELL, axis=0), CELL, axis=1)
        f = self.frame
        f[y0 : y0 + r * CELL, x0 : x0 + c * CELL] = block
        f[y0 : y0 + r * CELL + 1 : CELL, x0 : x0 + c * CELL + 1] = _GRID
        f[y0 : y0 + r * CELL + 1, x0 : x0 + c * CELL + 1 : CELL] = _GRID

    def hatch(self, name: str, mask: np.ndarray, color=(170, 170, 170)) -> None:
        """Diagonal hatching on the cells where ``mask`` (rows, cols) is True (padding, inserted zeros)."""
        x0, y0, r, c = self._cells(name)
        yy, xx = np.mgrid[: r * CELL, : c * CELL]
        lines = (xx + yy) % 7 == 0
        cellmask = np.repeat(np.repeat(np.asarray(mask, bool), CELL, axis=0), CELL, axis=1)
        region = self.frame[y0 : y0 + r * CELL, x0 : x0 + c * CELL]
        region[lines & cellmask] = color

    def numbers(
        self, name: str, strings: np.ndarray, color=(0, 0, 0), faint: np.ndarray | None = None
    ) -> None:
        """strings: (rows, cols) of str, stamped at the cell centres ("" = nothing); ``faint`` cells
        (bool mask) are written in grey. Recorded in ``labels[name]``."""
        x0, y0, _, _ = self._cells(name)
        strings = np.asarray(strings, dtype=object)
        for (i, j), s in np.ndenumerate(strings):
            if s:
                col = (120, 120, 120) if faint is not None and faint[i, j] else color
                stamp(self.frame, s, x0 + (j + 0.5) * CELL, y0 + (i + 0.5) * CELL, col)
        self.labels[name] = strings.copy()

    def box(self, name: str, r0: int, c0: int, r1: int, c1: int, color, width: int = 3) -> None:
        """Outline of the cells [r0, r1) × [c0, c1) (clipped to the panel), drawn inside the border."""
        x0, y0, r, c = self._cells(name)
        r0, c0, r1, c1 = max(r0, 0), max(c0, 0), min(r1, r), min(c1, c)
        if r1 <= r0 or c1 <= c0:
            return
        self.boxes.append((name, r0, c0, r1, c1, tuple(color)))
        top, left = y0 + r0 * CELL, x0 + c0 * CELL
        bottom, right = y0 + r1 * CELL + 1, x0 + c1 * CELL + 1
        f = self.frame
        f[top : top + width, left:right] = color
        f[bottom - width : bottom, left:right] = color
        f[top:bottom, left : left + width] = color
        f[top:bottom, right - width : right] = color

    def png(self) -> bytes:
        """The frame as PNG bytes."""
        return encode_png(self.frame)

    def show(self) -> None:
        self.image.value = self.png()
