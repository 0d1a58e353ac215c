"""The cases the checkers run: small, fixed (seeded) and ordered from the simplest to the hardest.

Each case isolates one thing learners get wrong (ties, overlapping windows, a stride that does not
divide, padding 0, several channels, ...), so the first failing case tells what the bug is. The
first cases hold small nonzero integers (kernel slices all distinct, never equal to their 180°
rotation), so a report's numbers can be checked by hand. Then come the cases that catch what
integers hide (:func:`_more`): an input of integer dtype, then random non-integer floats on shapes
already seen, each shape twice with new values and other shapes in between (a function that keeps
results in module-level buffers, or caches by shape, fails the second time). Expected values are
computed by the runner, with cnnmath.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from ..ops.conv_args import conv_output_size

__all__ = ["Case", "arrays", "conv_cases", "conv_matrix_cases", "dense_cases", "is_namedtuple", "pool_cases"]

_NONZERO = np.array([-3, -2, -1, 1, 2, 3])
_KERNEL_POOL = np.array([-6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6])


@dataclass(frozen=True)
class Case:
    """One call: ``fn(*args, **kwargs)``. ``names`` names the positional args; ``about`` says in
    words what the case is there to catch; ``flags`` are its features (used to pick the hint).

    ``tol``: (rtol, atol) for a checker that grades tighter than float32 precision (see
    :mod:`cnnmath.check._run`); ``expected``: the right result (in the form the function returns)
    when it comes from an independent source, such as an exact derivative, instead of the checker's
    reference function."""

    args: tuple
    names: tuple[str, ...]
    kwargs: dict
    about: str
    flags: frozenset = field(default_factory=frozenset)
    shown: dict = field(default_factory=dict)  # settings to print, defaults included
    tol: tuple[float, float] | None = None
    expected: object = None

    def with_args(self, args: tuple, about: str, flags: str) -> Case:
        """The same call and settings with other arguments (and so no ``expected``)."""
        return Case(args, self.names, self.kwargs, about, frozenset(flags.split()), self.shown, self.tol)

    def fresh(self) -> tuple:
        """Copies of the arguments: a function that writes into its inputs cannot change the next call."""
        return tuple(_copy(a) for a in self.args)


def is_namedtuple(a) -> bool:
    """A NamedTuple argument, such as a network's parameters: its fields are the arrays."""
    return isinstance(a, tuple) and hasattr(a, "_fields")


def _copy(a):
    """An array copied; a NamedTuple of arrays (a network's parameters) copied field by field."""
    if isinstance(a, np.ndarray):
        return a.copy()
    return type(a)(*map(_copy, a)) if is_namedtuple(a) else a


def arrays(name: str, a) -> list[tuple[str, np.ndarray]]:
    """The arrays an argument holds, named: ``x`` itself, or the fields of a NamedTuple ``p.w1``, ..."""
    if isinstance(a, np.ndarray):
        return [(name, a)]
    if is_namedtuple(a):
        return [(f"{name}.{k}", v) for k, v in zip(a._fields, a, strict=True) if isinstance(v, np.ndarray)]
    return []


def _ints(rng, shape) -> np.ndarray:
    return rng.choice(_NONZERO, size=shape).astype(float)


def _floats(rng, shape) -> np.ndarray:
    """Random non-integer values in (-3, 3), none close to 0 or to an integer."""
    x = rng.uniform(0.1, 0.9, size=shape) + rng.integers(0, 3, size=shape)
    return np.where(rng.random(shape) < 0.5, -x, x)


def _more(rng, cases: list[Case], picks: tuple[int, ...], int_arg: str) -> list[Case]:
    """The cases after the integer ones: ``int_arg`` of integer dtype (int64) in the first case's
    geometry; then random floats on the geometries of ``cases[i]`` for i in ``picks`` (existing
    indices only), in the order A B A C B C: every shape comes back with new values, after another."""
    first = cases[0]
    k = first.names.index(int_arg)
    args = tuple(np.asarray(a, dtype=np.int64) if i == k else a for i, a in enumerate(first.args))
    out = [first.with_args(args, f"{int_arg} of integer dtype (int64); the result must be float", "int")]
    chosen = list(dict.fromkeys(i % len(cases) for i in picks))
    order = [chosen[0], *chosen[1:2], chosen[0], *chosen[2:3], *chosen[1:2], *chosen[2:3]]
    seen = set()
    for i in order:
        base = cases[i]
        args = tuple(_floats(rng, a.shape) if isinstance(a, np.ndarray) else a for a in base.args)
        number = i + 1
        again = i in seen
        seen.add(i)
        about = (
            f"new random values on the shapes of case {number} again"
            if again
            else f"random non-integer values on the shapes of case {number}"
        )
        out.append(base.with_args(args, about, "floats repeat" if again else "floats"))
    return out


