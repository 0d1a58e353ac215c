"""The shared frame renderer: grids of numbered cells, drawn fast enough to feel live.

matplotlib draws each *layout* once (panel titles, row/column index labels) into an Agg buffer, which
is kept as the background. A *frame* is then numpy work on a copy of it: cell colours, hatching,
highlight boxes and the numbers (stamped from a glyph atlas, see :mod:`._glyphs`), encoded as a PNG
(zlib level 1) and pushed into an ``ipywidgets.Image``. No figure is created per frame and no
matplotlib text is drawn per frame, which keeps a frame at a few milliseconds.

Pixel geometry: every cell is ``CELL`` × ``CELL`` pixels; panels are laid out in rows, left to right.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from ._glyphs import DPI, stamp
from ._png import encode_png

__all__ = ["CELL", "Canvas", "Panel", "colorize"]

CELL = 34  # pixels per cell
_LEFT, _GAP, _TOP, _BOTTOM, _ROW_GAP = 30, 40, 44, 8, 12
_TITLE_PT = 8.5
_GRID = np.array([150, 150, 150], np.uint8)
# A pale diverging palette (blue < 0 < red), pale enough that black numbers stay readable.
_LUT = (255 - 0.5 * (255 - 255 * colormaps["RdBu_r"](np.linspace(0.1, 0.9, 256))[:, :3])).astype(np.uint8)


def colorize(values: np.ndarray, vmax: float | None = None) -> np.ndarray:
    """values: (rows, cols) floats -> (rows, cols, 3) uint8 pale colours, 0 = white, ±vmax = strongest."""
    v = np.asarray(values, dtype=float)
    top = float(np.max(np.abs(v), initial=0.0)) if vmax is None else vmax
    if top == 0:
        return np.full((*v.shape, 3), 255, np.uint8)
    idx = np.clip(np.rint((v / top + 1.0) * 127.5), 0, 255).astype(np.intp)
    return _LUT[idx]


def _slot(p: Panel) -> int:
    """Width in pixels a panel takes: its cells, or its title if that is wider."""
    w, _, _ = RendererAgg(8, 8, DPI).get_text_width_height_descent(
        p.title, FontProperties(size=_TITLE_PT), False
    )
    return max(p.shape[1] * CELL, int(np.ceil(w)) + 6)


@dataclass(frozen=True)
class Panel:
    """One grid: ``name`` (key for painting), a title, ``shape`` (rows, cols) and optional index labels."""

    name: str
    title: str
    shape: tuple[int, int]
    row_labels: tuple[str, ...] | None = None
    col_labels: tuple[str, ...] | None = None


class Canvas:
    """Owns the ``image`` widget. ``layout(rows_of_panels)`` (cheap when unchanged), then per frame:
    ``begin()``, paint with ``fill``/``hatch``/``numbers``/``box``, then ``show()``.

    ``labels[name]`` holds the strings stamped into panel ``name`` in the current frame ("" = blank)
    and ``boxes`` the outlines drawn, (name, r0, c0, r1, c1, rgb), so tests can read what is shown.
    """

    def __init__(self) -> None:
        self.image = widgets.Image(format="png")
        self.labels: dict[str, np.ndarray] = {}
        self._key = None
        self._origin: dict[str, tuple[int, int]] = {}
        self._shape: dict[str, tuple[int, int]] = {}

    def layout(self, rows: list[list[Panel]]) -> None:
        key = tuple(tuple(row) for row in rows)
        if key == self._key:
            return
        heights = [max(p.shape[0] for p in row) * CELL for row in rows]
        slots = [[_slot(p) for p in row] for row in rows]
        widths = [sum(_LEFT + w + _GAP for w in row) for row in slots]
        W = max(widths)
        H = sum(_TOP + h + _ROW_GAP for h in heights) + _BOTTOM
        fig = Figure(figsize=(W / DPI, H / DPI), dpi=DPI, facecolor="white")
        canvas = FigureCanvasAgg(fig)
        y = 0
        for row, h, row_slots in zip(rows, heights, slots, strict=True):
            x = 0
            for p, slot in zip(row, row_slots, strict=True):
                x0, y0 = x + _LEFT, y + _TOP
                self._origin[p.name], self._shape[p.name] = (x0, y0), p.shape
                self._axes(fig, p, x0, y0, W, H)
                x = x0 + slot + _GAP
            y += _TOP + h + _ROW_GAP
        canvas.draw()
        self._bg = np.array(canvas.buffer_rgba())[..., :3]
        self.frame = np.empty_like(self._bg)  # reused by every frame (no 2 MB allocation per frame)
        self._rows = np.empty((H, 1 + 3 * W), np.uint8)
        self._key = key

    @staticmethod
    def _axes(fig, p: Panel, x0: int, y0: int, W: int, H: int) -> None:
        """An invisible axes exactly over the panel's cells, used only for its title and index labels."""
        r, c = p.shape
        ax = fig.add_axes((x0 / W, 1 - (y0 + r * CELL) / H, c * CELL / W, r * CELL / H))
        ax.set_xlim(-0.5, c - 0.5)
        ax.set_ylim(r - 0.5, -0.5)
        ax.xaxis.tick_top()
        cols = p.col_labels if p.col_labels is not None else [str(j) for j in range(c)]
        rows = p.row_labels if p.row_labels is not None else [str(i) for i in range(r)]
        ax.set_xticks(range(c), cols, fontsize=6.5, color="0.35")
        ax.set_yticks(range(r), rows, fontsize=6.5, color="0.35")
        ax.tick_params(length=0, pad=2)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_title(p.title, fontsize=_TITLE_PT, pad=12, loc="left")

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
        return encode_png(self.frame, self._rows)

    def show(self) -> None:
        self.image.value = self.png()
