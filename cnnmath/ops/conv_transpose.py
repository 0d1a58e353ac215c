"""Transposed convolution, fast form: the conv layer's backward pass (dx from dz), used forward.

conv2d with weight w (F, C, KH, KW) is a linear map M from (C, H′, W′) to (F, H, W); its backward
pass with respect to the input applies Mᵀ to δ. That map Mᵀ, from (N, F, H, W) to (N, C, H′, W′),
is the *transposed convolution* (PyTorch's ``conv_transpose2d``, often miscalled
"deconvolution"); with the same w, stride and padding:

    conv_transpose2d(x, w, stride=S, padding=P) == conv2d_backward(x, y, w, stride=S, padding=P)[0]

for any y of shape (N, C, H′, W′). So this module has no engine of its own: it runs the conv
engine's dx scatter (:mod:`cnnmath.ops._col2im`) on x, chunk by chunk as
:func:`cnnmath.ops.conv.backward` does. Scatter form, with ypad of size H′ + 2P:

    ypad[n, c, i*S + r, j*S + t] += x[n, f, i, j] * w[f, c, r, t],   y = ypad cropped by P

    H′ = (H − 1)·S − 2P + KH + output_padding

conv2d's output size has a floor: the S input sizes H₀, H₀ + 1, ..., H₀ + S − 1, with
H₀ = (H − 1)·S − 2P + KH, all give H outputs. ``output_padding`` (0 <= output_padding < S) picks
which one to go back to: it adds that many rows (columns) at the bottom (right) of the padded ypad,
rows no window reaches (after the crop by P they are zero only where they lie past the padding). The loop
form is :mod:`cnnmath.reference.conv_transpose` (gather form, also on SymPy symbols).
"""

from __future__ import annotations

import numpy as np

from ._col2im import input_grad_fn
from .checks import as_array, check_bytes, check_int, check_rank, from_nchw, to_nchw
from .conv import _chunks

__all__ = ["ConvTransposeArgs", "conv_transpose2d", "conv_transpose_args", "conv_transpose_output_size"]


def _out_len(n: int, k: int, s: int, p: int, op: int) -> int:
    return (n - 1) * s - 2 * p + k + op


def conv_transpose_output_size(n: int, kernel_size: int, *, stride=1, padding=0, output_padding=0) -> int:
    """Output length of a transposed convolution along one axis: ``(n − 1)·S − 2P + K + output_padding``
    (the largest input length that conv2d maps to n, minus S − 1 − output_padding)."""
    fn = "conv_transpose_output_size"
    n = check_int(fn, "n", n, minimum=1)
    k = check_int(fn, "kernel_size", kernel_size, minimum=1)
    s, p, op = _settings(fn, stride, padding, output_padding)
    out = _out_len(n, k, s, p, op)
    if out < 1:
        raise ValueError(
            f"{fn}: padding={p} is too large: (n - 1)*stride - 2*padding + kernel_size + output_padding "
            f"= ({n} - 1)*{s} - 2*{p} + {k} + {op} = {out} < 1"
        )
    return out


def _settings(fn: str, stride, padding, output_padding) -> tuple[int, int, int]:
    s = check_int(fn, "stride", stride, minimum=1)
    p = check_int(fn, "padding", padding, minimum=0)
    op = check_int(fn, "output_padding", output_padding, minimum=0)
    if op >= s:
        sizes = ", ".join(["H'", *(f"H'+{k}" for k in range(1, s))]) if s <= 4 else f"H', ..., H'+{s - 1}"
        raise ValueError(
            f"{fn}: output_padding={op} must be smaller than stride={s} (PyTorch's rule): conv2d maps "
            f"{s} input sizes ({sizes}) to one output size, and output_padding picks one of them"
        )
    return s, p, op


class ConvTransposeArgs:
    """Validated arguments, promoted to 4-D: x (N, F, H, W), w (F, C, KH, KW); ``ndim`` is the
    caller's rank of x (2, 3 or 4); ``out_hw`` = (H′, W′)."""

    __slots__ = ("ndim", "out_hw", "output_padding", "padding", "stride", "w", "x")

    def __init__(self, x, w, stride, padding, output_padding, ndim, out_hw):
        self.x, self.w, self.stride, self.padding = x, w, stride, padding
        self.output_padding, self.ndim, self.out_hw = output_padding, ndim, out_hw

    def restore(self, a: np.ndarray) -> np.ndarray:
        return from_nchw(a, self.ndim)


