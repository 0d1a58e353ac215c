"""cnnmath.viz.occlusion: the occlusion map by hand."""

from __future__ import annotations

import numpy as np
import pytest

from cnnmath import nn
from cnnmath.viz import occlusion

# occlusion -----------------------------------------------------------------------------------


def test_occlusion_map_by_hand(rng):
    """Logits = (Σ image, 0): the probability of class 0 is σ(Σ image) of the occluded copy."""
    model = nn.Sequential(nn.Flatten(), nn.Dense(6, 2))
    model[1].params["w"][...] = [[1] * 6, [0] * 6]
    model[1].params["b"][...] = 0
    image = rng.normal(size=(1, 2, 3))
    p = occlusion.occlusion_map(model, image, 0, patch=3, fill=0.5)
    assert p.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            x = image.copy()
            x[0, max(i - 1, 0) : i + 2, max(j - 1, 0) : j + 2] = 0.5
            assert p[i, j] == pytest.approx(1 / (1 + np.exp(-x.sum())), rel=1e-12)
    p1 = occlusion.occlusion_map(model, image, 1, patch=1, fill=0.0)
    np.testing.assert_allclose(p1, 1 / (1 + np.exp(image[0].sum() - image[0])), rtol=1e-12)
    with pytest.raises(ValueError, match=r"occlusion_map: patch must be odd"):
        occlusion.occlusion_map(model, image, 0, patch=2)
    with pytest.raises(ValueError, match=r"occlusion_map: image must be one \(C, H, W\) image"):
        occlusion.occlusion_map(model, image[None], 0)


def _model():
    model = nn.Sequential(nn.Flatten(), nn.Dense(6, 2))
    return model


IMAGE = np.zeros((1, 2, 3))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: occlusion.class_probability(_model(), IMAGE[None], 2),
            r"^class_probability: label=2 is not one of the model's K=2 classes$",
        ),
        (
            lambda: occlusion.class_probability("m", IMAGE[None], 0),
            r"^class_probability: model must be a cnnmath.nn layer",
        ),
        (
            lambda: occlusion.class_probability(_model(), IMAGE, 0),
            r"^class_probability: images must be 4-D \(N, C, H, W\)",
        ),
        (
            lambda: occlusion.class_probability(nn.Sequential(), np.ones((1, 1, 1, 3)), 0),
            r"^class_probability: the model must return \(N, K\) logits, got shape \(1, 1, 1, 3\)$",
        ),
        (
            lambda: occlusion.occlusion_map(_model(), IMAGE, 2),
            r"^occlusion_map: label=2 is not one of the model's K=2 classes$",
        ),
        (
            lambda: occlusion.occlusion_map(_model(), IMAGE, 0, fill="a"),
            r"^occlusion_map: fill must be a number, got 'a'$",
        ),
        (
            lambda: occlusion.occlusion_map(_model(), IMAGE, 0, fill=None),
            r"^occlusion_map: fill must be a number, got None$",
        ),
        (
            lambda: occlusion.occlusion_map(_model(), IMAGE, 0, fill=1j),
            r"^occlusion_map: fill must be a number, got 1j$",
        ),
        (lambda: occlusion.occlusion_map("m", IMAGE, 0), r"^occlusion_map: model must be a cnnmath.nn layer"),
        (
            lambda: occlusion.occlusion_map(_model(), np.ones((1, 0, 3)), 0),
            r"^occlusion_map: image must have C, H, W >= 1",
        ),
    ],
)
def test_bad_input_is_named(call, message):
    """These raised IndexError or AttributeError from inside, numpy's conversion errors for fill, or
    (fill=None) filled the patch with nan and returned a map."""
    with pytest.raises(ValueError, match=message):
        call()
