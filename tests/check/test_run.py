"""cnnmath.check._run, the checkers' runner: success and the stub print one fixed line (the stub's only
because cnnmath's own function passes the battery); a raise, a modified input, a result of the wrong
form, outputs sharing memory and something that is not a function are each reported with the case;
float32 precision passes, a 1e-3 error does not."""

from __future__ import annotations

import numpy as np
import pytest

import cnnmath as cm
from cnnmath import check
from cnnmath import seedforms as sf

SUCCESS = "✓ conv2d_backward: all 31 cases pass (stride 1, 2, 3; padding 0, 1, 2; graded: dx, dw, db).\n"


STUB = (
    "… conv2d_backward: exercise not done yet (it raises NotImplementedError), so its cases ran on the "
    "reference solution cnnmath.conv2d_backward instead: all pass. Replace the stub with your code and run "
    "this cell again.\n"
)


def stub(dz, x, w, *, stride=1, padding=0):
    raise NotImplementedError("your code here")


def test_success_and_stub_print_one_fixed_line(capsys):
    assert check.check_conv2d_backward(cm.conv2d_backward) is None
    assert capsys.readouterr().out == SUCCESS
    assert check.check_conv2d_backward(stub) is None
    assert capsys.readouterr().out == STUB


def test_stub_mode_runs_the_battery_on_the_reference(monkeypatch, capsys):
    """The note is not free: a stub only passes because cnnmath's own function passes the battery."""
    from cnnmath.check import _run

    seen = []
    monkeypatch.setattr(
        _run,
        "_grade",
        lambda spec, fn, cases, *, student: (
            seen.append(fn) or (_run._Stub(1, NotImplementedError()) if student else None)
        ),
    )
    check.check_max_pool2d_backward(stub)
    assert seen == [stub, cm.max_pool2d_backward]
    capsys.readouterr()


def test_a_partly_written_function_is_told_how_far_it_got(capsys):
    def stride_one_only(dz, x, w, *, stride=1, padding=0):
        if stride != 1:
            raise NotImplementedError("stride > 1 comes in notebook 05")
        return cm.conv2d_backward(dz, x, w, stride=stride, padding=padding)

    check.check_conv2d_backward(stride_one_only)
    assert "(it passed 10 cases, then raised NotImplementedError)" in capsys.readouterr().out


def test_an_exception_is_reported_as_a_failure_of_its_case_with_its_text():
    def broken(dy, x, kernel_size, *, stride=None):
        if x.ndim == 4:
            raise KeyError("no batch support")
        return cm.max_pool2d_backward(dy, x, kernel_size, stride=stride)

    with pytest.raises(check.ExerciseFailed) as info:
        check.check_max_pool2d_backward(broken)
    message = str(info.value)
    assert message.startswith(
        "max_pool2d_backward: your function raised KeyError in case 10 of 23 (x of shape"
    )
    assert "KeyError: 'no batch support'" in message
    assert isinstance(info.value.__cause__, KeyError)
    assert isinstance(info.value, AssertionError)


def test_modifying_any_input_is_caught(capsys):
    def zeroes_x(dz, x, w):
        out = cm.dense_backward(dz, x, w)
        x[0, 0] = 99.0
        return out

    with pytest.raises(
        check.ExerciseFailed, match=r"x was modified in case 1 of 12[\s\S]*x\[0, 0\] was -?\d+, is now 99"
    ):
        check.check_dense_backward(zeroes_x)


def test_result_form_is_checked():
    def two(dz, x, w, *, stride=1, padding=0):
        return cm.conv2d_backward(dz, x, w, stride=stride, padding=padding)[:2]

    with pytest.raises(
        check.ExerciseFailed, match=r"must return a tuple \(dx, dw, db\) of 3 arrays, got a tuple of length 2"
    ):
        check.check_conv2d_backward(two)


def test_passing_something_that_is_not_a_function_is_a_type_error():
    with pytest.raises(TypeError, match="pass your function itself"):
        check.check_dense_backward(cm.dense_backward(np.ones((1, 2)), np.ones((1, 2)), np.ones((2, 2))))


def test_a_raise_is_explained_by_the_line_that_raised_not_always_dx():
    def dw_crashes(dz, x, w, *, stride=1, padding=0):
        dx, dw, db = cm.conv2d_backward(dz, x, w, stride=stride, padding=padding)
        dw = dw.reshape(w.shape[0], -1) @ np.ones(3)  # a shape mistake in the dw line
        return dx, dw, db

    with pytest.raises(check.ExerciseFailed) as info:
        check.check_conv2d_backward(dw_crashes)
    message = str(info.value)
    assert "at line" in message and "dw = dw.reshape(w.shape[0], -1) @ np.ones(3)" in message
    assert "Reread notebook 06-weight-and-bias-gradients.ipynb" in message  # dw's notebook, not dx's


def test_outputs_sharing_memory_with_each_other_are_caught():
    def db_inside_dw(dz, x, w, *, stride=1, padding=0):
        dx, dw, db = cm.conv2d_backward(dz, x, w, stride=stride, padding=padding)
        both = np.concatenate([dw.ravel(), db])
        return dx, both[: dw.size].reshape(dw.shape), both[dw.size - 1 : dw.size - 1 + db.size]

    with pytest.raises(check.ExerciseFailed, match=r"dw shares memory with db in case 1 "):
        check.check_conv2d_backward(db_inside_dw)


def test_float32_precision_passes_and_a_1e_3_error_does_not(capsys):
    def off(dz, x, w):
        dx, dw, db = cm.dense_backward(dz, x, w)
        return dx * (1 + 1e-3), dw, db

    def float32(dz, x, w):
        return tuple(a.astype(np.float32) for a in cm.dense_backward(dz, x, w))

    check.check_dense_backward(float32)
    assert capsys.readouterr().out.startswith("✓ dense_backward: all 12 cases pass")
    with pytest.raises(check.ExerciseFailed, match=r"dx is wrong in case 1 "):
        check.check_dense_backward(off)


def _symbols_reversed(input_shape, w, *, stride=1, padding=0):
    """Right for numbers; on SymPy symbols the kernel turned by 180° (a wrong entry only symbols show)."""
    return sf.conv_matrix(
        input_shape, w[::-1, ::-1] if w.dtype == object else w, stride=stride, padding=padding
    )


def _symbols_to_zeros(input_shape, w, *, stride=1, padding=0):
    """Right for numbers; on SymPy symbols a float matrix of zeros."""
    M = sf.conv_matrix(input_shape, w, stride=stride, padding=padding)
    return np.zeros(M.shape) if w.dtype == object else M


def test_sympy_symbols_are_compared_exactly_and_reported_by_entry():
    """conv_matrix's last case passes w as SymPy symbols: a wrong entry is named with the symbols, and
    a float result is told it must hold them."""
    with pytest.raises(check.ExerciseFailed) as info:
        check.check_conv_matrix(_symbols_reversed)
    message = str(info.value)
    for fragment in [
        "conv_matrix: M is wrong in case 19 of 19 (w of SymPy symbols (an object array) on the shapes of "
        "case 11)",
        "  w =\n    [[w_00 w_01]\n     [w_10 w_11]]",
        "    M[4, 6]: expected w_00, got w_11",
        "Hint: Your function passed the cases with numbers",
    ]:
        assert fragment in message, f"{fragment!r} not in\n{message}"
    with pytest.raises(check.ExerciseFailed, match=r"(?s)M has dtype float64 in case 19 of 19.*object array"):
        check.check_conv_matrix(_symbols_to_zeros)
