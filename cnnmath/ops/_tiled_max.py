"""Max pooling's engine for windows that tile the input (stride = window, the default): two passes.

When the stride equals the window, cutting x to ``(..., Ho*kh, Wo*kw)`` and reshaping it to
``(..., Ho*kh, Wo, kw)`` is a view in which the last axis runs along one row of a window. The
window maximum is then a maximum along each row of the window (over t, the kw columns) followed by
a maximum over its kh rows (over r). The first maximum in row-major order is found the same way:
the first column t that holds the maximum of its row, in the first row r whose maximum is the
window's. Ties go to the earlier r, then the earlier t, exactly as :func:`cnnmath.ops.pool.switches`
rules (PyTorch's rule); the tests check the two against each other and against the loops.

The backward pass runs the same two steps in reverse: dy goes to row r of its window, then to
column t of that row. Each step *selects* (dy where the mask holds, +0.0 elsewhere) with bit masks
on the float64 words, not by multiplying by 0/1: that is exact for every dy (no -0.0 from a negative
dy times 0, no nan from inf times 0) and as fast as a multiplication; ``np.where`` was 4x slower.

This path exists for speed only. On ``make bench``'s 64×16×28×28 with 2×2 windows (one thread,
timed in alternating blocks, three runs), max_pool2d + max_pool2d_backward took 1.5-1.7x less time
than through the offset-by-offset masks of pool.py, which overlapping windows still use.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .pool_args import PoolArgs

__all__ = ["TiledSwitches", "tiled_max", "tiled_switches", "tiles"]


def tiles(a: PoolArgs) -> bool:
    """True when the windows tile the input: stride = window, so no pixel is in two windows."""
    return (a.sh, a.sw) == (a.kh, a.kw)


def _row_view(x: np.ndarray, kh: int, kw: int, Ho: int, Wo: int) -> np.ndarray:
    """x cut to the Ho*kh × Wo*kw pixels the windows cover, as a view (..., Ho*kh, Wo, kw)."""
    return x[..., : Ho * kh, : Wo * kw].reshape(*x.shape[:-2], Ho * kh, Wo, kw)


def _first_max(parts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(best, which) for equal-shaped arrays parts[0..k-1]: best is their elementwise maximum and
    which (uint8) the index of the first part equal to it. A nan makes best nan (np.maximum)."""
    if len(parts) == 1:
        return parts[0].copy(), np.zeros(parts[0].shape, dtype=np.uint8)
    which = (parts[1] > parts[0]).view(np.uint8)
    best = np.maximum(parts[0], parts[1])
    for k in range(2, len(parts)):
        later = parts[k] > best
        np.maximum(best, parts[k], out=best)
        which[later] = k
    return best, which


def _max(parts: list[np.ndarray]) -> np.ndarray:
    best = np.maximum(parts[0], parts[1]) if len(parts) > 1 else parts[0].copy()
    for part in parts[2:]:
        np.maximum(best, part, out=best)
    return best


def tiled_max(a: PoolArgs) -> np.ndarray:
    """y: (..., Ho, Wo), the window maxima: the maximum along each window row, then over the rows."""
    (Ho, Wo), kh, kw = a.out_hw, a.kh, a.kw
    rows = _row_view(a.x, kh, kw, Ho, Wo)
    h = _max([rows[..., t] for t in range(kw)]).reshape(*a.x.shape[:-2], Ho, kh, Wo)
    return _max([h[..., r, :] for r in range(kh)])


@dataclass(frozen=True)
class TiledSwitches:
    """Where each window's gradient goes, for tiling windows: ``row`` (..., Ho, Wo), the row r of
    the window's first maximum, and ``col`` (..., Ho*kh, Wo), for every row of every window, the
    column t of that row's first maximum. ``dead``: the windows holding a nan (they pass no
    gradient, as in pool.py: no pixel equals a nan maximum), or None."""

    x_shape: tuple[int, ...]
    kh: int
    kw: int
    row: np.ndarray
    col: np.ndarray
    dead: np.ndarray | None

    def route(self, dy: np.ndarray) -> np.ndarray:
        """dx: x_shape, dy (..., Ho, Wo) sent to the first maximum of each window; 0 elsewhere."""
        *lead, Ho, Wo = dy.shape
        if self.dead is not None:
            dy = np.where(self.dead, 0.0, dy)
        by_row = np.empty((*lead, Ho, self.kh, Wo))
        _select(dy, self.row, [by_row[..., r, :] for r in range(self.kh)])
        H, W = self.x_shape[-2:]
        dx = (np.empty if (H, W) == (Ho * self.kh, Wo * self.kw) else np.zeros)(self.x_shape)
        cols = _row_view(dx, self.kh, self.kw, Ho, Wo)
        _select(by_row.reshape(*lead, Ho * self.kh, Wo), self.col, [cols[..., t] for t in range(self.kw)])
        return dx


def tiled_switches(a: PoolArgs) -> tuple[np.ndarray, TiledSwitches]:
    """(y, switches): the window maxima and where each window's first maximum sits."""
    (Ho, Wo), kh, kw = a.out_hw, a.kh, a.kw
    rows = _row_view(a.x, kh, kw, Ho, Wo)
    h, col = _first_max([rows[..., t] for t in range(kw)])
    h = h.reshape(*a.x.shape[:-2], Ho, kh, Wo)
    y, row = _first_max([h[..., r, :] for r in range(kh)])
    dead = np.isnan(y)
    return y, TiledSwitches(a.x.shape, kh, kw, row, col, dead if dead.any() else None)


def _select(src: np.ndarray, which: np.ndarray, outs: list[np.ndarray]) -> None:
    """outs[k] = src where which == k, +0.0 elsewhere (all of the same shape; outs may be strided
    views). On the float64 bit patterns: src AND a mask of all ones or all zeros, so the value is
    copied exactly or becomes +0.0. The last out is src XOR the others (at most one of which is
    src, the rest +0.0 bits), which saves building its mask."""
    bits = src.view(np.uint64)
    words = [out.view(np.uint64) for out in outs]
    for k, word in enumerate(words[:-1]):
        np.bitwise_and(bits, np.negative(which == k, dtype=np.int64).view(np.uint64), out=word)
    if len(words) == 1:
        np.copyto(words[0], bits)
        return
    np.bitwise_xor(bits, words[0], out=words[-1])
    for word in words[1:-1]:
        np.bitwise_xor(words[-1], word, out=words[-1])
