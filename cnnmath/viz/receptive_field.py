"""The receptive field of a stack of dilated convolutions, measured by backpropagation (notebook 21).

An output's receptive field is the set of input pixels it depends on: the pixels whose gradient is
non-zero when δ = 1 at that output and 0 everywhere else, sent back through the layers with
:func:`cnnmath.conv2d_backward`. With all-ones kernels and an all-ones input every term of every sum
is positive, so nothing cancels and the non-zero pixels are exactly the ones the output reads.

For stride-1 layers of K×K kernels with dilations D_1, ..., D_L the field is 1 + Σ_l D_l (K − 1)
pixels per axis (each layer adds its span minus one); :func:`dilated_stack` does not use that
formula, it measures.
"""

from __future__ import annotations

import numpy as np

from ..ops.checks import check_int
from ..ops.conv import conv2d, conv2d_backward

__all__ = ["dilated_stack"]


def _fits(size: int, k: int, dilations) -> bool:
    """Whether every layer's kernel (span d(k − 1) + 1) fits the map the layer before it leaves."""
    for d in dilations:
        span = d * (k - 1) + 1
        if span > size:
            return False
        size -= span - 1
    return True


def dilated_stack(dilations, *, kernel_size: int = 3, size: int | None = None) -> tuple[int, int]:
    """(rows, columns) of the input that the centre output of a stack of convolutions reads.

    dilations: one int >= 1 per layer (1: an ordinary layer); kernel_size: K of every layer's K×K
    kernel; every layer has stride 1, no padding, one channel. size: the side of the square input
    x: (1, 1, size, size); by default the smallest of 2K, 4K, 8K, ... on which every layer's kernel
    fits (any larger input gives the same field: with no padding an output's field lies inside the
    input). An input on which a kernel does not fit is refused with conv2d's ValueError.
    """
    fn = "receptive_field.dilated_stack"
    if not isinstance(dilations, tuple | list) or not dilations:
        raise ValueError(
            f"{fn}: dilations must be a non-empty tuple or list (one int per layer), got {dilations!r}"
        )
    ds = [check_int(fn, f"dilations[{i}]", d, minimum=1) for i, d in enumerate(dilations)]
    k = check_int(fn, "kernel_size", kernel_size, minimum=1)
    if size is None:
        size = 2 * k
        while not _fits(size, k, ds):
            size *= 2
    size = check_int(fn, "size", size, minimum=1)
    w = np.ones((1, 1, k, k))
    xs = [np.ones((1, 1, size, size))]  # the input of every layer, and the last output
    for d in ds:
        xs.append(conv2d(xs[-1], w, dilation=d))
    g = np.zeros(xs[-1].shape)
    g[0, 0, g.shape[2] // 2, g.shape[3] // 2] = 1.0  # δ = 1 at the centre output
    for x_in, d in zip(reversed(xs[:-1]), reversed(ds), strict=True):
        g = conv2d_backward(g, x_in, w, dilation=d)[0]  # ∂(centre output)/∂(this layer's input)
    rows, cols = np.nonzero(g[0, 0])
    return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)
