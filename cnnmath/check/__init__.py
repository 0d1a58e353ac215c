"""Auto-checkers for the notebooks' coding exercises.

Each checker runs a learner's function over a fixed battery of small cases chosen to expose the
bugs learners actually ship — the stride left out of the backward loop, a max-pool backward that
only works for 2×2 windows at stride 2, a crop ``[p:-p]`` that is empty when p = 0, ties counted
twice, the kernel not rotated, weights overwritten instead of accumulated, a mean instead of a sum,
the upstream gradient modified in place — and compares every result with cnnmath's own function
of the same name (tested elsewhere against loops, finite differences and PyTorch).

    >>> from cnnmath import check
    >>> check.check_conv2d_backward(my_conv2d_backward)        # doctest: +SKIP
    ✓ conv2d_backward: all 31 cases pass (stride 1, 2, 3; padding 0, 1, 2; graded: dx, dw, db).

The learner's function has exactly the signature of the cnnmath function of the same name, e.g.
``conv2d_backward(dz, x, w, *, stride=1, padding=0) -> (dx, dw, db)`` on NCHW arrays. On the
first failing case a checker raises :class:`ExerciseFailed` (an ``AssertionError``) that says, in
plain words, which case failed (what it tests, the call, the shapes, stride and padding; the inputs
themselves when small), the first entries that differ (expected vs got) and the 2-D slice holding
them, a diagnosis when the result matches a known mistake, and a hint naming the notebook to
reread. An exception raised by the learner's function is reported the same way, with its text
(and the original traceback chained), with the line of the learner's code that raised it.

The first cases hold small integers, to be followed by hand. Then come the cases integers hide
bugs from: an input of integer dtype (``np.zeros_like(x)`` of an integer x is an integer array),
then random non-integer floats on shapes already used, each shape twice with other shapes in
between (a result kept in a module-level buffer, or a cache keyed by shape, fails the second
time); pooling runs on (H, W), (C, H, W), (N, C, H, W) and 5-D inputs. Returned arrays must be
float64 or float32 numpy arrays of the right shape; values are compared at float32 precision
(``|got - expected| <= 1e-5·(|expected| + max|expected|)``), so float32 arithmetic passes. No
input may be modified, no result may share memory with an input or another result, and no result
may change when the function is called again. Diagnoses compare a wrong result with known wrong
answers (a truncated input or result, p used as an integer, the answer of an earlier case with the
same shapes, the kernel not rotated, ...), and a diagnosis brings its own hint. The conv_matrix
battery ends with a kernel of SymPy symbols (notebooks 02 and 08 ask for that): there M must be an
object array of SymPy expressions, compared exactly.

**For teachers: how a notebook keeps its exercise unsolved and still passes nbval.** An exercise
is two cells. The *stub* cell (cell tag ``exercise``) defines the function with the right
signature and the body ``raise NotImplementedError("your code here")``; the *check* cell (tag
``exercise-check``) calls the checker, e.g. ``check.check_max_pool2d_backward(max_pool2d_backward)``.
When the checker meets ``NotImplementedError`` it does not fail: it prints one fixed line saying
the exercise is not done yet and that it ran the same battery on the reference solution (the line
does not give the number of cases, so a stored notebook need not change when a battery grows)
(cnnmath's function), which must pass. So the stored notebook keeps the stub, its stored output
is that line, and nbval (which re-runs the notebook and compares the text) passes. A learner who
fills in the stub gets either the one-line ``✓ ... all N cases pass`` or an ``ExerciseFailed``
explaining the first failing case. Every message is deterministic (fixed seeds, fixed number
formatting). ``strides=``/``paddings=`` narrow the convolution batteries for a notebook that has
not taught stride or padding yet, ``parts=`` grades only some outputs (the others may be None),
and ``batched=False`` keeps the pooling batteries to 2-D inputs (H, W).
"""

from __future__ import annotations

from ..ops.conv import conv2d, conv2d_backward
from ..ops.dense import dense_backward
from ..ops.pool import avg_pool2d_backward, lp_pool2d_backward, max_pool2d_backward
from ..seedforms.matrices import conv_matrix
from . import _battery
from ._run import ExerciseFailed, Spec, run
from .chapters import check_numerical_gradient, check_softmax_cross_entropy, check_twoconv_backward
from .dilated import check_conv2d_dilated_backward
from .transposed import check_conv_transpose2d

__all__ = [
    "ExerciseFailed",
    "check_avg_pool2d_backward",
    "check_conv2d_backward",
    "check_conv2d_dilated_backward",
    "check_conv2d_forward",
    "check_conv_matrix",
    "check_conv_transpose2d",
    "check_dense_backward",
    "check_lp_pool2d_backward",
    "check_max_pool2d_backward",
    "check_numerical_gradient",
    "check_softmax_cross_entropy",
    "check_twoconv_backward",
]


def _settings(fn: str, strides, paddings) -> tuple[tuple[int, ...], tuple[int, ...]]:
    out = []
    for name, values, allowed in (("strides", strides, (1, 2, 3)), ("paddings", paddings, (0, 1, 2))):
        values = (values,) if isinstance(values, int) else tuple(values)
        if not values or any(v not in allowed for v in values):
            raise ValueError(f"{fn}: {name} must be a non-empty subset of {allowed}, got {values!r}")
        out.append(values)
    return out[0], out[1]


