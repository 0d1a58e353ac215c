"""Occlusion sensitivity (Zeiler & Fergus 2014, "Visualizing and understanding convolutional
networks", section 4.2; seed 003's 理解卷积神经网络, understanding CNNs): cover part of the image
with a grey square and watch the probability of the correct class. Where it drops, the network was
looking.

    p = occlusion_map(model, image, label, patch=3, fill=background)    # (H, W), like the image

p[i, j] is the softmax probability of ``label`` when the patch×patch square centred on pixel
(i, j) (cut off at the border) is set to ``fill``. All H·W occluded copies go through the model
as one batch.
"""

from __future__ import annotations

import numpy as np

from ..nn.layers import check_model
from ..ops.checks import as_array, check_int, check_rank, check_real
from ..ops.losses import softmax

__all__ = ["class_probability", "occlusion_map"]


def _image(fn: str, image) -> np.ndarray:
    x = as_array(fn, "image", image)
    if x.ndim != 3:
        raise ValueError(f"{fn}: image must be one (C, H, W) image, got shape {x.shape}")
    if min(x.shape) < 1:
        raise ValueError(f"{fn}: image must have C, H, W >= 1, got shape {x.shape}")
    return x


def class_probability(model, images, label: int) -> np.ndarray:
    """softmax(model.forward(images))[:, label] for images (N, C, H, W); returns (N,)."""
    return _probability("class_probability", model, images, label)


def _probability(fn: str, model, images, label) -> np.ndarray:
    check_model(fn, model)
    x = as_array(fn, "images", images)
    check_rank(fn, "images", x, (4,), "(N, C, H, W)")
    label = check_int(fn, "label", label, minimum=0)
    logits = model.forward(x)
    if logits.ndim != 2:
        raise ValueError(f"{fn}: the model must return (N, K) logits, got shape {logits.shape}")
    if label >= logits.shape[1]:
        raise ValueError(f"{fn}: label={label} is not one of the model's K={logits.shape[1]} classes")
    return softmax(logits)[:, label]


def occlusion_map(model, image, label: int, *, patch: int = 3, fill: float = 0.0) -> np.ndarray:
    """Probability of ``label`` with the (odd) ``patch``-sized square centred on each pixel set to
    ``fill``. image: (C, H, W). Returns (H, W)."""
    fn = "occlusion_map"
    check_model(fn, model)
    x = _image(fn, image)
    patch = check_int(fn, "patch", patch, minimum=1)
    check_real(fn, "fill", fill, finite=False, allow_nan=True)
    if patch % 2 == 0:
        raise ValueError(f"occlusion_map: patch must be odd (a square centred on a pixel), got {patch}")
    H, W = x.shape[1:]
    h = patch // 2
    batch = np.repeat(x[None], H * W, axis=0)
    for i in range(H):
        for j in range(W):
            batch[i * W + j, :, max(i - h, 0) : i + h + 1, max(j - h, 0) : j + h + 1] = fill
    return _probability(fn, model, batch, label).reshape(H, W)
