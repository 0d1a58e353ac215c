"""col2im for the backward pass of :mod:`cnnmath.ops.conv`: dx from dz, one chunk of samples at a time.

    dcols = w2.T @ dz                          (C*KH*KW, Ho*Wo) per sample
    dxpad[n, c, i*S + r*D, j*S + t*D] += dcols[n, (c, r, t), (i, j)]  for every kernel offset (r, t)

(D: the dilation, 1 for an ordinary kernel.)
Each kernel offset (r, t) is one add of a shifted block. numpy runs such an add at full speed only
when both sides are one contiguous run; on 4-D strided windows (runs of Wo numbers) it was 3-4x
slower here, and that add was the largest single cost of the backward pass. So for stride 1,
:func:`_grid_scatter` lays everything out on the padded grid, channel-major with the batch inside:
``dcols[(r, t), c, n, y*Wp + x]`` is non-zero only at y < Ho, x < Wo (dz is copied into a zeroed
(Hp, Wp) grid, so the other columns come out exactly 0). Shifting by (r, t) is then shifting the
flat index by D*(r*Wp + t), and the add for one offset is a single contiguous run over every channel
and sample; what spills past a row, a sample or a channel is one of those zeros.
Stride > 1 (and a w holding inf or nan, where 0 * inf would not be 0) takes the strided adds.
Tiny problems (the seeds' 5x5 examples) are dominated by the cost of each numpy call, so there
col2im is one product with a 0/1 scatter matrix instead of KH*KW adds (up to
``_tuning.DENSE_SCATTER_MAX`` entries; the matrix depends on the shapes only and is cached).
Every temporary is a new array: nothing but that read-only matrix is kept between calls.
"""

from __future__ import annotations

import functools

import numpy as np

from ._tuning import DENSE_SCATTER_MAX
from .conv_args import conv_output_size


def input_grad_fn(w: np.ndarray, chunk_shape, out_hw, s: int, p: int, *, dilation: int = 1):
    """A function scatter(dz, dx) that writes dx (n, C, H, W) for dz (n, F, Ho, Wo), n <= chunk_shape[0]."""
    (_, C, KH, KW), (_, _, H, W), (Ho, Wo), d = w.shape, chunk_shape, out_hw, dilation
    if C * KH * KW * Ho * Wo * C * H * W <= DENSE_SCATTER_MAX:
        return _dense_scatter(w, _scatter_matrix(C, H, W, KH, KW, s, p, d), s, p, d)
    if s == 1 and np.isfinite(w).all():
        return _grid_scatter(w, chunk_shape, out_hw, p, d)
    return _strided_scatter(w, out_hw, s, p, d)


def _grid_scatter(w, chunk_shape, out_hw, p, d=1):
    (F, C, KH, KW), (_, _, H, W), (Ho, Wo) = w.shape, chunk_shape, out_hw
    Hp, Wp, KC = H + 2 * p, W + 2 * p, KH * KW * C
    G = Hp * Wp  # grid points per sample and channel
    L = (Ho - 1) * Wp + Wo  # those up to the last output pixel: the product need not go further
    w_rtc = w.transpose(2, 3, 1, 0).reshape(KC, F)  # rows in (r, t, c) order

    def scatter(dz: np.ndarray, dx: np.ndarray) -> None:
        n = len(dz)
        M = C * n * G  # one offset's block: (c, n, y, x)
        dz_grid = np.zeros((n, F, Hp, Wp))  # dz in the top-left corner, zeros elsewhere
        dz_grid[:, :, :Ho, :Wo] = dz
        dcols = np.empty(KH * KW * M)
        view = dcols.reshape(KC, n, G).transpose(1, 0, 2)  # (n, (r, t, c), yx)
        np.matmul(w_rtc, dz_grid.reshape(n, F, G)[:, :, :L], out=view[:, :, :L])
        view[:, :, L:] = 0.0  # dz_grid is 0 from the last output pixel y*Wp + x = L - 1 on
        acc = np.zeros(M + d * ((KH - 1) * Wp + KW - 1) + 1)  # room for the spilled zeros
        for r in range(KH):
            for t in range(KW):
                o, k = d * (r * Wp + t), r * KW + t
                acc[o : o + M] += dcols[k * M : (k + 1) * M]
        np.copyto(dx.transpose(1, 0, 2, 3), acc[:M].reshape(C, n, Hp, Wp)[:, :, p : p + H, p : p + W])

    return scatter


