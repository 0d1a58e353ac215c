"""Two convolution layers with the batch index n written out: conv → f → max pool → conv → f → dense.

Shapes (0-based indices; the number after a letter is the layer):

    x (N, C0, H, W);  w1 (C1, C0, K1, K1);  w2 (C2, C1, K2, K2);  w3 (classes, C2·H2·W2)
    z1[n, f, i, j] = b1[f] + Σ_c Σ_{r,s} w1[f, c, r, s] x[n, c, i + r, j + s]
    a1 = f(z1);  p1[n, f, u, v] = Σ_{(α, β) in window (u, v)} Γ[n, f, α, β] a1[n, f, α, β]
    z2[n, g, i, j] = b2[g] + Σ_f Σ_{r,s} w2[g, f, r, s] p1[n, f, i + r, j + s]
    a2 = f(z2);  logits[n, k] = b3[k] + Σ_q w3[k, q] a2[n, q]   (q runs over (g, i, j) in C order)

Γ is 1 at the first maximum of each POOL × POOL window (seed 000's switch). The backward pass, for any
loss E whose ∂E/∂logits is ``dlogits`` (a mean over the batch puts its 1/N into dlogits):

    δ3 = dlogits
    δ2[n, g, i, j] = (Σ_k w3[k, (g, i, j)] δ3[n, k]) f'(z2[n, g, i, j])
    ∂E/∂p1[n, f, u, v] = Σ_g Σ_{r,s} w2[g, f, r, s] δ2[n, g, u - r, v - s]   (full conv, rot180(w2))
    δ1[n, f, α, β] = ∂E/∂p1[n, f, ⌊α/POOL⌋, ⌊β/POOL⌋] Γ[n, f, α, β] f'(z1[n, f, α, β])
    ∂E/∂w2[g, f, r, s] = Σ_n Σ_{i,j} δ2[n, g, i, j] p1[n, f, i + r, j + s]
    ∂E/∂w1[f, c, r, s] = Σ_n Σ_{i,j} δ1[n, f, i, j] x[n, c, i + r, j + s]
    ∂E/∂b2[g] = Σ_n Σ_{i,j} δ2[n, g, i, j],   ∂E/∂b1[f] = Σ_n Σ_{i,j} δ1[n, f, i, j]
    ∂E/∂w3[k, q] = Σ_n δ3[n, k] a2[n, q],      ∂E/∂b3[k] = Σ_n δ3[n, k]

:func:`forward` and :func:`backward` are these formulas as the plain loops of :mod:`cnnmath.reference`
(they run on SymPy symbols and polynomials too: pass the activation ``f`` / ``f_prime`` or ReLU's
``pattern``, and the max pattern ``gamma_``); :func:`to_sequential` puts the same parameters into the
fast layers of :mod:`cnnmath.nn`.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .. import reference
from ..ops.activations import relu, relu_prime
from ..ops.checks import as_array, check_int, check_rank, check_shape, check_sizes

__all__ = [
    "POOL",
    "Forward",
    "Params",
    "backward",
    "deltas",
    "forward",
    "gamma",
    "init_params",
    "polynomial_symbols",
    "sizes",
    "to_sequential",
]

POOL = 2  # the max pool's window and stride


class Params(NamedTuple):
    """w1 (C1, C0, K1, K1), b1 (C1,), w2 (C2, C1, K2, K2), b2 (C2,), w3 (classes, C2·H2·W2), b3 (classes,).
    The gradients :func:`backward` returns have the same fields and shapes."""

    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    w3: np.ndarray
    b3: np.ndarray


class Forward(NamedTuple):
    """Everything the backward pass needs: z1, a1 (N, C1, H1, W1), gamma (the max pattern, like z1),
    p1 (N, C1, H1 // POOL, W1 // POOL), z2, a2 (N, C2, H2, W2), logits (N, classes)."""

    z1: np.ndarray
    a1: np.ndarray
    gamma: np.ndarray
    p1: np.ndarray
    z2: np.ndarray
    a2: np.ndarray
    logits: np.ndarray


def sizes(input_hw: tuple[int, int], k1: int, k2: int) -> dict[str, tuple[int, int]]:
    """The map sizes: z1 (H1, W1) = input − K1 + 1, p1 = ⌊z1 / POOL⌋, z2 = p1 − K2 + 1."""
    fn = "twoconv.sizes"
    hw = check_sizes(fn, "input_hw", input_hw, "(H, W)")
    k1, k2 = check_int(fn, "k1", k1, minimum=1), check_int(fn, "k2", k2, minimum=1)
    return _sizes(fn, hw, (k1, k1), (k2, k2))


def _sizes(fn: str, hw, k1, k2) -> dict[str, tuple[int, int]]:
    """:func:`sizes` for checked (H, W) and kernels (KH, KW) (rectangular ones too)."""
    (H, W), (kh1, kw1), (kh2, kw2) = hw, k1, k2
    h1, w1 = H - kh1 + 1, W - kw1 + 1
    hp, wp = h1 // POOL, w1 // POOL
    h2, w2 = hp - kh2 + 1, wp - kw2 + 1
    if min(h1, w1, hp, wp, h2, w2) < 1:
        k1, k2 = (k[0] if k[0] == k[1] else k for k in (k1, k2))
        raise ValueError(
            f"{fn}: input {tuple(hw)} with kernels {k1} and {k2} and a {POOL}×{POOL} pool leaves no "
            f"output (z1 {(h1, w1)}, p1 {(hp, wp)}, z2 {(h2, w2)})"
        )
    return {"z1": (h1, w1), "p1": (hp, wp), "z2": (h2, w2)}


def _params(fn: str, p) -> Params:
    """p as a Params of arrays (numbers, or objects: symbols, polynomials) whose shapes fit each other:
    w1 (C1, C0, K1, K1'), b1 (C1,), w2 (C2, C1, K2, K2'), b2 (C2,), w3 (classes, features), b3 (classes,)."""
    if not isinstance(p, Params):
        raise ValueError(f"{fn}: p must be a twoconv.Params(w1, b1, w2, b2, w3, b3), got {type(p).__name__}")
    w1, b1, w2, b2, w3, b3 = (
        as_array(fn, f"p.{k}", v, dtype=None) for k, v in zip(Params._fields, p, strict=True)
    )
    check_rank(fn, "p.w1", w1, (4,), "(C1, C0, K1, K1)")
    check_shape(fn, "p.b1", b1, w1.shape[:1], f"one bias per filter of p.w1 {w1.shape}")
    check_rank(fn, "p.w2", w2, (4,), "(C2, C1, K2, K2)")
    if w2.shape[1] != w1.shape[0]:
        raise ValueError(
            f"{fn}: p.w2 has shape {w2.shape}, expected (C2, {w1.shape[0]}, K2, K2): it reads the "
            f"C1 = {w1.shape[0]} maps of p.w1 {w1.shape}"
        )
    check_shape(fn, "p.b2", b2, w2.shape[:1], f"one bias per filter of p.w2 {w2.shape}")
    check_rank(fn, "p.w3", w3, (2,), "(classes, C2·H2·W2)")
    check_shape(fn, "p.b3", b3, w3.shape[:1], f"one bias per row of p.w3 {w3.shape}")
    return Params(w1, b1, w2, b2, w3, b3)


def _mask(fn: str, name: str, m, shape) -> np.ndarray:
    """A fixed pattern (gamma_, or a ReLU pattern) must have the shape of the map it multiplies."""
    m = as_array(fn, name, m, dtype=None)
    check_shape(fn, name, m, shape, "the shape of the map it is applied to")
    return m


def init_params(channels, kernels, input_hw, classes: int, rng: np.random.Generator) -> Params:
    """Random parameters like PyTorch's default init, U(±1/√fan_in), drawn in the field order.

    channels: (C0, C1, C2); kernels: (K1, K2); input_hw: (H, W).
    """
    fn = "twoconv.init_params"
    C0, C1, C2 = check_sizes(fn, "channels", channels, "(C0, C1, C2)")
    k1, k2 = check_sizes(fn, "kernels", kernels, "(K1, K2)")
    hw = check_sizes(fn, "input_hw", input_hw, "(H, W)")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"{fn}: rng must be a numpy Generator (np.random.default_rng(seed)), got {rng!r}")
    classes = check_int(fn, "classes", classes, minimum=1)
    h2, w2 = _sizes(fn, hw, (k1, k1), (k2, k2))["z2"]
    fan1, fan2, fan3 = C0 * k1 * k1, C1 * k2 * k2, C2 * h2 * w2
    shapes = [
        ((C1, C0, k1, k1), fan1),
        ((C1,), fan1),
        ((C2, C1, k2, k2), fan2),
        ((C2,), fan2),
        ((classes, fan3), fan3),
        ((classes,), fan3),
    ]
    return Params(*(rng.uniform(-1, 1, size=shape) / np.sqrt(fan_in) for shape, fan_in in shapes))


