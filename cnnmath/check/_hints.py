"""Hints: what to reread, picked from the failing case's features and the part that is wrong; and
diagnoses: known wrong answers (the kernel not rotated, a mean instead of a sum, an input or the
result truncated to integers, p used as an integer, the answer of an earlier case with the same
shapes, ...) recomputed for the case and compared with what the learner's function returned. A
diagnosis that finds the cause brings its own hint, so a case's geometry is not blamed for it."""

from __future__ import annotations

import numpy as np

from ..ops.conv import conv2d, conv2d_backward
from ..ops.conv_transpose import conv_transpose2d
from ._battery import Case, is_namedtuple

__all__ = ["diagnose", "hint"]

NB = {
    "01": "01-fully-connected-backprop",
    "03": "03-convolution-forward",
    "04": "04-conv-layer-delta",
    "05": "05-stride-depth-filters",
    "06": "06-weight-and-bias-gradients",
    "07": "07-pooling",
    "08": "08-cnn-as-sparse-fc",
    "17": "17-softmax-cross-entropy",
    "18": "18-gradient-checking",
    "19": "19-two-conv-layers",
    "20": "20-transposed-convolution",
    "21": "21-dilated-convolution",
}

_CONV_BACKWARD = {  # part -> [(feature, text, notebook)], the first feature the case has wins
    "dx": [
        (
            "stride",
            "With stride S, output (i, j) read the window that starts at (i·S, j·S): add "
            "dz[n, f, i, j]·w[f, c, r, t] to dxpad[n, c, i·S + r, j·S + t] — or insert S − 1 zeros between "
            "the entries of dz (seedforms.dilate) before the full convolution. Pixels that no window reaches "
            "get 0.",
            "05",
        ),
        (
            "padding",
            "With padding p, compute the gradient of the padded input, dxpad of shape "
            "(H + 2p, W + 2p), and return its centre dxpad[..., p:p + H, p:p + W].",
            "05",
        ),
        (
            "channels filters",
            "Input channel c was used by every filter f: dx[n, c] = Σ_f "
            "full_conv(dz[n, f], rot180(w[f, c])). Sum over the filters, and pair channel c with w[f, c].",
            "05",
        ),
        ("batch", "The samples are independent: dx[n] comes from dz[n] only (no sum over the batch).", "04"),
        (
            "",
            "dx is the FULL convolution of dz with the kernel rotated by 180°: pad dz with KH − 1 rows and "
            "KW − 1 columns of zeros on each side and cross-correlate with rot180(w). In the loop form every "
            "output (i, j) adds dz[i, j]·w[r, t] to pixel (i + r, j + t); a pixel under several windows "
            "receives the sum (+=).",
            "04",
        ),
    ],
    "dw": [
        (
            "stride",
            "dw[f, c, r, t] = Σ_{n,i,j} dz[n, f, i, j]·xpad[n, c, i·S + r, j·S + t]: with stride S "
            "the window of output (i, j) starts at (i·S, j·S).",
            "06",
        ),
        ("padding", "dw correlates the PADDED input with dz: pad x with p zeros first.", "06"),
        (
            "channels filters",
            "dw[f, c] pairs input channel c with the δ of filter f: dw[f, c] = Σ_n x[n, c] ⋆ dz[n, f].",
            "06",
        ),
        ("batch", "The weights are shared by the whole batch: dw is the SUM over n of x[n] ⋆ dz[n].", "06"),
        (
            "",
            "The kernel is shared by every output position: dw[r, t] = Σ_{i,j} dz[i, j]·x[i + r, j + t] "
            "(x ⋆ dz). Add up every position's contribution (+=) instead of overwriting it.",
            "06",
        ),
    ],
    "db": [
        (
            "",
            "db[f] = Σ_{n,i,j} dz[n, f, i, j]: the bias is added at every position of every sample, so "
            "its gradient is the SUM of dz[:, f] over the batch and all positions (not the mean).",
            "06",
        ),
    ],
}

_VALUES = [  # (feature, text): the cases after the integer ones, whatever the checker
    (
        "repeat",
        "These are the shapes of an earlier case again, with new values: remember nothing between "
        "calls (no result kept in a module-level array and returned again, no cache keyed by the shapes); "
        "compute every result from this call's arguments.",
    ),
    (
        "floats",
        "Your function passed the integer case with these shapes, so its geometry is right; with "
        "non-integer values it is not: look for what rounds or truncates (an integer array "
        "such as np.zeros_like of an integer input, dtype=int, int(...), //) or a parameter used as an "
        "integer.",
    ),
    (
        "int",
        "Inputs may have an integer dtype (pixels often do): build results as float arrays, "
        "np.zeros(shape) (float64), not np.zeros_like(x), which copies x's integer dtype.",
    ),
    (
        "symbolic",
        "The input holds SymPy symbols (dtype object) here, and the result must hold them too: make it "
        "with that dtype (np.zeros(shape, dtype=w.dtype) when w.dtype is object; a float array cannot "
        "take a symbol), and keep floats for numbers.",
    ),
]