def _kernel(rng, shape, pool=_KERNEL_POOL) -> np.ndarray:
    """(..., KH, KW): every KH×KW slice holds distinct nonzero integers (never rot180-symmetric)."""
    *lead, KH, KW = shape
    slices = [rng.choice(pool, KH * KW, replace=False) for _ in range(int(np.prod(lead, dtype=int)))]
    return np.array(slices, dtype=float).reshape(shape)


# (N, C, F, H, W, KH, KW, stride, padding, about, flags), simplest first.
_CONV = [
    (1, 1, 1, 3, 3, 2, 2, 1, 0, "one channel, 3×3 input, 2×2 kernel", ""),
    (1, 1, 1, 4, 5, 2, 3, 1, 0, "non-square input (4×5) and kernel (2×3)", "nonsquare"),
    (1, 1, 1, 4, 3, 4, 3, 1, 0, "the kernel covers the whole input (a single output pixel)", "whole"),
    (2, 1, 1, 3, 4, 2, 2, 1, 0, "a batch of N=2 samples", "batch"),
    (1, 3, 1, 4, 4, 2, 2, 1, 0, "C=3 input channels, F=1 filter", "channels"),
    (1, 1, 3, 4, 4, 2, 2, 1, 0, "C=1 input channel, F=3 filters", "filters"),
    (2, 2, 3, 5, 4, 3, 2, 1, 0, "N=2 samples, C=2 channels, F=3 filters", "batch channels filters"),
    (1, 1, 1, 3, 3, 2, 2, 1, 1, "padding 1", "padding"),
    (1, 1, 1, 3, 4, 3, 2, 1, 2, "padding 2, non-square", "padding nonsquare"),
    (1, 1, 1, 2, 2, 3, 3, 1, 1, "a 3×3 kernel larger than the 2×2 input, padding 1", "padding"),
    (1, 1, 1, 5, 5, 3, 3, 2, 0, "stride 2", "stride"),
    (
        1,
        1,
        1,
        6,
        5,
        3,
        2,
        2,
        0,
        "stride 2 that does not divide: the last row and column are in no window",
        "stride unreached",
    ),
    (
        1,
        1,
        1,
        7,
        8,
        2,
        3,
        3,
        0,
        "stride 3 larger than the kernel height: rows between windows are skipped",
        "stride gap",
    ),
    (1, 1, 1, 5, 4, 3, 2, 2, 1, "stride 2 with padding 1", "stride padding"),
    (1, 1, 1, 4, 5, 2, 2, 3, 2, "stride 3 with padding 2", "stride padding"),
]
_CONV += [
    (2, 2, 3, 6, 5, 3, 2, s, p, f"stride {s}, padding {p}, N=2, C=2, F=3", "batch channels filters")
    for s in (1, 2, 3)
    for p in (0, 1, 2)
]


def _conv_geometry(strides, paddings):
    for N, C, F, H, W, KH, KW, s, p, about, flags in _CONV:
        tags = set(flags.split()) | ({"stride"} if s > 1 else set()) | ({"padding"} if p else set())
        yield (N, C, F, H, W, KH, KW, s, p, about, frozenset(tags)), s in strides and p in paddings


def _conv_kwargs(s: int, p: int) -> dict:
    """Only the settings that differ from the defaults are passed (a stub without them still runs)."""
    return ({"stride": s} if s != 1 else {}) | ({"padding": p} if p else {})


