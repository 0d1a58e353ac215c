"""Live δ map: move a kernel weight, the stride, the padding or the activation and watch δ^{l-1},
dW and db change.

The layer: a^{l-1} = f(net^{l-1}) → net^l = conv2d(a^{l-1}, w, stride, padding) with a given δ^l.
Seed 001's rule δ^{l-1} = (δ^l ∗ W) ∘ f′(net^{l-1}) (∗ the full convolution, which turns the kernel
by 180°) is shown in its three parts; every number comes from :func:`cnnmath.conv2d_backward`
(∂E/∂a^{l-1}, dW, db) and cnnmath's activations.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

import cnnmath as cm

from . import presets
from ._canvas import Panel, colorize
from ._live import LiveWidget, check_slide, factor, fmt, signed_sum, significant, slider

__all__ = ["ACTIVATIONS", "DeltaMap", "delta_map"]

ACTIVATIONS = {
    "sigmoid": (cm.sigmoid, cm.sigmoid_prime),
    "tanh": (cm.tanh, cm.tanh_prime),
    "ReLU": (cm.relu, cm.relu_prime),
    "identity": (lambda z: z, np.ones_like),
}
# The written-out δˡ⁻¹ = ∂E/∂aˡ⁻¹ · f′ line: its factors carry one digit more than its product, so that
# multiplying the shown factors gives the shown product to within its last digit (0.5 · 0.1491 = 0.0746),
# not a number the cells' two decimals round apart (0.5 · 0.15 = 0.07).
FACTOR_DIGITS, PRODUCT_DIGITS = 4, 3
EDITED = "(edited with the sliders)"
YOURS = "your w"
_strings = np.vectorize(fmt, otypes=[object])


class DeltaMap(LiveWidget):
    """Controls: ``preset`` (a named kernel), ``weights`` (one slider per w[r, t], row by row),
    ``size`` (input n), ``stride``, ``padding``, ``activation``."""

    css_class = "cnnmath-delta-map"

    def __init__(
        self, w=None, *, size: int = 7, stride: int = 1, padding: int = 0, activation: str = "sigmoid"
    ):
        self._kernels = dict(presets.KERNELS)
        if w is not None:
            w = np.asarray(w, dtype=float)
            if w.ndim != 2 or w.shape[0] != w.shape[1]:
                raise ValueError(f"delta_map: w must be a square 2-D kernel (k, k), got shape {w.shape}")
            self._kernels = {YOURS: w}
        if activation not in ACTIVATIONS:
            raise ValueError(f"delta_map: activation must be one of {list(ACTIVATIONS)}, got {activation!r}")
        first = next(iter(self._kernels))
        self.preset = widgets.Dropdown(options=[*self._kernels, EDITED], value=first, description="kernel")
        k = self._kernels[first].shape[0]
        self.weights = [
            widgets.FloatSlider(
                value=float(self._kernels[first][r, t]),
                min=-2.0,
                max=2.0,
                step=0.1,
                readout_format=".1f",
                description=f"w[{r},{t}]",
                layout=widgets.Layout(width="190px"),
                style={"description_width": "initial"},
            )
            for r in range(k)
            for t in range(k)
        ]
        self.size = slider("input n", size, 2, 9)
        self.stride = slider("stride s", stride, 1, 9)
        self.padding = slider("padding p", padding, 0, 3)
        self.activation = widgets.Dropdown(options=list(ACTIVATIONS), value=activation, description="f")
        self.preset.observe(self._on_preset, names="value")
        for s in self.weights:
            s.observe(self._on_weight, names="value")
        grid = widgets.GridBox(
            self.weights, layout=widgets.Layout(grid_template_columns=f"repeat({k}, 200px)")
        )
        controls = [
            widgets.HBox([self.preset, self.activation]),
            grid,
            widgets.HBox([self.size, self.stride, self.padding]),
        ]
        self._setup(controls, [self.size, self.stride, self.padding, self.activation])

    def kernel(self) -> np.ndarray:
        """The kernel w (k, k) as the sliders show it."""
        k = round(len(self.weights) ** 0.5)
        return np.array([s.value for s in self.weights]).reshape(k, k)

    def _on_preset(self, change) -> None:
        if self._held or change["new"] == EDITED:
            return
        with self.hold():
            for s, v in zip(self.weights, self._kernels[change["new"]].ravel(), strict=True):
                s.value = float(v)
        self.refresh()

    def _on_weight(self, change) -> None:
        if self._held:
            return
        chosen = self._kernels.get(self.preset.value)
        if chosen is not None and not np.allclose(chosen, self.kernel()):
            with self.hold():
                self.preset.value = EDITED
        self.refresh()

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """(net, dz): the previous layer's pre-activation net^{l-1} (n, n) and the given δ^l (Ho, Wo)."""
        n, k = self.size.value, len(self.kernel())
        s, p = self.stride.value, self.padding.value
        check_slide(n, k, s, p)
        Ho = cm.conv_output_size(n, k, stride=s, padding=p)
        return presets.small_ints((n, n), -4, 5, seed=5) / 2, presets.small_ints((Ho, Ho), -3, 4, seed=6) / 2

    def draw(self) -> None:
        net, dz = self.data()
        w, s, p = self.kernel(), self.stride.value, self.padding.value
        f, f_prime = ACTIVATIONS[self.activation.value]
        a = f(net)
        da, dw, db = cm.conv2d_backward(dz, a, w, stride=s, padding=p)
        fp = f_prime(net)
        delta = da * fp
        n, k, Ho = net.shape[0], w.shape[0], dz.shape[0]
        c = self.canvas
        c.layout(
            [
                [
                    Panel("a", f"$a^{{l-1}}$ = {self.activation.value}($net^{{l-1}}$)", a.shape),
                    Panel("dz", r"$\delta^l$ (given)", dz.shape),
                    Panel("w", "kernel w", w.shape),
                    Panel("dw", "dW", dw.shape),
                ],
                [
                    Panel("da", r"$\partial E/\partial a^{l-1}$", da.shape),
                    Panel("fp", r"$f\,'(net^{l-1})$", fp.shape),
                    Panel("delta", r"$\delta^{l-1}$", delta.shape),
                ],
            ]
        )
        c.begin()
        for name, v in (("a", a), ("dz", dz), ("w", w), ("dw", dw), ("da", da), ("fp", fp), ("delta", delta)):
            c.fill(name, colorize(v))
            c.numbers(name, _strings(v))
        terms = signed_sum(dz.ravel()[:4]) + (" + …" if dz.size > 4 else "")
        m = n // 2
        da_m, fp_m = factor(da[m, m], FACTOR_DIGITS), factor(fp[m, m], FACTOR_DIGITS)
        self.formula.value = (
            f"<code>δˡ⁻¹[{m}, {m}] = ∂E/∂aˡ⁻¹[{m}, {m}] · f′(netˡ⁻¹[{m}, {m}]) = {da_m} · {fp_m} = "
            f"<b>{significant(delta[m, m], PRODUCT_DIGITS)}</b></code><br>"
            f"<code>db = Σ δˡ = {terms} = <b>{fmt(db)}</b></code><br><small>"
            f"{n}×{n} input, {k}×{k} kernel, stride {s}, padding {p}: δˡ is {Ho}×{Ho}. δˡ⁻¹ has the input's "
            "shape; dW has the kernel's (each weight was shared by every window, so its gradient sums them)."
            "</small>"
        )


def delta_map(
    w=None, *, size: int = 7, stride: int = 1, padding: int = 0, activation: str = "sigmoid"
) -> DeltaMap:
    """The live δ-map widget: a 7×7 input and seed 001's 3×3 kernel unless you pass w (k, k).

    activation: "sigmoid", "tanh", "ReLU" or "identity".
    """
    return DeltaMap(w, size=size, stride=stride, padding=padding, activation=activation)
