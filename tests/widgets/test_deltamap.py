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
    m = re.fullmatch(r"δˡ⁻¹\[3, 3\] = .* = (\S+) · (\S+) =\s+(\S+)\s*", code(w))
    assert (
        abs(float(m[3]) - delta[3, 3]) < 0.0051
        and abs(float(m[1].strip("()")) * float(m[2].strip("()")) - delta[3, 3]) < 0.03
    )


@pytest.mark.parametrize(
    ("activation", "f", "f_prime"),
    [
        ("tanh", cm.tanh, cm.tanh_prime),
        ("ReLU", cm.relu, cm.relu_prime),
        ("identity", lambda z: z, np.ones_like),
    ],
)
def test_delta_map_stride_padding_activation(activation, f, f_prime, close, shown):
    w = delta_map()
    w.preset.value = "vertical edge (Sobel)"
    np.testing.assert_array_equal(w.kernel(), [[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    w.stride.value, w.padding.value, w.activation.value = 2, 1, activation
    delta, dw, _ = expected_delta_map(w, f, f_prime)
    assert shown(w, "dz").shape == (4, 4)
    assert close(shown(w, "delta"), delta)
    assert close(shown(w, "dw"), dw)
    assert close(shown(w, "fp"), f_prime(w.data()[0]))


def test_recovered_widget_shows_right_numbers(close, shown):
    w = delta_map()
    w.size.value = 2
    assert w.error
    w.size.value, w.padding.value = 5, 1
    delta, dw, _ = expected_delta_map(w, cm.sigmoid, cm.sigmoid_prime)
    assert close(shown(w, "delta"), delta) and close(shown(w, "dw"), dw)
