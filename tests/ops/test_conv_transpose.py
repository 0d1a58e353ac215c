"""cnnmath.ops.conv_transpose: the transposed convolution against five referees: conv2d_backward's dx,
the transpose of seed 001's conv matrix, the gather loops, finite differences of ⟨conv2d(y, w), x⟩
with respect to y (adjointness), and PyTorch (under CI=true it must be installed)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cnnmath as cm
from cnnmath import reference as ref
from cnnmath import seedforms as sf
from cnnmath.ops import checks
from cnnmath.ops.conv_transpose import conv_transpose_output_size
from cnnmath.reference import conv_transpose as ref_t


@st.composite
def transposed_cases(draw, max_hw=5):
    """Random shapes, stride 1-3, padding 0-2, output_padding 0..stride-1, with an output of size >= 1."""
    N, F, C = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    s = draw(st.integers(1, 3))
    p, op = draw(st.integers(0, 2)), draw(st.integers(0, s - 1))
    H, W = draw(st.integers(1, max_hw)), draw(st.integers(1, max_hw))
    KH, KW = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    Ho, Wo = (H - 1) * s - 2 * p + KH + op, (W - 1) * s - 2 * p + KW + op
    if min(Ho, Wo) < 1:  # padding crops more than there is: shrink it to what fits
        p = min(p, ((H - 1) * s + KH + op - 1) // 2, ((W - 1) * s + KW + op - 1) // 2)
        Ho, Wo = (H - 1) * s - 2 * p + KH + op, (W - 1) * s - 2 * p + KW + op
    r = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x, w = r.normal(size=(N, F, H, W)), r.normal(size=(F, C, KH, KW))
    return x, w, dict(stride=s, padding=p, output_padding=op), (N, C, Ho, Wo)


@given(transposed_cases())
def test_shape_is_the_formula(case):
    x, w, kw, shape = case
    assert cm.conv_transpose2d(x, w, **kw).shape == shape
    s, p, op = kw["stride"], kw["padding"], kw["output_padding"]
    assert (
        conv_transpose_output_size(x.shape[2], w.shape[2], stride=s, padding=p, output_padding=op) == shape[2]
    )


@given(transposed_cases())
def test_equals_conv2d_backward_dx(case):
    """The backward pass of conv2d with respect to its input, applied to x as δ (y's values unused)."""
    x, w, kw, shape = case
    y = np.zeros(shape)
    dx, _, _ = cm.conv2d_backward(x, y, w, stride=kw["stride"], padding=kw["padding"])
    np.testing.assert_allclose(cm.conv_transpose2d(x, w, **kw), dx, rtol=1e-12, atol=1e-12)


@given(transposed_cases())
def test_equals_the_gather_loops(case):
    x, w, kw, _ = case
    np.testing.assert_allclose(
        cm.conv_transpose2d(x, w, **kw), ref_t.conv_transpose2d(x, w, **kw), atol=1e-12
    )


@given(transposed_cases(max_hw=6))
def test_equals_the_transposed_conv_matrix(case):
    """2-D: M is conv2d's matrix on the (H′, W′) input (seed 001's flattening); y = Mᵀ x."""
    x, w, kw, shape = case
    x2, w2 = x[0, 0], w[0, 0]
    M = sf.conv_matrix(shape[2:], w2, stride=kw["stride"], padding=kw["padding"])
    assert M.shape == (x2.size, shape[2] * shape[3])
    np.testing.assert_allclose(
        cm.conv_transpose2d(x2, w2, **kw), (M.T @ x2.ravel()).reshape(shape[2:]), rtol=1e-12, atol=1e-12
    )


@given(transposed_cases(max_hw=4))
def test_adjoint_of_conv2d_by_finite_differences(case):
    """y ↦ ⟨conv2d(y, w), x⟩ is linear; its gradient (central differences, exact up to rounding for a
    linear function) is the transposed convolution of x."""
    x, w, kw, shape = case
    y = np.random.default_rng(1).normal(size=shape)

    def pairing(v):
        return float(np.sum(cm.conv2d(v, w, stride=kw["stride"], padding=kw["padding"]) * x))

    got = cm.conv_transpose2d(x, w, **kw)
    np.testing.assert_allclose(got, cm.numerical_gradient(pairing, y), atol=1e-7)
    np.testing.assert_allclose(np.sum(got * y), pairing(y), rtol=1e-10, atol=1e-10)  # ⟨Mᵀx, y⟩ = ⟨x, My⟩


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # the fixture is the torch module
@given(transposed_cases(max_hw=6))
def test_torch_oracle(torch, case):
    x, w, kw, _ = case
    want = torch.nn.functional.conv_transpose2d(torch.tensor(x), torch.tensor(w), **kw).numpy()
    np.testing.assert_allclose(cm.conv_transpose2d(x, w, **kw), want, rtol=1e-12, atol=1e-12)


def test_torch_oracle_large_and_non_square(torch, rng):
    """Sizes where the engine takes its other paths (grid scatter at stride 1, strided adds), and a
    batch large enough to be cut into chunks."""
    for N, F, C, H, W, KH, KW, s, p, op in [
        (3, 4, 3, 9, 7, 3, 3, 1, 1, 0),
        (2, 3, 2, 8, 11, 3, 2, 2, 1, 1),
        (2, 2, 3, 6, 5, 5, 4, 3, 2, 2),
        (200, 8, 4, 10, 10, 3, 3, 2, 0, 1),
    ]:
        x, w = rng.normal(size=(N, F, H, W)), rng.normal(size=(F, C, KH, KW))
        kw = dict(stride=s, padding=p, output_padding=op)
        want = torch.nn.functional.conv_transpose2d(torch.tensor(x), torch.tensor(w), **kw).numpy()
        np.testing.assert_allclose(cm.conv_transpose2d(x, w, **kw), want, rtol=1e-11, atol=1e-11)


def test_small_example_by_hand():
    """A 2×2 input, stride 2: four copies of w, each scaled by one pixel, laid side by side."""
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    w = np.array([[1.0, 10.0], [100.0, 1000.0]])
    want = np.array(
        [
            [1, 10, 2, 20],
            [100, 1000, 200, 2000],
            [3, 30, 4, 40],
            [300, 3000, 400, 4000],
        ],
        dtype=float,
    )
    np.testing.assert_array_equal(cm.conv_transpose2d(x, w, stride=2), want)
    np.testing.assert_array_equal(cm.conv_transpose2d(x, w, stride=2, padding=1), want[1:3, 1:3])
    grown = cm.conv_transpose2d(x, w, stride=2, output_padding=1)  # one more row and column of zeros
    assert grown.shape == (5, 5)
    np.testing.assert_array_equal(grown[:4, :4], want)
    assert not grown[4].any() and not grown[:, 4].any()


def test_output_padding_rows_are_reached_when_padding_is_cropped():
    """With padding 1 the row output_padding adds is the padded ypad's last row that a window reaches."""
    x, w = np.ones((2, 2)), np.ones((3, 3))
    y = cm.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1)
    assert y.shape == (4, 4)
    np.testing.assert_array_equal(y[3], [1, 2, 1, 1])