def gamma(a1) -> np.ndarray:
    """Γ: 1 at the first maximum (row-major) of every POOL × POOL window of a1 (N, C, H1, W1), else 0.
    Rows and columns beyond the last whole window get 0. Computed with the reference loops."""
    a1 = as_array("twoconv.gamma", "a1", a1)
    if a1.ndim < 2 or min(a1.shape[-2:]) < POOL:
        raise ValueError(
            f"twoconv.gamma: a1 must be (N, C, H1, W1) with H1, W1 >= POOL = {POOL}, got shape {a1.shape}"
        )
    hp, wp = a1.shape[-2] // POOL, a1.shape[-1] // POOL
    return reference.max_pool2d_backward(np.ones((*a1.shape[:-2], hp, wp)), a1, POOL)


def _pool(a1: np.ndarray, g: np.ndarray) -> np.ndarray:
    """p1[n, f, u, v] = Σ over window (u, v) of Γ · a1 (works on SymPy symbols)."""
    N, C, H1, W1 = a1.shape
    hp, wp = H1 // POOL, W1 // POOL
    blocks = (g * a1)[:, :, : hp * POOL, : wp * POOL].reshape(N, C, hp, POOL, wp, POOL)
    out = np.empty((N, C, hp, wp), dtype=blocks.dtype)
    for idx in np.ndindex(out.shape):
        n, c, u, v = idx
        window = blocks[n, c, u, :, v, :].ravel().tolist()
        out[idx] = sum(window[1:], window[0])
    return out


