"""Convolution: fast form == loop form == seeds' route == finite differences == PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cnnmath as cm
from cnnmath import reference as ref
from cnnmath import seedforms as sf

# Seed 001's worked example, typed from the lecture text (not computed by cnnmath).
SEED001_IMAGE = np.array(
    [[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]], float
)
SEED001_KERNEL = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], float)


@st.composite
def conv_cases(draw, max_hw=7):
    """Random shapes, stride 1-3, padding 0-2, with a kernel that fits the padded input."""
    N, C, F = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    p, s = draw(st.integers(0, 2)), draw(st.integers(1, 3))
    H, W = draw(st.integers(1, max_hw)), draw(st.integers(1, max_hw))
    KH, KW = draw(st.integers(1, min(4, H + 2 * p))), draw(st.integers(1, min(4, W + 2 * p)))
    seed = draw(st.integers(0, 2**32 - 1))
    r = np.random.default_rng(seed)
    x, w = r.normal(size=(N, C, H, W)), r.normal(size=(F, C, KH, KW))
    b = r.normal(size=F)
    z_shape = (N, F, (H + 2 * p - KH) // s + 1, (W + 2 * p - KW) // s + 1)
    return x, w, b, s, p, r.normal(size=z_shape)


@given(conv_cases())
def test_fast_equals_reference_loops(case):
    x, w, b, s, p, dz = case
    np.testing.assert_allclose(
        cm.conv2d(x, w, b, stride=s, padding=p),
        ref.conv2d(x, w, b, stride=s, padding=p),
        rtol=1e-12,
        atol=1e-12,
    )
    for got, want in zip(
        cm.conv2d_backward(dz, x, w, stride=s, padding=p),
        ref.conv2d_backward(dz, x, w, stride=s, padding=p),
        strict=True,
    ):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@given(conv_cases())
def test_seed_route_equals_chain_rule(case):
    """δ^{l-1} = crop(full_conv(dilate(δ), rot180 w)) and dW = x ⋆ dilate(δ) agree with the fast form."""
    x, w, _, s, p, dz = case
    dx, dw, _ = cm.conv2d_backward(dz, x, w, stride=s, padding=p)
    np.testing.assert_allclose(sf.delta_full_conv(dz, w, x.shape, stride=s, padding=p), dx, atol=1e-12)
    np.testing.assert_allclose(
        sf.weight_grad_correlate(x, dz, w.shape[2:], stride=s, padding=p), dw, atol=1e-12
    )


@given(conv_cases(max_hw=5))
def test_backward_matches_central_differences(case):
    x, w, b, s, p, dz = case
    dx, dw, db = cm.conv2d_backward(dz, x, w, stride=s, padding=p)

    def loss(x_=x, w_=w, b_=b):
        return float(np.sum(cm.conv2d(x_, w_, b_, stride=s, padding=p) * dz))

    np.testing.assert_allclose(dx, cm.numerical_gradient(lambda v: loss(x_=v), x), atol=1e-7)
    np.testing.assert_allclose(dw, cm.numerical_gradient(lambda v: loss(w_=v), w), atol=1e-7)
    np.testing.assert_allclose(db, cm.numerical_gradient(lambda v: loss(b_=v), b), atol=1e-7)


def test_seed001_example_by_hand():
    z1 = cm.conv2d(SEED001_IMAGE, SEED001_KERNEL)
    np.testing.assert_array_equal(z1, [[4, 3, 4], [2, 4, 3], [2, 3, 4]])
    z2 = cm.conv2d(SEED001_IMAGE, SEED001_KERNEL, stride=2)
    np.testing.assert_array_equal(z2, [[4, 4], [2, 4]])


def test_tiny_backward_by_hand():
    """3x3 input, 2x2 kernel, δ = ones: dx is the 'how often each pixel is used' map times w."""
    x = np.arange(9.0).reshape(3, 3)
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    dx, dw, db = cm.conv2d_backward(np.ones((2, 2)), x, w)
    np.testing.assert_array_equal(dx, [[1, 3, 2], [4, 10, 6], [3, 7, 4]])
    np.testing.assert_array_equal(dw, [[8, 12], [20, 24]])
    assert db == 4.0 and isinstance(db, float)


def test_ranks_agree(rng):
    x, w, b = rng.normal(size=(3, 6, 5)), rng.normal(size=(2, 3, 3, 2)), rng.normal(size=2)
    z3 = cm.conv2d(x, w, b, stride=2, padding=1)
    z4 = cm.conv2d(x[None], w, b, stride=2, padding=1)
    np.testing.assert_array_equal(z3, z4[0])
    x2, k = rng.normal(size=(6, 5)), rng.normal(size=(3, 2))
    np.testing.assert_allclose(cm.conv2d(x2, k, 0.5), cm.conv2d(x2[None, None], k[None, None], [0.5])[0, 0])
    dz = rng.normal(size=z3.shape)
    g3 = cm.conv2d_backward(dz, x, w, stride=2, padding=1)
    g4 = cm.conv2d_backward(dz[None], x[None], w, stride=2, padding=1)
    np.testing.assert_allclose(g3[0], g4[0][0])
    np.testing.assert_allclose(g3[1], g4[1])


@pytest.mark.parametrize(
    ("shape", "k", "s", "p"),
    [((4, 4), (4, 4), 1, 0), ((5, 3), (5, 3), 2, 0), ((4, 6), (2, 3), 3, 0), ((3, 3), (5, 5), 1, 1)],
)
def test_kernel_covering_whole_input_and_nondividing_strides(rng, shape, k, s, p):
    x, w = rng.normal(size=shape), rng.normal(size=k)
    z = cm.conv2d(x, w, stride=s, padding=p)
    dz = rng.normal(size=z.shape)
    for got, want in zip(
        cm.conv2d_backward(dz, x, w, stride=s, padding=p),
        ref.conv2d_backward(dz, x, w, stride=s, padding=p),
        strict=True,
    ):
        np.testing.assert_allclose(got, want, atol=1e-12)


def test_dz_is_not_modified(rng):
    x, w = rng.normal(size=(2, 2, 5, 5)), rng.normal(size=(3, 2, 3, 3))
    dz = rng.normal(size=(2, 3, 3, 3))
    before = dz.copy()
    cm.conv2d_backward(dz, x, w)
    np.testing.assert_array_equal(dz, before)


def _loops(dz, x, w, **kw):
    return ref.conv2d_backward(dz, x, w, **kw)


def test_no_state_is_kept_between_calls(rng):
    """conv2d_backward depends on its arguments only, never on the conv2d call before it: a change
    made to x in place, a new array, other kernel sizes, strides or paddings must all be seen."""
    x, w, b = rng.normal(size=(2, 2, 6, 5)), rng.normal(size=(3, 2, 3, 3)), rng.normal(size=3)
    dz = rng.normal(size=(2, 3, 4, 3))
    cm.conv2d(x, w, b)
    x[1, 0, 2, 3] += 1.0  # in place, after the forward pass
    for got, want in zip(cm.conv2d_backward(dz, x, w), _loops(dz, x, w), strict=True):
        np.testing.assert_allclose(got, want, atol=1e-12)
    for kw, w2 in [({"padding": 1}, w), ({"stride": 2}, w), ({}, rng.normal(size=(3, 2, 2, 2)))]:
        cm.conv2d(x, w, b)  # remembered: 3x3 columns, stride 1, padding 0
        dz2 = rng.normal(size=cm.conv2d(x.copy(), w2, **kw).shape)
        for got, want in zip(cm.conv2d_backward(dz2, x, w2, **kw), _loops(dz2, x, w2, **kw), strict=True):
            np.testing.assert_allclose(got, want, atol=1e-12)
    y = x.reshape(2, 1, 2, 6, 5)[:, 0].copy()[:, ::-1]  # same shape, other numbers, not contiguous
    cm.conv2d(x, w, b)
    for got, want in zip(cm.conv2d_backward(dz, y, w), _loops(dz, y, w), strict=True):
        np.testing.assert_allclose(got, want, atol=1e-12)


def test_a_call_after_another_gives_identical_gradients(rng):
    x, w = rng.normal(size=(4, 2, 7, 7)), rng.normal(size=(3, 2, 3, 3))
    dz = rng.normal(size=(4, 3, 7, 7))
    cm.conv2d(rng.normal(size=x.shape), w, padding=1)  # some other x first
    cold = cm.conv2d_backward(dz, x, w, padding=1)
    warm = cm.conv2d_backward(dz, x, w, padding=1)  # the same call again
    for c, h in zip(cold, warm, strict=True):
        np.testing.assert_array_equal(c, h)


def test_threads_share_nothing(rng):
    from concurrent.futures import ThreadPoolExecutor

    w, dz = rng.normal(size=(4, 2, 3, 3)), rng.normal(size=(8, 4, 20, 20))
    xs = [rng.normal(size=(8, 2, 22, 22)) for _ in range(2)]
    want = [_loops(dz, x, w) for x in xs]

    def train(k):
        for _ in range(100):
            cm.conv2d(xs[k], w)
            for got, exp in zip(cm.conv2d_backward(dz, xs[k], w), want[k], strict=True):
                np.testing.assert_allclose(got, exp, atol=1e-12)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(train, [0, 1]))


@given(conv_cases(max_hw=6))
def test_conv_matrix_is_the_layer(case):
    x, w, _, s, p, _ = case
    img, k = x[0, 0], w[0, 0]
    M = sf.conv_matrix(img.shape, k, stride=s, padding=p)
    z = cm.conv2d(img, k, stride=s, padding=p)
    np.testing.assert_allclose(M @ img.ravel(), z.ravel(), atol=1e-12)
    dz = np.arange(z.size, dtype=float).reshape(z.shape)
    np.testing.assert_allclose(
        M.T @ dz.ravel(), cm.conv2d_backward(dz, img, k, stride=s, padding=p)[0].ravel(), atol=1e-12
    )


BAD = [
    (lambda: cm.conv2d(np.ones((1, 3, 5, 5)), np.ones((2, 2, 3, 3))), r"x has 3 channels.*w expects 2"),
    (lambda: cm.conv2d(np.ones((5, 5)), np.ones((3, 3)), stride=0), r"stride must be an integer >= 1"),
    (lambda: cm.conv2d(np.ones((5, 5)), np.ones((3, 3)), padding=-1), r"padding must be an integer >= 0"),
    (lambda: cm.conv2d(np.ones((5, 5)), np.ones((3, 3)), stride=1.5), r"stride must be an integer"),
    (lambda: cm.conv2d(np.ones((5, 5)), np.ones((3, 3)), padding=True), r"padding must be an integer"),
    (
        lambda: cm.conv2d(np.ones((2, 2)), np.ones((3, 3))),
        r"kernel \(3, 3\).*larger than the padded input \(2, 2\)",
    ),
    (
        lambda: cm.conv2d(np.ones((1, 2, 4, 4)), np.ones((3, 2, 2, 2)), np.ones(2)),
        r"b has shape \(2,\), expected \(3,\)",
    ),
    (lambda: cm.conv2d(np.ones(5), np.ones((3, 3))), r"x must be 2 or 3 or 4-D.*got shape \(5,\)"),
    (lambda: cm.conv2d(np.ones((5, 5)), np.ones((1, 1, 3, 3))), r"2-D image x .* needs a 2-D kernel"),
    (lambda: cm.conv2d(np.ones((1, 5, 5)), np.ones((3, 3))), r"w must be 4-D"),
    (
        lambda: cm.conv2d_backward(np.ones((2, 2)), np.ones((5, 5)), np.ones((3, 3))),
        r"dz has shape \(2, 2\), expected \(3, 3\)",
    ),
    (
        lambda: cm.conv2d_backward(
            np.ones((1, 2, 3, 3)), np.ones((1, 1, 5, 5)), np.ones((2, 1, 3, 3)), stride=2
        ),
        r"dz has shape \(1, 2, 3, 3\), expected \(1, 2, 2, 2\).*stride=2",
    ),
    (lambda: cm.conv2d(np.ones((5, 5)), [[1, 2], [3]]), r"w must be a numeric array"),
    (lambda: cm.conv_output_size(5, 7), r"kernel_size=7 is larger than the padded input"),
    (lambda: cm.conv_output_size(5.0, 3), r"n must be an integer"),
    (lambda: sf.conv_matrix((4,), np.ones((2, 2))), r"input_shape must be a pair"),
    (lambda: sf.dilate(np.ones((2, 2)), 0), r"stride must be an integer >= 1"),
    (lambda: sf.full_conv(np.ones((1, 2, 3, 3)), np.ones((3, 1, 2, 2))), r"d has 2 filters.*w has 3"),
]


@pytest.mark.parametrize(("call", "message"), BAD)
def test_bad_input_raises_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_torch_oracle(torch, rng):
    F = torch.nn.functional
    for N, C, H, W, Fo, KH, KW, s, p in [
        (2, 3, 7, 6, 4, 3, 2, 2, 1),
        (3, 1, 8, 8, 2, 3, 3, 3, 2),
        (1, 2, 5, 9, 3, 5, 1, 1, 0),
        (2, 2, 4, 4, 2, 4, 4, 1, 0),
    ]:
        x, w, b = rng.normal(size=(N, C, H, W)), rng.normal(size=(Fo, C, KH, KW)), rng.normal(size=Fo)
        xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        zt = F.conv2d(xt, wt, bt, stride=s, padding=p)
        dz = rng.normal(size=tuple(zt.shape))
        zt.backward(torch.tensor(dz))
        np.testing.assert_allclose(cm.conv2d(x, w, b, stride=s, padding=p), zt.detach().numpy(), atol=1e-12)
        for got, t in zip(cm.conv2d_backward(dz, x, w, stride=s, padding=p), (xt, wt, bt), strict=True):
            np.testing.assert_allclose(got, t.grad.numpy(), atol=1e-12)


# ---------------------------------------------------------------- dilation


@st.composite
def dilated_cases(draw, max_hw=8):
    """Random shapes, stride 1-3, padding 0-2, dilation 1-3, a dilated kernel that fits the padded input."""
    N, C, F = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    p, s, d = draw(st.integers(0, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    H, W = draw(st.integers(1, max_hw)), draw(st.integers(1, max_hw))
    KH = draw(st.integers(1, min(3, (H + 2 * p - 1) // d + 1)))
    KW = draw(st.integers(1, min(3, (W + 2 * p - 1) // d + 1)))
    r = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x, w, b = r.normal(size=(N, C, H, W)), r.normal(size=(F, C, KH, KW)), r.normal(size=F)
    # the output size written out here, not taken from cnnmath
    z_shape = (N, F, (H + 2 * p - d * (KH - 1) - 1) // s + 1, (W + 2 * p - d * (KW - 1) - 1) // s + 1)
    return x, w, b, s, p, d, r.normal(size=z_shape)


@given(dilated_cases())
def test_dilated_fast_equals_reference_loops(case):
    x, w, b, s, p, d, dz = case
    kw = {"stride": s, "padding": p, "dilation": d}
    z = cm.conv2d(x, w, b, **kw)
    assert z.shape == dz.shape
    np.testing.assert_allclose(z, ref.conv2d(x, w, b, **kw), rtol=1e-12, atol=1e-12)
    for got, want in zip(
        cm.conv2d_backward(dz, x, w, **kw), ref.conv2d_backward(dz, x, w, **kw), strict=True
    ):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@given(dilated_cases())
def test_dilation_is_a_kernel_with_zeros_inserted(case):
    """The referee: an undilated convolution with sf.dilate(w, D) (D - 1 zeros between the taps).
    Its dx is the dilated layer's dx; its gradient on the inserted zeros is dropped, on the taps it is dw."""
    x, w, b, s, p, d, dz = case
    wd = sf.dilate(w, d)
    np.testing.assert_allclose(
        cm.conv2d(x, w, b, stride=s, padding=p, dilation=d),
        cm.conv2d(x, wd, b, stride=s, padding=p),
        atol=1e-12,
    )
    dx, dw, db = cm.conv2d_backward(dz, x, w, stride=s, padding=p, dilation=d)
    dx0, dwd, db0 = cm.conv2d_backward(dz, x, wd, stride=s, padding=p)
    np.testing.assert_allclose(dx, dx0, atol=1e-12)
    np.testing.assert_allclose(dw, dwd[:, :, ::d, ::d], atol=1e-12)
    np.testing.assert_allclose(db, db0, atol=1e-12)


