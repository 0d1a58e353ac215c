"""Seed 000's literal (11) and (16) == cnnmath.nn == central differences == PyTorch, ties on purpose."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from cnnmath import nn, numerical_gradient, squared_error
from cnnmath.seedforms import seed000 as s
from cnnmath.symbolic import activation, elementwise, grad, grid, prove_equal, sym_sum

# (n, m, n_w, n_g, L): n_f = n - n_w + 1 must be divisible by n_g.
SHAPES = [
    (5, 2, 2, 2, 2),
    (4, 1, 2, 3, 1),
    (6, 3, 3, 2, 2),
    (7, 2, 2, 3, 3),
    (3, 2, 3, 1, 2),
    (6, 2, 1, 3, 1),
]


def _case(rng, n, m, n_w, n_g, L):
    p = s.init_params(m, n_w, (n - n_w + 1) // n_g, L, rng)
    return rng.normal(size=(n, n)), rng.uniform(size=L), p


def _sequential(p, n_g):
    """The network built by hand from cnnmath.nn layers (independent of seed000.to_sequential)."""
    (m, n_w, _), (L, _, n_p, _) = p.wf.shape, p.wo.shape
    model = nn.Sequential(
        nn.Conv2D(1, m, n_w),
        nn.Sigmoid(),
        nn.MaxPool2D(n_g),
        nn.Flatten(),
        nn.Dense(m * n_p * n_p, L),
        nn.Sigmoid(),
    )
    model[0].params["w"][...], model[0].params["b"][...] = p.wf[:, None], p.bf
    model[4].params["w"][...], model[4].params["b"][...] = p.wo.reshape(L, m * n_p * n_p), p.bo
    return model


def _nn_grads(p, n_g, x, t):
    """Loss and gradients from the cnnmath.nn layers, in seed000's shapes."""
    model = _sequential(p, n_g)
    out = model.forward(x[None, None])
    cost, dout = squared_error(out, t[None])
    model.backward(dout)
    conv, dense = model[0].grads, model[4].grads
    return out[0], cost, s.Params(conv["w"][:, 0], conv["b"], dense["w"].reshape(p.wo.shape), dense["b"])


def _numeric(x, t, p, n_g):
    """Central differences of C for every parameter array."""
    grads = []
    for k in range(4):

        def cost(v, k=k):
            q = list(p)
            q[k] = v
            return 0.5 * np.sum((t - s.forward(x, s.Params(*q), n_g).ao) ** 2)

        grads.append(numerical_gradient(cost, p[k]))
    return s.Params(*grads)


@pytest.mark.parametrize("shape", SHAPES)
def test_forward_and_gradients_equal_cnnmath_nn(rng, shape):
    x, t, p = _case(rng, *shape)
    n_g = shape[3]
    out, cost, expected = _nn_grads(p, n_g, x, t)
    g = s.backward(x, t, p, n_g)
    np.testing.assert_allclose(s.forward(x, p, n_g).ao, out, rtol=1e-12)
    assert g.cost == pytest.approx(cost, rel=1e-12)
    for name, got, want in zip(s.Params._fields, g.dp, expected, strict=True):
        assert got.shape == want.shape, name
        np.testing.assert_allclose(got, want, atol=1e-13, err_msg=name)


@pytest.mark.parametrize("shape", SHAPES)
def test_gradients_equal_central_differences(rng, shape):
    x, t, p = _case(rng, *shape)
    g = s.backward(x, t, p, shape[3])
    for name, got, want in zip(s.Params._fields, g.dp, _numeric(x, t, p, shape[3]), strict=True):
        np.testing.assert_allclose(got, want, atol=1e-8, err_msg=name)


