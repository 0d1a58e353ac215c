"""cnnmath.widgets.errorflow, driven headless: error_flow's star is seed 001's nine equations; with
stride and padding, and in full-convolution mode, it shows conv2d_backward's dx."""

from __future__ import annotations

import re

import numpy as np
import pytest

import cnnmath as cm
from cnnmath import seedforms as sf
from cnnmath.widgets import error_flow

# Seed 001's nine equations for a 3×3 input, 2×2 kernel, stride 1 (1-based there, 0-based here):
# ∂E/∂a_{i,j} = Σ δ·w, e.g. ∂E/∂a_{2,2} = δ11 w22 + δ12 w21 + δ21 w12 + δ22 w11.
SEED001_PAIRS = {
    (0, 0): {((0, 0), (0, 0))},
    (0, 1): {((0, 0), (0, 1)), ((0, 1), (0, 0))},
    (0, 2): {((0, 1), (0, 1))},
    (1, 0): {((0, 0), (1, 0)), ((1, 0), (0, 0))},
    (1, 1): {((0, 0), (1, 1)), ((0, 1), (1, 0)), ((1, 0), (0, 1)), ((1, 1), (0, 0))},
    (1, 2): {((0, 1), (1, 1)), ((1, 1), (0, 1))},
    (2, 0): {((1, 0), (1, 0))},
    (2, 1): {((1, 0), (1, 1)), ((1, 1), (1, 0))},
    (2, 2): {((1, 1), (1, 1))},
}


@pytest.fixture
def star_terms(text):
    """``star_terms(widget)``: the (δ cell, weight) pairs of the star's written-out sum."""

    def terms(widget):
        pairs = re.findall(r"δ\[(\d+), (\d+)\]·w\[(\d+), (\d+)\]", text(widget))
        return {((int(a), int(b)), (int(c), int(d))) for a, b, c, d in pairs}

    return terms


def test_error_flow_star_is_seed001s_nine_equations(close, code, product_sum, shown, star_terms):
    w = error_flow()
    x, k, dz = w.data()
    dx = cm.conv2d_backward(dz, x, k)[0]
    for step in range(9):
        w.step.value = step
        pixel = divmod(step, 3)
        assert star_terms(w) == set(w.terms) == SEED001_PAIRS[pixel]
        m = re.search(r"=\s+([^=]*?)\s+=\s+(\S+)\s*$", code(w))
        assert float(m[2]) == product_sum(m[1]) == dx[pixel]
        # every δ cell of the star and its weight are outlined in the same colour
        colors = {name: {b[5] for b in w.canvas.boxes if b[0] == name} for name in ("dz", "w")}
        assert colors["dz"] == colors["w"] and len(colors["dz"]) == len(SEED001_PAIRS[pixel])
    assert close(shown(w, "dx"), dx)


def test_error_flow_star_with_stride_and_padding(close, code, product_sum, shown):
    w = error_flow(size=7, kernel_size=3, stride=2, padding=1)
    x, k, dz = w.data()
    assert dz.shape == (4, 4)
    dx = cm.conv2d_backward(dz, x, k, stride=2, padding=1)[0]
    for step in range(49):
        w.step.value = step
        m = re.search(r"dx\[(\d+), (\d+)\] = .*?=\s+([^=]*?)\s+=\s+(\S+)\s*$", code(w))
        a, b = int(m[1]), int(m[2])
        assert (a, b) == divmod(step, 7)
        assert float(m[4]) == product_sum(m[3]) == dx[a, b]
    assert close(shown(w, "dx"), dx)


def test_error_flow_full_convolution_mode_zero_insertion(close, code, product_sum, shown, text):
    w = error_flow(size=7, kernel_size=3, stride=2, padding=1, mode="full")
    x, k, dz = w.data()
    s = 2
    full = sf.full_conv(sf.dilate(dz, s), k)
    w.step.value = w.step.max
    assert w.step.max == full.size - 1
    d = shown(w, "dpad")
    assert d.shape == (2 * 2 + (4 - 1) * s + 1,) * 2
    inner = d[2:-2, 2:-2]  # the dilated δ: the given δ on every s-th cell, zeros inserted between
    np.testing.assert_array_equal(inner[::s, ::s], dz)
    inserted = np.ones(inner.shape, bool)
    inserted[::s, ::s] = False
    assert (inner[inserted] == 0).all() and (d[:2] == 0).all()
    np.testing.assert_array_equal(shown(w, "wr"), k[::-1, ::-1])
    assert close(shown(w, "full"), full)
    assert close(shown(w, "dx"), cm.conv2d_backward(dz, x, k, stride=s, padding=1)[0])
    assert "✓ the same as conv2d_backward's dx" in text(w)
    w.step.value = 10
    m = re.fullmatch(r"full\[(\d+), (\d+)\] = (.*) =\s+(\S+)\s*", code(w))
    assert (int(m[1]), int(m[2])) == divmod(10, full.shape[1])
    assert float(m[4]) == product_sum(m[3]) == full[int(m[1]), int(m[2])]
