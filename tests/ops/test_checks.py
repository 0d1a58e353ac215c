"""Bad input is refused with a TypeError/ValueError naming the function, the argument and the shapes,
instead of being coerced silently (None -> nan, "3" -> 3.0, a date -> days, complex -> real, a
masked array -> its data) or failing deep inside numpy."""

from __future__ import annotations

import re

import numpy as np
import pytest

import cnnmath as cm
from cnnmath import seedforms as sf
from cnnmath.ops import checks as _validate

IMAGE = np.arange(16.0).reshape(4, 4)
KERNEL = np.ones((2, 2))

COERCIONS = [  # (bad x, what the message must say)
    (np.array([[1.0, None], [2.0, 3.0]], dtype=object), r"x must hold numbers, but x\[0, 1\] is None"),
    (np.array([["1", "2"], ["3", "4"]]), r"x holds strings.*dtype <U1, shape \(2, 2\)"),
    (np.array([[1, "2"], [3, 4]], dtype=object), r"x\[0, 1\] is '2' \(str; shape \(2, 2\)\)"),
    (
        np.array(["2026-01-01", "2026-01-02"], dtype="datetime64[D]").reshape(1, 2),
        r"x holds dates \(datetime64\)",
    ),
    (np.array([[1, 2]], dtype="timedelta64[s]"), r"x holds time spans \(timedelta64\)"),
    (IMAGE + 1j, r"x holds complex numbers.*dtype complex128, shape \(4, 4\)"),
    (
        np.ma.masked_array(IMAGE, mask=IMAGE == 5),
        r"x is a masked array \(shape \(4, 4\), 1 masked\).*pass x.filled\(value\)",
    ),
]


@pytest.mark.parametrize(
    ("x", "message"),
    COERCIONS,
    ids=["None", "str", "object-str", "datetime64", "timedelta64", "complex", "masked"],
)
@pytest.mark.parametrize(
    ("fn", "call"),
    [
        ("conv2d", lambda x: cm.conv2d(x, KERNEL)),
        ("max_pool2d", lambda x: cm.max_pool2d(x, 2)),
        ("lp_pool2d_backward", lambda x: cm.lp_pool2d_backward(np.ones((2, 2)), x, 2, 2)),
        ("softmax", lambda x: cm.softmax(x)),
        ("numerical_gradient", lambda x: cm.numerical_gradient(np.sum, x)),
    ],
)
def test_values_numpy_would_coerce_are_refused_with_a_type_error(fn, call, x, message):
    name = "logits" if fn == "softmax" else "x"
    with pytest.raises(TypeError, match=f"^{fn}: .*" + re.sub(r"\bx\b", name, message)):
        call(x)


def test_a_symbolic_object_array_may_not_hold_none():
    with pytest.raises(TypeError, match=r"conv_matrix: w must hold numbers, but w\[1, 1\] is None"):
        sf.conv_matrix((3, 3), np.array([[1, 2], [3, None]], dtype=object))