def _unpool(dp1: np.ndarray, g: np.ndarray) -> np.ndarray:
    """∂E/∂a1[n, f, α, β] = ∂E/∂p1[n, f, ⌊α/POOL⌋, ⌊β/POOL⌋] Γ[n, f, α, β] (seed 000's ι and Γ)."""
    spread = np.zeros(g.shape, dtype=np.result_type(dp1, g))
    hp, wp = dp1.shape[-2:]
    spread[:, :, : hp * POOL, : wp * POOL] = dp1.repeat(POOL, axis=2).repeat(POOL, axis=3)
    return spread * g


def _act(f, z: np.ndarray, mask) -> np.ndarray:
    """f(z) entry by entry, or mask · z when ReLU's pattern is fixed (mask: 0/1 where z > 0)."""
    if mask is not None:
        return np.asarray(mask) * z
    if z.dtype == object:
        return np.vectorize(f, otypes=[object])(z)
    return f(z)


def _act_prime(f_prime, z: np.ndarray, mask) -> np.ndarray:
    """f'(z) entry by entry, or the mask itself when ReLU's pattern is fixed."""
    if mask is not None:
        return np.asarray(mask)
    return _act(f_prime, z, None)


def forward(x, p: Params, *, f=relu, gamma_=None, pattern=None, z1=None, z2=None) -> Forward:
    """The forward formulas as loops. x: (N, C0, H, W) (numbers, SymPy symbols or polynomials).

    f: the activation (elementwise; an unknown SymPy function for symbols); pattern: (m1, m2), ReLU's
    activation pattern held fixed (a = m·z, 0/1 masks with the shapes of z1 and z2) in place of f;
    gamma_: the max pattern to use (needed for symbols, where max has no value; by default the first
    maxima of a1). z1 or z2: symbols to use in place of the weighted inputs computed from x (to
    differentiate E with respect to them); x is then not used and may be None.
    """
    fn = "twoconv.forward"
    p = _params(fn, p)
    m1, m2 = (None, None) if pattern is None else pattern
    (C1, C0, *k1), (C2, _, *k2) = p.w1.shape, p.w2.shape
    if z1 is None and z2 is None:
        x = as_array(fn, "x", x, dtype=None)
        if x.ndim != 4:
            raise ValueError(f"{fn}: x must be 4-D (N, C0, H, W), got shape {x.shape}")
        if x.shape[1] != C0:
            raise ValueError(
                f"{fn}: x has {x.shape[1]} channels (x.shape={x.shape}), p.w1 {p.w1.shape} reads C0 = {C0}"
            )
        _sizes(fn, x.shape[2:], k1, k2)
        z1 = reference.conv2d(x, p.w1, p.b1)
    if z2 is None:
        z1 = as_array(fn, "z1", z1, dtype=None)
        if z1.ndim != 4 or z1.shape[1] != C1:
            raise ValueError(
                f"{fn}: z1 must be (N, C1, H1, W1) with C1 = {C1} (p.w1 {p.w1.shape}), got {z1.shape}"
            )
        a1 = _act(f, z1, None if m1 is None else _mask(fn, "pattern[0]", m1, z1.shape))
        g = gamma(a1) if gamma_ is None else _mask(fn, "gamma_", gamma_, a1.shape)
        p1 = _pool(a1, g)
        z2 = reference.conv2d(p1, p.w2, p.b2)
    else:
        a1 = g = p1 = None
    z2 = as_array(fn, "z2", z2, dtype=None)
    if z2.ndim != 4 or z2.shape[1] != C2:
        raise ValueError(
            f"{fn}: z2 must be (N, C2, H2, W2) with C2 = {C2} (p.w2 {p.w2.shape}), got {z2.shape}"
        )
    a2 = _act(f, z2, None if m2 is None else _mask(fn, "pattern[1]", m2, z2.shape))
    features = math.prod(z2.shape[1:])
    if p.w3.shape[1] != features:
        raise ValueError(
            f"{fn}: p.w3 has shape {p.w3.shape}, expected (classes, C2·H2·W2) = "
            f"({p.w3.shape[0]}, {features}) for z2 of shape {z2.shape}"
        )
    logits = reference.dense(a2.reshape(len(a2), features), p.w3, p.b3)
    return Forward(z1, a1, g, p1, z2, a2, logits)


