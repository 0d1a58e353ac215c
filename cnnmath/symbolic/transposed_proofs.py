"""conv2d's input gradient IS the transposed convolution of δ: an exact proof over a grid of cases.

For each case, with generators y (N, C, H′, W′), w (F, C, KH, KW) and δ (N, F, H, W) of one
polynomial ring over ZZ (:mod:`cnnmath.symbolic.ring`):

    E = Σ δ ⊙ conv2d(y, w, stride=S, padding=P)          (the loop form, on ring elements)
    ∂E/∂y == conv_transpose2d(δ, w, stride=S, padding=P, output_padding=op)   (the loop form)

exactly (equal polynomials), where H′ = (H − 1)·S − 2P + KH + op is one of the S input sizes that
conv2d maps to H outputs. The referee is the ring's exact derivative of the forward loops; the
claimed side is the gather loops of :mod:`cnnmath.reference.conv_transpose`, which never call
conv2d or its backward pass.
"""

from __future__ import annotations

import itertools

from ..reference import conv as ref_conv
from ..reference import conv_transpose as ref_transposed
from . import ring

__all__ = ["cases", "prove_input_grad_is_transposed"]


def cases(sizes, kernels, strides, paddings, *, channels=((1, 1),)) -> list[tuple]:
    """Every (C, F, H, KH, S, P, op) of the given lists (square kernels; δ is H × (H + 1)) with every
    output_padding 0 <= op < S, for which the transposed output size H′ is at least 1 and at least
    KH − 2P (so that conv2d of a H′ input is defined)."""
    out = []
    for (C, F), H, K, S, P in itertools.product(channels, sizes, kernels, strides, paddings):
        for op in range(S):
            Hp = (H - 1) * S - 2 * P + K + op
            if Hp >= 1 and K <= Hp + 2 * P:
                out.append((C, F, H, K, S, P, op))
    return out


def _claim(C, F, H, K, S, P, op, *, transposed=ref_transposed.conv_transpose2d):
    Hp, Wp = (H - 1) * S - 2 * P + K + op, H * S - 2 * P + K + op
    # δ has one more column than rows (W = H + 1), so a mix-up of rows and columns cannot pass
    _, (y, w, d) = ring.grids(("y", (1, C, Hp, Wp)), ("w", (F, C, K, K)), ("δ", (1, F, H, H + 1)))
    E = ring.total(ref_conv.conv2d(y, w, stride=S, padding=P) * d)
    ring.prove_equal(ring.grad(E, y), transposed(d, w, stride=S, padding=P, output_padding=op))


def prove_input_grad_is_transposed(case_list, *, transposed=ref_transposed.conv_transpose2d) -> int:
    """Prove ∂E/∂y == transposed(δ, w, ...) on every case of ``case_list`` (from :func:`cases`);
    returns how many were proved. ``transposed``: the function under proof (a wrong one fails with
    an AssertionError naming the case and the entry)."""
    return ring.prove_over(lambda *c: _claim(*c, transposed=transposed), case_list)