@given(dilated_cases(max_hw=6))
def test_dilated_backward_matches_central_differences(case):
    x, w, b, s, p, d, dz = case
    kw = {"stride": s, "padding": p, "dilation": d}
    dx, dw, db = cm.conv2d_backward(dz, x, w, **kw)

    def loss(x_=x, w_=w, b_=b):
        return float(np.sum(cm.conv2d(x_, w_, b_, **kw) * dz))

    np.testing.assert_allclose(dx, cm.numerical_gradient(lambda v: loss(x_=v), x), atol=1e-7)
    np.testing.assert_allclose(dw, cm.numerical_gradient(lambda v: loss(w_=v), w), atol=1e-7)
    np.testing.assert_allclose(db, cm.numerical_gradient(lambda v: loss(b_=v), b), atol=1e-7)


@given(dilated_cases())
def test_dilated_gradients_by_the_seed_routes(case):
    """dx = full conv of dilate(δ, S) with rot180(dilate(w, D)), cropped; dw = xpad ⋆ dilate(δ, S) read
    at the taps (r·D, t·D); and the duality: dw is the convolution of xpad with δ as the kernel, at
    stride D and dilation S (the roles of stride and dilation swapped), its first (KH, KW) entries."""
    x, w, _, s, p, d, dz = case
    dx, dw, _ = cm.conv2d_backward(dz, x, w, stride=s, padding=p, dilation=d)
    wd = sf.dilate(w, d)
    np.testing.assert_allclose(sf.delta_full_conv(dz, wd, x.shape, stride=s, padding=p), dx, atol=1e-12)
    span = wd.shape[2:]
    taps = sf.weight_grad_correlate(x, dz, span, stride=s, padding=p)[:, :, ::d, ::d]
    np.testing.assert_allclose(taps, dw, atol=1e-12)
    KH, KW = w.shape[2:]
    xs, ds = sf.pad(x, p).swapaxes(0, 1), dz.swapaxes(0, 1)  # batch as the summed channel axis
    swapped = cm.conv2d(xs, ds, stride=d, dilation=s)[:, :, :KH, :KW].swapaxes(0, 1)
    np.testing.assert_allclose(swapped, dw, atol=1e-12)


