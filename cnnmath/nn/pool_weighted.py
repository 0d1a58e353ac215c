"""Layers for seed 001's weighted pooling (:mod:`cnnmath.ops.pool_weighted`): Gaussian pooling (a
fixed window, nothing to learn) and trainable pooling (a learned window, with a weight gradient)."""

from __future__ import annotations

import dataclasses

import numpy as np

from ..ops.checks import check_kernel_size
from ..ops.pool_args import check_dy, pool_args
from ..ops.pool_weighted import (
    check_sigma,
    check_stride,
    check_weights,
    gaussian_kernel,
    weighted,
    weighted_backward,
)
from .layers import Layer


def _forward(layer: Layer, x, w: np.ndarray):
    """y of the window w over x, checked under the layer's name; the layer keeps a copy of x."""
    a = pool_args(f"{type(layer).__name__}.forward", x, w.shape, layer.stride)
    layer._cache = a = dataclasses.replace(a, x=np.array(a.x))  # its own copy: dw needs x
    return weighted(a, w)


def _backward(layer: Layer, dout, w: np.ndarray):
    a = layer._cached()
    return weighted_backward(a, w, check_dy(f"{type(layer).__name__}.backward", a, dout, name="dout"))


__all__ = ["GaussianPool2D", "TrainablePool2D"]


class GaussianPool2D(Layer):
    """Gaussian pooling layer, x: (..., H, W); no parameters. stride defaults to the window."""

    def __init__(self, kernel_size, sigma, *, stride=None):
        super().__init__()
        self.sigma = check_sigma("GaussianPool2D", sigma)
        self.kernel = gaussian_kernel(check_kernel_size("GaussianPool2D", kernel_size), self.sigma)
        self.stride = check_stride("GaussianPool2D", kernel_size, stride)

    def forward(self, x):
        return _forward(self, x, self.kernel)

    def backward(self, dout, *, input_grad=True):
        dx, _ = _backward(self, dout, self.kernel)
        return dx if input_grad else None

    def _args(self) -> str:
        return f"kernel_size={self.kernel.shape}, sigma={self.sigma:g}, stride={self.stride}"


class TrainablePool2D(Layer):
    """Trainable pooling layer: one learned window w: (kh, kw) for every map, x: (..., H, W).

    w starts as mean pooling (every weight 1/(kh·kw)) unless ``w`` is given; after ``backward``,
    ``grads["w"]`` holds dw, and :func:`cnnmath.nn.sgd_step` updates it like any weight.
    """

    def __init__(self, kernel_size, *, stride=None, w=None):
        super().__init__()
        kh, kw = check_kernel_size("TrainablePool2D", kernel_size)
        w = np.full((kh, kw), 1.0 / (kh * kw)) if w is None else check_weights("TrainablePool2D", w)
        if w.shape != (kh, kw):
            raise ValueError(f"TrainablePool2D: w has shape {w.shape}, expected kernel_size {(kh, kw)}")
        self.params = {"w": np.array(w)}
        self.stride = check_stride("TrainablePool2D", (kh, kw), stride)

    def forward(self, x):
        return _forward(self, x, self.params["w"])

    def backward(self, dout, *, input_grad=True):
        dx, dw = _backward(self, dout, self.params["w"])
        self.grads = {"w": dw}
        return dx if input_grad else None

    def _args(self) -> str:
        return f"kernel_size={self.params['w'].shape}, stride={self.stride}"
