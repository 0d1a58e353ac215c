"""cnnmath.seedforms.twoconv: the index formulas (loops) == cnnmath.nn (im2col) == central differences
== PyTorch == SymPy (polynomials with ReLU's pattern fixed, and an unknown activation) on small instances."""

from __future__ import annotations

import numpy as np
import pytest

import cnnmath as cm
from cnnmath import symbolic
from cnnmath.seedforms import twoconv as tc

# (N, C0, C1, C2, H, K1, K2, classes)
SIZES = [
    (1, 1, 1, 1, 6, 3, 2, 2),
    (2, 1, 2, 2, 7, 2, 2, 3),
    (3, 2, 3, 2, 8, 3, 2, 2),
    (2, 1, 2, 1, 9, 2, 3, 4),
]


def _instance(rng, N, C0, C1, C2, H, K1, K2, K):
    p = tc.init_params((C0, C1, C2), (K1, K2), (H, H), K, rng)
    return p, rng.normal(size=(N, C0, H, H)), rng.integers(0, K, size=N)


def _nn_grads(model):
    return [model[i].grads[k] for i in (0, 3, 6) for k in ("w", "b")]


@pytest.mark.parametrize("size", SIZES, ids=str)
def test_loops_equal_nn_and_central_differences(size, rng):
    p, x, y = _instance(rng, *size)
    fwd = tc.forward(x, p)
    dlogits = cm.softmax_cross_entropy(fwd.logits, y)[1]
    grads = tc.backward(dlogits, x, p, fwd)
    model = tc.to_sequential(p)
    np.testing.assert_allclose(model.forward(x), fwd.logits, rtol=1e-12, atol=1e-14)
    model.backward(dlogits)
    for name, ours, fast in zip(p._fields, grads, _nn_grads(model), strict=True):
        np.testing.assert_allclose(ours, fast, rtol=1e-10, atol=1e-14, err_msg=name)
        numeric = cm.numerical_gradient(
            lambda v, name=name: cm.softmax_cross_entropy(tc.forward(x, p._replace(**{name: v})).logits, y)[
                0
            ],
            getattr(p, name),
        )
        np.testing.assert_allclose(ours, numeric, atol=1e-8, err_msg=name)


def test_deltas_are_derivatives_with_respect_to_z(rng):
    p, x, y = _instance(rng, *SIZES[1])
    fwd = tc.forward(x, p)
    dlogits = cm.softmax_cross_entropy(fwd.logits, y)[1]
    d1, d2 = tc.deltas(dlogits, p, fwd)

    def loss_z1(z1):
        return cm.softmax_cross_entropy(tc.forward(None, p, z1=z1, gamma_=fwd.gamma).logits, y)[0]

    def loss_z2(z2):
        return cm.softmax_cross_entropy(tc.forward(None, p, z2=z2).logits, y)[0]

    np.testing.assert_allclose(d1, cm.numerical_gradient(loss_z1, fwd.z1), atol=1e-8)
    np.testing.assert_allclose(d2, cm.numerical_gradient(loss_z2, fwd.z2), atol=1e-8)


def test_mean_loss_divides_every_gradient_by_n(rng):
    p, x, y = _instance(rng, *SIZES[2])
    fwd = tc.forward(x, p)
    dmean = cm.softmax_cross_entropy(fwd.logits, y)[1]
    mean, total = tc.backward(dmean, x, p, fwd), tc.backward(dmean * len(x), x, p, fwd)
    for a, b in zip(mean, total, strict=True):
        np.testing.assert_allclose(a * len(x), b, rtol=1e-12, atol=1e-15)
    per_sample = [
        tc.backward(dmean[n : n + 1] * len(x), x[n : n + 1], p, tc.forward(x[n : n + 1], p))
        for n in range(len(x))
    ]
    for i, t in enumerate(total):
        np.testing.assert_allclose(sum(g[i] for g in per_sample), t, rtol=1e-10, atol=1e-14)


