"""cnnmath.check, a mutation suite: every wrong implementation below is a bug learners ship, and the
checker must reject it with a message that names the case exposing it; correct implementations (the
fast form, the loops of cnnmath.reference, genuinely different algorithms, PyTorch) must pass.

Most wrong versions are one student-style loop implementation with one line changed (``bug=``), so
each differs from a correct implementation (``bug=None``, which must pass) by exactly that bug. The
tests that need these implementations are here; the runner's own behaviour (the stub, raises, modified
inputs, aliasing, precision) is in test_run.py, the batteries' contents in test_battery.py, the number
printing in test_report.py.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

import cnnmath as cm
from cnnmath import check
from cnnmath import reference as ref
from cnnmath import seedforms as sf

# ---------------------------------------------------------------- student-style loop implementations

_KEPT: dict = {}  # what the "global buffer" and "cache by shape" bugs keep between calls, as students do


def _zeros(shape, bug, like=None):
    """The result array: np.zeros(shape), or one of the wrong ways of making it."""
    if bug == "global buffer":  # "allocate once, reuse": the next call overwrites what was returned
        buf = _KEPT.setdefault(("buffer", shape), np.zeros(shape))
        buf[...] = 0.0
        return buf
    if bug == "zeros_like x":  # copies x's dtype: an integer array when x is
        return np.zeros_like(like, shape=shape)
    if bug == "int then float":  # an integer array, cast to float at the very end
        return np.zeros(shape, dtype=int)
    return np.zeros(shape)


def _pair(v, default=None):
    v = default if v is None else v
    return (v, v) if isinstance(v, int) else tuple(v)


def conv_forward_loops(x, w, b=None, *, stride=1, padding=0, bug=None):
    N, _, H, W = x.shape
    F, _, KH, KW = w.shape
    S, p = stride, padding
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    Ho, Wo = (H + 2 * p - KH) // S + 1, (W + 2 * p - KW) // S + 1
    if bug == "true division":  # forgot the floor
        Ho, Wo = (H + 2 * p - KH) / S + 1, (W + 2 * p - KW) / S + 1
    if bug == "ceil":
        Ho, Wo = -(-(H + 2 * p - KH) // S) + 1, -(-(W + 2 * p - KW) // S) + 1
    if bug == "int padded copy":  # own padding, into an integer array
        xp = np.zeros((N, x.shape[1], H + 2 * p, W + 2 * p), dtype=int)
        xp[:, :, p : p + H, p : p + W] = x
    if bug == "windows cached by shape":  # "im2col once per geometry"
        xp = _KEPT.setdefault(("windows", x.shape, w.shape, S, p), xp)
    z = _zeros((N, F, Ho, Wo), bug, like=x)
    kernel = w[:, :, ::-1, ::-1] if bug == "flipped kernel" else w
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    window = xp[n, :, i * S : i * S + KH, j * S : j * S + KW]
                    if bug == "stride ignored":
                        window = xp[n, :, i : i + KH, j : j + KW]
                    if bug == "no channel sum":  # only channel 0
                        z[n, f, i, j] = np.sum(window[0] * kernel[f, 0])
                    else:
                        z[n, f, i, j] = np.sum(window * kernel[f])
                    if b is not None and bug != "no bias":
                        z[n, f, i, j] += b[f]
    return z


def conv_backward_loops(dz, x, w, *, stride=1, padding=0, bug=None):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    S, p = stride, padding
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    if bug == "kernel cached by shape":  # "rotate the kernel once per layer", keyed by its shape
        w = _KEPT.setdefault(("kernel", w.shape), w.copy())
    dxp, dw, db = np.zeros(xp.shape), np.zeros(w.shape), np.zeros(F)
    if bug in ("zeros_like x", "int then float"):
        dxp = _zeros(xp.shape, bug, like=x)
    if bug == "global buffer":
        dw = _zeros(w.shape, bug)
    if bug == "db int then float":
        db = np.zeros(F, dtype=int)
    _, _, Ho, Wo = dz.shape
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    g = dz[n, f, i, j]
                    db[f] += g
                    for c in range(C):
                        for r in range(KH):
                            for t in range(KW):
                                a, e = (i + r, j + t) if bug == "stride left out" else (i * S + r, j * S + t)
                                wv = (
                                    w[f, c, KH - 1 - r, KW - 1 - t]
                                    if bug == "kernel not rotated"
                                    else w[f, c, r, t]
                                )
                                if bug == "channel 0 weights":
                                    wv = w[f, 0, r, t]
                                if bug == "dx assigned":
                                    dxp[n, c, a, e] = g * wv
                                elif bug != "last filter only" or f == F - 1:
                                    dxp[n, c, a, e] += g * wv
                                if bug == "dw overwritten":
                                    dw[f, c, r, t] = g * xp[n, c, a, e]
                                else:
                                    dw[f, c, r, t] += g * xp[n, c, a, e]
    if bug == "db mean":
        db /= N * Ho * Wo
    if bug == "dw batch mean":
        dw /= N
    dx = dxp[:, :, p : p + H, p : p + W]
    if bug == "crop [p:-p]":
        dx = dxp[:, :, p:-p, p:-p]
    if bug == "crop top-left":
        dx = dxp[:, :, :H, :W]
    if bug == "dz modified":
        dz *= 0.5  # e.g. "scaling the gradient" in place
    if bug in ("int then float", "db int then float"):
        dx, db = dx.astype(float), db.astype(float)
    return dx, dw, db


def pool_backward_loops(dy, x, kernel_size, *, stride=None, kind="max", p=2.0, bug=None):
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(stride, (kh, kw))
    if bug == "2x2 stride 2":
        kh = kw = sh = sw = 2
    if bug == "stride None is 1" and stride is None:
        sh = sw = 1
    if bug == "2-D only":
        _H, _W = x.shape  # raises on (N, C, H, W)
    if bug == "4-D or 2-D":
        _n, _c, _h, _w = x.shape if x.ndim == 4 else (1, 1, *x.shape)  # raises on (C, H, W)
    key = ("result", kind, x.shape, kernel_size, stride)
    if bug == "cached by shape" and key in _KEPT:  # "the gradient only depends on the geometry"
        return _KEPT[key]
    if bug == "p truncated":
        p = int(p)
    if bug == "p rounded":
        p = round(p)
    if bug == "p fixed at 2":
        p = 2
    dx = _zeros(x.shape, bug, like=x)
    Ho, Wo = dy.shape[-2:]
    for lead in np.ndindex(x.shape[:-2]):
        for i in range(Ho):
            for j in range(Wo):
                rows, cols = slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)
                win, g = x[(*lead, rows, cols)], dy[(*lead, i, j)]
                if kind == "max":
                    hits = np.argwhere(win == win.max())
                    if bug != "all maxima":
                        hits = hits[-1:] if bug == "last maximum" else hits[:1]
                    part = np.zeros(win.shape)
                    for r, t in hits:
                        part[r, t] = g
                        if bug == "int then float":  # one pixel at a time, into the integer dx
                            dx[(*lead, i * sh + r, j * sw + t)] += g
                    if bug == "int then float":
                        continue
                elif kind == "avg":
                    n = {"divide by kh*kh": kh * kh, "divide by windows": Ho * Wo}.get(bug, kh * kw)
                    part = np.full(win.shape, g / n)
                else:
                    s = np.sum(np.abs(win) ** p)
                    sign = 1.0 if bug == "no sign (seed 004 as written)" else np.sign(win)
                    expo = 1 / p if bug == "exponent 1/p" else 1 / p - 1
                    if s == 0 and bug != "no zero guard":
                        continue
                    with np.errstate(all="ignore"):
                        part = g * s**expo * np.abs(win) ** (p - 1) * sign
                if bug == "overlap assigned":
                    dx[(*lead, rows, cols)] = np.where(part != 0, part, dx[(*lead, rows, cols)])
                else:
                    dx[(*lead, rows, cols)] += part
    if bug == "cached by shape":
        _KEPT[key] = dx
    return dx.astype(float) if bug == "int then float" else dx


def lp_backward_loops(dy, x, p, kernel_size, *, stride=None, bug=None):
    return pool_backward_loops(dy, x, kernel_size, stride=stride, kind="lp", p=p, bug=bug)


def dense_backward_student(dz, x, w, *, bug=None):
    dx, dw, db = dz @ w, dz.T @ x, dz.sum(axis=0)
    if bug == "db view for one sample":
        db = dz[0] if len(dz) == 1 else db  # one sample: nothing to sum
    if bug == "db from dw for one neuron":  # D_out = 1: "db is the one column of dw" (a view, and wrong)
        db = dw[:, 0] if dw.shape[0] == 1 else db
    if bug == "zeros_like x":
        dx = np.zeros_like(x)
        dx[...] = dz @ w
    if bug == "global buffer":
        buf = _zeros(w.shape, bug)
        buf += dz.T @ x
        dw = buf
    if bug == "dw transposed":
        dw = x.T @ dz
    if bug == "dw of the last sample only":
        dw = np.outer(dz[-1], x[-1])
    if bug == "db mean":
        db = dz.mean(axis=0)
    if bug == "dx with w.T":
        dx = dz @ w.T
    if bug == "db as a list":
        db = list(db)
    return dx, dw, db


def conv_matrix_loops(input_shape, w, *, stride=1, padding=0, bug=None):
    H, W = input_shape
    KH, KW = w.shape
    S, p = stride, padding
    Ho, Wo = (H + 2 * p - KH) // S + 1, (W + 2 * p - KW) // S + 1
    key = ("M", input_shape, w.shape, S, p)
    if bug == "cached by shape" and key in _KEPT:  # "the same matrix for the same geometry"
        return _KEPT[key]
    # numbers in float, SymPy symbols in an object array, as notebooks 02 and 08 ask
    right = object if w.dtype == object else float
    M = np.zeros(
        (Ho * Wo, H * W), dtype={"M like w": w.dtype, "int M": int, "float M": float}.get(bug, right)
    )
    for i in range(Ho):
        for j in range(Wo):
            for r in range(KH):
                for t in range(KW):
                    a, e = (
                        (i + r - p, j + t - p) if bug == "stride ignored" else (i * S + r - p, j * S + t - p)
                    )
                    if bug == "padding not subtracted":
                        a, e = i * S + r, j * S + t
                    if 0 <= a < H and 0 <= e < W:
                        M[i * Wo + j, a * W + e] = w[r, t]
    if bug == "cached by shape":
        _KEPT[key] = M
    return M.astype(float) if bug == "int M" else M


max_backward_loops = functools.partial(pool_backward_loops, kind="max")
avg_backward_loops = functools.partial(pool_backward_loops, kind="avg")


# ---------------------------------------------------------------- the mutants and what must be said

# checker -> (implementation, [(bug, fragments the message must contain: the failing case, the hint)])
_MUTANTS = {
    "conv2d_backward": (
        conv_backward_loops,
        [
            ("stride left out", ["dx is wrong", "(stride 2)", "05-stride-depth-filters"]),
            ("crop [p:-p]", ["shape (1, 1, 0, 0)", "padding=0", "a[p:-p]"]),
            ("kernel not rotated", ["dx is wrong", "WITHOUT the 180°", "04-conv-layer-delta"]),
            ("dw overwritten", ["dw is wrong", "LAST output position", "06-weight-and-bias"]),
            ("dx assigned", ["dx is wrong in case 1 ", "(+=)", "04-conv-layer-delta"]),
            ("db mean", ["db is wrong", "0.25 ×", "SUM of dz"]),
            ("dw batch mean", ["dw is wrong", "(a batch of N=2", "0.5 ×"]),
            ("last filter only", ["dx is wrong", "F=3 filters", "Sum over the filters"]),
            ("channel 0 weights", ["dx is wrong", "C=3 input channels", "w[f, c]"]),
            ("crop top-left", ["dx is wrong", "(padding 1)", "dxpad[..., p:p + H"]),
            ("dz modified", ["dz was modified", "changed its argument dz"]),
            # the classes integer cases alone let through (issue 12)
            ("zeros_like x", ["dx has dtype int64", "integer dtype (int64)", "np.zeros_like(x)"]),
            (
                "int then float",
                ["dx is wrong", "random non-integer values", "whole number", "never dtype=int"],
            ),
            ("db int then float", ["db is wrong", "random non-integer values", "whole number"]),
            ("global buffer", ["the dw of case", "changed when it was called again", "module-level buffer"]),
            ("kernel cached by shape", ["dx is wrong in case 4 ", "with the w of case 1", "keep nothing"]),
        ],
    ),
    "conv2d_forward": (
        conv_forward_loops,
        [
            ("ceil", ["raised ValueError", "stride 2 that does not divide", "⌊(H + 2p"]),
            ("true division", ["raised TypeError", "case 1 ", "// is integer division"]),
            ("flipped kernel", ["z is wrong in case 1 ", "flipped the kernel", "03-convolution-forward"]),
            ("no bias", ["z is wrong in case 1 ", "except for the bias"]),
            ("no channel sum", ["z is wrong", "C=3 input channels", "Sum over the input channels"]),
            ("stride ignored", ["z is wrong", "(stride 2)", "starts at xpad[i·S"]),
            ("zeros_like x", ["z has dtype int64", "integer dtype (int64)", "np.zeros_like(x)"]),
            ("int padded copy", ["z is wrong", "random non-integer values", "x truncated to integers"]),
            ("global buffer", ["the z of case", "changed when it was called again", "module-level buffer"]),
            (
                "windows cached by shape",
                ["z is wrong", "with the x of case 25", "keep nothing between calls"],
            ),
        ],
    ),
    "max_pool2d_backward": (
        max_backward_loops,
        [
            ("2x2 stride 2", ["3×3 windows, stride 3", "hard-code 2×2", "07-pooling"]),
            ("all maxima", ["ties: windows of zeros", "EVERY tied maximum", "FIRST maximum"]),
            ("last maximum", ["ties: windows of zeros", "the LAST maximum"]),
            ("overlap assigned", ["overlapping windows: 2×2 at stride 1", "(+=, not =)"]),
            ("stride None is 1", ["case 1 ", "stride=None"]),
            ("2-D only", ["raised ValueError", "(N, C, H, W) = (2, 3, 4, 6)"]),
            ("zeros_like x", ["raised UFuncTypeError", "integer dtype", "at line", "np.zeros(x.shape)"]),
            (
                "4-D or 2-D",
                ["raised ValueError", "(C, H, W) = (3, 4, 6)", "at line", "any number of leading"],
            ),
            ("int then float", ["dx is wrong", "random non-integer values", "whole number"]),
            ("global buffer", ["the dx of case", "changed when it was called again"]),
        ],
    ),
    "avg_pool2d_backward": (
        avg_backward_loops,
        [
            ("divide by kh*kh", ["2×3 windows", "1.5 ×"]),
            ("divide by windows", ["non-square input (4×6)", "0.666667 ×", "wrong divisor"]),
            ("overlap assigned", ["overlapping windows: 2×2 at stride 1", "(+=, not =)"]),
            ("2x2 stride 2", ["3×3 windows, stride 3", "hard-code 2×2"]),
            ("zeros_like x", ["raised UFuncTypeError", "Cannot cast ufunc", "np.zeros(x.shape)"]),
            ("4-D or 2-D", ["raised ValueError", "(C, H, W) = (3, 4, 6)", "any number of leading axes"]),
            ("cached by shape", ["dx is wrong", "the right answer for case", "keep nothing between calls"]),
        ],
    ),
    "lp_pool2d_backward": (
        lp_backward_loops,
        [
            ("no sign (seed 004 as written)", ["negative entries", "sign(x)"]),
            ("exponent 1/p", ["case 1 ", "exponent 1/p − 1"]),
            ("no zero guard", ["a window of zeros", "got nan", "0·∞"]),
            ("overlap assigned", ["overlapping", "(+=, not =)"]),
            ("p truncated", ["what p = 1 gives, not p = 1.5", "p is any real number"]),
            ("p rounded", ["what p = 2 gives, not p = 1.5", "no int(p), round(p)"]),
            ("p fixed at 2", ["case 2 ", "what p = 2 gives, not p = 1", "p is any real number"]),
            ("zeros_like x", ["raised UFuncTypeError", "np.zeros(x.shape)"]),
            ("global buffer", ["the dx of case", "module-level buffer"]),
        ],
    ),
    "dense_backward": (
        dense_backward_student,
        [
            ("dw transposed", ["shape (3, 2), expected (2, 3)", "dw.T"]),
            ("dw of the last sample only", ["batch of N=4", "SUMMED over", "01-fully-connected"]),
            ("db mean", ["db is wrong", "batch of N=4", "0.25 ×"]),
            ("dx with w.T", ["raised ValueError", "case 1 ", "dx = dz @ w"]),
            ("db as a list", ["db is a list", "numpy array"]),
            ("db view for one sample", ["db shares memory with dz", "a view of the input dz", ".copy()"]),
            ("db from dw for one neuron", ["dw shares memory with db", "(D_out = 1)"]),
            ("zeros_like x", ["dx has dtype int64", "integer dtype (int64)"]),
            ("global buffer", ["the dw of case", "changed when it was called again"]),
        ],
    ),
    "conv_matrix": (
        conv_matrix_loops,
        [
            ("stride ignored", ["M is wrong", "(stride 2)", "08-cnn-as-sparse-fc"]),
            ("padding not subtracted", ["M is wrong", "(padding 1)", "Padded pixels"]),
            ("M like w", ["M has dtype int64", "w of integer dtype (int64)"]),
            ("int M", ["M is wrong", "random non-integer values", "w truncated to integers"]),
            ("cached by shape", ["M is wrong", "the right answer for case", "keep nothing between calls"]),
            (
                "float M",  # right for every number, cannot hold a symbol: only the last case fails
                ["raised TypeError in case 19 of 19", "w of SymPy symbols", "dtype=w.dtype"],
            ),
        ],
    ),
}
MUTANTS = [(name, impl, bug, frags) for name, (impl, bugs) in _MUTANTS.items() for bug, frags in bugs]


@pytest.mark.parametrize(
    ("name", "impl", "bug", "fragments"), MUTANTS, ids=[f"{m[0]}:{m[2]}" for m in MUTANTS]
)
def test_checker_rejects_the_mutant_naming_the_case(name, impl, bug, fragments):
    _KEPT.clear()  # each mutant starts with nothing remembered
    checker = getattr(check, f"check_{name}")
    with pytest.raises(check.ExerciseFailed) as info:
        checker(functools.partial(impl, bug=bug))
    message = str(info.value)
    missing = [f for f in fragments if f not in message]
    assert not missing, f"{name} / {bug}: message lacks {missing}:\n{message}"
    head = message.splitlines()[0]  # what is wrong; the form of a result gets no hint
    assert ("Reread notebook" in message) != any(
        w in head for w in ("was modified", "has dtype", "not an array", "changed in case", "shares memory")
    )


def test_the_mutation_suite_is_large_and_each_bug_is_a_one_line_change():
    assert len(MUTANTS) >= 12 + 20
    assert len({(m[0], m[2]) for m in MUTANTS}) == len(MUTANTS)


# ---------------------------------------------------------------- correct implementations must pass


def conv_backward_seedform(dz, x, w, *, stride=1, padding=0):
    """The seeds' route: dx = crop(full_conv(dilate(δ, S), rot180 w)), dw = xpad ⋆ dilate(δ, S)."""
    dx = sf.delta_full_conv(dz, w, x.shape, stride=stride, padding=padding)
    dw = sf.weight_grad_correlate(x, dz, w.shape[2:], stride=stride, padding=padding)
    return dx, dw, dz.sum(axis=(0, 2, 3))


