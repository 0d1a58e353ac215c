"""Small matplotlib helpers for the notebooks: grids of images, a confusion matrix.

Each returns the Figure; the notebook cell ends with ``plt.show()``.
"""

from __future__ import annotations

import numpy as np

from ..ops.checks import as_array, check_int, check_real

__all__ = ["confusion_plot", "image_grid"]


def image_grid(
    images,
    titles=None,
    *,
    ncols: int = 10,
    size: float = 0.9,
    cmap: str = "gray_r",
    symmetric: bool = False,
    title: str | None = None,
):
    """Show K images (K, H, W) or (K, 1, H, W) in rows of ``ncols``, without axes.

    titles: K short strings or None. symmetric=True centres the colour scale on 0 (for filters
    and gradients, with a diverging colormap: pass cmap="RdBu_r"); otherwise each image uses its
    own range.
    """
    import matplotlib.pyplot as plt

    fn = "image_grid"
    imgs = as_array(fn, "images", images)
    if imgs.ndim == 4 and imgs.shape[1] == 1:
        imgs = imgs[:, 0]
    if imgs.ndim != 3:
        raise ValueError(f"{fn}: images must be (K, H, W) or (K, 1, H, W), got shape {np.shape(images)}")
    if min(imgs.shape) < 1:
        raise ValueError(
            f"{fn}: images must hold K >= 1 images of H, W >= 1 pixels, got shape {np.shape(images)}"
        )
    K = len(imgs)
    ncols = check_int(fn, "ncols", ncols, minimum=1)
    check_real(fn, "size", size, minimum=0, strict=True)
    if titles is not None and (isinstance(titles, str) or not hasattr(titles, "__len__") or len(titles) != K):
        raise ValueError(f"{fn}: titles must be {K} strings, one per image, or None, got {titles!r:.80}")
    nrows = -(-K // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size, nrows * size * 1.15), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < K:
            v = np.abs(imgs[k]).max() if symmetric else None
            ax.imshow(imgs[k], cmap=cmap, vmin=-v if symmetric else None, vmax=v)
            if titles is not None:
                ax.set_title(titles[k], fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def confusion_plot(counts, *, title: str = "confusion matrix"):
    """A (K, K) count matrix as an image with the numbers written in: rows true, columns predicted."""
    import matplotlib.pyplot as plt

    fn = "confusion_plot"
    c = as_array(fn, "counts", counts, dtype=None)
    if c.ndim != 2 or c.shape[0] != c.shape[1] or len(c) == 0:
        raise ValueError(f"{fn}: counts must be a square (K, K) matrix with K >= 1, got shape {c.shape}")
    if c.dtype == object or not (np.isfinite(c) & (c >= 0) & (c == np.round(c))).all():
        raise ValueError(
            f"{fn}: counts must be whole numbers >= 0 (confusion_matrix's counts), got {c.tolist()!r:.80}"
        )
    K = len(c)
    fig, ax = plt.subplots(figsize=(0.42 * K + 1, 0.42 * K + 0.6))
    ax.imshow(np.log1p(c), cmap="Blues")
    for i in range(K):
        for j in range(K):
            if c[i, j]:
                colour = "white" if c[i, j] > c.max() / 2 else "black"
                ax.text(j, i, str(c[i, j]), ha="center", va="center", fontsize=7, color=colour)
    ax.set(xticks=range(K), yticks=range(K), xlabel="predicted", ylabel="true", title=title)
    fig.tight_layout()
    return fig
