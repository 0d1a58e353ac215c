"""Index-level (general H, W, K) derivation of the conv layer's backward pass."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from cnnmath import seedforms as sf
from cnnmath import symbolic
from cnnmath.symbolic import index as si

KD = sp.KroneckerDelta
SIZES = [(h, w, k) for h in range(2, 5) for w in range(2, 5) for k in (1, 2, 3) if k <= min(h, w)]


def _derived_dE_da():
    """The chain rule as SymPy carries it: differentiate, then sum the Kronecker deltas over i, j."""
    summand = si.sum_out(si.kronecker_summand(si.a[si.p, si.q]), (si.i, 0, si.Ho - 1), (si.j, 0, si.Wo - 1))
    return sp.Sum(summand, (si.m, 0, si.K - 1), (si.n, 0, si.K - 1))


def _renamed(S):
    """m -> r = K-1-m, n -> t = K-1-n (the index flip that is the 180-degree rotation)."""
    return S.change_index(si.m, si.K - 1 - si.m, si.r).change_index(si.n, si.K - 1 - si.n, si.t)


def test_kronecker_summand_is_the_product_of_two_deltas():
    expected = si.d[si.i, si.j] * si.w[si.m, si.n] * KD(si.p, si.i + si.m) * KD(si.q, si.j + si.n)
    assert sp.expand(si.kronecker_summand(si.a[si.p, si.q]) - expected) == 0


def test_sum_out_collapses_a_kronecker_delta():
    f = sp.IndexedBase("f")
    got = si.sum_out(f[si.i] * KD(si.p, si.i + si.m), (si.i, 0, 4))
    # Typed by hand: f[p - m] when 0 <= p - m <= 4, else 0.
    for pv in range(-2, 8):
        want = f[pv - 1] if 0 <= pv - 1 <= 4 else 0
        assert got.subs({si.p: pv, si.m: 1}) == want


def test_chain_rule_is_a_true_convolution_then_full_conv_with_rot180():
    derived = _derived_dE_da()
    assert si.prove_same(derived, si.dE_da_convolution())
    assert si.prove_same(_renamed(derived), si.dE_da_full_conv())


def test_unrotated_kernel_is_not_proved_and_fails_on_sizes():
    with pytest.raises(AssertionError, match="cannot show"):
        si.prove_same(_renamed(_derived_dE_da()), si.dE_da_full_conv(rotate=False))
    with pytest.raises(AssertionError, match="H=2, W=2, K=2"):
        si.prove_on_sizes(si.dE_da_full_conv(rotate=False), SIZES)


def test_prove_same_needs_equal_limits():
    with pytest.raises(AssertionError, match="limits differ"):
        si.prove_same(si.dE_da_convolution(), si.dE_da_full_conv())


def test_full_conv_closed_form_on_a_grid_of_sizes():
    assert si.prove_on_sizes(si.dE_da_full_conv(), SIZES) == len(SIZES)


def test_wrong_padding_fails_on_sizes():
    """Padding δ by K zeros instead of K-1 shifts every entry: the proof must fail."""
    K = si.K
    wrong = si.correlate(
        lambda x, y: si.delta_ext(x - K, y - K),
        lambda x, y: si.rot180_at(si.w, x, y),
        si.p,
        si.q,
        u=si.r,
        v=si.t,
    )
    with pytest.raises(AssertionError, match="prove_on_sizes"):
        si.prove_on_sizes(wrong, SIZES)


def test_instantiate_gives_seed001_centre_equation():
    A, Wg, D = symbolic.grid("a", (3, 3)), symbolic.grid("w", (2, 2)), symbolic.grid("δ", (2, 2))
    got = si.instantiate(
        si.dE_da_full_conv(), {si.H: 3, si.W: 3, si.K: 2}, {si.a: A, si.w: Wg, si.d: D}, (3, 3)
    )
    (d11, d12), (d21, d22) = D
    (w11, w12), (w21, w22) = Wg
    # Seed 001: ∂E/∂a_{2,2} = δ11 w22 + δ12 w21 + δ21 w12 + δ22 w11; corners take one term each.
    assert sp.expand(got[1, 1] - (d11 * w22 + d12 * w21 + d21 * w12 + d22 * w11)) == 0
    assert got[0, 0] == d11 * w11 and got[2, 2] == d22 * w22 and got[0, 2] == d12 * w12


def test_instantiate_numbers_match_full_conv(rng):
    x, k, dz = rng.normal(size=(5, 4)), rng.normal(size=(3, 3)), rng.normal(size=(3, 2))
    got = si.instantiate(
        si.dE_da_full_conv(), {si.H: 5, si.W: 4, si.K: 3}, {si.a: x, si.w: k, si.d: dz}, (5, 4)
    )
    np.testing.assert_allclose(got.astype(float), sf.full_conv(dz, k), atol=1e-12)


def test_instantiate_refuses_indices_outside_the_array():
    D = symbolic.grid("δ", (2, 2))
    with pytest.raises(IndexError, match="outside"):
        si.instantiate(si.d[si.p - 1, si.q], {}, {si.d: D}, (2, 2))


def test_weight_gradient_is_input_correlated_with_delta():
    summand = si.sum_out(si.kronecker_summand(si.w[si.p, si.q]), (si.m, 0, si.K - 1), (si.n, 0, si.K - 1))
    inside = (si.p >= 0) & (si.p <= si.K - 1) & (si.q >= 0) & (si.q <= si.K - 1)
    value = si.in_range(summand, inside)
    assert si.prove_same(sp.Sum(value, (si.i, 0, si.Ho - 1), (si.j, 0, si.Wo - 1)), si.dE_dw_correlation())
    assert si.prove_on_sizes(si.dE_dw_correlation(), SIZES, wrt="w") == len(SIZES)
    with pytest.raises(AssertionError):  # the wrong condition is refused
        si.in_range(summand, (si.p >= 0) & (si.q >= 0))


def test_weight_gradient_with_rotated_delta_fails():
    wrong = si.correlate(
        si.a, lambda x, y: si.rot180_at(si.d, x, y, si.Ho), si.p, si.q, si.Ho, si.Wo, si.i, si.j
    )
    with pytest.raises(AssertionError, match="prove_on_sizes"):
        si.prove_on_sizes(wrong, [(3, 3, 2)], wrt="w")


def test_prove_on_sizes_rejects_unknown_wrt():
    with pytest.raises(ValueError, match="prove_on_sizes: wrt"):
        si.prove_on_sizes(si.dE_da_full_conv(), SIZES, wrt="b")
