"""A small layer API (CS231n / micrograd style): layers with ``forward``/``backward``, ``Sequential``
and plain gradient descent; the training loop is :mod:`cnnmath.nn.train`, the optional PyTorch twin
of a model :mod:`cnnmath.nn.torch_oracle`.

    model = Sequential(Conv2D(1, 8, 3, padding=1), ReLU(), MaxPool2D(2), Flatten(), Dense(8 * 14 * 14, 10))
    loss, dlogits = softmax_cross_entropy(model.forward(x), labels)
    model.backward(dlogits)          # fills layer.grads for every parameter layer (and returns dx)
    sgd_step(model, lr=0.1)          # w <- w - lr dw, in place
"""

from .layers import AvgPool2D, Conv2D, Dense, Flatten, Layer, MaxPool2D, ReLU, Sigmoid, Tanh
from .pool_weighted import GaussianPool2D, TrainablePool2D
from .sequential import Sequential, sgd_step

__all__ = [
    "AvgPool2D",
    "Conv2D",
    "Dense",
    "Flatten",
    "GaussianPool2D",
    "Layer",
    "MaxPool2D",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "TrainablePool2D",
    "sgd_step",
]
