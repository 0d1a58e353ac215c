"""cnnmath.check._report: a report prints the digits that tell the expected value from the one the
learner's function returned, and integers (labels) as integers."""

from __future__ import annotations

import numpy as np


def test_a_report_prints_the_digits_that_tell_expected_from_got():
    from cnnmath.check import _report

    text = _report.diff_text("dx", np.array([3.000001, 2.0]), np.array([3.0, 2.5]), np.array([True, True]))
    assert "dx[0]: expected 3.000001, got 3\n" in text and "dx[1]: expected 2, got 2.5\n" in text
    assert _report.diff_text("loss", np.array(1.25), np.array(2.5), np.array(True)) == (
        "  loss: expected 1.25, got 2.5"
    )
    assert "[3 0 2]" in _report.array_text(np.array([3, 0, 2]))  # integers (labels) stay integers
