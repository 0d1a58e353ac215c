"""cnnmath.widgets driven headless: set a control's .value, read what the widget displays.

The displayed numbers are the strings stamped into the frame (``widget.shown(panel)``) and the
written-out sums (``widget.formula.value``); they are compared with the seeds' published numbers
or with cnnmath called directly here. Bad values must show a readable message, and the widget must
work again afterwards.
"""

from __future__ import annotations

import html
import io
import re

import numpy as np
import pytest
from PIL import Image

import cnnmath as cm
from cnnmath import seedforms as sf
from cnnmath.widgets import delta_map, error_flow, kernel_sliding, pooling_router
from cnnmath.widgets._glyphs import stamp
from cnnmath.widgets._live import GREEN, RED
from cnnmath.widgets.timing import SEVEN_BY_THREE, drive


def shown(widget, panel: str) -> np.ndarray:
    """The numbers displayed in a panel as floats (NaN for a blank cell)."""
    return np.array([[float(s) if s else np.nan for s in row] for row in widget.shown(panel)])


def text(widget) -> str:
    """The formula line without HTML tags."""
    return html.unescape(re.sub(r"<[^>]+>", "", widget.formula.value))


def code(widget) -> str:
    """The first <code> line of the formula (the written-out sum) without HTML tags."""
    first = re.search(r"<code>(.*?)</code>", widget.formula.value, re.S)[1]
    return html.unescape(re.sub(r"<[^>]+>", " ", first))


def product_sum(terms: str) -> float:
    """'1·2 + (-1)·3' -> -1.0."""
    total = 0.0
    for term in re.split(r"\s\+\s", terms):
        a, b = term.strip().split("·")
        total += float(a.strip("()")) * float(b.strip("()"))
    return total


def close(displayed: np.ndarray, expected: np.ndarray) -> bool:
    """Displayed numbers are rounded to 2 decimals."""
    return displayed.shape == expected.shape and np.allclose(displayed, expected, atol=0.0051, rtol=0)


def png_pixels(widget) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(widget.canvas.image.value)).convert("RGB"))


# ---------------------------------------------------------------- kernel sliding (forward)


def test_kernel_sliding_shows_seed001_output():
    w = kernel_sliding()
    assert w.formula.value.startswith(
        "<code>z[0, 0] = 1·1 + 0·1 + 1·1 + 0·0 + 1·1 + 0·1 + 1·0 + 0·0 + 1·1 = <b>4</b>"
    )
    assert np.isnan(shown(w, "z")[0, 1])  # not computed yet
    w.step.value = 8
    # seed 001 (郑元春): the 5×5 image ⋆ the 3×3 kernel at stride 1
    np.testing.assert_array_equal(shown(w, "z"), [[4, 3, 4], [2, 4, 3], [2, 3, 4]])
    boxes = [b[:5] for b in w.canvas.boxes]
    assert ("x", 2, 2, 5, 5) in boxes and ("z", 2, 2, 3, 3) in boxes  # the window at step 8


@pytest.mark.parametrize(("stride", "padding"), [(2, 0), (2, 1), (1, 2), (3, 1)])
def test_kernel_sliding_every_step_matches_conv2d(stride, padding):
    w = kernel_sliding()
    w.stride.value, w.padding.value = stride, padding
    x, k = w.data()
    z = cm.conv2d(x, k, stride=stride, padding=padding)
    assert w.step.max == w.play.max == z.size - 1
    w.step.value = 2
    assert w.play.value == 2  # ▶ continues from where Python left the step (kernel-side link)
    w.play.value = 1  # what ▶ does in the browser
    assert w.step.value == 1 and code(w).startswith("z[0, 1] =")
    assert close(shown(w, "x"), sf.pad(x, padding))
    for step in range(z.size):
        w.step.value = step
        i, j = divmod(step, z.shape[1])
        m = re.fullmatch(r"z\[(\d+), (\d+)\] = (.*) =\s+(\S+)\s*", code(w))
        assert (int(m[1]), int(m[2])) == (i, j)
        assert float(m[4]) == product_sum(m[3]) == z[i, j]
        assert ("x", i * stride, j * stride) in [b[:3] for b in w.canvas.boxes]
    assert close(shown(w, "z"), z)


