"""The convolution layer's formulas proved exactly over grids of sizes (notebooks 03–06).

Every claim is an identity between polynomials with integer coefficients in the entries of x, w, b
and δ, so each case is proved exactly in a polynomial ring over ZZ (:mod:`cnnmath.symbolic.ring`):
the arrays hold ring generators, the loop forms run on them unchanged, ``a - b == 0`` is a proof and
``PolyElement.diff`` the exact derivative. Each function proves its claim at every case of a list
(a tuple of sizes per case), returns how many cases it proved, and raises AssertionError naming the
case and the first entry that differs when the claim is false. The formula under proof is a keyword
argument, so a wrong one can be passed in and seen to fail.

The referee is never the claim itself:

- :func:`prove_forward` (notebook 03): seed 001's index formula, written out below as loops over
  d, m, n on the zero-padded input, against the loop form :func:`cnnmath.reference.conv2d`.
- the backward proofs (notebooks 04–06): the exact derivative of

      E = Σ δ ∘ net,     net = reference.conv2d(x, w, b, stride=S, padding=P)   (the forward loops)

  (any loss has this gradient locally, with δ = ∂E/∂net), against a lecture route of
  :mod:`cnnmath.seedforms.full_convolution`: ∂E/∂x by full convolution (:func:`prove_full_conv`,
  :func:`prove_delta_route`, :func:`prove_channel_sum`), ∂E/∂w by correlating the input with δ
  (:func:`prove_weight_route`).

A case proves one size; the functions say nothing about sizes outside the list they are given.
"""

from __future__ import annotations

import itertools
import numbers

import numpy as np

from ..ops import conv as _fast
from ..ops.conv_args import conv_output_size
from ..reference import conv as _loops
from ..symbolic import ring
from .full_convolution import delta_full_conv, full_conv, pad, weight_grad_correlate

__all__ = [
    "BACKWARD_CASE",
    "prove_channel_sum",
    "prove_delta_route",
    "prove_forward",
    "prove_full_conv",
    "prove_weight_route",
]

# The backward proofs' case: N samples, C input channels, F filters, an H×W input, a KH×KW kernel,
# stride S, padding P.
BACKWARD_CASE = ("N", "C", "F", "H", "W", "KH", "KW", "S", "P")


def _check_cases(fn: str, cases, names: tuple[str, ...]) -> list[tuple[int, ...]]:
    """The cases as a list of tuples of ``len(names)`` integers (the padding P may be 0, the others
    are at least 1); a ValueError naming the case otherwise."""
    cases = list(cases)
    if not cases:
        raise ValueError(f"{fn}: no cases given (each case is {names})")
    out = []
    for case in cases:
        ok = isinstance(case, tuple | list) and len(case) == len(names)
        ok = ok and all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in case)
        ok = ok and all(v >= (0 if name == "P" else 1) for name, v in zip(names, case, strict=True))
        if not ok:
            raise ValueError(
                f"{fn}: each case must be {len(names)} integers {names} (P >= 0, the others >= 1), "
                f"got {case!r}"
            )
        out.append(tuple(int(v) for v in case))
    return out


def _out_hw(H: int, W: int, KH: int, KW: int, S: int, P: int, D: int = 1) -> tuple[int, int]:
    """The output size (H', W') of a conv layer (:func:`cnnmath.conv_output_size`, which refuses a
    kernel that does not fit)."""
    return (
        conv_output_size(H, KH, stride=S, padding=P, dilation=D),
        conv_output_size(W, KW, stride=S, padding=P, dilation=D),
    )


def _seed_formula(x, w, b, S: int, P: int) -> np.ndarray:
    """Seed 001's z_{n,i,j} = Σ_d Σ_m Σ_k w_{n,d,m,k} x_pad[d, iS + m, jS + k] + b_n, as loops.
    x: (D, H, L), w: (N, D, F, F), b: (N,) -> (N, H', L')."""
    N, D, F, _ = w.shape
    xp = pad(x, P)  # P rings of zeros around every channel
    Ho, Lo = (xp.shape[1] - F) // S + 1, (xp.shape[2] - F) // S + 1  # H', L' with the floor
    z = np.empty((N, Ho, Lo), dtype=object)
    for n, i, j in np.ndindex(z.shape):
        window = itertools.product(range(D), range(F), range(F))
        z[n, i, j] = sum(w[n, d, m, k] * xp[d, i * S + m, j * S + k] for d, m, k in window) + b[n]
    return z


