"""Helpers shared by the widget tests, as fixtures: what a widget displays, read back as numbers and text.

The displayed numbers are the strings stamped into the frame (``widget.shown(panel)``) and the
written-out sums (``widget.formula.value``); the tests compare them with the seeds' published numbers
or with cnnmath called directly.
"""

from __future__ import annotations

import html
import io
import re

import numpy as np
import pytest
from PIL import Image


def _shown(widget, panel: str) -> np.ndarray:
    """The numbers displayed in a panel as floats (NaN for a blank cell)."""
    return np.array([[float(s) if s else np.nan for s in row] for row in widget.shown(panel)])


def _text(widget) -> str:
    """The formula line without HTML tags."""
    return html.unescape(re.sub(r"<[^>]+>", "", widget.formula.value))


def _code(widget) -> str:
    """The first <code> line of the formula (the written-out sum) without HTML tags."""
    first = re.search(r"<code>(.*?)</code>", widget.formula.value, re.S)[1]
    return html.unescape(re.sub(r"<[^>]+>", " ", first))


def _product_sum(terms: str) -> float:
    """'1·2 + (-1)·3' -> -1.0."""
    total = 0.0
    for term in re.split(r"\s\+\s", terms):
        a, b = term.strip().split("·")
        total += float(a.strip("()")) * float(b.strip("()"))
    return total


def _close(displayed: np.ndarray, expected: np.ndarray) -> bool:
    """Displayed numbers are rounded to 2 decimals."""
    return displayed.shape == expected.shape and np.allclose(displayed, expected, atol=0.0051, rtol=0)


def _decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _png_pixels(widget) -> np.ndarray:
    return _decode(widget.canvas.image.value)


@pytest.fixture(scope="session")
def shown():
    """``shown(widget, panel)``: the numbers displayed in a panel as floats (NaN for a blank cell)."""
    return _shown


@pytest.fixture(scope="session")
def text():
    """``text(widget)``: the formula line without HTML tags."""
    return _text


@pytest.fixture(scope="session")
def code():
    """``code(widget)``: the first <code> line of the formula (the written-out sum) without HTML tags."""
    return _code


@pytest.fixture(scope="session")
def product_sum():
    """``product_sum("1·2 + (-1)·3")`` -> -1.0."""
    return _product_sum


@pytest.fixture(scope="session")
def close():
    """``close(displayed, expected)``: equal to the 2 decimals the widgets show."""
    return _close


@pytest.fixture(scope="session")
def decode():
    """``decode(png)``: a PNG as an (H, W, 3) uint8 array."""
    return _decode


@pytest.fixture(scope="session")
def png_pixels():
    """``png_pixels(widget)``: the widget's current frame as its image widget holds it, decoded."""
    return _png_pixels
