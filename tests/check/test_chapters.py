"""cnnmath.check.chapters: the checkers of notebooks 17–19 accept correct implementations (cnnmath's,
and independent ones: loops, PyTorch) and reject the bugs learners ship, naming the case and the bug."""

from __future__ import annotations

import numpy as np
import pytest

import cnnmath as cm
from cnnmath import check
from cnnmath.seedforms import twoconv

STUB_LINE = "exercise not done yet (it raises NotImplementedError)"


def stub(*args, **kwargs):
    raise NotImplementedError("your code here")


CHECKERS = {  # the checker -> the reference solution its stub line names
    check.check_softmax_cross_entropy: "cnnmath.softmax_cross_entropy",
    check.check_numerical_gradient: "cnnmath.numerical_gradient",
    check.check_twoconv_backward: "cnnmath.seedforms.twoconv.backward",
}


@pytest.mark.parametrize("checker", CHECKERS, ids=lambda c: c.__name__)
def test_a_stub_prints_the_fixed_line(checker, capsys):
    checker(stub)
    out = capsys.readouterr().out
    assert STUB_LINE in out and "all pass" in out and out.count("\n") == 1
    assert f"so its cases ran on the reference solution {CHECKERS[checker]} instead" in out


def test_not_a_function():
    with pytest.raises(TypeError, match="pass your function itself"):
        check.check_numerical_gradient(cm.numerical_gradient(np.sum, np.ones(2)))


# ---------------------------------------------------------------- softmax cross-entropy


def ce_loops(logits, labels):
    N, K = logits.shape
    loss, d = 0.0, np.zeros((N, K))
    for n in range(N):
        m = max(logits[n])
        s = sum(np.exp(v - m) for v in logits[n])
        loss += (m + np.log(s) - logits[n, labels[n]]) / N
        for k in range(K):
            d[n, k] = (np.exp(logits[n, k] - m) / s - (k == labels[n])) / N
    return loss, d


def ce_sum(z, y):
    loss, d = cm.softmax_cross_entropy(z, y)
    return loss * len(z), d * len(z)


def ce_no_shift(z, y):
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    d = p.copy()
    d[np.arange(len(z)), y] -= 1
    return float(np.mean(-np.log(p[np.arange(len(z)), y]))), d / len(z)


def ce_no_minus_y(z, y):
    loss, d = cm.softmax_cross_entropy(z, y)
    return loss, d + np.eye(z.shape[1])[y] / len(z)


def ce_flipped(z, y):
    loss, d = cm.softmax_cross_entropy(z, y)
    return loss, -d


def test_softmax_cross_entropy_accepts_loops_and_torch(capsys, require):
    check.check_softmax_cross_entropy(ce_loops)
    assert capsys.readouterr().out.startswith("✓ softmax_cross_entropy: all 5 cases pass")
    torch = require("torch")

    def with_torch(z, y):
        zt = torch.tensor(z, requires_grad=True)
        loss = torch.nn.functional.cross_entropy(zt, torch.tensor(y))
        loss.backward()
        return loss.item(), zt.grad.numpy()

    check.check_softmax_cross_entropy(with_torch)


def ce_loss_as_list(z, y):
    loss, d = cm.softmax_cross_entropy(z, y)
    return [loss], d


def ce_labels_modified(z, y):
    out = cm.softmax_cross_entropy(z, y)
    y[:] = 0
    return out


@pytest.mark.parametrize(
    ("fn", "case", "words"),
    [
        (ce_sum, 2, "a SUM over the batch"),
        (ce_no_shift, 4, "exp overflowed"),
        (ce_no_minus_y, 1, "you left out the − y"),
        (ce_flipped, 1, "the sign is flipped"),
    ],
)
def test_softmax_cross_entropy_rejects(fn, case, words):
    with pytest.raises(check.ExerciseFailed, match=f"case {case} of 5") as failure:
        check.check_softmax_cross_entropy(fn)
    assert words in str(failure.value) and "17-softmax-cross-entropy.ipynb" in str(failure.value)


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (ce_loss_as_list, r"loss is not a number in case 1 of 5 .*loss is a list, expected a number"),
        (ce_labels_modified, r"labels was modified in case 2 of 5 .*labels\[0\] was 3, is now 0"),
    ],
)
def test_softmax_cross_entropy_rejects_the_wrong_form_without_a_hint(fn, message):
    with pytest.raises(check.ExerciseFailed, match="(?s)" + message) as failure:
        check.check_softmax_cross_entropy(fn)
    assert "Hint" not in str(failure.value)