def _strided_scatter(w, out_hw, s, p, d=1):
    (F, C, KH, KW), (Ho, Wo) = w.shape, out_hw
    w2t = w.reshape(F, C * KH * KW).T

    def scatter(dz: np.ndarray, dx: np.ndarray) -> None:
        n = len(dz)
        _add_windows(np.matmul(w2t, dz.reshape(n, F, Ho * Wo)), dx, KH, KW, s, p, d)

    return scatter


def _add_windows(dcols: np.ndarray, dx: np.ndarray, KH: int, KW: int, s: int, p: int, d: int = 1) -> None:
    """dx (n, C, H, W) = the padding-cropped sum of dcols (n, C*KH*KW, Ho*Wo) added onto the windows
    (tap (r, t) of window (i, j) sits at (i*s + r*d, j*s + t*d) of the padded input)."""
    n, C, H, W = dx.shape
    Ho = conv_output_size(H, KH, stride=s, padding=p, dilation=d)
    Wo = conv_output_size(W, KW, stride=s, padding=p, dilation=d)
    dc = dcols.reshape(n, C, KH, KW, Ho, Wo)
    dxp = np.zeros((n, C, H + 2 * p, W + 2 * p))
    for r in range(KH):
        for t in range(KW):
            y, x = r * d, t * d
            dxp[:, :, y : y + s * (Ho - 1) + 1 : s, x : x + s * (Wo - 1) + 1 : s] += dc[:, :, r, t]
    dx[...] = dxp[:, :, p : p + H, p : p + W]


@functools.lru_cache(maxsize=64)
def _scatter_matrix(C, H, W, KH, KW, s, p, d=1) -> np.ndarray:
    """S: (C*KH*KW*Ho*Wo, C*H*W), S[(c, r, t, i, j), (c, y, x)] = 1 where dcols entry (c, r, t, i, j)
    lands on pixel (y, x) = (i*s + r*d - p, j*s + t*d - p) inside the image (read-only, cached)."""
    pixel = np.pad(np.arange(C * H * W).reshape(C, H, W), ((0, 0), (p, p), (p, p)), constant_values=-1)
    Ho = conv_output_size(H, KH, stride=s, padding=p, dilation=d)
    Wo = conv_output_size(W, KW, stride=s, padding=p, dilation=d)
    target = np.array(
        [
            pixel[:, r * d : r * d + s * (Ho - 1) + 1 : s, t * d : t * d + s * (Wo - 1) + 1 : s]
            for r in range(KH)
            for t in range(KW)
        ]
    )  # (KH*KW, C, Ho, Wo)
    target = target.reshape(KH, KW, C, Ho * Wo).transpose(2, 0, 1, 3).ravel()  # (c, r, t, i, j)
    S = np.zeros((target.size, C * H * W))
    inside = target >= 0
    S[np.flatnonzero(inside), target[inside]] = 1.0
    S.flags.writeable = False
    return S


def _dense_scatter(w, S, s, p, d=1):
    F, _, KH, KW = w.shape
    w2t = w.reshape(F, -1).T

    def scatter(dz: np.ndarray, dx: np.ndarray) -> None:
        n = len(dz)
        dcols = np.matmul(w2t, dz.reshape(n, F, dz.shape[2] * dz.shape[3]))
        if np.isfinite(dcols).all():
            np.matmul(dcols.reshape(n, S.shape[0]), S, out=dx.reshape(n, S.shape[1]))
        else:  # inf * 0 = nan: the zeros of S would spread an inf or nan over every pixel
            _add_windows(dcols, dx, KH, KW, s, p, d)

    return scatter