def conv_backward_matrix(dz, x, w, *, stride=1, padding=0):
    """The layer as a sparse FC layer: dx[n, c] = Σ_f M(w[f, c])ᵀ δ[n, f]; dw[f, c, r, t] =
    Σ_n δ[n, f] · M(e_rt) x[n, c] where M(e_rt), the matrix of a one-hot kernel, is ∂M/∂w[r, t]."""
    (N, C, H, W), (F, _, KH, KW) = x.shape, w.shape
    kw = {"stride": stride, "padding": padding}
    dx, dw = np.zeros(x.shape), np.zeros(w.shape)
    for f, c in np.ndindex(F, C):
        M = sf.conv_matrix((H, W), w[f, c], **kw)
        for n in range(N):
            dx[n, c] += (M.T @ dz[n, f].ravel()).reshape(H, W)
    for r, t in np.ndindex(KH, KW):
        E = sf.conv_matrix((H, W), np.eye(KH * KW)[r * KW + t].reshape(KH, KW), **kw)
        for f, c, n in np.ndindex(F, C, N):
            dw[f, c, r, t] += dz[n, f].ravel() @ E @ x[n, c].ravel()
    return dx, dw, dz.sum(axis=(0, 2, 3))


def conv_forward_matrix(x, w, b=None, *, stride=1, padding=0):
    """z[n, f] = Σ_c M(w[f, c]) x[n, c] + b[f] (the 16→9 sparse matrix of notebook 02, generalised)."""
    (N, C, H, W), F = x.shape, w.shape[0]
    rows = [
        sum(
            sf.conv_matrix((H, W), w[f, c], stride=stride, padding=padding) @ x[n, c].ravel()
            for c in range(C)
        )
        + (0.0 if b is None else b[f])
        for n in range(N)
        for f in range(F)
    ]
    Ho = cm.conv_output_size(H, w.shape[2], stride=stride, padding=padding)
    return np.array(rows).reshape(N, F, Ho, -1)