def prove_forward(cases, *, conv=_loops.conv2d, fast=_fast.conv2d, rng=None) -> int:
    """Seed 001's forward formula with depth, filters, stride and padding, on every case.

    Case: (D, N, H, L, F, S, P) in seed 001's letters: depth D, N filters, an H×L input x: (D, H, L),
    F×F kernels w: (N, D, F, F), bias b: (N,), stride S, padding P. Proved exactly, on ring generators:

    - ``conv(x, w, b, stride=S, padding=P)`` (the loop form) == the seed's formula
      z_{n,i,j} = Σ_d Σ_m Σ_k w_{n,d,m,k} x_pad[d, iS + m, jS + k] + b_n, shape (N, H', L') included;
    - it is the sum of the D per-channel convolutions, Σ_d conv(x_d, w_{n,d}) + b_n;
    - the output depends on exactly N(D F² + 1) parameters (counted from the polynomials);

    and ``fast`` (cnnmath.conv2d) == the loop form on random small integers, where floating point
    is exact. Returns the number of cases proved.
    """
    fn = "conv_proofs.prove_forward"
    cases = _check_cases(fn, cases, ("D", "N", "H", "L", "F", "S", "P"))
    rng = np.random.default_rng(0) if rng is None else rng

    def claim(D, N, H, L, F, S, P):
        _out_hw(H, L, F, F, S, P)  # a kernel that does not fit: ValueError
        R, (x, w, b) = ring.grids(("x", (D, H, L)), ("w", (N, D, F, F)), ("b", (N,)))
        z = conv(x, w, b, stride=S, padding=P)  # (N, H', L')
        ring.prove_equal(z, _seed_formula(x, w, b, S, P), label="the seed's formula")
        per_channel = [
            sum(conv(x[d], w[n, d], stride=S, padding=P) for d in range(D)) + b[n] for n in range(N)
        ]
        ring.prove_equal(z, np.array(per_channel), label="Σ_d x_d ⋆ w_{n,d} + b_n")
        params = set(w.ravel()) | set(b.ravel())
        used = [g for g, deg in zip(R.gens, ring.total(z).degrees(), strict=True) if deg > 0 and g in params]
        if len(used) != N * (D * F**2 + 1):
            raise AssertionError(
                f"the output depends on {len(used)} parameters, not N(DF² + 1) = {N * (D * F**2 + 1)}"
            )
        xi, wi, bi = (rng.integers(-3, 4, size=a.shape).astype(float) for a in (x, w, b))
        loops = np.asarray(conv(xi, wi, bi, stride=S, padding=P), dtype=float)
        if not np.array_equal(fast(xi, wi, bi, stride=S, padding=P), loops):
            raise AssertionError("the fast form differs from the loops on small integers")

    return ring.prove_over(claim, cases)


def _backward_grids(N, C, F, H, W, KH, KW, S, P, D=1):
    """Ring generators x (N, C, H, W), w (F, C, KH, KW), b (F,), δ (N, F, H', W') and
    E = Σ δ ∘ reference.conv2d(x, w, b, ...)."""
    _, (x, w, b, d) = ring.grids(
        ("a", (N, C, H, W)),
        ("w", (F, C, KH, KW)),
        ("b", (F,)),
        ("δ", (N, F, *_out_hw(H, W, KH, KW, S, P, D))),
    )
    E = ring.total(d * _loops.conv2d(x, w, b, stride=S, padding=P, dilation=D))
    return x, w, b, d, E


