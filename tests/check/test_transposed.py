"""cnnmath.check.transposed: the conv_transpose2d checker accepts correct implementations (cnnmath's,
the gather loops, the zero-insertion route, PyTorch) and rejects the bugs learners ship, naming them."""

from __future__ import annotations

import numpy as np
import pytest

import cnnmath as cm
from cnnmath import check
from cnnmath import seedforms as sf
from cnnmath.reference import conv_transpose as ref_t


def stub(x, w, *, stride=1, padding=0, output_padding=0):
    raise NotImplementedError("your code here")


def zero_insertion(x, w, *, stride=1, padding=0, output_padding=0):
    """Dilate x by the stride, pad by K − 1 − P (+ output_padding at the bottom and right),
    cross-correlate with rot180(w) with F and C swapped (then crop where K − 1 − P < 0)."""
    KH, KW = w.shape[2:]
    d = sf.dilate(x, stride)
    ph, pw = KH - 1 - padding, KW - 1 - padding
    big = sf.pad(d, (max(ph, 0), max(ph, 0) + output_padding, max(pw, 0), max(pw, 0) + output_padding))
    big = big[..., max(-ph, 0) : big.shape[-2] - max(-ph, 0), max(-pw, 0) : big.shape[-1] - max(-pw, 0)]
    return cm.conv2d(big, sf.rot180(w).swapaxes(0, 1))


def scatter_loops(x, w, *, stride=1, padding=0, output_padding=0):
    N, F, H, W = x.shape
    _, C, KH, KW = w.shape
    Hp, Wp = (H - 1) * stride + KH + output_padding, (W - 1) * stride + KW + output_padding
    y = np.zeros((N, C, Hp, Wp))
    for n, f, i, j in np.ndindex(N, F, H, W):
        y[n, :, i * stride : i * stride + KH, j * stride : j * stride + KW] += x[n, f, i, j] * w[f]
    return y[:, :, padding : Hp - padding, padding : Wp - padding]


@pytest.mark.parametrize("fn", [cm.conv_transpose2d, ref_t.conv_transpose2d, zero_insertion, scatter_loops])
def test_correct_implementations_pass(fn, capsys):
    check.check_conv_transpose2d(fn)
    assert capsys.readouterr().out.startswith("✓ conv_transpose2d: all 26 cases pass (stride 1, 2, 3;")


def test_torch_passes(torch, capsys):
    def with_torch(x, w, **kw):
        out = torch.nn.functional.conv_transpose2d(
            torch.tensor(x, dtype=torch.float64), torch.tensor(w), **kw
        )
        return out.numpy()

    check.check_conv_transpose2d(with_torch)
    assert capsys.readouterr().out.startswith("✓ conv_transpose2d: all 26 cases pass")


def test_a_stub_prints_the_fixed_line(capsys):
    check.check_conv_transpose2d(stub)
    out = capsys.readouterr().out
    assert "exercise not done yet (it raises NotImplementedError)" in out and out.count("\n") == 1
    assert "reference solution cnnmath.conv_transpose2d" in out


def rotated(x, w, **kw):
    return cm.conv_transpose2d(x, w[..., ::-1, ::-1], **kw)


def no_output_padding(x, w, *, output_padding=0, **kw):
    return cm.conv_transpose2d(x, w, **kw)


def padding_grows(x, w, *, padding=0, **kw):  # pads like conv2d instead of cropping
    return sf.pad(cm.conv_transpose2d(x, w, **kw), padding)


def stride_ignored(x, w, *, stride=1, output_padding=0, **kw):
    return cm.conv_transpose2d(x, w, **kw)


def first_filter_only(x, w, **kw):
    return cm.conv_transpose2d(x[:, :1], w[:1], **kw)


def in_place(x, w, **kw):
    y = cm.conv_transpose2d(x, w, **kw)
    x *= 0
    return y


def integer_result(x, w, **kw):
    return cm.conv_transpose2d(x, w, **kw).astype(np.int64)


_KEPT = {}


def cached_by_shape(x, w, **kw):
    key = (x.shape, w.shape, tuple(sorted(kw.items())))
    if key not in _KEPT:
        _KEPT[key] = cm.conv_transpose2d(x, w, **kw)
    return _KEPT[key].copy()


@pytest.mark.parametrize(
    ("mutant", "message"),
    [
        (rotated, r"case 1 of 26.*kernel rotated by 180°.*Reread notebook 20-transposed-convolution"),
        (
            no_output_padding,
            r"y has the wrong shape in case 13 of 26 \(output_padding 1 with stride 2.*\(1, 1, 8, 8\)",
        ),
        (
            padding_grows,
            r"wrong shape in case 8 of 26 \(padding 1 crops the output.*Padding crops the output",
        ),
        (stride_ignored, r"wrong shape in case 10 of 26 \(stride 2: zeros inserted.*blocks are S apart"),
        (first_filter_only, r"y is wrong in case 5 of 26 \(F=3 input channels.*w stays in conv2d's layout"),
        (in_place, r"x was modified in case 1 of 26"),
        (integer_result, r"y has dtype int64 in case 1 of 26"),
        (cached_by_shape, r"the right answer for case \d+, which had the same shapes.*remembered"),
    ],
)
def test_mutants_fail_naming_the_bug(mutant, message):
    _KEPT.clear()
    with pytest.raises(check.ExerciseFailed, match="(?s)" + message) as info:
        check.check_conv_transpose2d(mutant)
    assert "Traceback" not in str(info.value)


def test_not_a_function():
    with pytest.raises(TypeError, match="pass your function itself"):
        check.check_conv_transpose2d(cm.conv_transpose2d(np.ones((2, 2)), np.ones((2, 2))))
