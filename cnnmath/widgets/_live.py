"""The base class of every widget: controls, one frame (an image), the written-out formula, a message.

A control change calls :meth:`LiveWidget.refresh`, which runs the subclass's ``draw()`` and times it
(``frame_times``, milliseconds, measured in the kernel from the control change to the new PNG in the
image widget). A bad value (a ``ValueError`` from the widget's own checks or from cnnmath) shows a
readable message instead of the frame; the next good value brings the frame back. Setting a
control's ``.value`` from Python does exactly what moving it in the browser does (headless use).
"""

from __future__ import annotations

import html
import re
import time
from contextlib import contextmanager

import ipywidgets as widgets
import numpy as np

__all__ = ["LiveWidget", "check_slide", "factor", "fmt", "signed_sum", "significant", "slider"]

ORANGE, GREEN, RED, BLUE, PURPLE = (230, 120, 0), (0, 150, 60), (210, 30, 30), (30, 90, 210), (140, 60, 170)
# Colours of the δ·w pairs in the error-flow "star" (tab10-like without orange, which marks the
# current cell; dark enough for 3-px boxes).
PAIR_COLORS = [
    (31, 119, 180),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (23, 190, 207),
    (140, 86, 75),
    (227, 119, 194),
    (90, 90, 90),
    (188, 189, 34),
    (20, 40, 120),
]


def fmt(v) -> str:
    """A cell's number as shown: rounded to two decimals, trailing zeros dropped ("1.5", "-0.38", "4")."""
    s = f"{float(v):.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def signed_sum(values) -> str:
    """'1.5 − 0.5 + 2' for [1.5, -0.5, 2]."""
    out = ""
    for k, v in enumerate(values):
        s = fmt(v)
        if k == 0:
            out = s
        elif s.startswith("-"):
            out += f" − {s[1:]}"
        else:
            out += f" + {s}"
    return out


def significant(v, digits: int) -> str:
    """A number to ``digits`` significant digits, written out (no exponent), trailing zeros dropped:
    0.14914645 to 4 digits is "0.1491", 0.0745732 to 3 is "0.0746", -1.5 is "-1.5", 1234.5 to 3 is "1230"."""
    s = np.format_float_positional(float(v), precision=digits, unique=False, fractional=False, trim="-")
    return "0" if s == "-0" else s


def factor(v, digits: int | None = None) -> str:
    """A number as a factor in a written-out product: negative numbers in parentheses. Rounded like a
    cell (:func:`fmt`), or to ``digits`` significant digits (:func:`significant`)."""
    s = fmt(v) if digits is None else significant(v, digits)
    return f"({s})" if s.startswith("-") else s


def slider(description: str, value: int, lo: int, hi: int) -> widgets.IntSlider:
    return widgets.IntSlider(
        value=value,
        min=lo,
        max=hi,
        description=description,
        continuous_update=True,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="220px"),
    )


def check_slide(n: int, k: int, stride: int, padding: int, *, window: str = "kernel") -> int:
    """Readable ValueError unless a k×k window can slide over the n×n input padded by ``padding``.

    Returns the padded size n + 2·padding.
    """
    m = n + 2 * padding
    where = f"the padded input ({n} + 2·{padding} = {m} cells per side)" if padding else f"the {n}×{n} input"
    if k > m:
        cure = "the input larger, or add padding" if window == "kernel" else "or the input larger"
        raise ValueError(
            f"The {k}×{k} {window} is larger than {where}, so it fits nowhere. "
            f"Make the {window} smaller, {cure}."
        )
    if stride > m:
        raise ValueError(
            f"Stride {stride} is larger than {where}: the {window} could never take a single step. "
            f"Choose a stride of at most {m}."
        )
    return m


