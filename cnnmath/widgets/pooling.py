"""Pooling router: where the δ of a pooled map goes, window by window (max, mean or Lp pooling).

Step through the windows: the current one is outlined in orange on x, its output y[i, j] and its δ;
the cells it sends δ to are outlined in green in dx, which accumulates window by window (overlapping
windows add up). Max pooling: ties are outlined in red — only the first maximum in row-major order
gets δ (:func:`cnnmath.max_pool2d_argmax`). Every number comes from cnnmath's pools and their backward
passes; a window's share is the backward pass of a δ that is zero except at that window.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

import cnnmath as cm

from . import presets
from ._canvas import Panel, colorize
from ._live import GREEN, ORANGE, RED, LiveWidget, check_slide, fmt, slider

__all__ = ["PoolingRouter", "pooling_router"]

MODES = ("max", "mean", "Lp")
SEED = "seed 003: 6×6 table A"
RELU = "after a ReLU (ties)"
YOURS = "your x"
_strings = np.vectorize(fmt, otypes=[object])


class PoolingRouter(LiveWidget):
    """Controls: ``mode`` (max / mean / Lp), ``p`` (Lp's exponent), ``preset``, ``size`` (input n),
    ``kernel_size`` (window k), ``stride``, ``step`` (which window; ``play`` animates it)."""

    css_class = "cnnmath-pooling-router"

    def __init__(self, x=None, *, kernel_size: int = 2, stride: int | None = None, mode: str = "max", p=2.0):
        if mode not in MODES:
            raise ValueError(f"pooling_router: mode must be one of {MODES}, got {mode!r}")
        self._x = None
        if x is not None:
            self._x = np.asarray(x, dtype=float)
            if self._x.ndim != 2 or self._x.shape[0] != self._x.shape[1]:
                raise ValueError(f"pooling_router: x must be a square 2-D array, got shape {self._x.shape}")
        options = [SEED, RELU] + ([YOURS] if self._x is not None else [])
        self.preset = widgets.Dropdown(options=options, value=options[-1] if self._x is not None else SEED)
        self.mode = widgets.ToggleButtons(options=MODES, value=mode, style={"button_width": "auto"})
        self.p = widgets.FloatSlider(value=p, min=1.0, max=8.0, step=0.5, description="p (Lp)")
        self.size = slider("input n", self._shapes()[0], 2, 9)
        self.kernel_size = slider("window k", kernel_size, 1, 5)
        self.stride = slider("stride s", kernel_size if stride is None else stride, 1, 9)
        self.step = slider("window", 0, 0, 8)
        self.play = widgets.Play(value=0, min=0, max=8, interval=800)
        widgets.link((self.play, "value"), (self.step, "value"))  # kernel-side: Python and ▶ agree
        self.preset.observe(self._on_preset, names="value")
        self.size.observe(self._on_size, names="value")
        controls = [
            widgets.HBox([self.mode, self.p]),
            widgets.HBox([self.preset, self.play, self.step]),
            widgets.HBox([self.size, self.kernel_size, self.stride]),
        ]
        self._setup(controls, [self.mode, self.p, self.kernel_size, self.stride, self.step])

    def _shapes(self) -> tuple[int, ...]:
        return (
            self._x.shape if self._x is not None and self.preset.value == YOURS else presets.SEED003_A.shape
        )

    def _on_preset(self, change) -> None:
        if self._held:
            return
        if change["new"] != RELU:
            with self.hold():
                self.size.value = self._shapes()[0]
        self.refresh()

    def _on_size(self, change) -> None:
        if self._held:
            return
        if self.preset.value != RELU and self._shapes()[0] != change["new"]:
            with self.hold():
                self.preset.value = RELU
        self.refresh()

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """(x, dy): the input (n, n) and the given δ of the pooled map (Ho, Wo)."""
        if self.preset.value == YOURS:
            x = self._x
        elif self.preset.value == SEED:
            x = presets.SEED003_A
        else:
            x = presets.relu_grid(self.size.value)
        n, k, s = x.shape[0], self.kernel_size.value, self.stride.value
        check_slide(n, k, s, 0, window="pooling window")
        Ho = cm.conv_output_size(n, k, stride=s)
        return x, presets.small_ints((Ho, Ho), 1, 5, seed=8)

    def _pool(self, x, k, s):
        """(y, backward) for the chosen mode; backward(d) is cnnmath's backward pass for upstream d."""
        mode, p = self.mode.value, self.p.value
        if mode == "max":
            return cm.max_pool2d(x, k, stride=s), lambda d: cm.max_pool2d_backward(d, x, k, stride=s)
        if mode == "mean":
            return cm.avg_pool2d(x, k, stride=s), lambda d: cm.avg_pool2d_backward(d, x, k, stride=s)
        return cm.lp_pool2d(x, p, k, stride=s), lambda d: cm.lp_pool2d_backward(d, x, p, k, stride=s)

    def draw(self) -> None:
        x, dy = self.data()
        n, k, s = x.shape[0], self.kernel_size.value, self.stride.value
        self.p.disabled = self.mode.value != "Lp"
        y, backward = self._pool(x, k, s)
        Ho, Wo = y.shape
        self._sync_range(self.step, self.play, Ho * Wo)
        i, j = divmod(self.step.value, Wo)
        order = np.arange(Ho * Wo).reshape(Ho, Wo)
        dx = backward(dy * (order <= self.step.value))  # δ of windows 0 … step
        share = backward(dy * (order == self.step.value))  # δ of this window alone
        reached = cm.avg_pool2d_backward(np.ones_like(y), x, k, stride=s) > 0
        c = self.canvas
        c.layout(
            [
                [
                    Panel("x", f"x ({n}×{n})", x.shape),
                    Panel("y", f"y = {self.mode.value} pool, {k}×{k}, stride {s}", y.shape),
                    Panel("dy", "δ of y (given)", dy.shape),
                    Panel("dx", "dx (windows so far)", x.shape),
                ]
            ]
        )
        c.begin()
        c.fill("x", colorize(x))
        c.hatch("x", ~reached)
        c.numbers("x", _strings(x))
        for name, v in (("y", y), ("dy", dy)):
            c.fill(name, colorize(v))
            c.numbers(name, _strings(v))
            c.box(name, i, j, i + 1, j + 1, ORANGE)
        c.fill("dx", colorize(dx))
        c.hatch("dx", ~reached)
        c.numbers("dx", _strings(dx))
        r0, c0 = i * s, j * s
        c.box("x", r0, c0, r0 + k, c0 + k, ORANGE)
        for a, b in zip(*np.nonzero(share), strict=True):
            c.box("dx", a, b, a + 1, b + 1, GREEN)
        self.formula.value = self._explain(x, y, dy, share, i, j, k, s) + self._notes(reached, k, s)

    def _explain(self, x, y, dy, share, i, j, k, s) -> str:
        r0, c0 = i * s, j * s
        head = f"window ({i}, {j}) = x[{r0}:{r0 + k}, {c0}:{c0 + k}]"
        if self.mode.value == "max":
            rows, cols = cm.max_pool2d_argmax(x, k, stride=s)
            a, b = int(rows[i, j]), int(cols[i, j])
            self.canvas.box("x", a, b, a + 1, b + 1, GREEN)
            window = x[r0 : r0 + k, c0 : c0 + k]
            ties = [(r0 + u, c0 + v) for u, v in zip(*np.nonzero(window == y[i, j]), strict=True)]
            ties = [t for t in ties if t != (a, b)]
            for u, v in ties:
                self.canvas.box("x", u, v, u + 1, v + 1, RED, width=2)
            text = f"{head}: max = {fmt(y[i, j])} at x[{a}, {b}]"
            if ties:
                where = ", ".join(f"x[{u}, {v}]" for u, v in ties)
                text += (
                    f"; also at {where} (red) — a tie: only the first maximum in row-major order "
                    "gets δ (PyTorch's rule)"
                )
            return f"<code>{text}<br>→ dx[{a}, {b}] += δ[{i}, {j}] = {fmt(dy[i, j])}</code>"
        if self.mode.value == "mean":
            each = fmt(share[r0, c0])
            return (
                f"<code>{head}: mean = {fmt(y[i, j])}<br>→ each of its {k * k} cells gets "
                f"δ[{i}, {j}] / {k * k} = {fmt(dy[i, j])} / {k * k} = {each}</code>"
            )
        gets = ", ".join(
            f"dx[{a}, {b}] += {fmt(share[a, b])}" for a, b in zip(*np.nonzero(share), strict=True)
        )
        return (
            f"<code>{head}: y = (Σ|x|^p)^(1/p) = {fmt(y[i, j])} with p = {fmt(self.p.value)}<br>"
            f"→ each cell gets δ·(|x|/y)^(p−1)·sign(x): {gets or 'nothing (all zero)'}</code>"
        )

    @staticmethod
    def _notes(reached, k, s) -> str:
        notes = []
        if s < k:
            notes.append("stride &lt; window: the windows overlap, a cell in several windows adds up their δ")
        if not reached.all():
            notes.append("hatched: cells no window reaches (the stride skips them) get δ = 0")
        return f"<br><small>{'; '.join(notes)}</small>" if notes else ""


def pooling_router(x=None, *, kernel_size: int = 2, stride: int | None = None, mode: str = "max", p=2.0):
    """The pooling widget; starts on seed 003's 6×6 table with 2×2 max pooling, stride 2.

    x: an optional square 2-D input of your own; mode: "max", "mean" or "Lp" (exponent p >= 1).
    """
    return PoolingRouter(x, kernel_size=kernel_size, stride=stride, mode=mode, p=p)
