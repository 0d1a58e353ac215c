"""Seed 000's small CNN (卷积神经网络(简洁的推导)), literally: one sample, 1-based ι and Γ.

The model (seed 000's symbols, with a = σ the sigmoid):

    z^{Fk}_{ij} = Σ_{r,s=1}^{n_w} x_{r+i-1, s+j-1} w^{Fk}_{rs} + b^{Fk},   a^{Fk}_{ij} = a(z^{Fk}_{ij})  (1)
    z^{Pk}_{ij} = max_{1<=r,s<=n_g} a^{Fk}_{r+n_g(i-1), s+n_g(j-1)}                             (2)
    z^O_l = Σ_k Σ_{i,j=1}^{n_p} w^{Olk}_{ij} z^{Pk}_{ij} + b^O_l,             a^O_l = a(z^O_l)    (3)
    C = ½ Σ_l (t_l - a^O_l)²                                                                      (4)

Arrays (0-based in numpy; seed index i is array index i-1). n_f = n - n_w + 1 = n_g n_p:
    x: (n, n)  X        wf: (m, n_w, n_w)  W^{Fk}     bf: (m,)  b^{Fk}
    wo: (L, m, n_p, n_p)  W^{Olk} (wo[l-1, k-1, i-1, j-1] = w^{Olk}_{ij})    bo: (L,)  b^O_l
    t: (L,) the targets. The seed writes m for the number of outputs too; here that is L.

Backward, seed 000's (9), (11), (16) with ι_α = ⌊(α-1)/n_g⌋ + 1 (the pooled cell that α feeds):

    ∂C/∂z^O_μ = (a^O_μ - t_μ) a'(z^O_μ)
    ∂C/∂z^{Fγ}_{αβ} = (Σ_l ∂C/∂z^O_l w^{Olγ}_{ι_α ι_β}) a'(z^{Fγ}_{αβ}) Γ_{αβ}
    ∂C/∂w^{Fk}_{ij} = Σ_{α,β} ∂C/∂z^{Fk}_{αβ} x_{i+α-1, j+β-1}      ∂C/∂b^{Fk} = Σ_{α,β} ∂C/∂z^{Fk}_{αβ}
    ∂C/∂w^{Olk}_{ij} = ∂C/∂z^O_l a^{Pk}_{ij}                        ∂C/∂b^O_l = ∂C/∂z^O_l

Γ (the seed's (9)) is 1 where a^{Fγ}_{αβ} is the maximum of its block, else 0. On a tie the literal
rule marks EVERY tied maximum, so a block with k equal maxima sends its δ back k times: if the tied
cells come from identical input windows (common for binary images; an all-white image ties every
cell) the true ∂C/∂b^{Fk} counts that block once, the literal Γ k times. ``ties="first"`` (default)
marks only the first maximum in row-major order (PyTorch's and :func:`cnnmath.max_pool2d_backward`'s
rule), which is exact in that case; ``ties="all"`` is the seed's literal Γ, kept to show the error.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..ops.activations import sigmoid, sigmoid_prime
from ..ops.checks import as_array, check_int, check_real, check_shape

__all__ = [
    "Forward",
    "Gradients",
    "Params",
    "backward",
    "formula_11",
    "forward",
    "gamma",
    "init_params",
    "iota",
    "step",
    "to_sequential",
]
Forward = NamedTuple("Forward", [(k, np.ndarray) for k in ("zf", "af", "zp", "zo", "ao")])
Forward.__doc__ = "zf, af: (m, n_f, n_f) Z^{Fk}, A^{Fk}; zp: (m, n_p, n_p) Z^{Pk} = A^{Pk}; zo, ao: (L,)."


class Params(NamedTuple):
    """wf: (m, n_w, n_w) W^{Fk}; bf: (m,) b^{Fk}; wo: (L, m, n_p, n_p) W^{Olk}; bo: (L,) b^O."""

    wf: np.ndarray
    bf: np.ndarray
    wo: np.ndarray
    bo: np.ndarray


class Gradients(NamedTuple):
    """cost C; dzo (L,) ∂C/∂z^O and dzf (m, n_f, n_f) ∂C/∂z^F: formula (11); dp: Params of (16)."""

    cost: float
    dzo: np.ndarray
    dzf: np.ndarray
    dp: Params


def iota(alpha, n_g: int):
    """ι_α = ⌊(α - 1)/n_g⌋ + 1: the 1-based pooled row (column) that 1-based row α feeds.

    alpha: an int or an int array (1-based); returns the same kind. In 0-based numpy terms
    ι_α - 1 == (α - 1) // n_g, i.e. pooled index = conv index // n_g.
    """
    a, n_g = np.asarray(alpha), check_int("iota", "n_g", n_g, minimum=1)
    if a.dtype.kind not in "iu" or np.any(a < 1):
        raise ValueError(f"iota: alpha must be 1-based integers >= 1, got {alpha!r}")
    out = (a - 1) // n_g + 1
    return int(out) if out.ndim == 0 else out


def _blocks(af: np.ndarray, n_g: int) -> np.ndarray:
    """(m, n_f, n_f) -> (m, n_p, n_p, n_g*n_g): block (i, j)'s cells in row-major order."""
    m, n_p = af.shape[0], af.shape[1] // n_g
    return af.reshape(m, n_p, n_g, n_p, n_g).transpose(0, 1, 3, 2, 4).reshape(m, n_p, n_p, n_g * n_g)