def max_backward_switches(dy, x, kernel_size, *, stride=None):
    """Scatter-add dy at the argmax "switches" (np.add.at adds where windows share a maximum)."""
    rows, cols = cm.max_pool2d_argmax(x, kernel_size, stride=stride)
    dx = np.zeros(x.shape)
    for lead in np.ndindex(x.shape[:-2]):
        np.add.at(dx[lead], (rows[lead], cols[lead]), dy[lead])
    return dx


def avg_backward_adjoint(dy, x, kernel_size, *, stride=None):
    """Average pooling is linear: its matrix P, built column by column from avg_pool2d of one-hot
    images, gives dx = Pᵀ dy."""
    H, W = x.shape[-2:]
    basis = np.eye(H * W).reshape(H * W, H, W)
    P = cm.avg_pool2d(basis, kernel_size, stride=stride).reshape(H * W, -1).T
    return (dy.reshape(-1, P.shape[0]) @ P).reshape(x.shape)


def conv_backward_in_float32(dz, x, w, *, stride=1, padding=0):
    """Float32 precision is accepted (the results are float32 arrays)."""
    out = cm.conv2d_backward(dz, x, w, stride=stride, padding=padding)
    return tuple(a.astype(np.float32) for a in out)


def dense_backward_einsum(dz, x, w):
    return np.einsum("nj,ji->ni", dz, w), np.einsum("nj,ni->ji", dz, x), np.einsum("nj->j", dz)


