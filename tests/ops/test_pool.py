"""Pooling: fast form == loop form == central differences == PyTorch == mpmath, ties on purpose. (The
loop form on SymPy symbols: tests/reference/test_pool_loops.py.)"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cnnmath as cm
from cnnmath import reference as ref
from cnnmath import seedforms as sf

# Seed 003's published results for its 6x6 table (the seed003_a fixture), 2x2 windows, stride 2.
SEED003_MAX = [[7, 9, 9], [5, 9, 7], [9, 7, 7]]
SEED003_AVG = [[4.25, 6.0, 6.25], [3.0, 6.0, 2.25], [3.25, 3.75, 3.0]]


@st.composite
def pool_cases(draw, max_hw=7, ties=None):
    """x of rank 2-4, a window that fits, stride None / int / pair (overlapping or not), dy.

    With ties=True the values are small integers, so windows often hold several equal maxima."""
    lead = draw(st.lists(st.integers(1, 2), min_size=0, max_size=2))
    H, W = draw(st.integers(1, max_hw)), draw(st.integers(1, max_hw))
    kh, kw = draw(st.integers(1, min(H, 4))), draw(st.integers(1, min(W, 4)))
    kernel = kh if kh == kw and draw(st.booleans()) else (kh, kw)
    stride = draw(st.one_of(st.none(), st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    r = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    tied = draw(st.booleans()) if ties is None else ties
    x = r.integers(-1, 2, size=(*lead, H, W)).astype(float) if tied else r.normal(size=(*lead, H, W))
    sh, sw = (kh, kw) if stride is None else (stride, stride) if isinstance(stride, int) else stride
    dy = r.normal(size=(*lead, (H - kh) // sh + 1, (W - kw) // sw + 1))
    return x, kernel, stride, dy


@given(pool_cases())
def test_max_pool_fast_equals_loops_with_and_without_ties(case):
    x, k, s, dy = case
    np.testing.assert_array_equal(cm.max_pool2d(x, k, stride=s), ref.max_pool2d(x, k, stride=s))
    np.testing.assert_allclose(
        cm.max_pool2d_backward(dy, x, k, stride=s), ref.max_pool2d_backward(dy, x, k, stride=s), atol=1e-12
    )


@given(pool_cases())
def test_avg_pool_fast_equals_loops(case):
    x, k, s, dy = case
    np.testing.assert_allclose(cm.avg_pool2d(x, k, stride=s), ref.avg_pool2d(x, k, stride=s), atol=1e-12)
    np.testing.assert_allclose(
        cm.avg_pool2d_backward(dy, x, k, stride=s), ref.avg_pool2d_backward(dy, x, k, stride=s), atol=1e-12
    )


@given(pool_cases(), st.sampled_from([1, 1.5, 2, 3]))
def test_lp_pool_fast_equals_loops(case, p):
    x, k, s, dy = case
    np.testing.assert_allclose(cm.lp_pool2d(x, p, k, stride=s), ref.lp_pool2d(x, p, k, stride=s), atol=1e-12)
    np.testing.assert_allclose(
        cm.lp_pool2d_backward(dy, x, p, k, stride=s),
        ref.lp_pool2d_backward(dy, x, p, k, stride=s),
        atol=1e-12,
    )


@given(pool_cases(max_hw=5, ties=False), st.sampled_from([1.5, 2, 3]))
def test_backward_matches_central_differences(case, p):
    """Distinct random values: every window has one maximum, so max pooling is differentiable here."""
    x, k, s, dy = case
    for fwd, bwd in [
        (cm.max_pool2d, cm.max_pool2d_backward),
        (cm.avg_pool2d, cm.avg_pool2d_backward),
        (
            lambda v, *a, **kw: cm.lp_pool2d(v, p, *a, **kw),
            lambda d, v, *a, **kw: cm.lp_pool2d_backward(d, v, p, *a, **kw),
        ),
    ]:
        num = cm.numerical_gradient(lambda v, fwd=fwd: np.sum(fwd(v, k, stride=s) * dy), x)
        np.testing.assert_allclose(bwd(dy, x, k, stride=s), num, atol=1e-6)


def test_seed003_tables_by_hand(seed003_a):
    np.testing.assert_array_equal(cm.max_pool2d(seed003_a, 2), SEED003_MAX)
    np.testing.assert_allclose(cm.avg_pool2d(seed003_a, 2), SEED003_AVG)


def test_seed003_tie_goes_to_the_first_maximum(seed003_a):
    """Window (row 1, col 0) of seed 003's table is [[5, 0], [5, 2]]: two maxima. δ goes to the upper one."""
    dy = np.zeros((3, 3))
    dy[1, 0] = 1.0
    dx = cm.max_pool2d_backward(dy, seed003_a, 2)
    expected = np.zeros((6, 6))
    expected[2, 0] = 1.0  # not [3, 0] as well: the δ is passed on once, not twice
    np.testing.assert_array_equal(dx, expected)
    rows, cols = cm.max_pool2d_argmax(seed003_a, 2)
    assert (rows[1, 0], cols[1, 0]) == (2, 0)