def gamma(af, n_g: int, *, ties: str = "first") -> np.ndarray:
    """Γ: (m, n_f, n_f) of 0/1, 1 where a^F_{αβ} is the maximum of its n_g×n_g block.

    af: (m, n_f, n_f) with n_f divisible by n_g. ties="first": only the first maximum of each
    block in row-major order; ties="all": every tied maximum (the seed's literal Γ, which counts a
    tied block's δ several times; see the module docstring).
    """
    af, n_g = as_array("gamma", "af", af), check_int("gamma", "n_g", n_g, minimum=1)
    if af.ndim != 3 or af.shape[1] != af.shape[2] or af.shape[1] % n_g:
        raise ValueError(f"gamma: af must be (m, n_f, n_f) with n_f divisible by n_g={n_g}, got {af.shape}")
    return _gamma(af, n_g, _ties("gamma", ties))


def _ties(fn: str, ties) -> str:
    if ties not in ("first", "all"):
        raise ValueError(f"{fn}: ties must be 'first' or 'all', got {ties!r}")
    return ties


def _gamma(af: np.ndarray, n_g: int, ties: str) -> np.ndarray:
    blk = _blocks(af, n_g)
    if ties == "all":
        mask = blk == blk.max(axis=-1, keepdims=True)
    else:
        mask = np.arange(n_g * n_g) == blk.argmax(axis=-1)[..., None]  # argmax: first maximum
    m, n_p = blk.shape[0], blk.shape[1]
    return mask.reshape(m, n_p, n_p, n_g, n_g).transpose(0, 1, 3, 2, 4).reshape(af.shape).astype(float)


def formula_11(gamma, dzo, *, wo, af_prime, n_g: int) -> np.ndarray:
    """The conv neurons' errors by seed 000's (11), as its loops over γ, α, β:

        ∂C/∂z^{Fγ}_{αβ} = (Σ_l ∂C/∂z^O_l w^{Olγ}_{ι_α ι_β}) a'(z^{Fγ}_{αβ}) Γ_{αβ}

    gamma: (m, n_f, n_f) Γ (formula (9), or any 0/1 pattern); dzo: (L,) ∂C/∂z^O_l;
    wo: (L, m, n_p, n_p) W^{Olk}; af_prime: (m, n_f, n_f) the values a'(z^F); n_g: the pooling
    block, n_f = n_g n_p. Returns ∂C/∂z^F: (m, n_f, n_f). Numbers or SymPy expressions (an unknown
    a', free z^O): with an object array among the arguments the result is an object array, else float.
    :func:`backward` computes the same (11) with numpy's tensordot, on numbers.
    """
    fn = "seed000.formula_11"
    gamma, dzo, wo, af_prime = (
        as_array(fn, name, a, dtype=None)
        for name, a in (("gamma", gamma), ("dzo", dzo), ("wo", wo), ("af_prime", af_prime))
    )
    n_g = check_int(fn, "n_g", n_g, minimum=1)
    if wo.ndim != 4 or wo.shape[2] != wo.shape[3]:
        raise ValueError(f"{fn}: wo must be (L, m, n_p, n_p), got shape {wo.shape}")
    L, m, n_p, _ = wo.shape
    n_f = n_g * n_p
    check_shape(fn, "dzo", dzo, (L,), f"one ∂C/∂z^O_l per output, wo {wo.shape}")
    check_shape(
        fn, "af_prime", af_prime, (m, n_f, n_f), f"(m, n_g n_p, n_g n_p) for wo {wo.shape}, n_g={n_g}"
    )
    check_shape(fn, "gamma", gamma, (m, n_f, n_f), f"one Γ per conv neuron, like af_prime {af_prime.shape}")
    symbolic = object in (gamma.dtype, dzo.dtype, wo.dtype, af_prime.dtype)
    i0 = iota(np.arange(1, n_f + 1), n_g) - 1  # ι_α - 1 for α = 1..n_f (0-based for numpy)
    out = np.empty((m, n_f, n_f), dtype=object if symbolic else float)
    for g, al, be in np.ndindex(out.shape):  # γ, α, β (0-based)
        back = sum((dzo * wo[:, g, i0[al], i0[be]]).tolist())  # Σ_l ∂C/∂z^O_l w^{Olγ}_{ι_α ι_β}
        out[g, al, be] = back * af_prime[g, al, be] * gamma[g, al, be]
    return out