_POOL = [  # (feature, text, kinds), the first feature the case has wins
    (
        "ties",
        "On a tie the whole δ goes to the FIRST maximum of the window in row-major order (PyTorch's "
        "rule; seed 000's Γ taken literally would count it twice). np.argmax of the flattened window "
        "returns the first maximum; a mask x == max marks all of them.",
        "max",
    ),
    (
        "signed",
        "The derivative of |x| is sign(x): seed 004's formula (Σ|x|^p)^(1/p − 1)·|x_k|^(p − 1) holds "
        "for x ≥ 0; for x < 0 multiply by sign(x_k).",
        "lp",
    ),
    (
        "zero",
        "A window of zeros has no derivative: pass 0 back there (guard the division; 0·∞ is nan).",
        "lp",
    ),
    (
        "rank",
        "x may have any number of leading axes (..., H, W): (H, W), (C, H, W), (N, C, H, W), even 5-D; "
        "loop over np.ndindex(x.shape[:-2]) or slice x[..., rows, cols].",
        "max avg lp",
    ),
    (
        "nonsquare",
        "Rows and columns may differ: x is (..., H, W), kernel_size k or (kh, kw), stride None, s "
        "or (sh, sw); use H, kh, sh along the rows and W, kw, sw along the columns.",
        "max avg lp",
    ),
    (
        "overlap",
        "The windows overlap (stride < window): a pixel in several windows receives the SUM of "
        "their contributions (+=, not =).",
        "max avg lp",
    ),
    (
        "window",
        "Do not hard-code 2×2 windows or stride 2: window (i, j) is "
        "x[..., i·sh : i·sh + kh, j·sw : j·sw + kw], and stride=None means stride = kernel_size.",
        "max avg lp",
    ),
    (
        "unreached gap",
        "Rows and columns that no window reaches get a zero gradient: Ho = ⌊(H − kh)/sh⌋ + 1; "
        "do not assume the windows tile the input.",
        "max avg lp",
    ),
    ("whole", "The window covers the whole input: a single output, Ho = Wo = 1.", "max avg lp"),
    (
        "batch",
        "x may be (N, C, H, W): pool every map over the last two axes (x[..., rows, cols] works for "
        "any leading axes).",
        "max avg lp",
    ),
    (
        "",
        "Each dy[i, j] goes to the position of the maximum of window (i, j); every other pixel gets 0. "
        "stride=None means stride = kernel_size.",
        "max",
    ),
    (
        "",
        "Every pixel of window (i, j) gets dy[i, j] / (kh·kw): divide by the window's size. stride=None "
        "means stride = kernel_size.",
        "avg",
    ),
    (
        "",
        "∂y/∂x_k = (Σ_window |x|^p)^(1/p − 1)·|x_k|^(p − 1)·sign(x_k), times dy[i, j]: mind the "
        "exponent 1/p − 1 (chain rule through the outer power).",
        "lp",
    ),
]

