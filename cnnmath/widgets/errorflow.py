"""Error flow (backward pass of a conv layer): which δ cells and which weights reach an input pixel.

Mode "star" (seed 001's picture): pick an input pixel (the step); the δ cells of the windows that
covered it and the weights they were multiplied by are outlined in matching colours, and the sum
dx[a, b] = Σ δ[i, j]·w[r, t] is written out. Which (δ, w) pairs meet at a pixel is read from
:func:`cnnmath.seedforms.conv_matrix` of a kernel holding the labels 1…k² (entry (o, a·n + b) names the weight
that links output o to pixel (a, b)); the values come from :func:`cnnmath.conv2d_backward`.

Mode "full convolution": δ is dilated by the stride (zeros inserted, hatched yellow), padded by k − 1
(hatched grey), and rot180(w) slides over it (:func:`cnnmath.seedforms.dilate`, :func:`cnnmath.seedforms.pad`,
:func:`cnnmath.seedforms.rot180`, :func:`cnnmath.seedforms.full_conv`); cropping the padding gives dx
(:func:`cnnmath.seedforms.delta_full_conv`), the same numbers as :func:`cnnmath.conv2d_backward`.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

import cnnmath as cm
from cnnmath import seedforms as sf

from . import presets
from ._canvas import Panel, colorize
from ._live import BLUE, ORANGE, PAIR_COLORS, LiveWidget, check_slide, factor, fmt, slider

__all__ = ["ErrorFlow", "error_flow"]

STAR = "star: one input pixel"
FULL = "full convolution with rot180(w)"
_strings = np.vectorize(fmt, otypes=[object])


def _hex(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


class ErrorFlow(LiveWidget):
    """Controls: ``mode``, ``size`` (input n), ``kernel_size`` (k), ``stride``, ``padding``, ``step``
    (the input pixel in star mode, the full-convolution position otherwise; ``play`` animates it).
    The kernel is w = [[1, 2, …], …] (distinct numbers, so the 180° turn is visible); δ is fixed.
    ``terms``: in star mode, the (δ index, w index) pairs summed into the current pixel's dx."""

    css_class = "cnnmath-error-flow"

    def __init__(self, *, size: int = 3, kernel_size: int = 2, stride: int = 1, padding: int = 0, mode=STAR):
        self.mode = widgets.ToggleButtons(options=[STAR, FULL], value=mode, style={"button_width": "auto"})
        self.size = slider("input n", size, 2, 9)
        self.kernel_size = slider("kernel k", kernel_size, 1, 5)
        self.stride = slider("stride s", stride, 1, 9)
        self.padding = slider("padding p", padding, 0, 3)
        self.step = slider("step", 0, 0, 8)
        self.play = widgets.Play(value=0, min=0, max=8, interval=900)
        widgets.link((self.play, "value"), (self.step, "value"))  # kernel-side: Python and ▶ agree
        controls = [
            widgets.HBox([self.mode, self.play, self.step]),
            widgets.HBox([self.size, self.kernel_size, self.stride, self.padding]),
        ]
        self._setup(controls, [self.mode, self.size, self.kernel_size, self.stride, self.padding, self.step])

    def data(self):
        """(x, w, dz): a zero input (dx does not depend on it), w = 1…k² row by row, and δ = dz."""
        n, k = self.size.value, self.kernel_size.value
        s, p = self.stride.value, self.padding.value
        check_slide(n, k, s, p)
        Ho = cm.conv_output_size(n, k, stride=s, padding=p)
        w = np.arange(1.0, k * k + 1).reshape(k, k)
        return np.zeros((n, n)), w, presets.small_ints((Ho, Ho), -2, 4, seed=3)

    def draw(self) -> None:
        x, w, dz = self.data()
        if self.mode.value == STAR:
            self._star(x, w, dz)
        else:
            self._full(x, w, dz)

    def _star(self, x, w, dz) -> None:
        n, k, s, p = x.shape[0], w.shape[0], self.stride.value, self.padding.value
        dx = cm.conv2d_backward(dz, x, w, stride=s, padding=p)[0]
        links = sf.conv_matrix((n, n), np.arange(1.0, k * k + 1).reshape(k, k), stride=s, padding=p)
        self._sync_range(self.step, self.play, n * n)
        a, b = divmod(self.step.value, n)
        Ho, Wo = dz.shape
        c = self.canvas
        c.layout(
            [
                [
                    Panel("dz", f"δ = ∂E/∂z ({Ho}×{Wo}, given)", dz.shape),
                    Panel("w", f"kernel w ({k}×{k})", w.shape),
                    Panel("dx", f"dx = ∂E/∂x ({n}×{n}),  stride {s}, padding {p}", dx.shape),
                ]
            ]
        )
        c.begin()
        c.fill("dz", colorize(dz))
        c.numbers("dz", _strings(dz))
        c.fill("w", colorize(w))
        c.numbers("w", _strings(w))
        done = np.arange(n * n).reshape(n, n) <= self.step.value
        c.fill("dx", np.where(done[..., None], colorize(dx), 255))
        c.numbers("dx", np.where(done, _strings(dx), ""))
        c.box("dx", a, b, a + 1, b + 1, ORANGE)
        names, values, self.terms = [], [], []
        for t, o in enumerate(np.flatnonzero(links[:, a * n + b])):
            (i, j), (r, q) = divmod(int(o), Wo), divmod(int(links[o, a * n + b]) - 1, k)
            color = PAIR_COLORS[t % len(PAIR_COLORS)]
            self.terms.append(((i, j), (r, q)))
            c.box("dz", i, j, i + 1, j + 1, color)
            c.box("w", r, q, r + 1, q + 1, color)
            span = f'<span style="color:{_hex(color)};font-weight:bold">'
            names.append(f"{span}δ[{i}, {j}]·w[{r}, {q}]</span>")
            values.append(f"{span}{factor(dz[i, j])}·{factor(w[r, q])}</span>")
        if names:
            indent = "&nbsp;" * 4
            total = f"{' + '.join(names)}<br>{indent}= {' + '.join(values)} = <b>{fmt(dx[a, b])}</b>"
        else:
            total = f"<b>{fmt(dx[a, b])}</b>: no window covered this pixel (the stride skipped it)"
        self.formula.value = (
            f"<code>dx[{a}, {b}] = {total}</code><br><small>each window that covered x[{a}, {b}] sends "
            "back its δ times the weight that multiplied x there (same colour)</small>"
        )

    def _full(self, x, w, dz) -> None:
        self.terms = []
        n, k, s, p = x.shape[0], w.shape[0], self.stride.value, self.padding.value
        dil = sf.dilate(dz, s)
        dpad = sf.pad(dil, k - 1)
        wr = sf.rot180(w)
        full = sf.full_conv(dil, w)
        dx = sf.delta_full_conv(dz, w, x.shape, stride=s, padding=p)
        same = np.allclose(dx, cm.conv2d_backward(dz, x, w, stride=s, padding=p)[0])
        Hf, Wf = full.shape
        self._sync_range(self.step, self.play, Hf * Wf)
        i, j = divmod(self.step.value, Wf)
        c = self.canvas
        c.layout(
            [
                [
                    Panel("dpad", f"dilate(δ, {s}) padded by k − 1 = {k - 1}", dpad.shape),
                    Panel("wr", "rot180(w)", wr.shape),
                    Panel("full", "full = pad(dilate(δ)) ⋆ rot180(w)", full.shape),
                    Panel("dx", f"dx: crop padding p = {p}", dx.shape),
                ]
            ]
        )
        c.begin()
        inner = np.zeros(dpad.shape, bool)
        inner[k - 1 : k - 1 + dil.shape[0], k - 1 : k - 1 + dil.shape[1]] = True
        inserted = np.zeros(dpad.shape, bool)
        inserted[k - 1 : k - 1 + dil.shape[0], k - 1 : k - 1 + dil.shape[1]] = True
        inserted[k - 1 :: s, k - 1 :: s][: dz.shape[0], : dz.shape[1]] = False
        c.fill("dpad", np.where(inner[..., None], colorize(dpad), 235))
        c.hatch("dpad", ~inner)
        c.hatch("dpad", inserted, color=(225, 185, 40))
        c.numbers("dpad", _strings(dpad), faint=~inner | inserted)
        c.fill("wr", colorize(wr))
        c.numbers("wr", _strings(wr))
        done = np.arange(Hf * Wf).reshape(Hf, Wf) <= self.step.value
        c.fill("full", np.where(done[..., None], colorize(full), 255))
        c.numbers("full", np.where(done, _strings(full), ""))
        rows, cols = np.arange(n)[:, None] + p, np.arange(n)[None, :] + p
        # dx[a, b] is full[a + p, b + p]; rows/columns no window reached (beyond full) are 0 at the end.
        inside = (rows < Hf) & (cols < Wf)
        last = self.step.value == Hf * Wf - 1
        dx_done = np.where(inside, done[np.minimum(rows, Hf - 1), np.minimum(cols, Wf - 1)], last)
        c.fill("dx", np.where(dx_done[..., None], colorize(dx), 255))
        c.numbers("dx", np.where(dx_done, _strings(dx), ""))
        c.box("dpad", i, j, i + k, j + k, ORANGE)
        c.box("wr", 0, 0, k, k, ORANGE)
        c.box("full", i, j, i + 1, j + 1, ORANGE)
        c.box("full", p, p, p + n, p + n, BLUE, width=2)
        window = dpad[i : i + k, j : j + k]
        terms = " + ".join(
            f"{factor(a)}·{factor(b)}" for a, b in zip(wr.ravel(), window.ravel(), strict=True)
        )
        inserted_note = (
            f"yellow: the {s - 1} zero(s) inserted between δ entries for stride {s}"
            if s > 1
            else "stride 1: no zeros inserted"
        )
        check = "✓ the same as conv2d_backward's dx" if same else "✗ differs from conv2d_backward's dx"
        self.formula.value = (
            f"<code>full[{i}, {j}] = {terms} = <b>{fmt(full[i, j])}</b></code><br>"
            f"<small>{inserted_note}; grey: k − 1 = {k - 1} zeros of padding; blue box: the input's "
            f"pixels, dx = full[{p}:{p + n}, {p}:{p + n}] — {check}</small>"
        )


def error_flow(
    *, size: int = 3, kernel_size: int = 2, stride: int = 1, padding: int = 0, mode=STAR
) -> ErrorFlow:
    """The backward-pass widget; starts on seed 001's simplest case (3×3 input, 2×2 kernel, stride 1).

    mode: ``"star"`` or ``"full"`` (the full convolution with the rotated kernel).
    """
    modes = {"star": STAR, "full": FULL}
    if mode not in modes and mode not in (STAR, FULL):
        raise ValueError(f"error_flow: mode must be 'star' or 'full', got {mode!r}")
    return ErrorFlow(
        size=size, kernel_size=kernel_size, stride=stride, padding=padding, mode=modes.get(mode, mode)
    )
