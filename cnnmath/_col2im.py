"""col2im for the backward pass of :mod:`cnnmath.conv`: dx from dz, one chunk of samples at a time.

    dcols = w2.T @ dz                          (C*KH*KW, Ho*Wo) per sample
    dxpad[n, c, i*S + r, j*S + t] += dcols[n, (c, r, t), (i, j)]      for every kernel offset (r, t)

Each kernel offset (r, t) is one add of a shifted block. numpy runs such an add at full speed only
when both sides are one contiguous run; on 4-D strided windows (runs of Wo numbers) it was 3-4x
slower here, and that add was the largest single cost of the backward pass. So for stride 1,
:func:`_grid_scatter` lays everything out on the padded grid, channel-major with the batch inside:
``dcols[(r, t), c, n, y*Wp + x]`` is non-zero only at y < Ho, x < Wo (dz is copied into a zeroed
(Hp, Wp) grid, so the other columns come out exactly 0). Shifting by (r, t) is then shifting the
flat index by r*Wp + t, and the add for one offset is a single contiguous run over every channel
and sample; what spills past a row, a sample or a channel is one of those zeros. The product
itself is cut into bands of grid rows so that each piece is small enough for OpenBLAS's fast
small-matrix kernel (see _SMALL_GEMM); the grid may get a few extra zero rows for that.
Stride > 1 (and a w holding inf or nan, where 0 * inf would not be 0) takes the strided adds.
Tiny problems (the seeds' 5x5 examples) are dominated by the cost of each numpy call, so there
col2im is one product with a cached 0/1 scatter matrix instead of KH*KW adds.
"""

from __future__ import annotations

import functools

import numpy as np

from ._scratch import scratch, zeroed

_DENSE_MAX = 1 << 14  # entries of the scatter matrix up to which one product beats KH*KW adds
# OpenBLAS (0.3.31 here, AVX-512) multiplies an (m, k) by a C-contiguous (k, n) matrix with
# m*k*n <= 100**3 in a kernel for small matrices: 33-35 GMAC/s here, against 24-25 for the same
# product one column larger. So the grid's rows are cut into bands that each make a small product.
_SMALL_GEMM = 100**3


def input_grad_fn(w: np.ndarray, chunk_shape, out_hw, s: int, p: int):
    """A function scatter(dz, dx) that writes dx (n, C, H, W) for dz (n, F, Ho, Wo), n <= chunk_shape[0]."""
    (_, C, KH, KW), (_, _, H, W), (Ho, Wo) = w.shape, chunk_shape, out_hw
    if C * KH * KW * Ho * Wo * C * H * W <= _DENSE_MAX:
        return _dense_scatter(w, _scatter_matrix(C, H, W, KH, KW, s, p), s, p)
    if s == 1 and np.isfinite(w).all():
        return _grid_scatter(w, chunk_shape, out_hw, p)
    return _strided_scatter(w, out_hw, s, p)