def conv_cases(kind: str, strides, paddings) -> list[Case]:
    """kind "forward": args (x, w, b); kind "backward": args (dz, x, w). All arrays NCHW."""
    rng = np.random.default_rng(6)
    cases = []
    for (N, C, F, H, W, KH, KW, s, p, about, flags), keep in _conv_geometry(strides, paddings):
        x, w, b = _ints(rng, (N, C, H, W)), _kernel(rng, (F, C, KH, KW)), _ints(rng, (F,))
        Ho = conv_output_size(H, KH, stride=s, padding=p)
        Wo = conv_output_size(W, KW, stride=s, padding=p)
        dz = _ints(rng, (N, F, Ho, Wo))
        if not keep:
            continue
        shown = {"stride": s, "padding": p}
        if kind == "forward":
            cases.append(Case((x, w, b), ("x", "w", "b"), _conv_kwargs(s, p), about, flags, shown))
            if len(cases) == 1:
                cases.append(Case((x, w, None), ("x", "w", "b"), {}, "no bias: b=None", flags, shown))
        else:
            cases.append(Case((dz, x, w), ("dz", "x", "w"), _conv_kwargs(s, p), about, flags, shown))
    return cases + _more(rng, cases, (-1, len(cases) // 2, 6), "x")


def conv_matrix_cases(strides, paddings) -> list[Case]:
    """args ((H, W), w) with a 2-D kernel w: the single-channel geometries of the conv battery; last,
    w of SymPy symbols (an object array) on the last of them with at least 2×2 outputs (M must hold
    symbols, as notebooks 02 and 08 ask)."""
    rng = np.random.default_rng(8)
    cases = []
    for (N, C, F, H, W, KH, KW, s, p, about, flags), keep in _conv_geometry(strides, paddings):
        w = _kernel(rng, (KH, KW)) if N == C == F == 1 else None
        if keep and w is not None:
            shown = {"stride": s, "padding": p}
            cases.append(Case(((H, W), w), ("input_shape", "w"), _conv_kwargs(s, p), about, flags, shown))
    return cases + _more(rng, cases, (-1, len(cases) // 2, 1), "w") + [_symbolic_kernel(cases)]


def _symbolic_kernel(cases: list[Case]) -> Case:
    """The last of ``cases`` ((H, W), w) with at least 2×2 outputs again, w now SymPy symbols w_rt."""

    def outputs(case):
        (H, W), w = case.args
        s, p = case.shown["stride"], case.shown["padding"]
        return min(conv_output_size(n, k, stride=s, padding=p) for n, k in zip((H, W), w.shape, strict=True))

    number = [k for k, c in enumerate(cases, 1) if outputs(c) >= 2][-1]
    base = cases[number - 1]
    KH, KW = base.args[1].shape
    w = np.array([[sp.Symbol(f"w_{r}{t}") for t in range(KW)] for r in range(KH)], dtype=object)
    about = f"w of SymPy symbols (an object array) on the shapes of case {number}"
    return base.with_args((base.args[0], w), about, " ".join(sorted(base.flags | {"symbolic"})))


# (x shape, kernel_size, stride, values (see _pool_values), about, flags), simplest first.
_POOL = [
    ((4, 4), 2, None, "distinct", "2×2 windows, stride None (= 2): non-overlapping", ""),
    ((4, 6), 2, None, "distinct", "non-square input (4×6)", "nonsquare"),
    ((6, 6), 3, None, "distinct", "3×3 windows, stride 3", "window"),
    (
        (5, 7),
        (2, 3),
        None,
        "distinct",
        "2×3 windows: the last row and column are in no window",
        "nonsquare unreached",
    ),
    ((3, 4), (3, 4), None, "distinct", "one window covering the whole input", "whole"),
    ((4, 4), 2, 1, "distinct", "overlapping windows: 2×2 at stride 1", "overlap"),
    ((7, 6), 3, 2, "distinct", "overlapping windows: 3×3 at stride 2", "overlap unreached"),
    (
        (6, 7),
        (3, 2),
        (2, 1),
        "distinct",
        "3×2 windows at stride (2, 1): different along each axis",
        "overlap nonsquare",
    ),
    ((7, 7), 2, 3, "distinct", "stride 3 larger than the 2×2 window: pixels between windows", "gap"),
    ((2, 3, 4, 6), 2, None, "distinct", "x of shape (N, C, H, W) = (2, 3, 4, 6)", "batch"),
    (
        (2, 2, 7, 5),
        3,
        2,
        "distinct",
        "(N, C, H, W) input with overlapping 3×3 windows at stride 2",
        "batch overlap unreached",
    ),
    ((4, 4), 2, None, "relu", "ties: windows of zeros, as after a ReLU", "ties"),
    ((5, 5), 2, 1, "grid", "ties in overlapping windows (a grid of 0s and 1s)", "ties overlap"),
    (
        (2, 2, 6, 5),
        3,
        (1, 2),
        "grid",
        "ties, (N, C, H, W) input, overlapping 3×3 windows",
        "ties batch overlap unreached",
    ),
    ((4, 4), 2, None, "signed", "negative entries: the derivative of |x| is sign(x)", "signed"),
    ((5, 6), 3, 2, "signed", "negative entries in overlapping windows", "signed overlap"),
    ((4, 4), 2, None, "zero", "a window of zeros: no derivative there, it passes 0 back", "zero"),
    (
        (3, 4, 6),
        2,
        None,
        "distinct",
        "x of shape (C, H, W) = (3, 4, 6): any number of leading axes",
        "batch rank",
    ),
    (
        (2, 1, 2, 5, 4),
        2,
        1,
        "distinct",
        "a 5-D x of shape (2, 1, 2, 5, 4), overlapping windows",
        "batch rank overlap",
    ),
]
_LP_P = (2, 1, 3, 1.5)
_POOL_SKIP = {"max": {"signed", "zero"}, "avg": {"ties", "signed", "zero"}, "lp": {"ties"}}


def _pool_values(rng, shape, values: str, kernel) -> np.ndarray:
    """distinct (no ties), grid (0s and 1s: ties everywhere), signed, or relu/zero (first window all 0)."""
    size = int(np.prod(shape))
    if values == "distinct":
        return (rng.permutation(size) - size // 2).astype(float).reshape(shape)
    if values == "grid":
        return rng.integers(0, 2, size=shape).astype(float)
    if values == "signed":
        return _ints(rng, shape)
    x = np.maximum(rng.integers(-3, 4, size=shape), 0).astype(float)
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    x[..., :kh, :kw] = 0.0  # the first window is all zeros
    return x


def pool_cases(kind: str, batched: bool = True) -> list[Case]:
    """kind "max"/"avg": args (dy, x, kernel_size); kind "lp": args (dy, x, p, kernel_size)."""
    rng = np.random.default_rng(7)
    cases = []
    for i, (shape, k, s, values, about, flags) in enumerate(_POOL):
        x = _pool_values(rng, shape, values, k)
        if kind == "lp" and values == "distinct":
            x = np.abs(x) + 1.0  # Lp pooling is usually applied after a ReLU: start with x > 0
        kh, kw = (k, k) if isinstance(k, int) else k
        sh, sw = (kh, kw) if s is None else (s, s) if isinstance(s, int) else s
        Ho, Wo = conv_output_size(shape[-2], kh, stride=sh), conv_output_size(shape[-1], kw, stride=sw)
        dy = _ints(rng, (*shape[:-2], Ho, Wo))
        tags = frozenset(flags.split())
        if tags & _POOL_SKIP[kind] or (len(shape) > 2 and not batched):
            continue
        args, names = (dy, x, k), ("dy", "x", "kernel_size")
        if kind == "lp":
            args, names = (dy, x, _LP_P[i % len(_LP_P)], k), ("dy", "x", "p", "kernel_size")
        cases.append(Case(args, names, {} if s is None else {"stride": s}, about, tags, {"stride": s}))
    cases += _more(rng, cases, _pool_picks(cases), "x")
    if kind == "lp":  # the float cases' p: non-integer too
        cases = [
            c.with_args(
                (*c.args[:2], round(float(rng.uniform(1.2, 3.8)), 2), c.args[3]), c.about, " ".join(c.flags)
            )
            if "floats" in c.flags
            else c
            for c in cases
        ]
    return cases


def _pool_picks(cases: list[Case]) -> tuple[int, ...]:
    """A 4-D (else 2-D) case with overlapping windows, a non-square overlapping one, the highest rank."""
    overlap = [i for i, c in enumerate(cases) if "overlap" in c.flags]
    four = [i for i in overlap if cases[i].args[1].ndim == 4] or overlap
    nonsquare = [i for i in overlap if "nonsquare" in cases[i].flags] or overlap
    rank = max(range(len(cases)), key=lambda i: cases[i].args[1].ndim)
    return four[-1], nonsquare[0], rank


_DENSE_POOL = np.setdiff1d(np.arange(-12, 13), [0])  # (N, D_in, D_out, about, flags):
_DENSE = [
    (1, 3, 2, "one sample (N=1), D_in=3, D_out=2", ""),
    (4, 3, 2, "a batch of N=4 samples", "batch"),
    (3, 3, 3, "a square layer (D_in = D_out = 3): a transposed dw has the right shape", "batch square"),
    (5, 4, 6, "N=5, D_in=4, D_out=6", "batch"),
    (2, 3, 1, "a single output neuron (D_out = 1)", "batch"),
]


def dense_cases() -> list[Case]:
    """args (dz, x, w): dz (N, D_out), x (N, D_in), w (D_out, D_in)."""
    rng = np.random.default_rng(1)
    cases = []
    for N, D_in, D_out, about, flags in _DENSE:
        x, w, dz = _ints(rng, (N, D_in)), _kernel(rng, (D_out, D_in), _DENSE_POOL), _ints(rng, (N, D_out))
        cases.append(Case((dz, x, w), ("dz", "x", "w"), {}, about, frozenset(flags.split())))
    return cases + _more(rng, cases, (3, 1, 2), "x")