@pytest.mark.parametrize(("shape", "k", "s"), [((6, 6), 2, None), ((4, 6), (2, 3), None), ((5, 7), 3, 1)])
def test_argmax_is_where_the_gradient_goes(rng, shape, k, s):
    x = rng.integers(0, 3, size=shape).astype(float)  # many ties
    rows, cols = cm.max_pool2d_argmax(x, k, stride=s)
    np.testing.assert_array_equal(x[rows, cols], cm.max_pool2d(x, k, stride=s))
    dy = rng.normal(size=rows.shape)
    expected = np.zeros(shape)
    np.add.at(expected, (rows, cols), dy)
    np.testing.assert_allclose(cm.max_pool2d_backward(dy, x, k, stride=s), expected)


def test_all_zero_windows_after_relu(rng):
    """ReLU then max pool: whole windows of zeros. The gradient is still passed on exactly once each."""
    x = np.maximum(rng.normal(size=(2, 3, 8, 8)) - 1.0, 0.0)
    dy = rng.normal(size=(2, 3, 4, 4))
    dx = cm.max_pool2d_backward(dy, x, 2)
    np.testing.assert_allclose(dx.sum(axis=(-1, -2)), dy.sum(axis=(-1, -2)))
    assert np.count_nonzero(dx) == np.count_nonzero(dy)


def test_average_pooling_is_a_convolution_with_constant_kernel(rng):
    """Seed 004 §4.1: 2×2 mean pooling = convolution with a 2×2 kernel of 1/4, stride 2."""
    x = rng.normal(size=(6, 8))
    np.testing.assert_allclose(cm.avg_pool2d(x, 2), cm.conv2d(x, np.full((2, 2), 0.25), stride=2))


def test_nondividing_sizes_floor_and_leave_zero_gradient(rng):
    x = rng.normal(size=(7, 5))
    y = cm.max_pool2d(x, 2)
    assert y.shape == (3, 2)
    dx = cm.max_pool2d_backward(np.ones(y.shape), x, 2)
    assert not dx[6].any() and not dx[:, 4].any()
    assert dx.sum() == 6


def test_seed004_lp_formula_needs_the_sign_for_negative_inputs(rng):
    """Seed 004 writes ∂g/∂x_i = (Σ|x|^p)^(1/p-1) |x_i|^(p-1): right for x >= 0, wrong sign for x < 0."""
    p, x = 3.0, rng.normal(size=(2, 2))
    seed_formula = np.sum(np.abs(x) ** p) ** (1 / p - 1) * np.abs(x) ** (p - 1)
    true = cm.lp_pool2d_backward(np.ones((1, 1)), x, p, 2)
    np.testing.assert_allclose(
        true, cm.numerical_gradient(lambda v: cm.lp_pool2d(v, p, 2).sum(), x), atol=1e-7
    )
    np.testing.assert_allclose(np.abs(true), seed_formula)
    assert not np.allclose(true, seed_formula)  # x has negative entries
    xp = np.abs(x)
    np.testing.assert_allclose(
        cm.lp_pool2d_backward(np.ones((1, 1)), xp, p, 2),
        np.sum(xp**p) ** (1 / p - 1) * xp ** (p - 1),
    )


def test_lp_pool_limits(rng):
    x = rng.normal(size=(4, 4))
    np.testing.assert_allclose(cm.lp_pool2d(x, 1, 2), cm.avg_pool2d(np.abs(x), 2) * 4)
    np.testing.assert_allclose(cm.lp_pool2d(x, 200, 2), cm.max_pool2d(np.abs(x), 2), rtol=1e-2)
    assert not cm.lp_pool2d_backward(np.ones((2, 2)), np.zeros((4, 4)), 2, 2).any()


def test_dy_is_not_modified(rng):
    x, dy = rng.normal(size=(2, 6, 6)), rng.normal(size=(2, 3, 3))
    before = dy.copy()
    cm.max_pool2d_backward(dy, x, 2)
    cm.avg_pool2d_backward(dy, x, 2)
    cm.lp_pool2d_backward(dy, x, 2, 2)
    np.testing.assert_array_equal(dy, before)