def conv_matrix_probe(input_shape, w, *, stride=1, padding=0):
    """Column k of M is the conv2d of the k-th one-hot image (the fast form for numbers, the loops of
    cnnmath.reference for SymPy symbols, which the fast form refuses)."""
    H, W = input_shape
    if w.dtype == object:
        basis, conv = np.eye(H * W, dtype=int).astype(object), ref.conv2d
    else:
        basis, conv = np.eye(H * W), cm.conv2d
    basis = basis.reshape(H * W, 1, H, W)
    return conv(basis, w.reshape(1, 1, *w.shape), stride=stride, padding=padding).reshape(H * W, -1).T


CORRECT = [
    ("conv2d_forward", cm.conv2d),
    ("conv2d_forward", ref.conv2d),
    ("conv2d_forward", conv_forward_loops),
    ("conv2d_forward", conv_forward_matrix),
    ("conv2d_backward", cm.conv2d_backward),
    ("conv2d_backward", ref.conv2d_backward),
    ("conv2d_backward", conv_backward_loops),
    ("conv2d_backward", conv_backward_seedform),
    ("conv2d_backward", conv_backward_matrix),
    ("conv2d_backward", conv_backward_in_float32),
    ("max_pool2d_backward", cm.max_pool2d_backward),
    ("max_pool2d_backward", ref.max_pool2d_backward),
    ("max_pool2d_backward", max_backward_loops),
    ("max_pool2d_backward", max_backward_switches),
    ("avg_pool2d_backward", cm.avg_pool2d_backward),
    ("avg_pool2d_backward", ref.avg_pool2d_backward),
    ("avg_pool2d_backward", avg_backward_loops),
    ("avg_pool2d_backward", avg_backward_adjoint),
    ("lp_pool2d_backward", cm.lp_pool2d_backward),
    ("lp_pool2d_backward", ref.lp_pool2d_backward),
    ("lp_pool2d_backward", lp_backward_loops),
    ("dense_backward", cm.dense_backward),
    ("dense_backward", ref.dense_backward),
    ("dense_backward", dense_backward_student),
    ("dense_backward", dense_backward_einsum),
    ("conv_matrix", sf.conv_matrix),
    ("conv_matrix", conv_matrix_loops),
    ("conv_matrix", conv_matrix_probe),
]


