"""Gaussian and trainable pooling: fast form = loops = finite differences (= PyTorch when installed),
on shapes and strides chosen by hypothesis; clear errors on bad input. (The loops against the SymPy ring
derivative: tests/reference/test_pool_weighted_loops.py.)"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import cnnmath as cm
from cnnmath import nn
from cnnmath.ops import pool_weighted as pw
from cnnmath.reference import pool_weighted as rpw


@st.composite
def pool_cases(draw):
    """x: (*lead, H, W), a window (kh, kw) that fits, and a stride (None, an int or a pair) that may
    be smaller than the window (overlapping), equal, or larger (pixels no window reaches)."""
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    H, W = draw(st.integers(kh, 8)), draw(st.integers(kw, 8))
    lead = draw(st.sampled_from([(), (2,), (2, 3)]))
    stride = draw(st.one_of(st.none(), st.integers(1, 4), st.tuples(st.integers(1, 4), st.integers(1, 4))))
    seed = draw(st.integers(0, 2**32 - 1))
    return (*lead, H, W), (kh, kw), stride, np.random.default_rng(seed)


@given(pool_cases())
def test_fast_form_equals_the_loops(case):
    shape, (kh, kw), stride, rng = case
    x, w = rng.normal(size=shape), rng.normal(size=(kh, kw))
    y = pw.weighted_pool2d(x, w, stride=stride)
    np.testing.assert_allclose(y, rpw.weighted_pool2d(x, w, stride=stride), rtol=1e-12, atol=1e-12)
    dy = rng.normal(size=y.shape)
    dx, dw = pw.weighted_pool2d_backward(dy, x, w, stride=stride)
    dx_loops, dw_loops = rpw.weighted_pool2d_backward(dy, x, w, stride=stride)
    assert dx.shape == x.shape and dw.shape == w.shape
    np.testing.assert_allclose(dx, dx_loops, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dw, dw_loops.astype(float), rtol=1e-12, atol=1e-12)


@given(pool_cases())
def test_backward_matches_finite_differences(case):
    shape, (kh, kw), stride, rng = case
    x, w = rng.normal(size=shape), rng.normal(size=(kh, kw))
    dy = rng.normal(size=pw.weighted_pool2d(x, w, stride=stride).shape)
    dx, dw = pw.weighted_pool2d_backward(dy, x, w, stride=stride)
    num_x = cm.numerical_gradient(lambda v: np.sum(pw.weighted_pool2d(v, w, stride=stride) * dy), x)
    num_w = cm.numerical_gradient(lambda v: np.sum(pw.weighted_pool2d(x, v, stride=stride) * dy), w)
    np.testing.assert_allclose(dx, num_x, atol=1e-7)
    np.testing.assert_allclose(dw, num_w, atol=1e-7)


def test_mean_pooling_is_the_constant_window(rng):
    x = rng.normal(size=(2, 3, 7, 6))
    for k, s in [(2, None), (3, 2), (2, 1)]:
        w = np.full((k, k), 1.0 / k**2)
        y = pw.weighted_pool2d(x, w, stride=s)
        np.testing.assert_allclose(y, cm.avg_pool2d(x, k, stride=s), atol=1e-14)
        dy = rng.normal(size=cm.avg_pool2d(x, k, stride=s).shape)
        dx, _ = pw.weighted_pool2d_backward(dy, x, w, stride=s)
        np.testing.assert_allclose(dx, cm.avg_pool2d_backward(dy, x, k, stride=s), atol=1e-14)


def test_gaussian_pooling_is_a_strided_convolution_with_a_fixed_kernel(rng):
    """Against cm.conv2d / cm.conv2d_backward (the im2col route, a different algorithm)."""
    x = rng.normal(size=(2, 1, 9, 8))
    for k, sigma, s in [(3, 1.0, 2), (5, 0.7, 1), (2, 2.0, 2)]:
        g = pw.gaussian_kernel(k, sigma)
        y = pw.gaussian_pool2d(x, k, sigma, stride=s)
        np.testing.assert_allclose(y, cm.conv2d(x, g[None, None], stride=s), atol=1e-13)
        dy = rng.normal(size=y.shape)
        dx = pw.gaussian_pool2d_backward(dy, x, k, sigma, stride=s)
        np.testing.assert_allclose(dx, cm.conv2d_backward(dy, x, g[None, None], stride=s)[0], atol=1e-13)


def test_gaussian_kernel_values():
    """The formula with hand-computed numbers: 3×3, σ = 1: e^0, e^(-1/2), e^(-1) at distance² 0, 1, 2."""
    g = pw.gaussian_kernel(3, 1.0)
    e1, e2 = np.exp(-0.5), np.exp(-1.0)
    expected = np.array([[e2, e1, e2], [e1, 1.0, e1], [e2, e1, e2]]) / (1 + 4 * e1 + 4 * e2)
    np.testing.assert_allclose(g, expected, rtol=1e-14)
    np.testing.assert_allclose(pw.gaussian_kernel((2, 3), 0.5).sum(), 1.0, rtol=1e-14)
    exact = rpw.gaussian_kernel(3, sp.Integer(1))
    assert sp.simplify(exact[1, 1] - 1 / (1 + 4 * sp.exp(-sp.Rational(1, 2)) + 4 * sp.exp(-1))) == 0
    np.testing.assert_allclose(exact.astype(float), g, rtol=1e-14)
    big = pw.gaussian_kernel(5, 1e3)  # σ → ∞: the mean window
    np.testing.assert_allclose(big, np.full((5, 5), 1 / 25), rtol=1e-5)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: pw.weighted_pool2d(np.zeros((4, 4)), np.zeros(3)), ["w", "(3,)"]),
        (lambda: pw.weighted_pool2d(np.zeros((4, 4)), np.zeros((5, 2))), ["kernel_size=(5, 2)", "(4, 4)"]),
        (lambda: pw.weighted_pool2d(np.zeros((4, 4)), np.full((2, 2), np.nan)), ["w", "finite"]),
        (lambda: pw.weighted_pool2d(np.zeros(4), np.zeros((2, 2))), ["x", "(4,)"]),
        (lambda: pw.weighted_pool2d(np.zeros((4, 4)), np.zeros((2, 2)), stride=0), ["stride", "0"]),
        (
            lambda: pw.weighted_pool2d_backward(np.zeros((3, 3)), np.zeros((4, 4)), np.zeros((2, 2))),
            ["dy", "(3, 3)", "(2, 2)"],
        ),
        (lambda: pw.gaussian_kernel(3, 0.0), ["sigma", "0.0"]),
        (lambda: pw.gaussian_kernel(3, float("inf")), ["sigma"]),
        (lambda: pw.gaussian_kernel(0, 1.0), ["kernel_size", "0"]),
        (lambda: pw.gaussian_pool2d(np.zeros((4, 4)), 3, True), ["sigma", "True"]),
        (lambda: nn.TrainablePool2D(2, w=np.ones((3, 3))), ["w", "(3, 3)", "(2, 2)"]),
        (lambda: nn.TrainablePool2D(2, stride=(1, 0)), ["TrainablePool2D", "stride[1]", "0"]),
        (lambda: nn.GaussianPool2D(3, 1.0, stride=2.5), ["GaussianPool2D", "stride", "2.5"]),
        (lambda: rpw.weighted_pool2d(np.zeros((4, 4)), np.zeros((2, 2, 1))), ["w", "(2, 2, 1)"]),
    ],
)
def test_bad_input_gets_a_clear_error(call, words):
    with pytest.raises(ValueError) as err:
        call()
    assert all(word in str(err.value) for word in words), str(err.value)


@given(pool_cases())
def test_torch_oracle(require, case):
    """PyTorch: conv2d with the window as a one-channel kernel, autograd for dx and dw."""
    torch = require("torch")
    torch.set_num_threads(1)
    shape, (kh, kw), stride, rng = case
    x, w = rng.normal(size=shape), rng.normal(size=(kh, kw))
    s = (kh, kw) if stride is None else stride
    y = pw.weighted_pool2d(x, w, stride=stride)
    dy = rng.normal(size=y.shape)
    H, W = shape[-2:]
    xt = torch.tensor(x.reshape(-1, 1, H, W), requires_grad=True)
    wt = torch.tensor(w[None, None], requires_grad=True)
    yt = torch.nn.functional.conv2d(xt, wt, stride=s)
    yt.backward(torch.tensor(dy.reshape(yt.shape)))
    dx, dw = pw.weighted_pool2d_backward(dy, x, w, stride=stride)
    np.testing.assert_allclose(y, yt.detach().numpy().reshape(y.shape), atol=1e-12)
    np.testing.assert_allclose(dx, xt.grad.numpy().reshape(shape), atol=1e-12)
    np.testing.assert_allclose(dw, wt.grad.numpy()[0, 0], atol=1e-12)