class LiveWidget(widgets.VBox):
    """Subclasses set ``css_class``, build their controls, call ``_setup(controls)`` and implement
    ``draw()`` (compute with cnnmath, paint ``self.canvas``, set ``self.formula.value``)."""

    css_class = "cnnmath-widget"

    def _setup(self, controls: list[widgets.Widget], watched: list[widgets.Widget]) -> None:
        from ._canvas import Canvas

        self.canvas = Canvas()
        self.formula = widgets.HTML(layout=widgets.Layout(min_height="1.5em"))
        self.message = widgets.HTML()
        self.frame_times: list[float] = []
        self._held = 0
        super().__init__([*controls, self.canvas.image, self.formula, self.message])
        self.add_class("cnnmath-widget")
        self.add_class(self.css_class)
        for w in watched:
            w.observe(self._on_change, names="value")
        self.refresh()

    def _on_change(self, change) -> None:
        if not self._held:
            self.refresh()

    @contextmanager
    def hold(self):
        """Change several controls without a frame per change (call ``refresh()`` afterwards)."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1

    def refresh(self) -> None:
        t0 = time.perf_counter()
        try:
            self.draw()
        except ValueError as e:
            self._error = str(e)
            self.formula.value = ""
            self.message.value = (
                '<div class="cnnmath-message" style="color:#8a1c1c;background:#fdecea;'
                f'border-left:4px solid #d33;padding:4px 8px">⚠ {html.escape(str(e))}</div>'
            )
            self.canvas.image.layout.display = "none"
        else:
            self._error = ""
            self.message.value = ""
            self.canvas.image.layout.display = None
            self.canvas.show()
        self.frame_times.append(1000.0 * (time.perf_counter() - t0))

    @property
    def error(self) -> str:
        """The message shown instead of the frame ("" when the frame is shown)."""
        return self._error

    def shown(self, panel: str):
        """The strings displayed in the cells of ``panel`` in the current frame ("" = blank cell)."""
        return self.canvas.labels[panel]

    def values(self, panel: str) -> np.ndarray:
        """The numbers displayed in ``panel`` as floats (rounded as shown; NaN for a blank cell)."""
        return np.array([[float(s) if s else np.nan for s in row] for row in self.shown(panel)])

    @property
    def text(self) -> str:
        """The written-out formula under the frame as plain text, one line per line shown."""
        plain = re.sub(r"<[^>]+>", "", self.formula.value.replace("<br>", "\n"))
        return html.unescape(plain).replace("\xa0", " ")

    def _sync_range(self, step: widgets.IntSlider, play: widgets.Play, count: int) -> None:
        """Set the step slider's (and Play's) range to 0 … count-1 without triggering a frame."""
        with self.hold():
            for w in (step, play):
                if w.value > count - 1:
                    w.value = count - 1
                w.max = max(count - 1, 0)

    # ------------------------------------------------------------ for readers without a kernel

    def still(self):
        """The current frame with its written-out formula, as a picture any notebook viewer shows
        (a PNG; its text form is the formula)."""
        from ._static import Still, captioned

        if self.error:
            raise ValueError(
                f"{type(self).__name__}.still: the widget shows a message, not a frame: {self.error}"
            )
        frame = captioned(self.canvas.frame.copy(), self.text)
        return Still(frame, self.text, type(self).__name__, self.canvas.labels)

    def animation(self, steps=None, *, interval: int | None = None):
        """The widget's step sequence as an animation that plays without a kernel (matplotlib's
        JavaScript player). steps: the values of ``step`` to show, default all of them; the other
        controls stay as they are; ``step`` is put back afterwards."""
        from ._static import Animation, captioned

        step = getattr(self, "step", None)
        if step is None:
            raise TypeError(f"{type(self).__name__}.animation: this widget has no step control to animate")
        if self.error:
            raise ValueError(f"{type(self).__name__}.animation: the widget shows a message: {self.error}")
        start = step.value
        values = range(step.min, step.max + 1) if steps is None else list(steps)
        frames = []
        try:
            for v in values:
                if not step.min <= v <= step.max:
                    raise ValueError(
                        f"{type(self).__name__}.animation: steps must lie in {step.min}…{step.max}, got {v}"
                    )
                step.value = v
                frames.append(captioned(self.canvas.frame.copy(), self.text))
        finally:
            step.value = start
        play = getattr(self, "play", None)
        ms = interval if interval is not None else (play.interval if play is not None else 800)
        return Animation(frames, type(self).__name__, interval=ms)

    def draw(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:  # short and deterministic (nbval compares text/plain)
        return f"{type(self).__name__}()"
