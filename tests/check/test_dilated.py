"""cnnmath.check.dilated: the checker of notebook 21 accepts correct implementations (cnnmath's, the
loops, the seeds' route through sf.dilate, PyTorch) and rejects the bugs learners ship, naming the bug."""

from __future__ import annotations

import numpy as np
import pytest

import cnnmath as cm
from cnnmath import check
from cnnmath import reference as ref
from cnnmath import seedforms as sf

check_fn = check.check_conv2d_dilated_backward


def stub(dz, x, w, *, stride=1, padding=0, dilation=1):
    raise NotImplementedError("your code here")


def by_zero_insertion(dz, x, w, *, stride=1, padding=0, dilation=1):
    """The notebook's solution: the undilated backward pass with sf.dilate(w, D), dw read at the taps."""
    d = dilation
    dx, dwd, db = cm.conv2d_backward(dz, x, sf.dilate(w, d), stride=stride, padding=padding)
    return dx, dwd[:, :, ::d, ::d].copy(), db


def by_seed_routes(dz, x, w, *, stride=1, padding=0, dilation=1):
    wd = sf.dilate(w, dilation)
    dx = sf.delta_full_conv(dz, wd, x.shape, stride=stride, padding=padding)
    dw = sf.weight_grad_correlate(x, dz, wd.shape[2:], stride=stride, padding=padding)[
        :, :, ::dilation, ::dilation
    ]
    return dx, dw.copy(), dz.sum(axis=(0, 2, 3))


def test_a_stub_prints_the_fixed_line(capsys):
    check_fn(stub)
    out = capsys.readouterr().out
    assert "exercise not done yet (it raises NotImplementedError)" in out and "all pass" in out
    assert "its cases ran on the reference solution cnnmath.conv2d_backward instead" in out
    assert out.count("\n") == 1


@pytest.mark.parametrize("fn", [cm.conv2d_backward, ref.conv2d_backward, by_zero_insertion, by_seed_routes])
def test_correct_implementations_pass(fn, capsys):
    check_fn(fn)
    assert capsys.readouterr().out.startswith("✓ conv2d_dilated_backward: all 8 cases pass")


def test_pytorch_passes(capsys, require):
    torch = require("torch")

    def with_torch(dz, x, w, *, stride=1, padding=0, dilation=1):
        xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
        bt = torch.zeros(w.shape[0], dtype=torch.float64, requires_grad=True)
        z = torch.nn.functional.conv2d(xt, wt, bt, stride=stride, padding=padding, dilation=dilation)
        z.backward(torch.tensor(dz))
        return xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()

    check_fn(with_torch)
    assert capsys.readouterr().out.startswith("✓ conv2d_dilated_backward: all 8 cases pass")


def taps_at_r_in_dw(dz, x, w, *, stride=1, padding=0, dilation=1):
    dx, _, db = cm.conv2d_backward(dz, x, w, stride=stride, padding=padding, dilation=dilation)
    KH, KW = w.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dw = np.zeros(w.shape)
    for r in range(KH):
        for t in range(KW):
            for i in range(dz.shape[2]):
                for j in range(dz.shape[3]):
                    dw[:, :, r, t] += dz[:, :, i, j].T @ xp[:, :, i * stride + r, j * stride + t]
    return dx, dw, db


def taps_at_r_in_dx(dz, x, w, *, stride=1, padding=0, dilation=1):
    _, dw, db = cm.conv2d_backward(dz, x, w, stride=stride, padding=padding, dilation=dilation)
    KH, KW = w.shape[2:]
    N, C, H, W = x.shape
    dxp = np.zeros((N, C, H + 2 * padding, W + 2 * padding))
    for i in range(dz.shape[2]):
        for j in range(dz.shape[3]):
            dxp[:, :, i * stride : i * stride + KH, j * stride : j * stride + KW] += np.einsum(
                "nf,fcrt->ncrt", dz[:, :, i, j], w
            )
    return dxp[:, :, padding : padding + H, padding : padding + W], dw, db


def dw_mean(dz, x, w, **kw):
    dx, dw, db = cm.conv2d_backward(dz, x, w, **kw)
    return dx, dw / len(x), db


def rot_forgotten(dz, x, w, *, stride=1, padding=0, dilation=1):
    """dx by the full convolution with dilate(w, D) NOT turned by 180° (flipping it twice)."""
    _, dw, db = cm.conv2d_backward(dz, x, w, stride=stride, padding=padding, dilation=dilation)
    wrong = sf.delta_full_conv(dz, sf.rot180(sf.dilate(w, dilation)), x.shape, stride=stride, padding=padding)
    return wrong, dw, db


def stride_for_dilation(dz, x, w, *, stride=1, padding=0, dilation=1):
    return cm.conv2d_backward(dz, x, w, stride=dilation, padding=padding, dilation=stride)


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (taps_at_r_in_dw, r"(?s)dw is wrong in case 2 of 8 .*the dilation is missing in dw"),
        (taps_at_r_in_dx, r"(?s)dx is wrong in case 2 of 8 .*the dilation is missing in dx"),
        (dw_mean, r"(?s)dw is wrong in case 7 of 8 .*dw is the MEAN over the batch"),
        (rot_forgotten, r"dx is wrong in case 1 of 8 "),
        (stride_for_dilation, r"raised ValueError in case 2 of 8 "),
    ],
    ids=["dw-undilated", "dx-undilated", "dw-mean", "no-rot180", "stride-dilation-swapped"],
)
def test_mutants_are_caught(fn, message):
    with pytest.raises(check.ExerciseFailed, match=message) as err:
        check_fn(fn)
    assert "21-dilated-convolution.ipynb" in str(err.value)


def test_not_a_function():
    with pytest.raises(TypeError, match="pass your function itself"):
        check_fn(None)