BAD = [
    (lambda: cm.lp_pool2d(np.ones((4, 4)), 0.5, 2), r"p must be a finite number >= 1"),
    (lambda: cm.lp_pool2d_backward(np.ones((2, 2)), np.ones((4, 4)), "2", 2), r"p must be a finite number"),
    (lambda: cm.max_pool2d([[1, 2], [3]], 2), r"x must be a numeric array"),
    (lambda: sf.mean_pool_backward_kron(np.ones((2, 2)), 2, input_hw=(6, 6)), r"not the pooled size"),
]


@pytest.mark.parametrize(("call", "message"), BAD)
def test_bad_input_raises_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_torch_oracle_with_ties_and_overlap(torch, rng):
    F = torch.nn.functional
    cases = [
        (np.maximum(rng.normal(size=(2, 3, 8, 8)) - 0.8, 0), 2, None),  # ReLU'd: all-zero windows
        (rng.integers(0, 3, size=(2, 2, 7, 6)).astype(float), 3, 1),  # overlapping, many ties
        (rng.integers(0, 2, size=(1, 2, 9, 7)).astype(float), (3, 2), 2),
        (rng.normal(size=(2, 1, 5, 5)), 5, None),  # the window covers the whole input
    ]
    for x, k, s in cases:
        dy = rng.normal(size=cm.max_pool2d(x, k, stride=s).shape)
        for ours, ours_bwd, theirs in [
            (cm.max_pool2d, cm.max_pool2d_backward, F.max_pool2d),
            (cm.avg_pool2d, cm.avg_pool2d_backward, F.avg_pool2d),
        ]:
            xt = torch.tensor(x, requires_grad=True)
            yt = theirs(xt, k, stride=s)
            yt.backward(torch.tensor(dy))
            np.testing.assert_allclose(ours(x, k, stride=s), yt.detach().numpy(), atol=1e-12)
            np.testing.assert_allclose(ours_bwd(dy, x, k, stride=s), xt.grad.numpy(), atol=1e-12)


def test_torch_oracle_lp_pool_on_nonnegative_inputs(torch, rng):
    """torch's lp_pool2d has no |·|; on x > 0 (where the two agree) the values and gradients match."""
    for p, k, s in [(2.0, 2, None), (3.0, 3, 1), (1.5, (2, 3), 2)]:
        x = rng.uniform(0.1, 2.0, size=(2, 2, 7, 7))
        xt = torch.tensor(x, requires_grad=True)
        yt = torch.nn.functional.lp_pool2d(xt, p, k, stride=s)
        dy = rng.normal(size=tuple(yt.shape))
        yt.backward(torch.tensor(dy))
        np.testing.assert_allclose(cm.lp_pool2d(x, p, k, stride=s), yt.detach().numpy(), rtol=1e-10)
        np.testing.assert_allclose(cm.lp_pool2d_backward(dy, x, p, k, stride=s), xt.grad.numpy(), rtol=1e-9)


def test_no_negative_zeros_where_no_gradient_is_routed():
    """A negative δ must not leave -0.0 on the pixels it skipped (it prints as "-0." in a notebook)."""
    dx = cm.max_pool2d_backward(np.array([[-1.0]]), np.array([[1.0, 0.0], [0.0, 0.0]]), 2)
    np.testing.assert_array_equal(dx, [[-1.0, 0.0], [0.0, 0.0]])
    assert not np.signbit(dx[dx == 0]).any()


@pytest.mark.parametrize(("k", "s", "y_hw"), [(3, 1, (4, 5)), ((2, 3), (1, 2), (5, 3))])
@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_inf_and_nan_in_dy_stay_where_the_loops_put_them_with_overlapping_windows(rng, k, s, y_hw, bad):
    """Windows that do not tile the input take the offset masks (not _tiled_max): there dy·mask would
    put nan (inf·0) on every pixel a window skips. The loops add dy to each window's first maximum only."""
    x = rng.normal(size=(2, 6, 7))
    dy = rng.normal(size=(2, *y_hw))  # y_hw = (floor((6 - kh)/sh) + 1, floor((7 - kw)/sw) + 1)
    dy[1, 1, 1] = bad
    want = ref.max_pool2d_backward(dy, x, k, stride=s)
    assert np.isfinite(want).any() and not np.isfinite(want).all()
    dx = cm.max_pool2d_backward(dy, x, k, stride=s)
    np.testing.assert_array_equal(np.isfinite(dx), np.isfinite(want))
    np.testing.assert_allclose(dx, want, rtol=1e-12)