def _grid_scatter(w, chunk_shape, out_hw, p):
    (F, C, KH, KW), (n_max, _, H, W), (Ho, Wo) = w.shape, chunk_shape, out_hw
    Hp, Wp, KC = H + 2 * p, W + 2 * p, KH * KW * C
    nb = -(-Hp // max(1, _SMALL_GEMM // (KC * F * Wp)))  # bands of grid rows, one small product each
    rb = -(-Hp // nb)  # rows per band; the grid has nb*rb >= Hp rows (the extra ones stay 0)
    G = nb * rb * Wp  # grid points per sample and channel
    w_rtc = w.transpose(2, 3, 1, 0).reshape(KC, F)  # rows in (r, t, c) order
    # each band's (F, rb*Wp) contiguous; below, only the rows of dz and [..., :Wo] are ever written
    dz_bands = zeroed("col2im.dz_grid", (n_max, nb, F, rb, Wp), (Ho, Wo))
    dcols = scratch("col2im.dcols", (KC * n_max * G,))
    acc = scratch("col2im.acc", (C * n_max * G + (KH - 1) * Wp + KW,))  # room for spilled zeros

    def scatter(dz: np.ndarray, dx: np.ndarray) -> None:
        n = len(dz)
        M = C * n * G  # one offset's block: (c, n, y, x)
        for b in range(min(nb, -(-Ho // rb))):
            rows = min(rb, Ho - b * rb)
            dz_bands[:n, b, :, :rows, :Wo] = dz[:, :, b * rb : b * rb + rows]
        d = dcols[: KH * KW * M].reshape(KC, n, nb, rb * Wp).transpose(1, 2, 0, 3)  # (n, band, (r, t, c), yx)
        np.matmul(w_rtc, dz_bands[:n].reshape(n, nb, F, rb * Wp), out=d)
        acc[: M + (KH - 1) * Wp + KW] = 0.0
        for r in range(KH):
            for t in range(KW):
                o, k = r * Wp + t, r * KW + t
                acc[o : o + M] += dcols[k * M : (k + 1) * M]
        np.copyto(dx.transpose(1, 0, 2, 3), acc[:M].reshape(C, n, nb * rb, Wp)[:, :, p : p + H, p : p + W])

    return scatter


def _strided_scatter(w, out_hw, s, p):
    (F, C, KH, KW), (Ho, Wo) = w.shape, out_hw
    w2t = w.reshape(F, C * KH * KW).T

    def scatter(dz: np.ndarray, dx: np.ndarray) -> None:
        n = len(dz)
        _add_windows(np.matmul(w2t, dz.reshape(n, F, Ho * Wo)), dx, KH, KW, s, p)

    return scatter


def _add_windows(dcols: np.ndarray, dx: np.ndarray, KH: int, KW: int, s: int, p: int) -> None:
    """dx (n, C, H, W) = the padding-cropped sum of dcols (n, C*KH*KW, Ho*Wo) added onto the windows."""
    n, C, H, W = dx.shape
    Ho, Wo = (H + 2 * p - KH) // s + 1, (W + 2 * p - KW) // s + 1
    d = dcols.reshape(n, C, KH, KW, Ho, Wo)
    dxp = scratch("col2im.dxp", (n, C, H + 2 * p, W + 2 * p))
    dxp.fill(0.0)
    for r in range(KH):
        for t in range(KW):
            dxp[:, :, r : r + s * (Ho - 1) + 1 : s, t : t + s * (Wo - 1) + 1 : s] += d[:, :, r, t]
    dx[...] = dxp[:, :, p : p + H, p : p + W]


@functools.lru_cache(maxsize=64)
def _scatter_matrix(C, H, W, KH, KW, s, p) -> np.ndarray:
    """S: (C*KH*KW*Ho*Wo, C*H*W), S[(c, r, t, i, j), (c, y, x)] = 1 where dcols entry (c, r, t, i, j)
    lands on pixel (y, x) = (i*s + r - p, j*s + t - p) inside the image (read-only, cached)."""
    pixel = np.pad(np.arange(C * H * W).reshape(C, H, W), ((0, 0), (p, p), (p, p)), constant_values=-1)
    Ho, Wo = (H + 2 * p - KH) // s + 1, (W + 2 * p - KW) // s + 1
    target = np.array(
        [
            pixel[:, r : r + s * (Ho - 1) + 1 : s, t : t + s * (Wo - 1) + 1 : s]
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


def _dense_scatter(w, S, s, p):
    F, _, KH, KW = w.shape
    w2t = w.reshape(F, -1).T

    def scatter(dz: np.ndarray, dx: np.ndarray) -> None:
        n = len(dz)
        d = np.matmul(w2t, dz.reshape(n, F, dz.shape[2] * dz.shape[3]))
        if np.isfinite(d).all():
            np.matmul(d.reshape(n, S.shape[0]), S, out=dx.reshape(n, S.shape[1]))
        else:  # inf * 0 = nan: the zeros of S would spread an inf or nan over every pixel
            _add_windows(d, dx, KH, KW, s, p)

    return scatter