def test_kernel_sliding_random_sizes_and_custom_arrays(rng):
    w = kernel_sliding()
    w.size.value, w.kernel_size.value = 7, 3
    assert w.preset.value == "small random integers"
    x, k = w.data()
    assert x.shape == (7, 7) and k.shape == (3, 3) and (k < 0).any()
    w.step.value = w.step.max
    assert close(shown(w, "z"), cm.conv2d(x, k))
    x2, k2 = rng.integers(-3, 4, (6, 6)), rng.integers(-2, 3, (2, 2))
    w2 = kernel_sliding(x2, k2, stride=2)
    w2.step.value = w2.step.max
    assert close(shown(w2, "z"), cm.conv2d(x2, k2, stride=2))


# ---------------------------------------------------------------- error flow (backward)

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


def star_terms(widget):
    pairs = re.findall(r"δ\[(\d+), (\d+)\]·w\[(\d+), (\d+)\]", text(widget))
    return {((int(a), int(b)), (int(c), int(d))) for a, b, c, d in pairs}


def test_error_flow_star_is_seed001s_nine_equations():
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


def test_error_flow_star_with_stride_and_padding():
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


def test_error_flow_full_convolution_mode_zero_insertion():
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


# ---------------------------------------------------------------- live δ map


def expected_delta_map(w, f, f_prime):
    net, dz = w.data()
    a = f(net)
    da, dw, db = cm.conv2d_backward(dz, a, w.kernel(), stride=w.stride.value, padding=w.padding.value)
    return da * f_prime(net), dw, db