def test_neuron_errors_formula_11_by_chain_rule(rng):
    """∂C/∂z^F from (11) == central differences of C in z^F (pooling and output written out by hand)."""
    n_g, (x, t, p) = 2, _case(rng, 5, 2, 2, 2, 2)
    g, f = s.backward(x, t, p, n_g), s.forward(x, p, n_g)

    def cost_of_zf(zf):
        zp = (1 / (1 + np.exp(-zf))).reshape(2, 2, 2, 2, 2).max(axis=(2, 4))
        ao = 1 / (1 + np.exp(-(np.einsum("lkij,kij->l", p.wo, zp) + p.bo)))
        return 0.5 * np.sum((t - ao) ** 2)

    np.testing.assert_allclose(g.dzf, numerical_gradient(cost_of_zf, f.zf), atol=1e-9)
    np.testing.assert_allclose(g.dzo, (f.ao - t) * f.ao * (1 - f.ao), rtol=1e-12)
    assert np.count_nonzero(g.dzf) == 2 * 2 * 2  # one cell per pooling block (Γ)


def _cost_of_zf(p, t, n_g):
    """C as a function of z^F: σ, block maxima, the output layer and C written out by hand."""
    m, n_p = p.wf.shape[0], p.wo.shape[2]

    def cost(zf):
        zp = (1 / (1 + np.exp(-zf))).reshape(m, n_p, n_g, n_p, n_g).max(axis=(2, 4))
        ao = 1 / (1 + np.exp(-(np.einsum("lkij,kij->l", p.wo, zp) + p.bo)))
        return 0.5 * np.sum((t - ao) ** 2)

    return cost


@pytest.mark.parametrize("shape", [(5, 2, 2, 2, 2), (7, 2, 2, 3, 3), (6, 3, 3, 2, 2), (6, 1, 1, 3, 1)])
def test_formula_11_loops_equal_central_differences(rng, shape):
    """formula_11 (the seed's loops over γ, α, β) == central differences of C in z^F; with Γ ≡ 1 (the
    block's error sent to every cell, as if the max were a sum) it is not."""
    x, t, p = _case(rng, *shape)
    n_g = shape[3]
    f = s.forward(x, p, n_g)
    dzo = (f.ao - t) * f.ao * (1 - f.ao)
    knobs = {"wo": p.wo, "af_prime": f.af * (1 - f.af), "n_g": n_g}
    dzf = s.formula_11(s.gamma(f.af, n_g), dzo, **knobs)
    assert dzf.dtype == np.float64 and dzf.shape == f.zf.shape
    np.testing.assert_allclose(dzf, numerical_gradient(_cost_of_zf(p, t, n_g), f.zf), atol=1e-9)
    np.testing.assert_allclose(dzf, s.backward(x, t, p, n_g).dzf, rtol=1e-12, atol=1e-15)
    without_gamma = s.formula_11(np.ones(f.zf.shape), dzo, **knobs)  # every shape has n_g > 1
    assert not np.allclose(without_gamma, numerical_gradient(_cost_of_zf(p, t, n_g), f.zf), atol=1e-6)


