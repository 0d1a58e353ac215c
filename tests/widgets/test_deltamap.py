"""cnnmath.widgets.deltamap, driven headless: delta_map follows its weight sliders, stride, padding and
activation with conv2d_backward's numbers, also after it showed a message."""

from __future__ import annotations

import re

import numpy as np
import pytest

import cnnmath as cm
from cnnmath.widgets import delta_map


def expected_delta_map(w, f, f_prime):
    net, dz = w.data()
    a = f(net)
    da, dw, db = cm.conv2d_backward(dz, a, w.kernel(), stride=w.stride.value, padding=w.padding.value)
    return da * f_prime(net), dw, db


def unit(v, digits):
    """One unit in the last place of v written to ``digits`` significant digits (0.0746: 0.0001; 0: 0)."""
    return 0.0 if v == 0 else 10.0 ** (np.floor(np.log10(abs(v))) - digits + 1)


def assert_written_out_product(line, w, f, f_prime):
    """The line δˡ⁻¹[3, 3] = ∂E/∂aˡ⁻¹[3, 3] · f′ = (da) · (fp) = δ: its factors are ∂E/∂a and f′ at
    [3, 3] to 4 significant digits, its product δ[3, 3] to 3, and the shown factors multiply to the
    shown product within one unit of its last digit (two-decimal factors, 0.5 · 0.15 = 0.07 for 0.0746,
    fail all three)."""
    net, dz = w.data()
    da = cm.conv2d_backward(dz, f(net), w.kernel(), stride=w.stride.value, padding=w.padding.value)[0]
    fp = f_prime(net)
    m = re.fullmatch(r"δˡ⁻¹\[3, 3\] = .* = (\S+) · (\S+) =\s+(\S+)\s*", line)
    shown_da, shown_fp, shown = (float(g.strip("()")) for g in m.groups())
    for value, exact in ((shown_da, da[3, 3]), (shown_fp, fp[3, 3])):
        assert abs(value - exact) <= 0.5 * unit(exact, 4) * (1 + 1e-9), (line, exact)
    delta = da[3, 3] * fp[3, 3]
    assert abs(shown - delta) <= 0.5 * unit(delta, 3) * (1 + 1e-9), (line, delta)
    assert abs(shown_da * shown_fp - shown) <= unit(delta, 3), line


def test_delta_map_follows_the_weight_sliders(close, code, shown, text):
    w = delta_map()
    np.testing.assert_array_equal(w.kernel(), [[1, 0, 1], [0, 1, 0], [1, 0, 1]])
    before = w.canvas.image.value
    w.weights[4].value = -1.3
    assert w.preset.value == "(edited with the sliders)"
    assert w.canvas.image.value != before
    delta, dw, db = expected_delta_map(w, cm.sigmoid, cm.sigmoid_prime)
    assert w.kernel()[1, 1] == -1.3
    assert close(shown(w, "delta"), delta)
    assert close(shown(w, "dw"), dw)
    assert re.search(r"= (\S+)\s*7×7 input", text(w))[1] == f"{db:.2f}".rstrip("0").rstrip(".")
    assert_written_out_product(code(w), w, cm.sigmoid, cm.sigmoid_prime)


def test_delta_map_first_frame_writes_consistent_factors(code):
    """The first frame (notebook 06's still): ∂E/∂a = 0.5, f′ = σ′(net) = 0.14914..., δ = 0.07457...;
    with two decimals it read 0.5 · 0.15 = 0.07, a product a student cannot reproduce."""
    w = delta_map()
    assert w.text.splitlines()[0].endswith("= 0.5 · 0.1491 = 0.0746")
    assert_written_out_product(code(w), w, cm.sigmoid, cm.sigmoid_prime)


@pytest.mark.parametrize(
    ("activation", "f", "f_prime"),
    [
        ("tanh", cm.tanh, cm.tanh_prime),
        ("ReLU", cm.relu, cm.relu_prime),
        ("identity", lambda z: z, np.ones_like),
    ],
)
def test_delta_map_stride_padding_activation(activation, f, f_prime, close, code, shown):
    w = delta_map()
    w.preset.value = "vertical edge (Sobel)"
    np.testing.assert_array_equal(w.kernel(), [[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    w.stride.value, w.padding.value, w.activation.value = 2, 1, activation
    delta, dw, _ = expected_delta_map(w, f, f_prime)
    assert shown(w, "dz").shape == (4, 4)
    assert close(shown(w, "delta"), delta)
    assert close(shown(w, "dw"), dw)
    assert close(shown(w, "fp"), f_prime(w.data()[0]))
    assert_written_out_product(code(w), w, f, f_prime)


def test_recovered_widget_shows_right_numbers(close, shown):
    w = delta_map()
    w.size.value = 2
    assert w.error
    w.size.value, w.padding.value = 5, 1
    delta, dw, _ = expected_delta_map(w, cm.sigmoid, cm.sigmoid_prime)
    assert close(shown(w, "delta"), delta) and close(shown(w, "dw"), dw)