def _arrays(fn: str, p, name: str) -> Params:
    if not isinstance(p, Params):
        raise ValueError(f"{fn}: {name} must be a seed000.Params(wf, bf, wo, bo), got {type(p).__name__}")
    return Params(*(as_array(fn, f"{name}.{k}", v) for k, v in zip(Params._fields, p, strict=True)))


def _params(fn: str, p, name: str = "p") -> Params:
    """p as a Params of float arrays whose shapes fit each other (wf (m, n_w, n_w), bf (m,),
    wo (L, m, n_p, n_p), bo (L,)); what the image's size decides is checked by :func:`_check`."""
    wf, bf, wo, bo = _arrays(fn, p, name)
    if wf.ndim != 3 or wf.shape[1] != wf.shape[2] or wf.shape[1] < 1:
        raise ValueError(f"{fn}: {name}.wf must be (m, n_w, n_w) with n_w >= 1, got {wf.shape}")
    m = wf.shape[0]
    check_shape(fn, f"{name}.bf", bf, (m,), f"one shared bias b^Fk per filter, wf {wf.shape}")
    if wo.ndim != 4 or wo.shape[1] != m or wo.shape[2] != wo.shape[3]:
        raise ValueError(f"{fn}: {name}.wo is {wo.shape}, expected (L, m, n_p, n_p) with m = {m}")
    check_shape(fn, f"{name}.bo", bo, (wo.shape[0],), f"one bias b^O_l per output, wo {wo.shape}")
    return Params(wf, bf, wo, bo)


def _check(fn: str, x, p: Params, n_g) -> tuple[np.ndarray, Params, int]:
    x, p = as_array(fn, "x", x), _params(fn, p)
    n_g = check_int(fn, "n_g", n_g, minimum=1)
    if x.ndim != 2 or x.shape[0] != x.shape[1]:
        raise ValueError(f"{fn}: x must be a square (n, n) image X, got shape {x.shape}")
    (m, n_w, _), L = p.wf.shape, p.wo.shape[0]
    if n_w > x.shape[0]:
        raise ValueError(f"{fn}: p.wf must be (m, n_w, n_w) with n_w <= n={x.shape[0]}, got {p.wf.shape}")
    n_f = x.shape[0] - n_w + 1
    if n_f % n_g:
        raise ValueError(f"{fn}: n_f = n - n_w + 1 = {n_f} is not divisible by n_g={n_g} (x {x.shape})")
    n_p = n_f // n_g
    if p.wo.shape != (L, m, n_p, n_p):
        raise ValueError(f"{fn}: p.wo is {p.wo.shape}, expected (L, m, n_p, n_p) = (L, {m}, {n_p}, {n_p})")
    return x, p, n_g


def forward(x, p: Params, n_g: int) -> Forward:
    """Formulas (1)-(3) for one image x: (n, n); p: Params; n_g: pooling block (n_f divisible by n_g)."""
    return _forward(*_check("seed000.forward", x, p, n_g))


def _forward(x: np.ndarray, p: Params, n_g: int) -> Forward:
    wf, bf, wo, bo = p
    n_w, n_f = wf.shape[1], x.shape[0] - wf.shape[1] + 1
    zf = np.repeat(bf[:, None, None], n_f, 1).repeat(n_f, 2)  # start from b^{Fk}
    for r in range(1, n_w + 1):  # 1-based r, s as in (1): x_{r+i-1, s+j-1} for all i, j at once
        for s in range(1, n_w + 1):
            zf += wf[:, r - 1, s - 1, None, None] * x[r - 1 : r - 1 + n_f, s - 1 : s - 1 + n_f]
    af = sigmoid(zf)
    zp = _blocks(af, n_g).max(axis=-1)  # (2)
    zo = np.tensordot(wo, zp, axes=3) + bo  # (3)
    return Forward(zf, af, zp, zo, sigmoid(zo))