def test_torch_agrees(torch, rng):
    p, x, y = _instance(rng, *SIZES[2])
    fwd = tc.forward(x, p)
    dlogits = cm.softmax_cross_entropy(fwd.logits, y)[1]
    grads = tc.backward(dlogits, x, p, fwd)
    t = {k: torch.tensor(v, requires_grad=True) for k, v in p._asdict().items()}
    F = torch.nn.functional
    z1 = F.conv2d(torch.tensor(x), t["w1"], t["b1"])
    z2 = F.conv2d(F.max_pool2d(F.relu(z1), tc.POOL), t["w2"], t["b2"])
    logits = F.linear(F.relu(z2).flatten(1), t["w3"], t["b3"])
    F.cross_entropy(logits, torch.tensor(y)).backward()
    for name, ours in zip(p._fields, grads, strict=True):
        np.testing.assert_allclose(ours, t[name].grad.numpy(), rtol=1e-10, atol=1e-14, err_msg=name)


def test_ties_go_to_the_first_maximum_like_nn(rng):
    p, x, y = _instance(rng, *SIZES[1])
    p = p._replace(b1=p.b1 - 2.0)  # most of z1 < 0: windows of zeros after the ReLU
    fwd = tc.forward(x, p)
    windows = fwd.a1[:, :, :6, :6].reshape(2, 2, 3, 2, 3, 2)
    assert ((windows == windows.max(axis=(3, 5), keepdims=True)).sum(axis=(3, 5)) > 1).any()
    assert np.array_equal(fwd.gamma, cm.max_pool2d_backward(np.ones(fwd.p1.shape), fwd.a1, 2))
    dlogits = cm.softmax_cross_entropy(fwd.logits, y)[1]
    model = tc.to_sequential(p)
    model.forward(x)
    model.backward(dlogits)
    for ours, fast in zip(tc.backward(dlogits, x, p, fwd), _nn_grads(model), strict=True):
        np.testing.assert_allclose(ours, fast, rtol=1e-10, atol=1e-14)


def _polynomial_network(rng, *sizes):
    """The network on polynomial symbols, with the ReLU pattern and max switches (Γ) of a numeric
    instance fixed: p, its forward pass, the pattern, X, P, G, the symbolic forward pass and
    E = Σ G·logits."""
    p, x, _ = _instance(rng, *sizes)
    fwd = tc.forward(x, p)
    pattern = ((fwd.z1 > 0).astype(int), (fwd.z2 > 0).astype(int))
    _, X, P, G = tc.polynomial_symbols(x.shape, p)
    F = tc.forward(X, P, gamma_=fwd.gamma.astype(int), pattern=pattern)
    return p, fwd, pattern, X, P, G, F, sum(G.ravel() * F.logits.ravel())


def test_polynomial_proof_with_relu_pattern_fixed(rng):
    p, _, pattern, X, P, G, F, E = _polynomial_network(rng, 2, 1, 2, 2, 6, 3, 1, 2)
    grads = tc.backward(G, X, P, F, pattern=pattern)
    for name in p._fields:
        for s, g in zip(getattr(P, name).ravel(), getattr(grads, name).ravel(), strict=True):
            assert E.diff(s) == g, name


def test_wrong_routing_fails_the_polynomial_proof(rng):
    _, fwd, pattern, X, P, G, F, E = _polynomial_network(rng, 1, 1, 1, 1, 6, 3, 1, 1)
    wrong = tc.backward(G, X, P, F._replace(gamma=np.ones_like(fwd.gamma)), pattern=pattern)  # no Γ
    assert any(E.diff(s) != g for s, g in zip(P.w1.ravel(), wrong.w1.ravel(), strict=True))