def _label(fn) -> str:
    fn = getattr(fn, "func", fn)  # a functools.partial
    return f"{fn.__module__.replace('cnnmath.', '')}.{fn.__name__}"


@pytest.mark.parametrize(("name", "impl"), CORRECT, ids=[f"{n}:{_label(f)}" for n, f in CORRECT])
def test_checker_accepts_correct_implementations(name, impl, capsys):
    assert getattr(check, f"check_{name}")(impl) is None
    out = capsys.readouterr().out
    assert out.startswith("✓ ") and out.count("\n") == 1, out


def test_checkers_accept_pytorch_autograd(torch, capsys):
    """A genuinely different implementation: PyTorch's autograd (float64, CPU; first-max ties)."""
    F_ = torch.nn.functional

    def grads(forward, dout, *arrays):
        ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
        forward(*ts).backward(torch.tensor(dout))
        return tuple(t.grad.numpy() for t in ts)

    def conv_forward(x, w, b=None, *, stride=1, padding=0):
        x, w, bt = (None if a is None else torch.tensor(a, dtype=torch.float64) for a in (x, w, b))
        return F_.conv2d(x, w, bt, stride=stride, padding=padding).numpy()

    def conv_backward(dz, x, w, *, stride=1, padding=0):
        b = np.zeros(w.shape[0])
        return grads(lambda x, w, b: F_.conv2d(x, w, b, stride=stride, padding=padding), dz, x, w, b)

    def pool_backward(pool):
        def backward(dy, x, kernel_size, *, stride=None):
            x4 = x.reshape(-1, 1, *x.shape[-2:])  # torch pools (N, C, H, W) / (C, H, W)
            dy4 = dy.reshape(-1, 1, *dy.shape[-2:])
            return grads(lambda t: pool(t, kernel_size, stride=stride), dy4, x4)[0].reshape(x.shape)

        return backward

    def dense_backward(dz, x, w):
        return grads(lambda x, w, b: F_.linear(x, w, b), dz, x, w, np.zeros(w.shape[0]))

    check.check_conv2d_forward(conv_forward)
    check.check_conv2d_backward(conv_backward)
    check.check_max_pool2d_backward(pool_backward(F_.max_pool2d))
    check.check_avg_pool2d_backward(pool_backward(F_.avg_pool2d))
    check.check_dense_backward(dense_backward)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5 and all(line.startswith("✓ ") for line in lines), lines