def test_plain_numbers_still_pass_unchanged():
    x = np.arange(16).reshape(4, 4)  # integers and booleans are numbers
    np.testing.assert_array_equal(cm.max_pool2d(x, 2), [[5.0, 7.0], [13.0, 15.0]])
    assert cm.max_pool2d(x > 7, 2).dtype == np.float64
    assert cm.max_pool2d(IMAGE, 2).base is not IMAGE  # a float64 array is used as it is, not changed


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: cm.conv2d(IMAGE, KERNEL, padding=30000),
            r"conv2d: padding=30000 would make the padded input of shape \(1, 1, 60004, 60004\): 26.8 GiB, "
            r"over cnnmath's limit of 4 GiB per array",
        ),
        (
            lambda: cm.conv2d_backward(np.ones((1, 1)), IMAGE, KERNEL, padding=2**70),
            r"conv2d_backward: padding=1180591620717411303424 would make the padded input "
            r".*about 2\*\*145 bytes",
        ),
        (
            lambda: cm.conv2d(np.ones((1, 1, 2, 2)), np.ones((2**20, 1, 1, 1)), padding=20),
            r"conv2d: padding=20 with stride=1 would make the output z of shape "
            r"\(1, 1048576, 42, 42\): 13.8 GiB",
        ),
    ],
)
def test_an_array_too_large_to_build_fails_at_once_saying_how_large(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_stride_past_the_input_gives_one_window_even_2_to_the_70():
    z = cm.conv2d(IMAGE, KERNEL, stride=2**70)
    np.testing.assert_array_equal(z, [[10.0]])  # 0 + 1 + 4 + 5: the single window at (0, 0)
    # padding 1: the single window holds three padded zeros and x[0, 0] (= 1 here)
    dx, dw, _ = cm.conv2d_backward(np.ones((1, 1)), IMAGE + 1, KERNEL, stride=2**70, padding=1)
    np.testing.assert_array_equal(dx, np.pad([[1.0]], ((0, 3), (0, 3))))
    np.testing.assert_array_equal(dw, [[0.0, 0.0], [0.0, 1.0]])
    np.testing.assert_array_equal(
        cm.max_pool2d_backward(np.ones((1, 1)), IMAGE, 2, stride=2**70)[:2, :2], [[0, 0], [0, 1]]
    )


def test_the_size_limit_is_one_named_setting():
    assert _validate.MAX_ARRAY_BYTES == 4 * 2**30


@pytest.mark.parametrize(
    ("value", "kwargs", "message"),
    [
        (True, {"minimum": 0}, r"^f: lr must be a finite number >= 0, got True$"),
        (np.True_, {"minimum": 0}, r"^f: lr must be a finite number >= 0, got np.True_$"),
        ("0.1", {"minimum": 0}, r"^f: lr must be a finite number >= 0, got '0.1'$"),
        (None, {}, r"^f: lr must be a finite number, got None$"),
        (0.1j, {"minimum": 0}, r"^f: lr must be a finite number >= 0, got 0.1j$"),
        (np.ones(2), {"minimum": 0}, r"^f: lr must be a finite number >= 0, got array\(\[1., 1.\]\)$"),
        (float("nan"), {"finite": False}, r"^f: lr must be a number, got nan$"),
        (float("inf"), {"minimum": 0}, r"^f: lr must be a finite number >= 0, got inf$"),
        (-1, {"minimum": 0}, r"^f: lr must be a finite number >= 0, got -1$"),
        (
            0.0,
            {"minimum": 0, "strict": True, "why": " (a step)"},
            r"^f: lr must be a finite number > 0 \(a step\), got 0.0$",
        ),
    ],
)
def test_check_real_refuses_what_is_not_a_real_number_in_range(value, kwargs, message):
    with pytest.raises(ValueError, match=message):
        _validate.check_real("f", "lr", value, **kwargs)


def test_check_real_passes_numpy_and_sympy_numbers_as_given():
    sp = pytest.importorskip("sympy")
    assert _validate.check_real("f", "p", np.float32(0.5), minimum=0) == np.float32(0.5)
    assert _validate.check_real("f", "p", np.int64(3), minimum=1) == 3
    half = sp.Rational(3, 2)
    assert _validate.check_real("f", "p", half, minimum=1) is half  # stays exact
    assert _validate.check_real("f", "h", float("inf"), minimum=0, strict=True, finite=False) == float("inf")
    assert np.isnan(_validate.check_real("f", "fill", float("nan"), finite=False, allow_nan=True))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (7, r"^f: input_hw must be \(H, W\), got 7$"),
        ((7,), r"^f: input_hw must be \(H, W\), got \(7,\)$"),
        ((7, 7, 1), r"^f: input_hw must be \(H, W\), got \(7, 7, 1\)$"),
        (np.array([7, 7]), r"^f: input_hw must be \(H, W\), got array\(\[7, 7\]\)$"),
        ((7, 7.0), r"^f: input_hw\[1\] must be an integer >= 1, got 7.0$"),
        ((True, 7), r"^f: input_hw\[0\] must be an integer >= 1, got True$"),
        ((0, 7), r"^f: input_hw\[0\] must be an integer >= 1, got 0$"),
    ],
)
def test_check_sizes_wants_a_tuple_of_integers(value, message):
    with pytest.raises(ValueError, match=message):
        _validate.check_sizes("f", "input_hw", value, "(H, W)")


def test_check_sizes_returns_python_ints():
    got = _validate.check_sizes("f", "x_shape", np.zeros((2, 3, 4, 5)).shape, "(N, C, H, W)")
    assert got == (2, 3, 4, 5)
    assert [type(v) for v in _validate.check_sizes("f", "s", [np.int64(2), 3], "(H, W)")] == [int, int]


@pytest.mark.parametrize(
    ("labels", "error", "message"),
    [
        ([0.0, 1.0], ValueError, r"^f: y must be integer class ids, got dtype float64 \(shape \(2,\)\)$"),
        ([True], ValueError, r"^f: y must be integer class ids, got dtype bool \(shape \(1,\)\)$"),
        (None, ValueError, r"^f: y must be integer class ids, got dtype object \(shape \(\)\)$"),
        (["1"], ValueError, r"^f: y must be integer class ids, got dtype <U1 \(shape \(1,\)\)$"),
        (
            np.ma.masked_array([0, 1, 2], mask=[0, 1, 0]),
            TypeError,
            r"^f: y is a masked array \(shape \(3,\), 1 masked\): the mask would be lost",
        ),
    ],
)
def test_as_labels_refuses_what_is_not_integer_class_ids(labels, error, message):
    with pytest.raises(error, match=message):
        _validate.as_labels("f", "y", labels)


def test_as_labels_accepts_integers_and_an_empty_list():
    assert _validate.as_labels("f", "y", np.array([1, 2], dtype=np.uint8)).dtype == np.intp
    assert _validate.as_labels("f", "y", []).shape == (0,)


def test_check_callable():
    with pytest.raises(ValueError, match=r"^f: f must be a function, got int 3$"):
        _validate.check_callable("f", "f", 3)
    _validate.check_callable("f", "f", np.sum)