def test_formula_11_on_symbols_equals_sympys_derivative():
    """On SymPy objects, with an unknown a and a fixed max pattern G (valid near numbers without ties):
    formula_11 == sp.diff of C; a pattern other than the one the network pools with fails."""
    m, n_f, n_g, L = 2, 4, 2, 2
    n_p = n_f // n_g
    a, a_prime = activation("a")
    act, act_prime = elementwise(a), elementwise(a_prime)
    ZF, WO, BO, T = grid("z^F", (m, n_f, n_f)), grid("w^O", (L, m, n_p, n_p)), grid("b^O", L), grid("t", L)
    G = np.zeros((m, n_f, n_f), dtype=int)
    G[:, ::2, 1::2] = 1  # one cell per 2×2 block: the top right one
    ZP = (G * act(ZF)).reshape(m, n_p, n_g, n_p, n_g).sum(axis=(2, 4))  # the max with pattern G
    ZO = np.array([sym_sum(WO[l] * ZP) + BO[l] for l in range(L)])
    C = sp.Rational(1, 2) * sym_sum((T - act(ZO)) ** 2)
    dzo = (act(ZO) - T) * act_prime(ZO)
    dzf = s.formula_11(G, dzo, wo=WO, af_prime=act_prime(ZF), n_g=n_g)
    assert dzf.dtype == object
    assert prove_equal(grad(C, ZF), dzf)
    with pytest.raises(AssertionError, match="not equal"):
        prove_equal(grad(C, ZF), s.formula_11(G[:, :, ::-1], dzo, wo=WO, af_prime=act_prime(ZF), n_g=n_g))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((np.ones((2, 4, 4)), np.ones(2), np.ones((2, 2, 2)), np.ones((2, 4, 4)), 2), "wo must be"),
        ((np.ones((2, 4, 4)), np.ones(3), np.ones((2, 2, 2, 2)), np.ones((2, 4, 4)), 2), "dzo has shape"),
        ((np.ones((2, 4, 4)), np.ones(2), np.ones((2, 2, 2, 2)), np.ones((2, 3, 3)), 2), "af_prime has"),
        ((np.ones((1, 4, 4)), np.ones(2), np.ones((2, 2, 2, 2)), np.ones((2, 4, 4)), 2), "gamma has"),
        ((np.ones((2, 4, 4)), np.ones(2), np.ones((2, 2, 2, 2)), np.ones((2, 4, 4)), 0), "n_g"),
    ],
)
def test_formula_11_bad_shapes_are_named(args, message):
    gamma, dzo, wo, af_prime, n_g = args
    with pytest.raises(ValueError, match=message):
        s.formula_11(gamma, dzo, wo=wo, af_prime=af_prime, n_g=n_g)