# ---------------------------------------------------------------- the report and the options


def test_report_names_shapes_stride_padding_and_hint_and_its_numbers_are_right(battery_of):
    bad = functools.partial(conv_backward_loops, bug="stride left out")
    with pytest.raises(check.ExerciseFailed) as info:
        check.check_conv2d_backward(bad)
    message = str(info.value)
    for fragment in [
        "conv2d_backward: dx is wrong in case 11 of 31 (stride 2).",
        "the call: conv2d_backward(dz, x, w, stride=2, padding=0)",
        "with dz.shape=(1, 1, 2, 2), x.shape=(1, 1, 5, 5), w.shape=(1, 1, 3, 3)",
        "  x[0, 0] =\n",
        "  expected dx[0, 0] =\n",
        "  got dx[0, 0] =\n",
        "Hint: With stride S,",
        "Reread notebook 05-stride-depth-filters.ipynb.",
    ]:
        assert fragment in message, f"{fragment!r} not in\n{message}"
    # The quoted entries are right: expected from the loops of cnnmath.reference, got from `bad`.
    case = next(c for c in battery_of("conv2d_backward") if c.kwargs == {"stride": 2})
    expected, got = ref.conv2d_backward(*case.fresh(), stride=2)[0], bad(*case.fresh(), stride=2)[0]
    lines = [line.strip() for line in message.splitlines() if line.strip().startswith("dx[0, 0, ")]
    assert len(lines) == 3
    for line in lines:
        index, values = line.split(": expected ")
        idx = tuple(int(i) for i in index[3:-1].split(", "))
        e, g = values.split(", got ")
        assert (float(e), float(g)) == (expected[idx], got[idx]) and expected[idx] != got[idx]


