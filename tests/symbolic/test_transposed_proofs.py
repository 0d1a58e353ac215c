"""cnnmath.symbolic.transposed_proofs: the exact proof that conv2d's input gradient is the transposed
convolution of δ, on a grid of cases; and that it rejects wrong formulas, naming the case."""

from __future__ import annotations

import pytest

from cnnmath.reference import conv_transpose as ref_t
from cnnmath.symbolic import transposed_proofs as tp


def test_cases_cover_every_output_padding_below_the_stride():
    cs = tp.cases((2,), (3,), (1, 2, 3), (0,))
    assert [(c[4], c[6]) for c in cs] == [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)]


def test_cases_drop_the_outputs_padding_would_empty():
    assert tp.cases((1,), (1,), (1,), (1,)) == []  # H′ = 0 - 2 + 1 < 1
    assert tp.cases((1,), (3,), (1,), (1,)) == [(1, 1, 1, 3, 1, 1, 0)]  # H′ = 1


def test_proved_on_a_grid_with_channels():
    grid = tp.cases((1, 2, 3), (1, 2, 3), (1, 2, 3), (0, 1, 2))
    assert tp.prove_input_grad_is_transposed(grid) == len(grid) == 127
    several = tp.cases((2,), (2, 3), (1, 2), (0, 1), channels=((2, 3), (3, 1)))
    assert tp.prove_input_grad_is_transposed(several) == len(several) == 24


def _rotated(x, w, **kw):
    return ref_t.conv_transpose2d(x, w[..., ::-1, ::-1], **kw)


def _no_output_padding(x, w, *, output_padding=0, **kw):
    return ref_t.conv_transpose2d(x, w, **kw)


def _channels_swapped(x, w, **kw):
    return ref_t.conv_transpose2d(x, w.swapaxes(0, 1), **kw)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (_rotated, r"case \(1, 1, 1, 2, 1, 0, 0\): prove_equal: not equal"),
        (_no_output_padding, r"case \(1, 1, 1, 1, 2, 0, 1\): prove_equal: shapes differ"),
    ],
)
def test_wrong_formulas_fail_naming_the_case(wrong, message):
    grid = tp.cases((1, 2), (1, 2), (1, 2), (0,))
    with pytest.raises(AssertionError, match=message):
        tp.prove_input_grad_is_transposed(grid, transposed=wrong)


def test_a_channel_mix_up_fails():
    with pytest.raises(AssertionError, match="case"):
        tp.prove_input_grad_is_transposed(
            tp.cases((2,), (2,), (1,), (0,), channels=((2, 2),)), transposed=_channels_swapped
        )