def prove_full_conv(cases, *, route=full_conv) -> int:
    """∂E/∂a == ``route(δ, w)`` (:func:`~cnnmath.seedforms.full_conv`: δ padded by K − 1 zeros and
    correlated with rot180(w)), with E = Σ δ ∘ reference.conv2d(a, w), on every case.

    Case: (H, W, K): a 2-D input a: (H, W), a K×K kernel w, stride 1, no padding, δ: (H − K + 1,
    W − K + 1). Returns the number of cases proved.
    """
    cases = _check_cases("conv_proofs.prove_full_conv", cases, ("H", "W", "K"))

    def claim(H, W, K):
        _out_hw(H, W, K, K, 1, 0)
        _, (a, w, d) = ring.grids(("a", (H, W)), ("w", (K, K)), ("δ", (H - K + 1, W - K + 1)))
        E = ring.total(d * _loops.conv2d(a, w))
        ring.prove_equal(ring.grad(E, a), route(d, w), label="∂E/∂a")

    return ring.prove_over(claim, cases)


def prove_delta_route(cases, *, route=delta_full_conv) -> int:
    """∂E/∂x == ``route(δ, w, x.shape, stride=S, padding=P)`` on every case: the default is
    :func:`~cnnmath.seedforms.delta_full_conv` (insert S − 1 zeros between the entries of δ,
    full-convolve with w, crop P on every side; with 4-D arrays it also sums over the filters).

    Case: (N, C, F, H, W, KH, KW, S, P): x: (N, C, H, W), w: (F, C, KH, KW), δ: (N, F, H', W').
    Returns the number of cases proved.
    """
    cases = _check_cases("conv_proofs.prove_delta_route", cases, BACKWARD_CASE)

    def claim(N, C, F, H, W, KH, KW, S, P):
        x, w, _, d, E = _backward_grids(N, C, F, H, W, KH, KW, S, P)
        ring.prove_equal(ring.grad(E, x), route(d, w, x.shape, stride=S, padding=P), label="∂E/∂x")

    return ring.prove_over(claim, cases)


def prove_channel_sum(cases, *, route=delta_full_conv) -> int:
    """Seed 001's rule for depth D and N filters, slice by slice, on every case:

        ∂E/∂x_{n,d} = Σ_f route(δ_{n,f}, w_{f,d}, (H, W), stride=S, padding=P)

    for every sample n and input channel d, each term one 2-D stride-and-padding route
    (:func:`~cnnmath.seedforms.delta_full_conv` by default: dilate(δ, S) full-convolved with the
    kernel, cropped by P), against the exact derivative of the forward loops.

    Case: (N, C, F, H, W, KH, KW, S, P) as in :func:`prove_delta_route` (C is the seed's depth D, F
    its number of filters N). Returns the number of cases proved.
    """
    cases = _check_cases("conv_proofs.prove_channel_sum", cases, BACKWARD_CASE)

    def claim(N, C, F, H, W, KH, KW, S, P):
        x, w, _, d, E = _backward_grids(N, C, F, H, W, KH, KW, S, P)
        seed = np.empty((N, C, H, W), dtype=object)
        for n, c in np.ndindex(N, C):
            seed[n, c] = sum(route(d[n, f], w[f, c], (H, W), stride=S, padding=P) for f in range(F))
        ring.prove_equal(ring.grad(E, x), seed, label="∂E/∂x_d = Σ_n δ_n * W_nd")

    return ring.prove_over(claim, cases)


def prove_weight_route(cases, *, route=weight_grad_correlate) -> int:
    """∂E/∂w == ``route(x, δ, (KH, KW), stride=S, padding=P)`` and ∂E/∂b_f == Σ δ_f on every case,
    with a bias in the forward pass. The default route is
    :func:`~cnnmath.seedforms.weight_grad_correlate`: the zero-padded input correlated with
    dilate(δ, S), summed over the samples (the weights are shared over the batch).

    Case: (N, C, F, H, W, KH, KW, S, P) as in :func:`prove_delta_route`. Returns the number of cases
    proved.
    """
    cases = _check_cases("conv_proofs.prove_weight_route", cases, BACKWARD_CASE)

    def claim(N, C, F, H, W, KH, KW, S, P):
        x, w, b, d, E = _backward_grids(N, C, F, H, W, KH, KW, S, P)
        ring.prove_equal(ring.grad(E, w), route(x, d, (KH, KW), stride=S, padding=P), label="∂E/∂w")
        ring.prove_equal(ring.grad(E, b), [ring.total(d[:, f]) for f in range(F)], label="∂E/∂b = Σδ")

    return ring.prove_over(claim, cases)
