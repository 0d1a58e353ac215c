"""Layers for seed 001's weighted pooling (:mod:`cnnmath.ops.pool_weighted`): Gaussian pooling (a
fixed window, nothing to learn) and trainable pooling (a learned window, with a weight gradient)."""

from __future__ import annotations

import numpy as np

from ..ops.checks import as_array, check_kernel_size
from ..ops.pool_weighted import (
    check_stride,
    check_weights,
    gaussian_kernel,
    weighted_pool2d,
    weighted_pool2d_backward,
)
from .layers import Layer

__all__ = ["GaussianPool2D", "TrainablePool2D"]


class GaussianPool2D(Layer):
    """Gaussian pooling layer, x: (..., H, W); no parameters. stride defaults to the window."""

    def __init__(self, kernel_size, sigma, *, stride=None):
        super().__init__()
        self.kernel = gaussian_kernel(kernel_size, sigma)
        self.sigma = float(sigma)
        self.stride = check_stride("GaussianPool2D", kernel_size, stride)

    def forward(self, x):
        self._cache = np.array(as_array("GaussianPool2D.forward", "x", x))
        return weighted_pool2d(self._cache, self.kernel, stride=self.stride)

    def backward(self, dout, *, input_grad=True):
        dx, _ = weighted_pool2d_backward(dout, self._cached(), self.kernel, stride=self.stride)
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
        self._cache = np.array(as_array("TrainablePool2D.forward", "x", x))
        return weighted_pool2d(self._cache, self.params["w"], stride=self.stride)

    def backward(self, dout, *, input_grad=True):
        dx, dw = weighted_pool2d_backward(dout, self._cached(), self.params["w"], stride=self.stride)
        self.grads = {"w": dw}
        return dx if input_grad else None

    def _args(self) -> str:
        return f"kernel_size={self.params['w'].shape}, stride={self.stride}"
