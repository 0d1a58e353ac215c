"""cnnmath.nn.sequential: Sequential runs its layers forward and backward (also without the input
gradient) and sgd_step updates the parameters in place, on the published 2-2-2 example and by hand."""

from __future__ import annotations

import numpy as np
import pytest

import cnnmath as cm
from cnnmath import nn, squared_error
from cnnmath.nn import train


def _set(layer, w, b):
    layer.params["w"][...] = w
    layer.params["b"][...] = b


def test_worked_example_222_with_layers():
    """The published 2-2-2 example (see test_dense.py for the mapping of w1..w8) via Sequential + sgd_step."""
    model = nn.Sequential(nn.Dense(2, 2), nn.Sigmoid(), nn.Dense(2, 2), nn.Sigmoid())
    _set(model[0], [[0.15, 0.20], [0.25, 0.30]], [0.35, 0.35])
    _set(model[2], [[0.40, 0.45], [0.50, 0.55]], [0.60, 0.60])
    E, da = squared_error(model.forward(np.array([0.05, 0.10])), np.array([0.01, 0.99]))
    assert E == pytest.approx(0.298371109, abs=1e-9)
    model.backward(da)
    nn.sgd_step(model, 0.5)  # also moves the biases; the published weights do not depend on that
    assert model[2].params["w"][0, 0] == pytest.approx(0.358916480, abs=1e-9)  # w5: h1 -> o1
    assert model[0].params["w"][0, 0] == pytest.approx(0.149780716, abs=1e-9)  # w1: i1 -> h1
    np.testing.assert_allclose(
        model[2].params["w"], [[0.35891648, 0.408666186], [0.511301270, 0.561370121]], atol=1e-8
    )
    np.testing.assert_allclose(
        model[0].params["w"], [[0.149780716, 0.19956143], [0.24975114, 0.29950229]], atol=1e-8
    )


def test_sgd_step_by_hand_weight_decay_on_weights_only():
    layer = nn.Dense(2, 1)
    w, b = layer.params["w"], layer.params["b"]
    _set(layer, [[1.0, -2.0]], [3.0])
    layer.forward(np.array([[0.5, 1.0]]))
    layer.backward(np.array([[2.0]]))  # dw = 2·x = (1, 2), db = 2
    nn.sgd_step(layer, 0.1, weight_decay=0.5)
    assert layer.params["w"] is w and layer.params["b"] is b  # updated in place
    np.testing.assert_allclose(w, [[1.0 - 0.1 * (1.0 + 0.5), -2.0 - 0.1 * (2.0 - 1.0)]], rtol=1e-15)
    np.testing.assert_allclose(b, [3.0 - 0.1 * 2.0], rtol=1e-15)  # seed 002 does not decay biases


def test_sgd_step_leaves_the_gradients_as_backward_computed_them():
    """The decay term is added to a new array: after the step grads still hold dE/dw, so a second
    step (without another backward) decays once more from the new w, and nothing is counted twice."""
    layer = nn.Dense(2, 1)
    _set(layer, [[1.0, -2.0]], [3.0])
    layer.forward(np.array([[0.5, 1.0]]))
    layer.backward(np.array([[2.0]]))  # dw = 2·x = (1, 2), db = 2
    for _ in range(2):
        nn.sgd_step(layer, 0.1, weight_decay=0.5)
        np.testing.assert_array_equal(layer.grads["w"], [[1.0, 2.0]])
        np.testing.assert_array_equal(layer.grads["b"], [2.0])
    w1 = np.array([1.0 - 0.1 * (1.0 + 0.5 * 1.0), -2.0 - 0.1 * (2.0 + 0.5 * -2.0)])  # (0.85, -2.1)
    w2 = w1 - 0.1 * (np.array([1.0, 2.0]) + 0.5 * w1)
    np.testing.assert_allclose(layer.params["w"], [w2], rtol=1e-15)
    np.testing.assert_allclose(layer.params["b"], [3.0 - 2 * 0.1 * 2.0], rtol=1e-15)


def test_sequential_backward_without_input_gradient(rng):
    model = train.digits_cnn()
    x, y = rng.normal(size=(5, 1, 8, 8)), np.array([0, 3, 9, 3, 1])
    _, dlogits = cm.softmax_cross_entropy(model.forward(x), y)
    dx = model.backward(dlogits)
    grads = [(layer.grads["w"].copy(), layer.grads["b"].copy()) for layer in (model[0], model[4])]
    assert dx.shape == x.shape
    assert model.backward(dlogits, input_grad=False) is None
    for layer, (dw, db) in zip((model[0], model[4]), grads, strict=True):
        np.testing.assert_array_equal(layer.grads["w"], dw)
        np.testing.assert_array_equal(layer.grads["b"], db)
    for layer in (nn.Flatten(), nn.Sigmoid(), nn.ReLU(), nn.AvgPool2D(2), nn.Dense(8, 2)):
        out = layer.forward(x[:, 0, 0] if isinstance(layer, nn.Dense) else x)
        assert layer.backward(np.ones(out.shape), input_grad=False) is None

    class Doubling(nn.Layer):  # a layer of one's own, written without the input_grad keyword
        def forward(self, v):
            return 2 * v

        def backward(self, dout):
            return 2 * dout

    net = nn.Sequential(nn.Dense(2, 2, rng=rng), Doubling())
    net.forward(np.ones((1, 2)))
    assert net.backward(np.ones((1, 2))).shape == (1, 2)  # Sequential only passes input_grad=False