def test_iota_is_one_based_integer_division():
    alpha = np.arange(1, 13)
    for n_g in (1, 2, 3, 4):
        np.testing.assert_array_equal(s.iota(alpha, n_g) - 1, (alpha - 1) // n_g)
    assert [s.iota(a, 2) for a in range(1, 7)] == [1, 1, 2, 2, 3, 3]  # typed from the definition
    assert s.iota(7, 3) == 3 and isinstance(s.iota(7, 3), int)


def test_gamma_by_hand_first_and_all_maxima():
    af = np.array([[[1, 5, 2, 2], [3, 0, 2, 2], [0, 0, 9, 1], [0, 0, 1, 9]]], float)
    first = [[[0, 1, 1, 0], [0, 0, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]]]
    every = [[[0, 1, 1, 1], [0, 0, 1, 1], [1, 1, 1, 0], [1, 1, 0, 1]]]
    np.testing.assert_array_equal(s.gamma(af, 2), first)
    np.testing.assert_array_equal(s.gamma(af, 2, ties="all"), every)


def test_ties_first_maximum_is_exact_and_literal_gamma_double_counts(rng):
    """An all-white image ties every cell of Z^F (each is b^F): the max moves by exactly Δb when b^F
    moves, so central differences in b^F and w^F are well defined. The first-maximum Γ matches them;
    the seed's literal Γ counts each block n_g² times."""
    n_g, p = 2, s.init_params(2, 2, 2, 2, rng)
    x, t = np.zeros((5, 5)), np.array([1.0, 0.0])
    first, literal = s.backward(x, t, p, n_g), s.backward(x, t, p, n_g, ties="all")
    num = _numeric(x, t, p, n_g)
    np.testing.assert_allclose(first.dp.bf, num.bf, atol=1e-8)
    np.testing.assert_allclose(literal.dp.bf, n_g * n_g * num.bf, atol=1e-8)
    assert not np.allclose(literal.dp.bf, num.bf)
    np.testing.assert_allclose(first.dp.bf, _nn_grads(p, n_g, x, t)[2].bf, atol=1e-14)


def test_binary_images_with_repeated_windows(rng):
    """Binary images repeat 2x2 windows, so ties are common; the first-max rule stays exact (the tied
    cells are the same function of w and b) and equals cnnmath.nn."""
    n_g, tied = 3, 0
    for _ in range(5):
        x, t, p = (
            rng.integers(0, 2, size=(4, 4)).astype(float),
            rng.uniform(size=2),
            s.init_params(2, 2, 1, 2, rng),
        )
        g = s.backward(x, t, p, n_g)
        for name, got, want in zip(s.Params._fields, g.dp, _numeric(x, t, p, n_g), strict=True):
            np.testing.assert_allclose(got, want, atol=1e-8, err_msg=name)
        for got, want in zip(g.dp, _nn_grads(p, n_g, x, t)[2], strict=True):
            np.testing.assert_allclose(got, want, atol=1e-14)
        af = s.forward(x, p, n_g).af
        tied += np.sum(s.gamma(af, n_g, ties="all")) > np.sum(s.gamma(af, n_g))
    assert tied >= 1  # the cases really contain ties


def test_step_is_gradient_descent_and_keeps_p(rng):
    x, t, p = _case(rng, 5, 2, 2, 2, 2)
    saved = [v.copy() for v in p]
    g = s.backward(x, t, p, 2)
    q = s.step(p, g.dp, 0.1)
    for old, new, d, v in zip(saved, q, g.dp, p, strict=True):
        np.testing.assert_array_equal(new, old - 0.1 * d)
        np.testing.assert_array_equal(v, old)
    assert s.backward(x, t, q, 2).cost < g.cost  # a small step downhill lowers C


def test_to_sequential_is_the_same_network(rng):
    x, _, p = _case(rng, 6, 3, 3, 2, 2)
    built, by_hand = s.to_sequential(p, 2), _sequential(p, 2)
    assert repr(built) == repr(by_hand)
    np.testing.assert_array_equal(built.forward(x[None, None]), by_hand.forward(x[None, None]))


def test_inputs_are_not_modified(rng):
    x, t, p = _case(rng, 5, 2, 2, 2, 2)
    copies = [a.copy() for a in (x, t, *p)]
    s.backward(x, t, p, 2)
    s.to_sequential(p, 2)[0].params["w"] += 1.0  # the model holds copies
    for a, c in zip((x, t, *p), copies, strict=True):
        np.testing.assert_array_equal(a, c)


def _p(rng, m=2, n_w=2, n_p=2, L=2):
    return s.init_params(m, n_w, n_p, L, rng)


BAD = [
    (lambda r: s.forward(np.zeros((5, 4)), _p(r), 2), "square"),
    (lambda r: s.forward(np.zeros((5, 5)), _p(r), 3), "not divisible by n_g=3"),
    (lambda r: s.forward(np.zeros((5, 5)), _p(r, n_p=1), 2), r"expected \(L, m, n_p, n_p\)"),
    (lambda r: s.forward(np.zeros((5, 5)), s.Params(*_p(r)[:1], np.zeros(3), *_p(r)[2:]), 2), "p.bf"),
    (lambda r: s.forward(np.zeros((5, 5)), s.Params(*_p(r)[:3], np.zeros(3)), 2), "p.bo"),
    (lambda r: s.forward(np.zeros((5, 5)), tuple(_p(r)), 2), "seed000.Params"),
    (lambda r: s.forward(np.zeros((2, 2)), _p(r, n_w=3, n_p=1), 1), "n_w <= n"),
    (lambda r: s.backward(np.zeros((5, 5)), np.zeros(3), _p(r), 2), "one target"),
    (lambda r: s.backward(np.zeros((5, 5)), np.zeros(2), _p(r), 2, ties="last"), "ties"),
    (lambda r: s.gamma(np.zeros((2, 3, 3)), 2), "divisible"),
    (lambda r: s.iota(0, 2), "1-based"),
    (lambda r: s.iota(1.5, 2), "1-based"),
    (lambda r: s.iota(1, 0), "n_g"),
    (lambda r: s.step(_p(r), _p(r), -1.0), "eta"),
    (lambda r: s.init_params(0, 2, 2, 2, r), "m"),
    (lambda r: s.init_params(1, 2, 2, 2, 0), "Generator"),
]


def _dp(r, **fields):
    return _p(r)._replace(**fields)


BAD += [  # these failed deep inside numpy or returned numbers for meaningless input
    (
        lambda r: s.step(_p(r), _dp(r, wf=np.ones(1)), 0.1),
        r"^step: dp.wf has shape \(1,\), expected \(2, 2, 2\)",
    ),
    (
        lambda r: s.step(_p(r), s.Params(1.0, 1.0, 1.0, 1.0), 0.1),
        r"^step: dp.wf has shape \(\), expected \(2, 2, 2\)",
    ),
    (
        lambda r: s.step(_p(r), _dp(r, wf=np.ones((5, 2, 2))), 0.1),
        r"^step: dp.wf has shape \(5, 2, 2\), expected \(2, 2, 2\)",
    ),
    (
        lambda r: s.step(_p(r), tuple(_p(r))[:3], 0.1),
        r"^step: dp must be a seed000.Params\(wf, bf, wo, bo\), got tuple",
    ),
    (lambda r: s.step(_p(r), None, 0.1), r"^step: dp must be a seed000.Params"),
    (lambda r: s.step(_p(r), _p(r), True), r"^step: eta must be a finite number > 0, got True$"),
    (
        lambda r: s.init_params(1, 2, 2, 2, r, scale=-1),
        r"^init_params: scale must be a finite number > 0, got -1$",
    ),
    (
        lambda r: s.init_params(1, 2, 2, 2, r, scale="1"),
        r"^init_params: scale must be a finite number > 0, got '1'$",
    ),
    (
        lambda r: s.init_params(1, 2, 2, 2, r, scale=np.nan),
        r"^init_params: scale must be a finite number > 0",
    ),
    (lambda r: s.to_sequential(tuple(_p(r)), 2), r"^to_sequential: p must be a seed000.Params"),
    (
        lambda r: s.to_sequential(_dp(r, bf=np.ones(3)), 2),
        r"^to_sequential: p.bf has shape \(3,\), expected \(2,\)",
    ),
    (
        lambda r: s.to_sequential(_dp(r, wo=np.ones((2, 3, 2, 2))), 2),
        r"^to_sequential: p.wo is \(2, 3, 2, 2\), expected",
    ),
    (lambda r: s.to_sequential(_p(r), 0), r"^to_sequential: n_g must be an integer >= 1, got 0$"),
]


@pytest.mark.parametrize(("call", "message"), BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_input_raises_clear_value_error(rng, call, message):
    with pytest.raises(ValueError, match=message):
        call(rng)


def test_step_takes_a_numpy_float_eta(rng):
    """np.float32(0.1) used to be refused (only int and float passed)."""
    p = _p(rng)
    got = s.step(p, p, np.float32(0.5))
    np.testing.assert_allclose(got.wf, 0.5 * p.wf)


def test_torch_oracle(torch, rng):
    """The same network in PyTorch (float64 autograd), random input and a binary one with ties."""
    F = torch.nn.functional
    for x in (rng.normal(size=(5, 5)), rng.integers(0, 2, size=(5, 5)).astype(float)):
        t, p = rng.uniform(size=2), _p(rng)
        wf, bf, wo, bo = (torch.tensor(v, requires_grad=True) for v in p)
        af = torch.sigmoid(F.conv2d(torch.tensor(x)[None, None], wf[:, None], bf))
        ao = torch.sigmoid(F.linear(F.max_pool2d(af, 2).reshape(1, -1), wo.reshape(2, -1), bo))
        cost = 0.5 * ((torch.tensor(t) - ao[0]) ** 2).sum()
        cost.backward()
        g = s.backward(x, t, p, 2)
        assert g.cost == pytest.approx(cost.item(), rel=1e-12)
        for got, tensor in zip(g.dp, (wf, bf, wo, bo), strict=True):
            np.testing.assert_allclose(got, tensor.grad.numpy(), atol=1e-13)
