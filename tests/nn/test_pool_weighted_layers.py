"""cnnmath.nn.pool_weighted: the Gaussian and trainable pooling layers are the functions of
cnnmath.ops.pool_weighted, keep their own cache and train with sgd_step."""

from __future__ import annotations

import numpy as np
import pytest

import cnnmath as cm
from cnnmath import nn
from cnnmath.ops import pool_weighted as pw


def test_layers_match_the_functions_and_train(rng):
    x = rng.normal(size=(2, 3, 6, 6))
    layer = nn.TrainablePool2D(2)
    np.testing.assert_allclose(layer.forward(x), cm.avg_pool2d(x, 2), atol=1e-14)  # starts as mean pooling
    dy = rng.normal(size=(2, 3, 3, 3))
    dx = layer.backward(dy)
    dx_f, dw_f = pw.weighted_pool2d_backward(dy, x, layer.params["w"])
    np.testing.assert_array_equal(dx, dx_f)
    np.testing.assert_array_equal(layer.grads["w"], dw_f)
    before = layer.params["w"].copy()
    nn.sgd_step(layer, lr=0.1)
    np.testing.assert_allclose(layer.params["w"], before - 0.1 * dw_f, rtol=1e-15)
    gauss = nn.GaussianPool2D(3, 1.0, stride=1)
    assert gauss.params == {}
    np.testing.assert_array_equal(gauss.forward(x), pw.gaussian_pool2d(x, 3, 1.0, stride=1))
    dy3 = rng.normal(size=(2, 3, 4, 4))
    np.testing.assert_array_equal(gauss.backward(dy3), pw.gaussian_pool2d_backward(dy3, x, 3, 1.0, stride=1))
    assert gauss.backward(dy3, input_grad=False) is None


def test_layer_backward_before_forward():
    with pytest.raises(RuntimeError, match="call forward first"):
        nn.TrainablePool2D(2).backward(np.zeros((1, 1)))