_OTHER = {  # checker -> part -> [(feature, text, notebook)]
    "dense_backward": {
        "dx": [("", "dx = dz @ w: dx[n, i] = Σ_j dz[n, j]·w[j, i] (for one sample, wᵀδ).", "01")],
        "dw": [
            (
                "",
                "dw = dz.T @ x: dw[j, i] = Σ_n dz[n, j]·x[n, i], the outer products δ xᵀ SUMMED over "
                "the batch; it has w's shape (D_out, D_in).",
                "01",
            )
        ],
        "db": [("", "db = dz.sum(axis=0): the SUM over the batch, shape (D_out,).", "01")],
    },
    "conv2d": {
        "z": [
            (
                "stride",
                "Output (i, j) reads the window that starts at xpad[i·S, j·S]; Ho = ⌊(H + 2p − KH)/S⌋ + 1 "
                "(integer division //).",
                "03",
            ),
            ("padding", "Pad x with p zeros on every side first: Ho = ⌊(H + 2p − KH)/S⌋ + 1.", "03"),
            (
                "channels",
                "Sum over the input channels: z[n, f, i, j] = b[f] + Σ_c Σ_{r,t} "
                "xpad[n, c, i·S + r, j·S + t]·w[f, c, r, t].",
                "03",
            ),
            (
                "filters batch",
                "One output map per filter f and per sample n: z has shape (N, F, Ho, Wo).",
                "03",
            ),
            (
                "",
                "A CNN layer computes a cross-correlation: z[i, j] = b + Σ_{r,t} x[i + r, j + t]·w[r, t] "
                "(the kernel is not flipped); b may be None.",
                "03",
            ),
        ]
    },
    "conv_transpose2d": {
        "y": [
            (
                "outpad",
                "output_padding adds that many rows (columns) at the bottom (right) of the padded output "
                "before the padding is cropped: H′ = (H − 1)·S − 2P + KH + output_padding.",
                "20",
            ),
            (
                "padding",
                "Padding crops the output: scatter into a (H − 1)·S + KH (+ output_padding) grid, then drop "
                "P rows and columns on every side.",
                "20",
            ),
            (
                "stride",
                "Input pixel (i, j) adds x[i, j]·w onto the output block that starts at (i·S, j·S): with "
                "stride S the blocks are S apart (zero insertion).",
                "20",
            ),
            (
                "channels filters batch",
                "w stays in conv2d's layout (F, C, KH, KW): y[n, c] = Σ_f (x[n, f] scattered with w[f, c]); "
                "x has F channels and y has C.",
                "20",
            ),
            (
                "",
                "Every input pixel x[i, j] adds x[i, j]·w onto the output window it came from: "
                "y[i·S + r, j·S + t] += x[i, j]·w[r, t] (no rotation in this scatter form).",
                "20",
            ),
        ]
    },
    "softmax_cross_entropy": dict.fromkeys(
        ("loss", "dlogits"),
        (
            (
                "",
                "loss = mean_n [log Σ_k exp(z[n, k]) − z[n, y_n]], dlogits = (softmax(z) − one_hot(y)) / N; "
                "compute log Σ exp as m + log Σ exp(z − m) with m the row maximum.",
                "17",
            ),
        ),
    ),
    "numerical_gradient": {
        "dx": [
            (
                "",
                "for each entry i: save x_i, set x_i + eps, evaluate f, set x_i − eps, evaluate f, restore "
                "x_i; dx_i = (f₊ − f₋) / (2 eps). Work on a float copy of x.",
                "18",
            )
        ]
    },
    "backward": dict.fromkeys(  # the two-conv network of notebook 19 (cnnmath.seedforms.twoconv)
        ("dw1", "db1", "dw2", "db2", "dw3", "db3"),
        (
            (
                "",
                "δ3 = dlogits; δ2 = (δ3 @ w3).reshape(z2.shape) · f′(z2); ∂E/∂p1 = the full convolution "
                "of δ2 with rot180(w2) (conv2d_backward's dx); δ1 = that, routed to each window's first "
                "maximum (fwd.gamma), · f′(z1); every weight gradient sums over the batch.",
                "19",
            ),
        ),
    ),
    "conv2d_dilated_backward": dict.fromkeys(
        ("dx", "dw", "db"),
        (
            (
                "",
                "a dilated kernel is sf.dilate(w, D), a kernel with D − 1 zeros between its taps: dx is the "
                "gradient of the convolution with that kernel, and dw is the gradient on its taps, "
                "[..., ::D, ::D].",
                "21",
            ),
        ),
    ),
    "conv_matrix": {
        "M": [
            (
                "padding",
                "Padded pixels are zeros: they only remove terms. M keeps the shape (Ho·Wo, H·W), with "
                "Ho, Wo computed with the padding.",
                "08",
            ),
            (
                "",
                "Row i·Wo + j of M is output pixel (i, j), column a·W + b is input pixel (a, b): "
                "M[i·Wo + j, (i·S + r − p)·W + (j·S + t − p)] = w[r, t] when that pixel is inside the image.",
                "08",
            ),
        ]
    },
}


def _pick(rules, flags) -> tuple[str, str]:
    for feature, text, where in rules:
        if not feature or flags & set(feature.split()):
            return text, where
    raise AssertionError("no default hint")  # pragma: no cover