def test_unknown_activation_proof_on_a_tiny_instance(rng):
    p, x, _ = _instance(rng, 2, 1, 1, 1, 5, 2, 2, 1)
    gamma = tc.forward(x, p).gamma.astype(int)
    a, a_prime = symbolic.activation("a")
    names = ("w^1", "b^1", "w^2", "b^2", "w^3", "b^3")
    P = tc.Params(*(symbolic.grid(n, v.shape) for n, v in zip(names, p, strict=True)))
    X, G = symbolic.grid("x", x.shape), symbolic.grid("g", (2, 1))
    F = tc.forward(X, P, f=a, gamma_=gamma)
    E = symbolic.sym_sum(G * F.logits)
    grads = tc.backward(G, X, P, F, f_prime=a_prime)
    for name in ("w1", "b1", "b2"):
        assert symbolic.prove_equal(symbolic.grad(E, getattr(P, name)), getattr(grads, name))
    names = {str(s) for s in grads.w1[0, 0, 0, 0].free_symbols}
    assert any(n.startswith("x_{1,") for n in names) and any(n.startswith("x_{2,") for n in names)  # Σ_n


def test_sizes_and_bad_input():
    assert tc.sizes((7, 7), 2, 2) == {"z1": (6, 6), "p1": (3, 3), "z2": (2, 2)}
    assert tc.sizes((6, 9), 3, 2)["z2"] == (1, 2)
    with pytest.raises(ValueError, match=r"input \(4, 4\) with kernels 3 and 2"):
        tc.sizes((4, 4), 3, 2)
    p = tc.init_params((1, 1, 1), (2, 2), (7, 7), 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"x must be 4-D \(N, C0, H, W\), got shape \(7, 7\)"):
        tc.forward(np.zeros((7, 7)), p)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (((1, 2), (2, 2), (7, 7), 2), r"channels must be \(C0, C1, C2\), got \(1, 2\)"),
        (((1, 2, 2), (2,), (7, 7), 2), r"kernels must be \(K1, K2\)"),
        (((1, 2, 2), (2, 2), 7, 2), r"input_hw must be \(H, W\), got 7"),
        (((1, 0, 2), (2, 2), (7, 7), 2), r"channels\[1\] must be an integer >= 1, got 0"),
        (((1, 2, 2), (2, 2), (7, 7), 0), r"classes must be an integer >= 1, got 0"),
    ],
)
def test_init_params_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        tc.init_params(*args, np.random.default_rng(0))
    with pytest.raises(ValueError, match="rng must be a numpy Generator"):
        tc.init_params((1, 2, 2), (2, 2), (7, 7), 2, 0)


def _p(rng):
    return tc.init_params((1, 2, 2), (3, 2), (8, 8), 3, rng)