def test_messages_are_deterministic_and_ignore_the_notebooks_print_options():
    bad = functools.partial(max_backward_loops, bug="all maxima")
    messages = []
    for precision in (8, 2):
        with (
            np.printoptions(precision=precision, suppress=False, sign="+"),
            pytest.raises(check.ExerciseFailed) as e,
        ):
            check.check_max_pool2d_backward(bad)
        messages.append(str(e.value))
    assert messages[0] == messages[1]
    assert "np.float64" not in messages[0] and "-0." not in messages[0]


def test_strides_paddings_and_parts_narrow_the_battery(capsys):
    stride_blind = functools.partial(conv_backward_loops, bug="stride left out")
    check.check_conv2d_backward(stride_blind, strides=(1,))
    assert capsys.readouterr().out.startswith(
        "✓ conv2d_backward: all 18 cases pass (stride 1; padding 0, 1, 2;"
    )
    with pytest.raises(check.ExerciseFailed, match="padding=0"):
        check.check_conv2d_backward(functools.partial(conv_backward_loops, bug="crop [p:-p]"), paddings=(0,))

    def dx_only(dz, x, w, *, stride=1, padding=0):
        return cm.conv2d_backward(dz, x, w, stride=stride, padding=padding)[0], None, None

    check.check_conv2d_backward(dx_only, parts=("dx",), strides=(1,), paddings=(0,))
    assert (
        capsys.readouterr().out == "✓ conv2d_backward: all 15 cases pass (stride 1; padding 0; graded: dx).\n"
    )
    with pytest.raises(check.ExerciseFailed, match="it returned None for dw"):
        check.check_conv2d_backward(dx_only)
    check.check_max_pool2d_backward(cm.max_pool2d_backward, batched=False)
    assert capsys.readouterr().out.startswith("✓ max_pool2d_backward: all 18 cases pass ((H, W) inputs,")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"strides": (4,)}, "strides must be"),
        ({"paddings": ()}, "paddings must be"),
        ({"parts": ("dq",)}, "parts"),
    ],
)
def test_bad_options_raise_value_error(kwargs, error):
    with pytest.raises(ValueError, match=error):
        check.check_conv2d_backward(cm.conv2d_backward, **kwargs)