def deltas(dlogits, p: Params, fwd: Forward, *, f_prime=relu_prime, pattern=None):
    """(δ1, δ2) = (∂E/∂z1, ∂E/∂z2), the sensitivity maps of both conv layers, by the formulas above.

    dlogits: (N, classes) = ∂E/∂logits; fwd: from :func:`forward`; f_prime or pattern as there.
    """
    p, d3 = _params("twoconv.deltas", p), _dlogits("twoconv.deltas", dlogits, fwd)
    m1, m2 = (None, None) if pattern is None else pattern
    if m2 is not None:
        m2 = _mask("twoconv.deltas", "pattern[1]", m2, fwd.z2.shape)
    if m1 is not None and fwd.z1 is not None:
        m1 = _mask("twoconv.deltas", "pattern[0]", m1, fwd.z1.shape)
    da2 = reference.dense_backward(d3, fwd.a2.reshape(len(d3), p.w3.shape[1]), p.w3)[0]
    d2 = da2.reshape(fwd.z2.shape) * _act_prime(f_prime, fwd.z2, m2)
    if fwd.p1 is None:
        return None, d2
    dp1 = reference.conv2d_backward(d2, fwd.p1, p.w2)[0]  # Σ_g Σ_{r,s} w2[g, f, r, s] δ2[n, g, u − r, v − s]
    d1 = _unpool(dp1, fwd.gamma) * _act_prime(f_prime, fwd.z1, m1)
    return d1, d2


