"""Static figures of numbered grids, drawn by the widgets' renderer (one drawing path for both).

    grid_figure({"δ padded by k − 1": dpad, "rot180(w)": w_rot}, caption="one window of the full conv",
                boxes={"δ padded by k − 1": [(0, 0, 2, 2)]})

shows every array as a grid of coloured cells with its numbers (rounded to two decimals, as the
widgets show them), side by side; pass several dicts for several rows of panels. ``hatch`` marks cells
(padding, inserted zeros) and ``boxes`` outlines cell ranges [r0, r1) × [c0, c1) in orange. The result
is a :class:`~cnnmath.widgets._static.Still`: a PNG in any notebook viewer, whose text (which nbval
compares) lists the panels and the caption.
"""

from __future__ import annotations

import numpy as np

from ._canvas import Canvas, Panel, colorize
from ._live import ORANGE, fmt
from ._static import Still, captioned

__all__ = ["grid_figure"]

_strings = np.vectorize(fmt, otypes=[object])


def _grid(title: str, value) -> np.ndarray:
    a = np.asarray(value)
    if a.dtype == object or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise TypeError(f"grid_figure: panel {title!r} must hold numbers, got dtype {a.dtype}")
    if a.ndim == 1:
        a = a[None, :]
    if a.ndim != 2 or a.size == 0:
        raise ValueError(
            f"grid_figure: panel {title!r} must be a non-empty 1-D or 2-D array, got shape {a.shape}"
        )
    return a.astype(float)


def grid_figure(
    *rows: dict, caption: str = "", hatch: dict | None = None, boxes: dict | None = None
) -> Still:
    """rows: dicts {title: 1-D or 2-D array}, one dict per row of panels, left to right.

    hatch: {title: bool mask of that panel's shape}; boxes: {title: [(r0, c0, r1, c1), ...]}.
    """
    if not rows or not all(isinstance(r, dict) and r for r in rows):
        raise TypeError("grid_figure: give one or more non-empty dicts {title: array}, one per row of panels")
    grids = {t: _grid(t, v) for row in rows for t, v in row.items()}
    if len(grids) != sum(len(r) for r in rows):
        raise ValueError("grid_figure: every panel needs its own title (a title appears twice)")
    for what, extra in (("hatch", hatch), ("boxes", boxes)):
        unknown = sorted(set(extra or {}) - set(grids))
        if unknown:
            raise ValueError(f"grid_figure: {what} names panels that are not shown: {unknown}")
    canvas = Canvas()
    names = {t: f"p{k}" for k, t in enumerate(grids)}
    canvas.layout([[Panel(names[t], t, grids[t].shape) for t in row] for row in rows])
    canvas.begin()
    for t, a in grids.items():
        canvas.fill(names[t], colorize(a))
        mask = None
        if hatch and t in hatch:
            mask = np.asarray(hatch[t], bool)
            if mask.shape != a.shape:
                raise ValueError(f"grid_figure: hatch[{t!r}] has shape {mask.shape}, the panel {a.shape}")
            canvas.hatch(names[t], mask)
        canvas.numbers(names[t], _strings(a), faint=mask)
        for r0, c0, r1, c1 in (boxes or {}).get(t, []):
            canvas.box(names[t], r0, c0, r1, c1, ORANGE)
    text = " | ".join(f"{t} {a.shape[0]}×{a.shape[1]}" for t, a in grids.items())
    if caption:
        text = f"{caption}\n{text}"
    labels = {t: canvas.labels[names[t]] for t in grids}
    return Still(captioned(canvas.frame.copy(), caption), text, "figure", labels)
