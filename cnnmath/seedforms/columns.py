"""im2col: every window of a convolution laid out as one column, so the layer is one matrix product.

Seed 003 (王中雷, 4-2 卷积神经网络 I) calls the part of the input that output (i, j) reads B_ij
(Z_slice in its backward pass). ``im2col`` stacks the B_ij side by side, flattened, one column per
output pixel, in the layout of ``torch.nn.functional.unfold``:

    cols[n, c*KH*KW + r*KW + t, i*Wo + j] = xpad[n, c, i*S + r, j*S + t]

With ``w2 = w.reshape(F, C*KH*KW)`` (w: (F, C, KH, KW), whose flattening has the same (c, r, t) order):

    conv2d(x, w, b)[n] == (w2 @ cols[n] + b[:, None]).reshape(F, Ho, Wo)   (seed 003's Z = A * W + b)
    dw == Σ_n dz[n].reshape(F, Ho*Wo) @ cols[n].T                        (seed 003's dW_c = Σ_ij dZ_ijc B_ij)

:func:`cnnmath.conv2d` multiplies by exactly these columns (same (c, r, t) row order, plus a row of
ones for the bias, in chunks of samples); this function returns them for a notebook to look at,
built by the same two helpers (:func:`cnnmath.ops.conv.padded` and :func:`cnnmath.ops.conv.windows`).
It also runs on numpy object arrays of SymPy symbols, so a notebook can show which pixel lands in
which column.
"""

from __future__ import annotations

import numpy as np

from ..ops.checks import as_array, check_int, check_kernel_size, check_rank, to_nchw
from ..ops.conv import padded, windows
from ..ops.conv_args import conv_output_size

__all__ = ["im2col"]


def im2col(x, kernel_size, *, stride: int = 1, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """The columns of every kernel_size window of x (zero padding, then stride), one column per output pixel.

    x: (N, C, H, W) -> (N, C*KH*KW, Ho*Wo); (C, H, W) -> (C*KH*KW, Ho*Wo); a 2-D image (H, W) ->
    (KH*KW, Ho*Wo). kernel_size: k or (KH, KW). Ho = floor((H + 2p - D*(KH - 1) - 1)/S) + 1 (and Wo
    alike; D = dilation, 1 for neighbouring taps). Row c*KH*KW + r*KW + t of column i*Wo + j holds
    xpad[..., c, i*S + r*D, j*S + t*D] (0 in the padding).
    x may be float or an object array of SymPy symbols (kept as objects); x is not modified.
    """
    fn = "im2col"
    x = as_array(fn, "x", x, dtype=None)
    if x.dtype != object:
        x = x.astype(np.float64)
    check_rank(fn, "x", x, (2, 3, 4), "(H, W), (C, H, W) or (N, C, H, W)")
    kh, kw = check_kernel_size(fn, kernel_size)
    s = check_int(fn, "stride", stride, minimum=1)
    p = check_int(fn, "padding", padding, minimum=0)
    d = check_int(fn, "dilation", dilation, minimum=1)
    x4 = to_nchw(x)
    N, C, H, W = x4.shape
    span = (d * (kh - 1) + 1, d * (kw - 1) + 1)  # the pixels a window covers
    if min(H, W) < 1 or span[0] > H + 2 * p or span[1] > W + 2 * p:
        spans = f" spans {span} with dilation={d}" if d != 1 else ""
        raise ValueError(
            f"{fn}: kernel_size {(kh, kw)}{spans} does not fit the padded input {(H + 2 * p, W + 2 * p)} "
            f"(x.shape={x.shape}, padding={p})"
        )
    Ho = conv_output_size(H, kh, stride=s, padding=p, dilation=d)
    Wo = conv_output_size(W, kw, stride=s, padding=p, dilation=d)
    view = windows(padded(x4, p), kh, kw, s, Ho, Wo, dilation=d)  # (N, C, kh, kw, Ho, Wo), no copy yet
    cols = view.reshape(N, C * kh * kw, Ho * Wo)  # the copy
    return cols if x.ndim == 4 else cols[0]