def test_dilated_by_hand():
    """A 2x2 kernel at dilation 2 on a 4x4 image x[i, j] = 4i + j: each output reads the corners of a
    3x3 block, z[i, j] = x[i, j] + 10 x[i, j+2] + 100 x[i+2, j] + 1000 x[i+2, j+2] = 1111 x[i, j] + 10820."""
    x = np.arange(16.0).reshape(4, 4)
    w = np.array([[1.0, 10.0], [100.0, 1000.0]])
    np.testing.assert_array_equal(cm.conv2d(x, w, dilation=2), [[10820, 11931], [15264, 16375]])
    dx, dw, db = cm.conv2d_backward(np.ones((2, 2)), x, w, dilation=2)
    # each tap meets the four pixels of its own 2x2 block: w[0,0] the top-left block, ...
    np.testing.assert_array_equal(dx, np.kron([[1.0, 10.0], [100.0, 1000.0]], np.ones((2, 2))))
    np.testing.assert_array_equal(dw, [[0 + 1 + 4 + 5, 2 + 3 + 6 + 7], [8 + 9 + 12 + 13, 10 + 11 + 14 + 15]])
    assert db == 4.0


DILATED_BAD = [
    (
        lambda: cm.conv2d(np.ones((5, 5)), np.ones((3, 3)), dilation=0),
        r"conv2d: dilation must be an integer >= 1",
    ),
    (lambda: cm.conv2d(np.ones((5, 5)), np.ones((3, 3)), dilation=1.0), r"dilation must be an integer"),
    (lambda: cm.conv2d(np.ones((5, 5)), np.ones((3, 3)), dilation=(2, 2)), r"dilation must be an integer"),
    (
        lambda: cm.conv2d(np.ones((5, 6)), np.ones((3, 2)), dilation=3),
        r"kernel \(3, 2\).*with dilation=3 spans dilation\*\(K-1\)\+1 = \(7, 4\) pixels, "
        r"more than the padded input \(5, 6\)",
    ),
    (
        lambda: cm.conv2d_backward(np.ones((4, 4)), np.ones((5, 5)), np.ones((2, 2)), dilation=2),
        r"dz has shape \(4, 4\), expected \(3, 3\).*dilation=2",
    ),
    (
        lambda: cm.conv_output_size(5, 3, dilation=3),
        r"kernel_size=3 with dilation=3 spans dilation\*\(kernel_size-1\)\+1 = 7 pixels, more than "
        r"the padded input n \+ 2\*padding = 5\+2\*0 = 5",
    ),
    (lambda: cm.conv_output_size(5, 3, dilation=-1), r"conv_output_size: dilation must be an integer >= 1"),
    (
        lambda: ref.conv2d(np.ones((4, 4)), np.ones((2, 2)), dilation=4),
        r"reference.conv2d: the kernel \(2, 2\)",
    ),
]