# ---------------------------------------------------------------- every checker has a stub mode


@pytest.mark.parametrize("name", sorted(_MUTANTS))
def test_every_checker_has_a_stub_mode_that_passes(name, capsys):
    def stub_anything(*args, **kwargs):
        raise NotImplementedError("your code here")

    reference = "conv2d" if name == "conv2d_forward" else name
    assert getattr(check, f"check_{name}")(stub_anything) is None
    out = capsys.readouterr().out
    assert out.startswith(f"… {reference}: exercise not done yet (it raises NotImplementedError), so its ")
    home = "cnnmath.seedforms" if name == "conv_matrix" else "cnnmath"  # where a learner finds it
    assert out.endswith(
        f"cases ran on the reference solution {home}.{reference} instead: all pass. "
        "Replace the stub with your code and run this cell again.\n"
    )


# ---------------------------------------------------------------- evidence, not geometry (issue 12)


def test_p_used_as_an_integer_is_not_blamed_on_the_geometry():
    with pytest.raises(check.ExerciseFailed) as info:
        check.check_lp_pool2d_backward(functools.partial(lp_backward_loops, bug="p truncated"))
    message = str(info.value)
    assert "(2×3 windows" in message.splitlines()[0]  # the first failure is a non-square case ...
    assert "Rows and columns may differ" not in message and "p = 1 gives, not p = 1.5" in message  # ... yet
