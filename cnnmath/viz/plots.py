"""Small matplotlib helpers for the notebooks: grids of images, a confusion matrix.

Each returns the Figure; the notebook cell ends with ``plt.show()``.
"""

from __future__ import annotations

import numpy as np

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

    imgs = np.asarray(images, dtype=np.float64)
    if imgs.ndim == 4:
        imgs = imgs[:, 0]
    if imgs.ndim != 3:
        raise ValueError(
            f"image_grid: images must be (K, H, W) or (K, 1, H, W), got shape {np.shape(images)}"
        )
    K = len(imgs)
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

    c = np.asarray(counts)
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
