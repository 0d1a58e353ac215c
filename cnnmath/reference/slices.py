"""Seed 003's slice form of the conv layer (王中雷 4-2, 卷积运算的后向传播), one sample at a time.

Seed 003's layout is channels-last, for a single training sample (简单起见，我们针对单一训练样本):

    A_prev: (d_H^{l-1}, d_W^{l-1}, d_C^{l-1})   Z^{[l-1]}, the layer's input
    W:      (d_C^l, f, f, d_C^{l-1})             W_c = W[c] is the c-th filter (卷积核)
    b:      (d_C^l,)                              seed 003 writes it d_C^l × 1 × 1 × 1
    Z0:     (d_H^l, d_W^l, d_C^l)                 Z_0^{[l]} = A_prev * W + b

The window of the input used for output (i, j) is the slice (seed 003's Z_slice,ij and B_ij)

    Z_slice,ij = A_pad[i*s : i*s + f, j*s : j*s + f, :]                   (f, f, d_C^{l-1})

and the backward pass is two accumulations over (i, j), written as in the seed:

    dZ_slice,ij += Σ_c dZ_{0,ijc} · W_c        dW_c += dZ_{0,ijc} · B_ij        db_c = Σ_ij dZ_{0,ijc}

cnnmath's NCHW arrays convert with ``x[n].transpose(1, 2, 0)`` (sample n, to (H, W, C)) and
``w.transpose(0, 2, 3, 1)`` ((F, C, f, f) to (F, f, f, C)). Loops only use ``+`` and ``*``, so object
arrays of SymPy symbols work too.
"""

from __future__ import annotations

import numpy as np

from ..ops.checks import as_array, check_int
from ..ops.conv_args import conv_output_size
from ._arrays import zeros

__all__ = ["conv_backward", "conv_forward"]


def _args(fn, A_prev, W, stride, pad):
    """Check the seed-003 arguments; returns (A_pad, W, s, p, (Ho, Wo))."""
    A_prev, W = as_array(fn, "A_prev", A_prev, dtype=None), as_array(fn, "W", W, dtype=None)
    if A_prev.ndim != 3:
        raise ValueError(f"{fn}: A_prev must be 3-D (d_H, d_W, d_C) for one sample, got shape {A_prev.shape}")
    if W.ndim != 4 or W.shape[3] != A_prev.shape[2]:
        raise ValueError(
            f"{fn}: W must be 4-D (d_C^l, f, f, d_C^(l-1)) with d_C^(l-1) = {A_prev.shape[2]} "
            f"(A_prev.shape={A_prev.shape}), got W.shape={W.shape}"
        )
    s, p = check_int(fn, "stride", stride, minimum=1), check_int(fn, "pad", pad, minimum=0)
    H, Wd, C = A_prev.shape
    fh, fw = W.shape[1:3]
    if min(H, Wd, fh, fw) < 1:
        raise ValueError(f"{fn}: empty spatial size in A_prev.shape={A_prev.shape} or W.shape={W.shape}")
    if fh > H + 2 * p or fw > Wd + 2 * p:
        raise ValueError(f"{fn}: filter ({fh}, {fw}) is larger than the padded input {A_prev.shape}, pad={p}")
    A_pad = zeros((H + 2 * p, Wd + 2 * p, C), A_prev)
    A_pad[p : p + H, p : p + Wd, :] = A_prev
    out_hw = (conv_output_size(H, fh, stride=s, padding=p), conv_output_size(Wd, fw, stride=s, padding=p))
    return A_pad, W, s, p, out_hw


def _window(i: int, j: int, s: int, fh: int, fw: int) -> tuple[slice, slice, slice]:
    """Index of Z_slice,ij = A_pad[i*s : i*s + f, j*s : j*s + f, :]."""
    return slice(i * s, i * s + fh), slice(j * s, j * s + fw), slice(None)


def conv_forward(A_prev, W, b=None, *, stride: int = 1, pad: int = 0) -> np.ndarray:
    """Z0[i, j, c] = Σ(Z_slice,ij ∘ W_c) + b_c.

    A_prev: (d_H, d_W, d_C^{l-1}); W: (d_C^l, f, f, d_C^{l-1}); b: (d_C^l,) or None.
    Returns Z0: (d_H^l, d_W^l, d_C^l) with d_H^l = floor((d_H + 2 pad - f) / stride) + 1.
    """
    A_pad, W, s, _, (Ho, Wo) = _args("slices.conv_forward", A_prev, W, stride, pad)
    F, fh, fw = W.shape[:3]
    bias = np.zeros(F) if b is None else as_array("slices.conv_forward", "b", b, dtype=None).reshape(-1)
    if bias.shape != (F,):
        raise ValueError(
            f"slices.conv_forward: b must hold one bias per filter ({F}), got shape {np.shape(b)}"
        )
    Z0 = zeros((Ho, Wo, F), A_pad, W, bias)
    for i in range(Ho):
        for j in range(Wo):
            Z_slice = A_pad[_window(i, j, s, fh, fw)]
            for c in range(F):
                Z0[i, j, c] = (Z_slice * W[c]).sum() + bias[c]
    return Z0


def conv_backward(dZ0, A_prev, W, *, stride: int = 1, pad: int = 0):
    """Seed 003's loops: dZ_slice,ij += Σ_c dZ_{0,ijc} W_c, dW_c += dZ_{0,ijc} B_ij, db_c = Σ_ij dZ_{0,ijc}.

    dZ0: (d_H^l, d_W^l, d_C^l), the upstream gradient (only read); A_prev, W, stride, pad: as given
    to :func:`conv_forward`. Returns (dA_prev, dW, db) with the shapes of A_prev, W and (d_C^l,).
    """
    fn = "slices.conv_backward"
    A_pad, W, s, p, (Ho, Wo) = _args(fn, A_prev, W, stride, pad)
    dZ0 = as_array(fn, "dZ0", dZ0, dtype=None)
    F, fh, fw = W.shape[:3]
    if dZ0.shape != (Ho, Wo, F):
        raise ValueError(f"{fn}: dZ0 has shape {dZ0.shape}, expected {(Ho, Wo, F)} (the Z0 shape)")
    dA_pad = zeros(A_pad.shape, A_pad, W, dZ0)  # initialise dZ^{[l-1]} as a zero matrix (初始化为0矩阵)
    dW, db = zeros(W.shape, A_pad, dZ0), zeros((F,), dZ0)
    for i in range(Ho):
        for j in range(Wo):
            win = _window(i, j, s, fh, fw)
            B_ij = A_pad[win]
            for c in range(F):
                dA_pad[win] += dZ0[i, j, c] * W[c]  # dZ_slice,ij += dZ_{0,ijc} · W_c
                dW[c] += dZ0[i, j, c] * B_ij  # dW_c += dZ_{0,ijc} · B_ij
                db[c] += dZ0[i, j, c]  # db_c = Σ_ij dZ_{0,ijc}
    H, Wd = A_pad.shape[0] - 2 * p, A_pad.shape[1] - 2 * p
    return dA_pad[p : p + H, p : p + Wd, :].copy(), dW, db
