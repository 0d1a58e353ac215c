"""The widgets for a reader without a kernel: a frame as a picture, a step sequence as an animation.

Both are drawn by the widgets' own renderer (:mod:`._canvas`): the same pixels the live widget shows,
with the written-out formula drawn in under the frame.

* :class:`Still` shows as a PNG in any notebook viewer (GitHub, nbviewer, the course site, a printed
  handout). Its text form, which nbval compares, is the formula.
* :class:`Animation` is matplotlib.animation's JavaScript player (``to_jshtml``) over those frames, so
  it plays in a static page. Its element id is derived from the frames (not random, so the stored
  output is reproducible), and the player's buttons are plain characters instead of matplotlib's
  Font Awesome icons, which it would load from a CDN (a classroom may be offline).
"""

from __future__ import annotations

import base64
import hashlib
import io
import re

import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from ._glyphs import DPI, LABEL_H, blit, label

__all__ = ["Animation", "Still", "captioned", "compact_png"]

CAPTION_PT = 9.0  # size of the formula drawn under a still or an animation frame
CAPTION_LINES = 3  # at most this many lines of the formula are drawn (the rest is a summary)
PALETTE = 128  # colours of a stored frame (compact_png)
_MARGIN = 24  # left margin of the caption, as the panels' (pixels)

# matplotlib's player buttons (Font Awesome classes) -> characters every browser font has.
_BUTTONS = {
    "fa-minus": "−",
    "fa-fast-backward": "|◀◀",
    "fa-step-backward": "|◀",
    "fa-play fa-flip-horizontal": "◀",
    "fa-pause": "❚❚",
    "fa-play": "▶",
    "fa-step-forward": "▶|",
    "fa-fast-forward": "▶▶|",
    "fa-plus": "+",
}


def captioned(frame: np.ndarray, text: str) -> np.ndarray:
    """frame: (H, W, 3) uint8 -> (H + strip, W', 3) with ``text``'s first lines drawn under it."""
    lines = [line for line in text.splitlines() if line.strip()][:CAPTION_LINES]
    alphas = [label(line, CAPTION_PT) for line in lines]
    width = max([frame.shape[1], *(_MARGIN + a.shape[1] + 8 for a in alphas)])
    out = np.full((frame.shape[0] + LABEL_H * len(alphas) + 6, width, 3), 255, np.uint8)
    out[: frame.shape[0], : frame.shape[1]] = frame
    for k, alpha in enumerate(alphas):
        blit(out, alpha, _MARGIN, frame.shape[0] + k * LABEL_H)
    return out


class Still:
    """One frame of a widget, for readers without a kernel: a PNG, and the formula as its text."""

    def __init__(self, image: np.ndarray, text: str, name: str, labels: dict | None = None):
        self.image = image  # (H, W, 3) uint8: the frame with its caption
        self.text = text
        self.name = name
        self.labels = dict(labels or {})  # panel -> the strings drawn in its cells ("" = blank)

    def _repr_png_(self) -> bytes:
        return compact_png(self.image)

    def __repr__(self) -> str:  # text/plain: what nbval compares, and what a text-only reader sees
        return f"{self.name}: {self.text}" if self.text else self.name


class Animation:
    """Frames of a widget played by matplotlib's JavaScript player (works in a static HTML page)."""

    def __init__(self, frames: list[np.ndarray], name: str, *, interval: int = 800):
        if not frames:
            raise ValueError(f"Animation: {name} has no frames")
        H = max(f.shape[0] for f in frames)
        W = max(f.shape[1] for f in frames)
        self.frames = [_padded(f, H, W) for f in frames]
        self.name = name
        self.interval = int(interval)
        self._html: str | None = None

    def to_html(self) -> str:
        """The player: a <div> with the frames embedded as PNG images and matplotlib's script."""
        if self._html is None:
            self._html = _player(self.frames, self.interval)
        return self._html

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return f"{self.name}: animation of {len(self.frames)} frames (press ▶ to play)"


def _padded(frame: np.ndarray, H: int, W: int) -> np.ndarray:
    out = np.full((H, W, 3), 255, np.uint8)
    out[: frame.shape[0], : frame.shape[1]] = frame
    return out


def _player(frames: list[np.ndarray], interval: int) -> str:
    """matplotlib's player over ``frames``. matplotlib renders each frame of an Animation through a
    figure; here the frames are already pictures, so it animates a 4×4-pixel placeholder and its
    embedded frames are then replaced by the frames themselves, encoded compactly (:func:`compact_png`)."""
    fig = Figure(figsize=(4 / DPI, 4 / DPI), dpi=DPI)
    FigureCanvasAgg(fig)
    anim = FuncAnimation(fig, lambda k: (), frames=len(frames), interval=interval, repeat=True)
    html = anim.to_jshtml(default_mode="loop")
    slots = re.findall(r'  frames\[(\d+)\] = "data:image/png;base64,[^"]*"\n', html)
    if slots != [str(k) for k in range(len(frames))]:
        raise RuntimeError("Animation: matplotlib's player has changed (its frames were not found)")
    pngs = iter(base64.b64encode(compact_png(f)).decode("ascii") for f in frames)
    html = re.sub(
        r'(  frames\[\d+\] = "data:image/png;base64,)[^"]*(")', lambda m: m[1] + next(pngs) + m[2], html
    )
    return _offline(html, _frames_id(frames))


def compact_png(image: np.ndarray) -> bytes:
    """image: (H, W, 3) uint8 -> PNG with a palette of PALETTE colours: a widget frame is flat cells
    and anti-aliased text, which that many colours show unchanged to the eye, at about a third of the
    bytes of an RGB PNG (what matters for stills and animations stored in a notebook)."""
    buf = io.BytesIO()
    Image.fromarray(image).quantize(
        colors=PALETTE, method=Image.Quantize.MAXCOVERAGE, dither=Image.Dither.NONE
    ).save(buf, format="png")
    return buf.getvalue()


def _frames_id(frames: list[np.ndarray]) -> str:
    h = hashlib.sha1()
    for f in frames:
        h.update(f.tobytes())
    return "cnnmath" + h.hexdigest()[:16]  # notebooks/sanitize.cfg masks it for nbval


def _offline(html: str, uid: str) -> str:
    """matplotlib's player with a reproducible id and no request to a CDN."""
    found = re.search(r'id="_anim_img([0-9a-f]+)"', html)
    if found is None:
        raise RuntimeError("Animation: matplotlib's player has changed (no _anim_img id found)")
    html = html.replace(found[1], uid)
    html = re.sub(r'<link rel="stylesheet"[^>]*font-awesome[^>]*>\s*', "", html)

    def button(m: re.Match) -> str:
        return f'<span class="cnnmath-button">{_BUTTONS[m[1]]}</span>'

    html = re.sub(r'<i class="fa ([^"]+)"></i>', button, html)
    if "fa fa-" in html or "https://" in html or "http://" in html:
        raise RuntimeError("Animation: the player still refers to an icon font or an outside address")
    return html
