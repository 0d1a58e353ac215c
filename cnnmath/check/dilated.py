"""The checker of notebook 21's exercise: the backward pass of a dilated convolution.

It runs on the checkers' runner (:mod:`cnnmath.check._run`, see :mod:`cnnmath.check`) with a battery
of its own: small cases ordered from the simplest, each there to catch one mistake, graded at the
tolerance of :mod:`cnnmath.check.chapters` (``Case.tol``). Expected values come from
:func:`cnnmath.conv2d_backward` (tested against the loops, a kernel with zeros inserted, finite
differences, SymPy and PyTorch).
"""

from __future__ import annotations

import numpy as np

from ..ops.conv import conv2d, conv2d_backward
from ..ops.conv_args import conv_output_size
from ._battery import Case
from ._hints import _scale
from ._run import Spec, matches, run
from .chapters import ATOL, RTOL

__all__ = ["check_conv2d_dilated_backward"]

# (N, C, F, H, W, KH, KW, stride, padding, dilation, about), simplest first.
_DILATED = [
    (1, 1, 1, 5, 5, 3, 3, 1, 0, 1, "dilation 1: the ordinary convolution"),
    (1, 1, 1, 5, 5, 2, 2, 1, 0, 2, "dilation 2, one channel: the taps sit 2 pixels apart"),
    (1, 1, 1, 7, 7, 3, 3, 1, 0, 3, "dilation 3: a 3×3 kernel spanning 7×7 pixels"),
    (1, 1, 1, 6, 7, 2, 3, 1, 0, 2, "a non-square input and kernel (6×7, 2×3): rows are not columns"),
    (1, 2, 2, 5, 5, 3, 3, 1, 2, 2, "padding 2 with dilation 2 (the output keeps the input's size)"),
    (1, 1, 1, 9, 9, 2, 2, 3, 0, 2, "stride 3 and dilation 2: stride spreads δ, dilation spreads w"),
    (2, 2, 3, 7, 6, 2, 2, 2, 0, 2, "a batch of 2, 2 channels, 3 filters; dw and db SUM over the batch"),
    (2, 1, 2, 8, 7, 2, 2, 3, 1, 3, "stride 3, padding 1, dilation 3: rows no window reaches get 0"),
]


def _cases() -> list[Case]:
    rng = np.random.default_rng(21)
    cases = []
    for N, C, F, H, W, KH, KW, s, p, d, about in _DILATED:
        x, w = rng.integers(-3, 4, size=(N, C, H, W)).astype(float), rng.normal(size=(F, C, KH, KW))
        Ho = conv_output_size(H, KH, stride=s, padding=p, dilation=d)
        Wo = conv_output_size(W, KW, stride=s, padding=p, dilation=d)
        dz = rng.normal(size=(N, F, Ho, Wo))
        kwargs = {"stride": s, "padding": p, "dilation": d}
        cases.append(Case((dz, x, w), ("dz", "x", "w"), kwargs, about, shown=kwargs, tol=(RTOL, ATOL)))
    return cases


def _undilated(name, case):
    """What comes back when the taps are read at offsets r instead of r·D (the dilation forgotten)."""
    dz, x, w = case.args
    s, p = case.kwargs["stride"], case.kwargs["padding"]
    (N, C, H, W), (_, _, KH, KW), (Ho, Wo) = x.shape, w.shape, dz.shape[2:]
    if name == "dw":  # Σ δ[i, j] xpad[i·S + r, j·S + t]: δ as the kernel, dilation S, stride 1
        xs, ds = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))).swapaxes(0, 1), dz.swapaxes(0, 1)
        return conv2d(xs, ds, dilation=s)[:, :, :KH, :KW].swapaxes(0, 1)
    if name == "dx":  # dxpad[i·S + r, j·S + t] += δ[i, j] w[r, t], then crop
        small = np.zeros((N, C, (Ho - 1) * s + KH, (Wo - 1) * s + KW))
        dsmall = conv2d_backward(dz, small, w, stride=s)[0]
        full = np.zeros((N, C, H + 2 * p, W + 2 * p))
        full[:, :, : dsmall.shape[2], : dsmall.shape[3]] = dsmall
        return full[:, :, p : p + H, p : p + W]
    return None


def _diagnose(case: Case, name: str, got: np.ndarray, exp: np.ndarray) -> str | None:
    d = case.kwargs["dilation"]
    wrong = _undilated(name, case) if d > 1 else None
    if wrong is not None and matches(case, got, wrong):
        return (
            f"the dilation is missing in {name}: tap (r, t) reads the pixel (i·S + r·D, j·S + t·D), "
            f"D = {d} pixels apart, not the neighbouring (i·S + r, j·S + t)."
        )
    c = _scale(got, exp)
    if c is not None and len(case.args[1]) > 1 and abs(c - 1 / len(case.args[1])) < 1e-9:
        return f"{name} is the MEAN over the batch; the gradients of shared weights SUM over n."
    return None


def check_conv2d_dilated_backward(fn) -> None:
    """Grade ``fn(dz, x, w, *, stride=1, padding=0, dilation=1) -> (dx, dw, db)`` (NCHW) against
    :func:`cnnmath.conv2d_backward` with ``dilation=``."""
    spec = Spec(
        "conv2d_dilated_backward",
        conv2d_backward,
        ("dx", "dw", "db"),
        ("dx", "dw", "db"),
        "stride 1-3, padding 0-2, dilation 1-3; graded: dx, dw, db",
        diagnose=_diagnose,
    )
    run(spec, fn, _cases())
