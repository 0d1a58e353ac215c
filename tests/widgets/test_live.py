"""cnnmath.widgets._live, the base class of every widget: a bad value shows a readable message instead
of the frame, and the next good value brings the frame back; the repr is short and deterministic."""

from __future__ import annotations

import pytest

from cnnmath.widgets import delta_map, error_flow, kernel_sliding, pooling_router
from cnnmath.widgets._live import factor, significant


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
def test_bad_values_show_a_message_and_the_widget_recovers(make, bad, words, good, png_pixels):
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


def test_repr_is_short_and_deterministic():
    assert repr(kernel_sliding()) == "KernelSliding()"
    assert repr(pooling_router()) == "PoolingRouter()"


@pytest.mark.parametrize(
    ("value", "digits", "written"),
    [
        (0.14914645207033284, 4, "0.1491"),
        (0.07457322603516642, 3, "0.0746"),
        (-0.27105, 3, "-0.271"),
        (-1.5, 4, "-1.5"),
        (-3.0, 4, "-3"),
        (1234.5, 3, "1230"),
        (-0.0, 3, "0"),
        (0.00001234, 3, "0.0000123"),
    ],
)
def test_significant_writes_digits_without_exponent(value, digits, written):
    assert significant(value, digits) == written


def test_factor_puts_negative_numbers_in_parentheses():
    assert factor(-0.271234, 3) == "(-0.271)" and factor(0.149146, 4) == "0.1491"
    assert factor(-0.376) == "(-0.38)"  # without digits: a cell's two decimals