def conv_transpose_args(fn, x, w, *, stride=1, padding=0, output_padding=0, symbolic=False):
    """Check the arguments of a transposed convolution and promote them to 4-D.

    Accepted: x (N, F, H, W) or (F, H, W) with w (F, C, KH, KW) (conv2d's layout: x has as many
    channels as w has filters); or a 2-D x (H, W) with a 2-D kernel w (KH, KW).
    ``symbolic=True`` keeps object arrays (SymPy symbols) instead of converting to float64.
    """
    dtype = None if symbolic else np.float64
    x = as_array(fn, "x", x, dtype=dtype)
    w = as_array(fn, "w", w, dtype=dtype)
    if symbolic and x.dtype != object and w.dtype != object:
        x, w = x.astype(np.float64), w.astype(np.float64)
    s, p, op = _settings(fn, stride, padding, output_padding)
    check_rank(fn, "x", x, (2, 3, 4), "(H, W), (F, H, W) or (N, F, H, W)")
    if x.ndim == 2 and w.ndim != 2:
        raise ValueError(
            f"{fn}: a 2-D x (shape {x.shape}) needs a 2-D kernel w (KH, KW), got w.shape={w.shape}"
        )
    if x.ndim > 2 and w.ndim != 4:
        raise ValueError(f"{fn}: w must be 4-D (F, C, KH, KW) for x.shape={x.shape}, got w.shape={w.shape}")
    x4, w4 = to_nchw(x), w.reshape((1, 1, *w.shape)) if w.ndim == 2 else w
    if x4.shape[1] != w4.shape[0]:
        raise ValueError(
            f"{fn}: x has {x4.shape[1]} channels (x.shape={x.shape}) but w has {w4.shape[0]} filters "
            f"(w.shape={w.shape}); w is in conv2d's layout (F, C, KH, KW) and x must have F channels "
            "(x has the shape of conv2d's output)"
        )
    (N, _, H, W), (_, C, KH, KW) = x4.shape, w4.shape
    if min(H, W, KH, KW) < 1:
        raise ValueError(f"{fn}: empty spatial size in x.shape={x.shape} or w.shape={w.shape}")
    Ho, Wo = _out_len(H, KH, s, p, op), _out_len(W, KW, s, p, op)
    if min(Ho, Wo) < 1:
        raise ValueError(
            f"{fn}: padding={p} is too large: the output would be ({Ho}, {Wo}) = (H - 1)*stride - "
            f"2*padding + KH + output_padding for x.shape={x.shape}, w.shape={w.shape}, stride={s}, "
            f"output_padding={op}"
        )
    why = f"stride={s}, padding={p}, output_padding={op}"
    check_bytes(fn, "the output", (N, C, Ho, Wo), why)
    check_bytes(fn, "the padded output", (N, C, Ho + 2 * p, Wo + 2 * p), why)
    check_bytes(fn, "the scattered columns", (N, C * KH * KW, H * W), why)
    return ConvTransposeArgs(x4, w4, s, p, op, x.ndim, (Ho, Wo))


def conv_transpose2d(x, w, *, stride: int = 1, padding: int = 0, output_padding: int = 0) -> np.ndarray:
    """Transposed convolution: the adjoint (Mᵀ) of :func:`cnnmath.conv2d` with the same w.

    x: (N, F, H, W), or (F, H, W), or a 2-D (H, W) used with a 2-D kernel.
    w: (F, C, KH, KW) in conv2d's layout, or (KH, KW).
    Returns y: (N, C, H′, W′) (same rank as x), H′ = (H − 1)·S − 2P + KH + output_padding; equal to
    ``torch.nn.functional.conv_transpose2d(x, w, stride=S, padding=P, output_padding=op)``.

        ypad[n, c, i*S + r, j*S + t] += x[n, f, i, j] * w[f, c, r, t],   y = ypad[..., P:P+H′, P:P+W′]
    """
    a = conv_transpose_args(
        "conv_transpose2d", x, w, stride=stride, padding=padding, output_padding=output_padding
    )
    (N, _, H, W), (_, C, KH, KW) = a.x.shape, a.w.shape
    y = np.empty((N, C, *a.out_hw))
    chunks = _chunks(N, (C * KH * KW + 1) * H * W)
    scatter = input_grad_fn(a.w, (chunks[0].stop, C, *a.out_hw), (H, W), a.stride, a.padding)
    for sl in chunks:
        scatter(a.x[sl], y[sl])
    return a.restore(y)