def _parts(fn: str, parts, allowed: tuple[str, ...]) -> tuple[str, ...]:
    parts = (parts,) if isinstance(parts, str) else tuple(parts)
    if not parts or any(p not in allowed for p in parts):
        raise ValueError(f"{fn}: parts must be a non-empty subset of {allowed}, got {parts!r}")
    return tuple(p for p in allowed if p in parts)


def _conv_summary(strides, paddings) -> str:
    return f"stride {', '.join(map(str, strides))}; padding {', '.join(map(str, paddings))}"


def check_conv2d_forward(fn, *, strides=(1, 2, 3), paddings=(0, 1, 2)) -> None:
    """Grade ``fn(x, w, b=None, *, stride=1, padding=0) -> z`` (NCHW) against :func:`cnnmath.conv2d`."""
    strides, paddings = _settings("check_conv2d_forward", strides, paddings)
    spec = Spec("conv2d", conv2d, ("z",), ("z",), _conv_summary(strides, paddings))
    run(spec, fn, _battery.conv_cases("forward", strides, paddings))


def check_conv2d_backward(fn, *, strides=(1, 2, 3), paddings=(0, 1, 2), parts=("dx", "dw", "db")) -> None:
    """Grade ``fn(dz, x, w, *, stride=1, padding=0) -> (dx, dw, db)`` against
    :func:`cnnmath.conv2d_backward`; only the outputs named in ``parts`` are compared."""
    strides, paddings = _settings("check_conv2d_backward", strides, paddings)
    graded = _parts("check_conv2d_backward", parts, ("dx", "dw", "db"))
    summary = f"{_conv_summary(strides, paddings)}; graded: {', '.join(graded)}"
    spec = Spec("conv2d_backward", conv2d_backward, ("dx", "dw", "db"), graded, summary)
    run(spec, fn, _battery.conv_cases("backward", strides, paddings))


def check_conv_matrix(fn, *, strides=(1, 2, 3), paddings=(0, 1, 2)) -> None:
    """Grade ``fn(input_shape, w, *, stride=1, padding=0) -> M`` (2-D kernel w) against
    :func:`cnnmath.seedforms.conv_matrix`; the last case passes w as SymPy symbols (an object array),
    and M must hold them (compared exactly)."""
    strides, paddings = _settings("check_conv_matrix", strides, paddings)
    summary = f"{_conv_summary(strides, paddings)}; numbers and SymPy symbols"
    spec = Spec("conv_matrix", conv_matrix, ("M",), ("M",), summary, home="cnnmath.seedforms")
    run(spec, fn, _battery.conv_matrix_cases(strides, paddings))


def _pool_summary(kind: str, batched: bool) -> str:
    shapes = "(H, W) to 5-D (..., H, W) inputs" if batched else "(H, W) inputs"
    extra = {"max": "ties", "avg": "non-square windows", "lp": "negative entries, a window of zeros"}[kind]
    return f"{shapes}, overlapping windows, {extra}"


def check_max_pool2d_backward(fn, *, batched: bool = True) -> None:
    """Grade ``fn(dy, x, kernel_size, *, stride=None) -> dx`` against
    :func:`cnnmath.max_pool2d_backward` (ties: the first maximum in row-major order)."""
    spec = Spec("max_pool2d_backward", max_pool2d_backward, ("dx",), ("dx",), _pool_summary("max", batched))
    run(spec, fn, _battery.pool_cases("max", batched))


def check_avg_pool2d_backward(fn, *, batched: bool = True) -> None:
    """Grade ``fn(dy, x, kernel_size, *, stride=None) -> dx`` against :func:`cnnmath.avg_pool2d_backward`."""
    spec = Spec("avg_pool2d_backward", avg_pool2d_backward, ("dx",), ("dx",), _pool_summary("avg", batched))
    run(spec, fn, _battery.pool_cases("avg", batched))


def check_lp_pool2d_backward(fn, *, batched: bool = True) -> None:
    """Grade ``fn(dy, x, p, kernel_size, *, stride=None) -> dx`` against :func:`cnnmath.lp_pool2d_backward`
    (with sign(x) for negative entries; a window of zeros passes 0 back)."""
    spec = Spec("lp_pool2d_backward", lp_pool2d_backward, ("dx",), ("dx",), _pool_summary("lp", batched))
    run(spec, fn, _battery.pool_cases("lp", batched))


def check_dense_backward(fn, *, parts=("dx", "dw", "db")) -> None:
    """Grade ``fn(dz, x, w) -> (dx, dw, db)`` (x: (N, D_in), w: (D_out, D_in)) against
    :func:`cnnmath.dense_backward`; only the outputs named in ``parts`` are compared."""
    graded = _parts("check_dense_backward", parts, ("dx", "dw", "db"))
    spec = Spec("dense_backward", dense_backward, ("dx", "dw", "db"), graded, f"graded: {', '.join(graded)}")
    run(spec, fn, _battery.dense_cases())
