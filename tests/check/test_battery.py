"""cnnmath.check._battery: the batteries hold what the checkers promise: real ties, overlapping windows
and untouched pixels; every stride and padding and the edge cases of a convolution; integer cases
first, then an integer dtype, then each float shape twice."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp


def _windows(case):
    dy, x, k = case.args
    kh, kw = (k, k) if isinstance(k, int) else k
    s = case.kwargs.get("stride", (kh, kw))
    sh, sw = (s, s) if isinstance(s, int) else s
    for lead in np.ndindex(x.shape[:-2]):
        for i, j in np.ndindex(dy.shape[-2:]):
            yield (
                x[(*lead, slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw))],
                dy[(*lead, i, j)],
                (sh, sw) < (kh, kw),
            )


def test_max_pool_battery_has_real_ties_overlap_and_untouched_pixels(battery_of):
    cases = battery_of("max_pool2d_backward")
    tied = [c for c in cases if any(np.sum(win == win.max()) > 1 and g != 0 for win, g, _ in _windows(c))]
    assert [c.about for c in tied][:1] == ["ties: windows of zeros, as after a ReLU"]
    assert any(any(overlap for *_, overlap in _windows(c)) for c in tied)
    assert any(c.args[1].ndim == 4 for c in tied)
    shapes = {(c.args[1].shape[-2:], c.args[2]) for c in cases}
    assert ((6, 6), 3) in shapes and ((3, 4), (3, 4)) in shapes  # 3×3 windows; one window = the input


def test_conv_battery_covers_every_stride_padding_and_the_edge_cases(battery_of):
    cases = battery_of("conv2d_backward")
    settings = {(c.shown["stride"], c.shown["padding"]) for c in cases}
    assert settings == {(s, p) for s in (1, 2, 3) for p in (0, 1, 2)}
    geometry = [(c.args[1].shape, c.args[2].shape, c.shown["stride"], c.shown["padding"]) for c in cases]
    assert any(x[2:] == w[2:] and p == 0 for x, w, _, p in geometry)  # kernel = whole input
    assert any((x[2] + 2 * p - w[2]) % s for x, w, s, p in geometry)  # a stride that does not divide
    assert any(x[2] != x[3] and w[2] != w[3] for x, w, *_ in geometry)  # non-square input and kernel
    assert any(x[0] > 1 and x[1] > 1 and w[0] > 1 for x, w, *_ in geometry)  # batch, channels, filters
    assert all(not np.array_equal(w, w[..., ::-1, ::-1]) for _, _, w in (c.args for c in cases))


def test_every_battery_has_integer_cases_first_then_an_integer_dtype_then_repeated_float_shapes():
    from cnnmath.check import _battery

    batteries = [
        _battery.conv_cases("forward", (1, 2, 3), (0, 1, 2)),
        _battery.conv_cases("backward", (1,), (0,)),
        _battery.conv_matrix_cases((1, 2, 3), (0, 1, 2)),
        _battery.dense_cases(),
        *(_battery.pool_cases(k, b) for k in ("max", "avg", "lp") for b in (True, False)),
    ]
    for cases in batteries:
        if "symbolic" in cases[-1].flags:  # conv_matrix ends with SymPy symbols (see the test below)
            cases = cases[:-1]
        kinds = ["int" if "int" in c.flags else "floats" if "floats" in c.flags else "ints" for c in cases]
        n = kinds.index("int")
        assert set(kinds[:n]) == {"ints"} and kinds[n + 1 :] == ["floats"] * (len(cases) - n - 1)
        for c in cases[:n]:
            assert all(np.array_equal(a, np.round(a)) for a in c.args if isinstance(a, np.ndarray))
        assert any(a.dtype == np.int64 for a in cases[n].args if isinstance(a, np.ndarray))
        floats = cases[n + 1 :]
        shapes = [tuple(a.shape for a in c.args if isinstance(a, np.ndarray)) for c in floats]
        assert all(shapes.count(s) == 2 for s in shapes) and len(set(shapes)) >= 2
        assert all(a != b for a, b in itertools.pairwise(shapes))  # another shape in between
        for c in floats:
            assert all(not np.array_equal(a, np.round(a)) for a in c.args if isinstance(a, np.ndarray))
    ranks = {c.args[1].ndim for c in _battery.pool_cases("max")}
    assert ranks == {2, 3, 4, 5}
    assert {c.args[1].ndim for c in _battery.pool_cases("max", batched=False)} == {2}
    lp_p = [c.args[2] for c in _battery.pool_cases("lp") if "floats" in c.flags]
    assert all(p != int(p) for p in lp_p)


@pytest.mark.parametrize(("strides", "paddings", "geometry"), [((1, 2, 3), (0, 1, 2), 11), ((1,), (0,), 2)])
def test_conv_matrix_battery_ends_with_a_kernel_of_sympy_symbols(strides, paddings, geometry):
    """Notebooks 02 and 08 ask for a conv_matrix that works on SymPy symbols: the last case (and only
    it) passes w as distinct symbols, on the geometry of the last integer case with 2×2 outputs or more
    (with every setting: case 11, 4×5 input, 2×2 kernel, stride 3, padding 2; stride 1 and padding 0
    only: case 2, the non-square 4×5 input and 2×3 kernel)."""
    from cnnmath.check import _battery

    cases = _battery.conv_matrix_cases(strides, paddings)
    assert ["symbolic" in c.flags for c in cases] == [False] * (len(cases) - 1) + [True]
    last, base = cases[-1], cases[geometry - 1]
    (H, W), w = last.args
    assert w.dtype == object and all(isinstance(v, sp.Symbol) for v in w.ravel())
    assert len(set(w.ravel())) == w.size
    assert (H, W) == base.args[0] and w.shape == base.args[1].shape and last.kwargs == base.kwargs
    s, p = base.shown["stride"], base.shown["padding"]
    assert min((n + 2 * p - k) // s + 1 for n, k in zip((H, W), w.shape, strict=True)) >= 2