def test_delta_map_follows_the_weight_sliders():
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
def test_delta_map_stride_padding_activation(activation, f, f_prime):
    w = delta_map()
    w.preset.value = "vertical edge (Sobel)"
    np.testing.assert_array_equal(w.kernel(), [[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    w.stride.value, w.padding.value, w.activation.value = 2, 1, activation
    delta, dw, _ = expected_delta_map(w, f, f_prime)
    assert shown(w, "dz").shape == (4, 4)
    assert close(shown(w, "delta"), delta)
    assert close(shown(w, "dw"), dw)
    assert close(shown(w, "fp"), f_prime(w.data()[0]))


# ---------------------------------------------------------------- pooling router


def test_pooling_router_seed003_tables_and_tie():
    w = pooling_router()
    # seed 003 (王中雷): 2×2 max and average pooling of the 6×6 table A, stride 2
    np.testing.assert_array_equal(shown(w, "y"), [[7, 9, 9], [5, 9, 7], [9, 7, 7]])
    w.step.value = 3  # window (1, 0) = [[5, 0], [5, 2]]: two maxima
    assert "max = 5 at x[2, 0]; also at x[3, 0]" in text(w)
    assert ("x", 2, 0, 3, 1, GREEN) in w.canvas.boxes and ("x", 3, 0, 4, 1, RED) in w.canvas.boxes
    x, dy = w.data()
    assert "dx[2, 0] += δ[1, 0] = " + f"{dy[1, 0]:g}" in text(w)
    assert shown(w, "dx")[2, 0] == dy[1, 0] and shown(w, "dx")[3, 0] == 0
    w.step.value = 8
    np.testing.assert_array_equal(shown(w, "dx"), cm.max_pool2d_backward(dy, x, 2))
    w.mode.value = "mean"
    assert close(shown(w, "y"), np.array([[4.25, 6.0, 6.25], [3.0, 6.0, 2.25], [3.25, 3.75, 3.0]]))
    assert close(shown(w, "dx"), cm.avg_pool2d_backward(dy, x, 2))


@pytest.mark.parametrize("mode", ["max", "mean", "Lp"])
def test_pooling_router_overlapping_windows_accumulate(mode):
    w = pooling_router(mode=mode, p=3.0)
    w.size.value = 7
    w.kernel_size.value, w.stride.value = 3, 2
    x, dy = w.data()
    assert w.preset.value == "after a ReLU (ties)" and x.shape == (7, 7)
    back = {
        "max": lambda d: cm.max_pool2d_backward(d, x, 3, stride=2),
        "mean": lambda d: cm.avg_pool2d_backward(d, x, 3, stride=2),
        "Lp": lambda d: cm.lp_pool2d_backward(d, x, 3.0, 3, stride=2),
    }[mode]
    order = np.arange(9).reshape(3, 3)
    for step in range(9):
        w.step.value = step
        assert close(shown(w, "dx"), back(dy * (order <= step)))
    assert close(shown(w, "dx"), back(dy))
    assert "the windows overlap" in text(w)


# ---------------------------------------------------------------- bad values


@pytest.mark.parametrize(
    ("make", "bad", "words", "good"),
    [
        (kernel_sliding, {"size": 2, "kernel_size": 5}, "larger than the 2×2 input", {"kernel_size": 2}),
        (kernel_sliding, {"size": 3, "stride": 9}, "Stride 9 is larger than", {"stride": 1}),
        (error_flow, {"size": 2, "kernel_size": 4}, "kernel is larger than", {"padding": 1}),
        (error_flow, {"stride": 7}, "Stride 7 is larger than", {"stride": 2}),
        (delta_map, {"size": 2}, "3×3 kernel is larger than the 2×2 input", {"padding": 1}),
        (delta_map, {"stride": 9}, "Stride 9 is larger than the 7×7 input", {"stride": 3}),
        (pooling_router, {"kernel_size": 5, "size": 4}, "pooling window is larger than", {"kernel_size": 2}),
        (pooling_router, {"stride": 7}, "Stride 7 is larger than the 6×6 input", {"stride": 1}),
    ],
)
def test_bad_values_show_a_message_and_the_widget_recovers(make, bad, words, good):
    w = make()
    assert w.error == "" and w.message.value == ""
    for name, value in bad.items():
        getattr(w, name).value = value  # must not raise
    assert words in w.error and "Traceback" not in w.message.value
    assert "⚠" in w.message.value and w.canvas.image.layout.display == "none" and w.formula.value == ""
    for name, value in good.items():
        getattr(w, name).value = value
    assert w.error == "" and w.message.value == "" and w.canvas.image.layout.display is None
    assert png_pixels(w).shape[2] == 3 and w.formula.value


def test_recovered_widget_shows_right_numbers():
    w = delta_map()
    w.size.value = 2
    assert w.error
    w.size.value, w.padding.value = 5, 1
    delta, dw, _ = expected_delta_map(w, cm.sigmoid, cm.sigmoid_prime)
    assert close(shown(w, "delta"), delta) and close(shown(w, "dw"), dw)


def test_constructor_rejects_bad_arguments():
    with pytest.raises(ValueError, match="activation must be one of"):
        delta_map(activation="softplus")
    with pytest.raises(ValueError, match="mode must be"):
        pooling_router(mode="median")
    with pytest.raises(ValueError, match="both x"):
        kernel_sliding(np.ones((3, 3)))
    with pytest.raises(ValueError, match="mode must be 'star' or 'full'"):
        error_flow(mode="sideways")


# ---------------------------------------------------------------- the frame renderer


def test_frames_are_the_canvas_and_numbers_are_inked():
    w = kernel_sliding()
    np.testing.assert_array_equal(png_pixels(w), w.canvas.frame)
    img = np.full((20, 40, 3), 255, np.uint8)
    stamp(img, "-0.38", 20, 10)
    assert img.min() < 100  # dark ink where the number is
    with pytest.raises(ValueError, match="no glyph"):
        stamp(img, "x²", 20, 10)


def test_repr_is_short_and_deterministic():
    assert repr(kernel_sliding()) == "KernelSliding()"
    assert repr(pooling_router()) == "PoolingRouter()"


@pytest.mark.parametrize("name", list(SEVEN_BY_THREE))
def test_driving_a_widget_redraws_every_frame(name):
    """The frame-time case of `make bench` (7×7 input, 3×3 kernel): every control change draws a new
    frame whose numbers change. (Frame *times* are measured by `make bench`, not asserted here.)"""
    make, panel = SEVEN_BY_THREE[name]
    w = make()
    assert w.shown(panel).shape == (7, 7)
    first = w.canvas.image.value
    times = drive(w)
    assert len(times) == 21 and all(t > 0 for t in times)
    assert w.canvas.image.value != first and not w.error