def _fwd(rng):
    p = _p(rng)
    return p, tc.forward(np.ones((2, 1, 8, 8)), p)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda r: tc.sizes((8.5, 8), 3, 2),
            r"^twoconv.sizes: input_hw\[0\] must be an integer >= 1, got 8.5$",
        ),
        (lambda r: tc.sizes((8, 8), 3.0, 2), r"^twoconv.sizes: k1 must be an integer >= 1, got 3.0$"),
        (lambda r: tc.sizes((8, 8), 0, 2), r"^twoconv.sizes: k1 must be an integer >= 1, got 0$"),
        (lambda r: tc.sizes((8,), 3, 2), r"^twoconv.sizes: input_hw must be \(H, W\), got \(8,\)$"),
        (
            lambda r: tc.init_params((1, 2, 2), (3, 2), (8.0, 8.0), 3, r),
            r"^twoconv.init_params: input_hw\[0\] must be an integer >= 1, got 8.0$",
        ),
        (
            lambda r: tc.forward(np.ones((2, 2, 8, 8)), _p(r)),
            r"^twoconv.forward: x has 2 channels \(x.shape=\(2, 2, 8, 8\)\), "
            r"p.w1 \(2, 1, 3, 3\) reads C0 = 1$",
        ),
        (
            lambda r: tc.forward(np.ones((2, 1, 10, 10)), _p(r)),
            r"^twoconv.forward: p.w3 has shape \(3, 8\), expected \(classes, C2·H2·W2\) = \(3, 18\) "
            r"for z2 of shape \(2, 2, 3, 3\)$",
        ),
        (
            lambda r: tc.forward(np.ones((2, 1, 3, 3)), _p(r)),
            r"^twoconv.forward: input \(3, 3\) with kernels 3 and 2 and a 2×2 pool leaves no output",
        ),
        (
            lambda r: tc.forward(np.ones((2, 1, 8, 8)), tuple(_p(r))),
            r"^twoconv.forward: p must be a twoconv.Params",
        ),
        (
            lambda r: tc.forward(np.ones((2, 1, 8, 8)), _p(r)._replace(b1=np.ones(3))),
            r"^twoconv.forward: p.b1 has shape \(3,\), expected \(2,\)",
        ),
        (
            lambda r: tc.forward(np.ones((2, 1, 8, 8)), _p(r)._replace(w2=np.ones((2, 3, 2, 2)))),
            r"^twoconv.forward: p.w2 has shape \(2, 3, 2, 2\), expected \(C2, 2, K2, K2\)",
        ),
        (
            lambda r: tc.forward(None, _p(r), z1=np.ones((2, 2, 6, 6)), gamma_=np.ones((2, 2, 4, 4))),
            r"^twoconv.forward: gamma_ has shape \(2, 2, 4, 4\), expected \(2, 2, 6, 6\)",
        ),
        (
            lambda r: tc.deltas(np.ones((2, 2)), *_fwd(r)),
            r"^twoconv.deltas: dlogits has shape \(2, 2\), expected \(2, 3\)",
        ),
        (
            lambda r: tc.deltas(np.ones((3, 3)), *_fwd(r)),
            r"^twoconv.deltas: dlogits has shape \(3, 3\), expected",
        ),
        (
            lambda r: tc.deltas(np.ones((2, 3, 1)), *_fwd(r)),
            r"^twoconv.deltas: dlogits has shape \(2, 3, 1\)",
        ),
        (
            lambda r: tc.backward(np.ones((2, 3)), np.ones((3, 1, 8, 8)), *_fwd(r)),
            r"^twoconv.backward: x has shape \(3, 1, 8, 8\), expected \(2, 1, 8, 8\)",
        ),
        (
            lambda r: tc.gamma(np.ones((1, 1, 1, 1))),
            r"^twoconv.gamma: a1 must be \(N, C, H1, W1\) with H1, W1 >= POOL = 2, got shape \(1, 1, 1, 1\)$",
        ),
        (
            lambda r: tc.to_sequential(_p(r)._replace(b1=np.float64(1.0))),
            r"^twoconv.to_sequential: p.b1 has shape \(\), expected \(2,\)",
        ),
        (
            lambda r: tc.to_sequential(_p(r)._replace(w2=np.ones((2, 3, 2, 2)))),
            r"^twoconv.to_sequential: p.w2 has shape \(2, 3, 2, 2\)",
        ),
        (
            lambda r: tc.polynomial_symbols((1, 8, 8), _p(r)),
            r"^twoconv.polynomial_symbols: x_shape must be \(N, C0, H, W\), got \(1, 8, 8\)$",
        ),
    ],
)
def test_bad_input_names_the_argument_and_the_shapes(rng, call, message):
    """These failed inside the loops (reference.conv2d and reference.dense named their own x, w, b),
    in numpy (reshape, broadcasting) or, for sizes of floats and a scalar bias, returned numbers."""
    with pytest.raises(ValueError, match=message):
        call(rng)


def test_missing_dlogits_are_a_type_error_naming_them(rng):
    with pytest.raises(TypeError, match=r"^twoconv.deltas: dlogits must hold numbers, but dlogits is None"):
        tc.deltas(None, *_fwd(rng))


def test_an_empty_batch_runs_through(rng):
    """N = 0 used to fail in a reshape; it gives (0, classes) logits, as the nn layers do."""
    assert tc.forward(np.ones((0, 1, 8, 8)), _p(rng)).logits.shape == (0, 3)