def hint(name: str, case: Case, part: str) -> str:
    """A sentence on the likely mistake and the notebook to reread."""
    values = [(f, t, _notebook(name, part)) for f, t in _VALUES]
    if case.flags & {f for f, _ in _VALUES}:
        text, where = _pick(values, case.flags)
        return f"Hint: {text} Reread notebook {NB[where]}.ipynb."
    if name.endswith("pool2d_backward"):
        kind = name.split("_")[0]
        text, _ = _pick([(f, t, "07") for f, t, kinds in _POOL if kind in kinds.split()], case.flags)
        where = "07"
    else:
        rules = _CONV_BACKWARD if name == "conv2d_backward" else _OTHER[name]
        text, where = _pick(rules[part], case.flags)
    return f"Hint: {text} Reread notebook {NB[where]}.ipynb."


def _notebook(name: str, part: str) -> str:
    """The notebook of a checker's default hint for ``part``."""
    if name.endswith("pool2d_backward"):
        return "07"
    rules = _CONV_BACKWARD if name == "conv2d_backward" else _OTHER[name]
    return rules.get(part, next(iter(rules.values())))[-1][2]


def advice(name: str, text: str, part: str) -> str:
    return f"Hint: {text} Reread notebook {NB[_notebook(name, part)]}.ipynb."


def _scale(got: np.ndarray, expected: np.ndarray) -> float | None:
    """c if got == c·expected for a single c != 1 (a wrong divisor or a mean instead of a sum)."""
    e2 = float(np.sum(expected * expected))
    if e2 == 0 or not np.all(np.isfinite(got)):
        return None
    c = float(np.sum(got * expected)) / e2
    scaled = abs(c - 1) > 1e-6 and abs(c) > 1e-6  # c = 0: a result of zeros, not a scaled one
    return c if scaled and np.allclose(got, c * expected, rtol=1e-6, atol=1e-9) else None


def _first_or_last_max(dy, x, kh, kw, sh, sw, pick):
    """Max-pool backward with the δ routed to the "all", "last" maximum of each window (loops)."""
    dx = np.zeros(x.shape)
    Ho, Wo = dy.shape[-2:]
    for lead in np.ndindex(x.shape[:-2]):
        for i in range(Ho):
            for j in range(Wo):
                win = x[(*lead, slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw))]
                hits = np.argwhere(win == win.max())
                for r, t in hits if pick == "all" else hits[-1:]:
                    dx[(*lead, i * sh + r, j * sw + t)] += dy[(*lead, i, j)]
    return dx


_NOT_REMEMBERED = (
    "Compute every result from this call's arguments: keep nothing between calls (no module-level "
    "array returned again, no cache keyed by the shapes)."
)
_KEEP_FLOAT = (
    "Keep every array that holds values float: np.zeros(shape) or np.zeros_like of a float array, "
    "never dtype=int or .astype(int); np.zeros_like(x) copies x's dtype."
)


def _output(spec, out, part: str) -> np.ndarray:
    return np.asarray(out if len(spec.outputs) == 1 else out[spec.outputs.index(part)])


def _refused_or(spec, args: tuple, kwargs: dict, part: str) -> np.ndarray | None:
    """What the reference gives for ``part``, or None for arguments it refuses (the labels of one case
    out of range for the logits of another)."""
    try:
        return _output(spec, spec.reference(*args, **kwargs), part)
    except ValueError:
        return None


def _same_call(a: Case, b: Case) -> bool:
    """Same shapes, same settings, same non-array arguments (p, kernel_size): only the values differ."""

    def shape(v):
        if isinstance(v, np.ndarray):
            return v.shape
        return tuple(map(shape, v)) if is_namedtuple(v) else v

    return ([shape(v) for v in a.args], a.kwargs) == ([shape(v) for v in b.args], b.kwargs)