@pytest.mark.parametrize(("call", "message"), DILATED_BAD)
def test_dilated_bad_input_raises_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_dilated_torch_oracle(torch, rng):
    F = torch.nn.functional
    for N, C, H, W, Fo, KH, KW, s, p, d in [
        (2, 3, 9, 8, 4, 3, 2, 1, 0, 2),
        (2, 2, 11, 10, 3, 3, 3, 2, 1, 3),
        (1, 1, 7, 7, 2, 2, 2, 3, 2, 4),
        (3, 2, 6, 9, 2, 2, 3, 1, 2, 2),
    ]:
        x, w, b = rng.normal(size=(N, C, H, W)), rng.normal(size=(Fo, C, KH, KW)), rng.normal(size=Fo)
        xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        zt = F.conv2d(xt, wt, bt, stride=s, padding=p, dilation=d)
        dz = rng.normal(size=tuple(zt.shape))
        zt.backward(torch.tensor(dz))
        kw = {"stride": s, "padding": p, "dilation": d}
        np.testing.assert_allclose(cm.conv2d(x, w, b, **kw), zt.detach().numpy(), atol=1e-12)
        for got, t in zip(cm.conv2d_backward(dz, x, w, **kw), (xt, wt, bt), strict=True):
            np.testing.assert_allclose(got, t.grad.numpy(), atol=1e-12)


@given(dilated_cases(max_hw=7))
def test_dilated_torch_oracle_over_shapes(require, case):
    torch = require("torch")  # (the torch fixture is per test; hypothesis wants a session-wide one)
    torch.set_num_threads(1)
    x, w, b, s, p, d, dz = case
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    zt = torch.nn.functional.conv2d(xt, wt, bt, stride=s, padding=p, dilation=d)
    zt.backward(torch.tensor(dz))
    kw = {"stride": s, "padding": p, "dilation": d}
    np.testing.assert_allclose(cm.conv2d(x, w, b, **kw), zt.detach().numpy(), atol=1e-12)
    for got, t in zip(cm.conv2d_backward(dz, x, w, **kw), (xt, wt, bt), strict=True):
        np.testing.assert_allclose(got, t.grad.numpy(), atol=1e-12)