# ---------------------------------------------------------------- central differences


def nd_loops(f, x, *, eps=1e-6):
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        fp = f(x)
        x[i] = old - eps
        fm = f(x)
        x[i] = old
        g[i] = (fp - fm) / (2 * eps)
    return g


def nd_forward(f, x, *, eps=1e-6):
    x = np.array(x, dtype=float)
    g, f0 = np.zeros_like(x), f(x)
    for i in np.ndindex(x.shape):
        y = x.copy()
        y[i] += eps
        g[i] = (f(y) - f0) / eps
    return g


def nd_over_eps(f, x, *, eps=1e-6):
    return 2 * cm.numerical_gradient(f, x, eps=eps)


def nd_fixed_eps(f, x, *, eps=1e-6):
    return cm.numerical_gradient(f, x, eps=1e-5)


def nd_int_copy(f, x, *, eps=1e-6):
    x = np.array(x)  # keeps an integer dtype: x ± eps is truncated
    return nd_loops(f, x.astype(float), eps=eps) if x.dtype.kind == "f" else np.zeros(x.shape)


def test_numerical_gradient_accepts_loops(capsys):
    check.check_numerical_gradient(nd_loops)
    assert capsys.readouterr().out.startswith("✓ numerical_gradient: all 6 cases pass")


@pytest.mark.parametrize(
    ("fn", "case", "words"),
    [
        (nd_forward, 1, "forward differences"),
        (nd_over_eps, 1, "divided by eps instead of 2·eps"),
        (nd_fixed_eps, 4, "dx is wrong"),
        (nd_int_copy, 6, "dx is wrong"),
    ],
)
def test_numerical_gradient_rejects(fn, case, words):
    with pytest.raises(check.ExerciseFailed, match=f"case {case} of 6") as failure:
        check.check_numerical_gradient(fn)
    assert words in str(failure.value)


# ---------------------------------------------------------------- the two-conv network


def tc_fast(dlogits, x, p, fwd):
    """An independent implementation with cnnmath's fast functions."""
    dflat, dw3, db3 = cm.dense_backward(dlogits, fwd.a2.reshape(len(x), -1), p.w3)
    d2 = dflat.reshape(fwd.z2.shape) * cm.relu_prime(fwd.z2)
    dp1, dw2, db2 = cm.conv2d_backward(d2, fwd.p1, p.w2)
    d1 = cm.max_pool2d_backward(dp1, fwd.a1, twoconv.POOL) * cm.relu_prime(fwd.z1)
    _, dw1, db1 = cm.conv2d_backward(d1, x, p.w1)
    return dw1, db1, dw2, db2, dw3, db3


def tc_mean(dlogits, x, p, fwd):
    return tuple(g / len(x) for g in tc_fast(dlogits, x, p, fwd))


def tc_no_relu1(dlogits, x, p, fwd):
    return tc_fast(dlogits, x, p, fwd._replace(z1=np.abs(fwd.z1) + 1.0))


def tc_relu_in_place(dlogits, x, p, fwd):
    """f′(z1) applied by zeroing fwd.z1 where it is negative: the right gradients, a changed input."""
    grads = tc_fast(dlogits, x, p, fwd)
    np.maximum(fwd.z1, 0, out=fwd.z1)
    return grads


def tc_dw3_is_an_input(dlogits, x, p, fwd):
    grads = tc_fast(dlogits, x, p, fwd)
    p.w3[...] = grads[4]  # "reuse w3's memory": the caller's weights are gone
    return (*grads[:4], p.w3, grads[5])


def test_twoconv_backward_accepts_the_fast_form(capsys):
    check.check_twoconv_backward(tc_fast)
    assert capsys.readouterr().out.startswith("✓ backward: all 4 cases pass")


@pytest.mark.parametrize(
    ("fn", "case", "words"),
    [
        (tc_mean, 2, "MEAN over the batch"),
        (tc_no_relu1, 2, "misses the factor f′(z1)"),
        (tc_relu_in_place, 1, "fwd.z1 was modified"),
        (tc_dw3_is_an_input, 1, "p.w3 was modified"),
    ],
)
def test_twoconv_backward_rejects(fn, case, words):
    with pytest.raises(check.ExerciseFailed, match=f"case {case} of 4") as failure:
        check.check_twoconv_backward(fn)
    assert words in str(failure.value)