def test_ranks_agree(rng):
    x, w = rng.normal(size=(2, 3, 4, 5)), rng.normal(size=(2, 3, 2, 2))
    y4 = cm.conv_transpose2d(x[:, :2], w, stride=2)
    y3 = cm.conv_transpose2d(x[0, :2], w, stride=2)
    np.testing.assert_allclose(y3, y4[0], atol=1e-14)
    y2 = cm.conv_transpose2d(x[0, 0], w[0, 0], stride=2, padding=1, output_padding=1)
    y4 = cm.conv_transpose2d(x[:1, :1], w[:1, :1], stride=2, padding=1, output_padding=1)
    assert y2.shape == y4.shape[2:]
    np.testing.assert_allclose(y2, y4[0, 0], atol=1e-14)


def test_inputs_are_not_modified_and_integers_are_accepted(rng):
    x, w = rng.integers(-3, 4, size=(1, 2, 3, 3)), rng.normal(size=(2, 1, 2, 2))
    x0, w0 = x.copy(), w.copy()
    y = cm.conv_transpose2d(x, w, stride=2)
    assert y.dtype == np.float64
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(w, w0)
    np.testing.assert_allclose(y, cm.conv_transpose2d(x.astype(float), w, stride=2), atol=0)


def test_no_state_is_kept_between_calls(rng):
    x, w = rng.normal(size=(2, 2, 3, 3)), rng.normal(size=(2, 3, 3, 3))
    first = cm.conv_transpose2d(x, w, stride=2)
    kept = first.copy()
    cm.conv_transpose2d(rng.normal(size=x.shape), rng.normal(size=w.shape), stride=2)
    np.testing.assert_array_equal(first, kept)
    np.testing.assert_allclose(cm.conv_transpose2d(x, w, stride=2), kept, atol=0)