def diagnose(
    spec, case: Case, part: str, got: np.ndarray, expected: np.ndarray, earlier=()
) -> tuple[str, str | None] | None:
    """(a mistake that reproduces ``got``, in words; the hint for it or None) or None if none does.
    ``earlier``: (number, case, expected outputs) of the cases already passed."""
    name = spec.name
    rtol, atol = case.tol or (1e-5, 1e-8)
    close = lambda a: a.shape == got.shape and np.allclose(got, a, rtol=rtol, atol=atol)  # noqa: E731
    for number, old, outputs in earlier:
        if not _same_call(old, case):
            continue
        if close(np.asarray(outputs[part])):
            return (
                f"your {part} is the right answer for case {number}, which had the same shapes and other "
                "values: something is remembered from an earlier call.",
                advice(name, _NOT_REMEMBERED, part),
            )
    for number, old, _ in earlier:  # one input remembered (a kernel or columns cached by shape, ...)
        for i, arg in enumerate(old.args):
            now = case.args[i]  # the same shape with other values (not the same array again)
            same_shape = isinstance(arg, np.ndarray) and arg.shape == np.shape(now) and arg.size > 1
            if same_shape and not np.array_equal(arg, now):
                args = tuple(arg.copy() if j == i else a for j, a in enumerate(case.fresh()))
                answer = _refused_or(spec, args, case.kwargs, part)
                if answer is not None and close(answer):
                    return (
                        f"your {part} is what this call gives with the {case.names[i]} of case {number} "
                        f"(same shapes, other values): {case.names[i]}, or something made from it, was "
                        "remembered.",
                        advice(name, _NOT_REMEMBERED, part),
                    )
    if name == "lp_pool2d_backward":
        dy, x, p, k = case.fresh()
        for q in dict.fromkeys((float(int(p)), float(round(p)), 2.0, 1.0)):
            if q != p and close(spec.reference(dy, x, q, k, **case.kwargs)):
                return (
                    f"your dx is what p = {q:g} gives, not p = {p:g}: p was used as an integer or fixed.",
                    advice(
                        name,
                        "p is any real number >= 1: use it as it is, in |x|**p and in the exponents "
                        "1/p − 1 and p − 1 (no int(p), round(p) or range(p)).",
                        part,
                    ),
                )
    for i, arg in enumerate(case.args):
        if isinstance(arg, np.ndarray) and arg.dtype.kind == "f" and not np.array_equal(arg, np.trunc(arg)):
            args = tuple(np.trunc(a) if j == i else a for j, a in enumerate(case.fresh()))
            if close(_output(spec, spec.reference(*args, **case.kwargs), part)):
                what = case.names[i]
                return (
                    f"your {part} is what {what} truncated to integers gives: {what} (or a copy of it, such "
                    "as a padded one) went through an integer array.",
                    advice(name, _KEEP_FLOAT, part),
                )
    whole = lambda a: np.all(np.isfinite(a)) and np.array_equal(a, np.trunc(a))  # noqa: E731
    if whole(got) and not whole(expected):
        return (
            f"every entry of your {part} is a whole number, but the expected values are not: the result "
            "was truncated to integers (an integer array, cast to float at the end?).",
            advice(name, _KEEP_FLOAT, part),
        )
    own = spec.diagnose(case, part, got, expected) if spec.diagnose else None
    found = own or _known(name, case, part, got, expected, close)
    return None if found is None else (found, None)


def _known(name: str, case: Case, part: str, got, expected, close) -> str | None:
    """The mistakes of the integer cases: kernel not rotated, last max, a wrong divisor, ..."""
    args, opts = case.fresh(), case.kwargs
    if name == "conv2d_backward" and part == "dx":
        dz, x, w = args
        if close(conv2d_backward(dz, x, w[..., ::-1, ::-1], **opts)[0]):
            return "your dx is what the kernel gives WITHOUT the 180° rotation (rot180)."
    if name == "conv2d_backward" and part == "dw":
        dz, x, w = args
        last = np.zeros_like(dz)
        last[..., -1, -1] = dz[..., -1, -1]
        if close(conv2d_backward(last, x, w, **opts)[1]):
            return "your dw holds only the LAST output position's term: the others were overwritten."
    if name == "conv_transpose2d":
        x, w = args
        if close(conv_transpose2d(x, w[..., ::-1, ::-1], **opts)):
            return (
                "your y is what the kernel rotated by 180° gives: the scatter form uses w as it is "
                "(the zero-insertion route convolves with rot180(w))."
            )
    if name == "conv2d" and part == "z":
        x, w, b = args
        if close(conv2d(x, w[..., ::-1, ::-1], b, **opts)):
            return "you flipped the kernel (a true convolution); the layer is a cross-correlation."
        if b is not None and close(conv2d(x, w, None, **opts)):
            return "z is right except for the bias b."
    if name == "max_pool2d_backward":
        dy, x, k = args
        kh, kw_ = (k, k) if isinstance(k, int) else k
        s = opts.get("stride") or (kh, kw_)
        sh, sw = (s, s) if isinstance(s, int) else s
        for pick, text in (("all", "EVERY tied maximum"), ("last", "the LAST maximum")):
            if close(_first_or_last_max(dy, x, kh, kw_, sh, sw, pick)):
                return f"your function sends δ to {text} of a window; it must go to the first maximum only."
    if name == "dense_backward" and part == "dw" and close(expected.T):
        return "your dw is the transpose of the right one."
    c = _scale(got, expected) if got.shape == expected.shape else None
    if c is None:
        return None
    return f"every entry of {part} is {c:.6g} × the expected value: a wrong divisor, or a mean for a sum?"