# ---------------------------------------------------------------- Lp pooling at any p, against mpmath


def _lp_mpmath(x, p):
    """y and dy/dx of one window, in 60-digit arithmetic on the exact float64 inputs: the referee."""
    mpmath = pytest.importorskip("mpmath")
    with mpmath.workdps(60):
        v = [mpmath.mpf(float(t)) for t in x.ravel()]
        s = mpmath.fsum(abs(t) ** p for t in v)
        y = s ** (mpmath.mpf(1) / p)
        dx = [(abs(t) / y) ** (p - 1) * mpmath.sign(t) for t in v]
        return float(y), np.array([float(d) for d in dx]).reshape(x.shape)


LP_P = (1, 2, 8, 100, 1000)
LP_WINDOWS = {  # name -> a 2×2 window
    "issue's example": np.array([[3.0, 2.0], [1.0, 0.5]]),
    "tiny (1e-6)": np.array([[1e-6, 2e-6], [-5e-7, 1.5e-6]]),
    "huge (1e300)": np.array([[1e300, -3e299], [2e300, 1e299]]),
    "subnormal": np.array([[3e-320, 1e-320], [-2e-320, 5e-321]]),
    "mixed scales": np.array([[1e-8, 1.0], [-0.999, 1e3]]),
}


def _lp_errors(rng):
    """Worst relative error of y and of dx (relative to max |dx|) per p, over the named and random windows."""
    windows = list(LP_WINDOWS.values()) + [
        rng.normal(size=(2, 2)) * 10.0 ** rng.uniform(-8, 8) for _ in range(30)
    ]
    errors = {}
    for p in LP_P:
        ey = ed = 0.0
        for x in windows:
            y_ref, dx_ref = _lp_mpmath(x, p)
            y = cm.lp_pool2d(x, p, 2)[0, 0]
            dx = cm.lp_pool2d_backward(np.ones((1, 1)), x, p, 2)
            ey = max(ey, abs(y - y_ref) / y_ref)
            ed = max(ed, np.max(np.abs(dx - dx_ref)) / np.max(np.abs(dx_ref)))
        errors[p] = (ey, ed)
    return errors


def test_lp_pool_is_float64_accurate_for_any_p_against_mpmath(rng):
    """Scaling by the window's largest |x| keeps p = 1000, tiny, huge and subnormal x finite and
    accurate. Measured here: y within 1 ulp at every p; dx within 1, 1, 2, 10, 12 ulps of max |dx|
    at p = 1, 2, 8, 100, 1000 ((|x_k|/m)^(p-1) multiplies the rounding of |x_k|/m by p - 1, but only
    for entries close to the window's maximum). The bounds leave room for other libm's pow."""
    eps = np.finfo(float).eps
    for p, (ey, ed) in _lp_errors(rng).items():
        assert ey <= 4 * eps, (p, ey)
        assert ed <= 64 * eps, (p, ed)


def test_lp_pool_issue_examples_no_overflow_no_underflow():
    x = np.array([[3.0, 2.0], [1.0, 0.5]])
    assert abs(cm.lp_pool2d(x, 1000, 2)[0, 0] - 3.0) < 1e-15 * 3
    tiny = np.full((2, 2), 1e-6)
    y = cm.lp_pool2d(tiny, 60, 2)[0, 0]
    assert abs(y / (1e-6 * 4 ** (1 / 60)) - 1) < 1e-15
    dx = cm.lp_pool2d_backward(np.ones((1, 1)), tiny, 60, 2)
    np.testing.assert_allclose(dx, np.full((2, 2), 4 ** (1 / 60 - 1)), rtol=1e-14)


def test_lp_pool_all_zero_window_has_value_and_gradient_zero():
    """Deliberately: y = 0 and dx = 0 (a subgradient) for a window of zeros, at every p; no nan."""
    x = np.zeros((2, 4))
    x[:, 2:] = [[1.0, -2.0], [0.0, 3.0]]
    for p in (*LP_P, 1.5):
        y = cm.lp_pool2d(x, p, 2)
        dx = cm.lp_pool2d_backward(np.ones((1, 2)), x, p, 2)
        assert y[0, 0] == 0.0 and np.all(dx[:, :2] == 0.0) and np.all(np.isfinite(dx)), p
        assert dx[1, 2] == 0.0  # an entry equal to 0 in a nonzero window gets 0 (sign(0) = 0)