BAD = [
    (
        lambda: cm.conv_transpose2d(np.ones((1, 3, 2, 2)), np.ones((2, 1, 2, 2))),
        r"x has 3 channels.*2 filters",
    ),
    (lambda: cm.conv_transpose2d(np.ones((2, 2)), np.ones((1, 1, 2, 2))), r"2-D x .* needs a 2-D kernel"),
    (lambda: cm.conv_transpose2d(np.ones((1, 2, 2)), np.ones((2, 2))), r"w must be 4-D \(F, C, KH, KW\)"),
    (lambda: cm.conv_transpose2d(np.ones(4), np.ones((2, 2))), r"x must be 2 or 3 or 4-D"),
    (
        lambda: cm.conv_transpose2d(np.ones((2, 2)), np.ones((2, 2)), stride=2, output_padding=2),
        r"output_padding=2 must be smaller than stride=2 \(PyTorch's rule\)",
    ),
    (
        lambda: cm.conv_transpose2d(np.ones((2, 2)), np.ones((2, 2)), output_padding=1),
        r"output_padding=1 must be smaller than stride=1",
    ),
    (lambda: cm.conv_transpose2d(np.ones((1, 1)), np.ones((1, 1)), padding=1), r"padding=1 is too large"),
    (
        lambda: cm.conv_transpose2d(np.ones((2, 2)), np.ones((2, 2)), stride=0),
        r"stride must be an integer >= 1",
    ),
    (
        lambda: cm.conv_transpose2d(np.ones((2, 2)), np.ones((2, 2)), padding=-1),
        r"padding must be an integer",
    ),
    (lambda: cm.conv_transpose2d(np.ones((2, 2)), np.ones((2, 2)), stride=1.0), r"stride must be an integer"),
    (
        lambda: cm.conv_transpose2d(np.ones((2, 2)), np.ones((2, 2)), output_padding=-1),
        r"output_padding must be an integer >= 0",
    ),
    (lambda: cm.conv_transpose2d(np.ones((1, 1, 0, 2)), np.ones((1, 1, 2, 2))), r"empty spatial size"),
    (
        lambda: cm.conv_transpose2d(np.ones((2, 2)), np.ones((2, 2)), stride=2**40, output_padding=2**40 - 1),
        r"output of shape .* over cnnmath's limit",
    ),
    (lambda: conv_transpose_output_size(1, 1, padding=1), r"padding=1 is too large"),
    (lambda: ref_t.conv_transpose2d(np.ones((2, 2)), np.ones((2, 2)), output_padding=1), r"reference\."),
]


@pytest.mark.parametrize(("call", "message"), BAD)
def test_bad_input_raises_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_strings_are_a_type_error():
    with pytest.raises(TypeError, match="conv_transpose2d: x holds strings"):
        cm.conv_transpose2d(np.array([["a"]]), np.ones((1, 1)))


def test_the_limit_is_cnnmaths(monkeypatch):
    monkeypatch.setattr(checks, "MAX_ARRAY_BYTES", 8 * 10)
    cm.conv_transpose2d(np.ones((1, 1)), np.ones((3, 3)), padding=1)  # 1×1 output, 3×3 padded
    with pytest.raises(ValueError, match=r"the padded output of shape \(1, 1, 5, 5\)"):
        cm.conv_transpose2d(np.ones((1, 1)), np.ones((5, 5)), padding=2)  # 1×1 output, 5×5 padded


def test_loops_and_fast_form_agree_with_conv2d_backward_loops(rng):
    """The loop forms of both directions agree too: ref.conv2d_backward's dx (a scatter) equals the
    transposed convolution's gather loops."""
    x, w = rng.normal(size=(1, 2, 3, 4)), rng.normal(size=(2, 3, 3, 2))
    y = np.zeros((1, 3, 8, 9))  # H′ = 2·2 + 3 + 1, W′ = 3·2 + 2 + 1
    np.testing.assert_allclose(
        ref.conv2d_backward(x, y, w, stride=2, padding=0)[0],
        ref_t.conv_transpose2d(x, w, stride=2, output_padding=1),
        atol=1e-12,
    )
