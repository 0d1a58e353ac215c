"""Kernel sliding (forward pass): the window moves over the padded input and writes one output cell.

Panels: the padded input x (padding hatched grey), the kernel w, the output z = conv2d(x, w) filled in
up to the current step. The current window and the output cell it writes are outlined in orange and
the weighted sum is written out (``z[0, 0] = 1·1 + 0·1 + … = 4``). The numbers come from
:func:`cnnmath.conv2d` and :func:`cnnmath.seedforms.pad`.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

import cnnmath as cm
from cnnmath import seedforms as sf

from . import presets
from ._live import ORANGE, LiveWidget, check_slide, factor, fmt, slider

__all__ = ["KernelSliding", "kernel_sliding"]

SEED = "seed 001: 5×5 image, 3×3 kernel"
RANDOM = "small random integers"
CUSTOM = "your x and w"


class KernelSliding(LiveWidget):
    """Controls: ``preset``, ``size`` (input n), ``kernel_size`` (k), ``stride``, ``padding``, ``step``
    (which output cell; ``play`` animates it)."""

    css_class = "cnnmath-kernel-sliding"

    def __init__(self, x=None, w=None, *, stride: int = 1, padding: int = 0):
        self._custom = None
        options = [SEED, RANDOM]
        x0, w0 = presets.SEED001_IMAGE, presets.SEED001_KERNEL
        if x is not None or w is not None:
            if x is None or w is None:
                raise ValueError("kernel_sliding: give both x (n, n) and w (k, k), or neither")
            x0, w0 = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
            if x0.ndim != 2 or w0.ndim != 2 or x0.shape[0] != x0.shape[1] or w0.shape[0] != w0.shape[1]:
                raise ValueError(f"kernel_sliding: x and w must be square 2-D, got {x0.shape} and {w0.shape}")
            self._custom = (x0, w0)
            options.append(CUSTOM)
        self.preset = widgets.Dropdown(options=options, value=options[-1] if self._custom else SEED)
        self.size = slider("input n", x0.shape[0], 2, 9)
        self.kernel_size = slider("kernel k", w0.shape[0], 1, 5)
        self.stride = slider("stride s", stride, 1, 9)
        self.padding = slider("padding p", padding, 0, 3)
        self.step = slider("step", 0, 0, 8)
        self.play = widgets.Play(value=0, min=0, max=8, interval=700)
        widgets.link((self.play, "value"), (self.step, "value"))  # kernel-side: Python and ▶ agree
        self.preset.observe(self._on_preset, names="value")
        for w_ in (self.size, self.kernel_size):
            w_.observe(self._on_size, names="value")
        controls = [
            widgets.HBox([self.preset, self.play, self.step]),
            widgets.HBox([self.size, self.kernel_size, self.stride, self.padding]),
        ]
        self._setup(controls, [self.stride, self.padding, self.step])

    def _on_preset(self, change) -> None:
        if self._held:
            return
        x, w = self._custom if change["new"] == CUSTOM else (presets.SEED001_IMAGE, presets.SEED001_KERNEL)
        if change["new"] != RANDOM:
            with self.hold():
                self.size.value, self.kernel_size.value = x.shape[0], w.shape[0]
        self.refresh()

    def _on_size(self, change) -> None:
        if not self._held:
            with self.hold():
                if self.preset.value != RANDOM and self._data_shapes() != (
                    self.size.value,
                    self.kernel_size.value,
                ):
                    self.preset.value = RANDOM
            self.refresh()

    def _data_shapes(self) -> tuple[int, int]:
        x, w = (
            self._custom if self.preset.value == CUSTOM else (presets.SEED001_IMAGE, presets.SEED001_KERNEL)
        )
        return x.shape[0], w.shape[0]

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """The current input x (n, n) and kernel w (k, k)."""
        n, k = self.size.value, self.kernel_size.value
        if self.preset.value == CUSTOM:
            return self._custom
        if self.preset.value == SEED:
            return presets.SEED001_IMAGE, presets.SEED001_KERNEL
        return presets.small_ints((n, n), 0, 3, seed=1), presets.small_ints((k, k), -1, 2, seed=2)

    def draw(self) -> None:
        from ._canvas import Panel, colorize

        x, w = self.data()
        n, k = x.shape[0], w.shape[0]
        s, p = self.stride.value, self.padding.value
        m = check_slide(n, k, s, p)
        z = cm.conv2d(x, w, stride=s, padding=p)
        xp = sf.pad(x, p)
        Ho, Wo = z.shape
        self._sync_range(self.step, self.play, Ho * Wo)
        i, j = divmod(self.step.value, Wo)

        labels = tuple([""] * p + [str(a) for a in range(n)] + [""] * p)
        c = self.canvas
        c.layout(
            [
                [
                    Panel("x", f"input x ({n}×{n}), padding {p}", (m, m), labels, labels),
                    Panel("w", f"kernel w ({k}×{k})", (k, k)),
                    Panel("z", f"output z = x ⋆ w  (stride {s})", (Ho, Wo)),
                ]
            ]
        )
        c.begin()
        pad_mask = np.ones((m, m), bool)
        pad_mask[p : p + n, p : p + n] = False
        c.fill("x", np.where(pad_mask[..., None], 235, colorize(xp)))
        c.hatch("x", pad_mask)
        c.numbers("x", np.vectorize(fmt, otypes=[object])(xp), faint=pad_mask)
        c.fill("w", colorize(w))
        c.numbers("w", np.vectorize(fmt, otypes=[object])(w))
        done = np.arange(Ho * Wo).reshape(Ho, Wo) <= self.step.value
        c.fill("z", np.where(done[..., None], colorize(z), 255))
        c.numbers("z", np.where(done, np.vectorize(fmt, otypes=[object])(z), ""))
        c.box("x", i * s, j * s, i * s + k, j * s + k, ORANGE)
        c.box("w", 0, 0, k, k, ORANGE)
        c.box("z", i, j, i + 1, j + 1, ORANGE)

        window = xp[i * s : i * s + k, j * s : j * s + k]
        terms = " + ".join(f"{factor(a)}·{factor(b)}" for a, b in zip(w.ravel(), window.ravel(), strict=True))
        size = f"{Ho} = ⌊({n} + 2·{p} − {k})/{s}⌋ + 1"
        self.formula.value = (
            f"<code>z[{i}, {j}] = {terms} = <b>{fmt(z[i, j])}</b></code><br>"
            f"<small>window: rows {i * s}…{i * s + k - 1}, columns {j * s}…{j * s + k - 1} of the padded "
            f"input (kernel weight · input value, row by row); output size {size}</small>"
        )


def kernel_sliding(x=None, w=None, *, stride: int = 1, padding: int = 0) -> KernelSliding:
    """The forward-pass widget: ``kernel_sliding()`` starts on seed 001's 5×5 example.

    x: (n, n) and w: (k, k) optional arrays of your own (both or neither).
    """
    return KernelSliding(x, w, stride=stride, padding=padding)