def backward(dlogits, x, p: Params, fwd: Forward, *, f_prime=relu_prime, pattern=None) -> Params:
    """The backward formulas (module docstring) as loops; returns the gradients as a Params.

    dlogits: (N, classes), ∂E/∂logits; x: (N, C0, H, W); fwd: what :func:`forward` returned for x;
    f_prime or pattern as in :func:`forward` (with a pattern, f' is the mask itself).
    """
    fn = "twoconv.backward"
    p, d3 = _params(fn, p), _dlogits(fn, dlogits, fwd)
    if fwd.p1 is None:
        raise ValueError(f"{fn}: fwd must come from twoconv.forward run on x or z1 (it was run on z2 alone)")
    x = as_array(fn, "x", x, dtype=None)
    k1 = p.w1.shape[2:]
    x_shape = (len(fwd.z1), p.w1.shape[1], *(n + k - 1 for n, k in zip(fwd.z1.shape[2:], k1, strict=True)))
    check_shape(fn, "x", x, x_shape, f"the input fwd was computed from: z1 {fwd.z1.shape}, p.w1 {p.w1.shape}")
    d1, d2 = deltas(d3, p, fwd, f_prime=f_prime, pattern=pattern)
    _, dw3, db3 = reference.dense_backward(d3, fwd.a2.reshape(len(d3), p.w3.shape[1]), p.w3)
    _, dw2, db2 = reference.conv2d_backward(d2, fwd.p1, p.w2)
    _, dw1, db1 = reference.conv2d_backward(d1, x, p.w1)
    return Params(dw1, db1, dw2, db2, dw3, db3)


def _dlogits(fn: str, dlogits, fwd: Forward) -> np.ndarray:
    """∂E/∂logits must have the shape of the logits that ``fwd`` holds."""
    if not isinstance(fwd, Forward):
        raise ValueError(f"{fn}: fwd must be what twoconv.forward returned, got {type(fwd).__name__}")
    d3 = as_array(fn, "dlogits", dlogits, dtype=None)
    check_shape(fn, "dlogits", d3, fwd.logits.shape, "∂E/∂logits has the shape of fwd.logits")
    return d3


def polynomial_symbols(x_shape, p: Params):
    """Symbols for a polynomial proof: x, the six parameters and g = ∂E/∂logits as generators of one
    SymPy polynomial ring over the integers (named like the grids of :mod:`cnnmath.symbolic`:
    ``x_{1,1,1,1}``, ``w^1_{1,1,1,1}``, ...). With ReLU's pattern and the max pattern fixed, the
    network is a polynomial in them, and the ring differentiates and compares polynomials far faster
    than SymPy's expression trees.

    x_shape: (N, C0, H, W); p: parameters (only their shapes are used).
    Returns (ring, X, P, G): object arrays of ring generators with the shapes of x, p's fields and
    (N, classes).
    """
    from sympy import ZZ
    from sympy.polys.rings import ring

    from ..symbolic import grid

    fn = "twoconv.polynomial_symbols"
    x_shape, p = check_sizes(fn, "x_shape", x_shape, "(N, C0, H, W)"), _params(fn, p)
    names = ("x", "w^1", "b^1", "w^2", "b^2", "w^3", "b^3", "g")
    shapes = (x_shape, *(a.shape for a in p), (x_shape[0], p.w3.shape[0]))
    grids = [grid(name, shape) for name, shape in zip(names, shapes, strict=True)]
    R, *gens = ring([s for g in grids for s in g.ravel()], ZZ)
    arrays, start = [], 0
    for g in grids:
        a = np.empty(g.shape, dtype=object)
        a.ravel()[:] = gens[start : start + g.size]
        start += g.size
        arrays.append(a)
    X, *P, G = arrays
    return R, X, Params(*P), G


def to_sequential(p: Params):
    """The same network as cnnmath.nn layers (fast im2col convolutions) with copies of p's arrays."""
    from .. import nn

    p = _params("twoconv.to_sequential", p)
    (C1, C0, *k1), (C2, _, *k2) = p.w1.shape, p.w2.shape
    classes, features = p.w3.shape
    model = nn.Sequential(
        nn.Conv2D(C0, C1, k1),
        nn.ReLU(),
        nn.MaxPool2D(POOL),
        nn.Conv2D(C1, C2, k2),
        nn.ReLU(),
        nn.Flatten(),
        nn.Dense(features, classes),
    )
    for layer, w, b in ((model[0], p.w1, p.b1), (model[3], p.w2, p.b2), (model[6], p.w3, p.b3)):
        layer.params["w"][...], layer.params["b"][...] = w, b
    return model
