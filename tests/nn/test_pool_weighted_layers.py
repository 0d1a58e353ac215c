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


def _after_forward(layer):
    layer.forward(np.ones((2, 3, 6, 6)))
    return layer


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: nn.GaussianPool2D(0, 1.0), r"^GaussianPool2D: kernel_size must be an integer >= 1, got 0$"),
        (lambda: nn.GaussianPool2D(3, 0), r"^GaussianPool2D: sigma must be a finite number > 0 .*, got 0$"),
        (
            lambda: nn.GaussianPool2D(2, 1.0).forward(np.ones(4)),
            r"^GaussianPool2D.forward: x must have at least 2",
        ),
        (
            lambda: nn.TrainablePool2D(2).forward(np.ones((1, 1))),
            r"^TrainablePool2D.forward: the pooling window kernel_size=\(2, 2\) is larger",
        ),
        (
            lambda: _after_forward(nn.GaussianPool2D(2, 1.0)).backward(np.ones((2, 3, 2, 3))),
            r"^GaussianPool2D.backward: dout has shape \(2, 3, 2, 3\), expected \(2, 3, 3, 3\)",
        ),
        (
            lambda: _after_forward(nn.TrainablePool2D(2)).backward(np.ones((3, 3))),
            r"^TrainablePool2D.backward: dout has shape \(3, 3\), expected \(2, 3, 3, 3\)",
        ),
    ],
)
def test_bad_input_is_reported_by_the_layer_as_dout_not_dy(call, message):
    """The layers' errors came from weighted_pool2d(_backward) and gaussian_kernel, and called the
    upstream gradient dy though the layer's argument is dout."""
    with pytest.raises(ValueError, match=message):
        call()