def backward(x, t, p: Params, n_g: int, *, ties: str = "first") -> Gradients:
    """Formulas (4), (11) and (16) for one sample: x (n, n), targets t (L,). Returns Gradients."""
    x, p, n_g = _check("seed000.backward", x, p, n_g)
    t = as_array("seed000.backward", "t", t)
    check_shape("seed000.backward", "t", t, p.bo.shape, "one target t_l per output")
    f, ties = _forward(x, p, n_g), _ties("seed000.backward", ties)
    n_w, n_f = p.wf.shape[1], f.zf.shape[1]
    dzo = (f.ao - t) * sigmoid_prime(f.zo)  # (11), first line
    i0 = iota(np.arange(1, n_f + 1), n_g) - 1  # ι_α - 1 for α = 1..n_f (0-based for numpy)
    w_iota = p.wo[:, :, i0][:, :, :, i0]  # w^{Olγ}_{ι_α ι_β}: (L, m, n_f, n_f)
    dzf = np.tensordot(dzo, w_iota, axes=1) * sigmoid_prime(f.zf) * _gamma(f.af, n_g, ties)  # (11)
    dwf = np.empty_like(p.wf)
    for i in range(1, n_w + 1):  # (16): Σ_{α,β} ∂C/∂z^{Fk}_{αβ} x_{i+α-1, j+β-1}
        for j in range(1, n_w + 1):
            dwf[:, i - 1, j - 1] = np.sum(dzf * x[i - 1 : i - 1 + n_f, j - 1 : j - 1 + n_f], axis=(1, 2))
    dp = Params(dwf, dzf.sum(axis=(1, 2)), dzo[:, None, None, None] * f.zp, dzo.copy())
    return Gradients(0.5 * float(np.sum((t - f.ao) ** 2)), dzo, dzf, dp)


def step(p: Params, dp: Params, eta: float) -> Params:
    """Seed 000's (5), Δw = -η ∂C/∂w for all four parameter kinds: returns new Params (p is kept).
    dp: Params of the same shapes as p (``backward(...).dp``)."""
    eta = float(check_real("step", "eta", eta, minimum=0, strict=True))
    p, dp = _params("step", p), _arrays("step", dp, "dp")
    for k, w, g in zip(Params._fields, p, dp, strict=True):
        check_shape("step", f"dp.{k}", g, w.shape, f"the gradient of p.{k}")
    return Params(*(w - eta * g for w, g in zip(p, dp, strict=True)))


def init_params(m: int, n_w: int, n_p: int, L: int, rng: np.random.Generator, *, scale=1.0) -> Params:
    """Random Params: every entry ~ U(-scale, scale), drawn from rng in the order wf, bf, wo, bo."""
    for k, v in {"m": m, "n_w": n_w, "n_p": n_p, "L": L}.items():
        check_int("init_params", k, v, minimum=1)
    scale = float(check_real("init_params", "scale", scale, minimum=0, strict=True))
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"init_params: rng must be a numpy Generator, got {rng!r}")
    return Params(
        *(rng.uniform(-scale, scale, size=s) for s in ((m, n_w, n_w), (m,), (L, m, n_p, n_p), (L,)))
    )


def to_sequential(p: Params, n_g: int):
    """The same network as cnnmath.nn layers holding copies of p; x: (N, 1, n, n) -> (N, L). Conv2D's
    w = wf[:, None] (m, 1, n_w, n_w), Dense's w = wo.reshape(L, m n_p²) (Flatten's (k, i, j) order)."""
    from .. import nn

    wf, bf, wo, bo = _params("to_sequential", p)
    n_g = check_int("to_sequential", "n_g", n_g, minimum=1)
    m, n_w, L = wf.shape[0], wf.shape[-1], wo.shape[0]
    model = nn.Sequential(nn.Conv2D(1, m, n_w), nn.Sigmoid(), nn.MaxPool2D(n_g), nn.Flatten())
    model.layers += [nn.Dense(wo[0].size, L), nn.Sigmoid()]
    model[0].params.update(w=wf[:, None].copy(), b=bf.copy())
    model[4].params.update(w=wo.reshape(L, -1).copy(), b=bo.copy())
    return model
