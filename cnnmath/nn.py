"""A small layer API: layers, ``Sequential`` and plain gradient descent.

    model = Sequential(Conv2D(1, 8, 3, padding=1), ReLU(), MaxPool2D(2), Flatten(), Dense(8 * 14 * 14, 10))
    loss, dlogits = softmax_cross_entropy(model.forward(x), labels)
    model.backward(dlogits)          # fills layer.grads for every parameter layer (and returns dx)
    sgd_step(model, lr=0.1)          # w <- w - lr dw, in place

Conv2D, MaxPool2D, AvgPool2D, Dense and the Layer base class live in :mod:`cnnmath.layers` (see
there for caching and initialisation); the parameter-free Flatten, Sigmoid, ReLU, Tanh live here.
"""

from __future__ import annotations

import numbers

import numpy as np

from . import activations as act
from ._validate import as_array
from .layers import AvgPool2D, Conv2D, Dense, Layer, MaxPool2D

__all__ = [
    "AvgPool2D", "Conv2D", "Dense", "Flatten", "Layer", "MaxPool2D", "ReLU", "Sequential", "Sigmoid", "Tanh",
    "sgd_step",
]  # fmt: skip


class Flatten(Layer):
    """(N, d1, d2, ...) -> (N, d1·d2·...) in C order (like torch.nn.Flatten()); backward reshapes back."""

    def forward(self, x):
        x = as_array("Flatten.forward", "x", x)
        if x.ndim < 2:
            raise ValueError(f"Flatten.forward: x must be at least 2-D (N, ...), got shape {x.shape}")
        self._cache = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout, *, input_grad=True):
        shape = self._cached()
        dout = as_array("Flatten.backward", "dout", dout)
        expected = (shape[0], int(np.prod(shape[1:])))
        if dout.shape != expected:
            raise ValueError(f"Flatten.backward: dout has shape {dout.shape}, expected {expected}")
        return dout.reshape(shape) if input_grad else None


class _Activation(Layer):
    f = f_prime = None

    def forward(self, x):
        self._cache = np.array(as_array(f"{type(self).__name__}.forward", "x", x))
        return type(self).f(self._cache)

    def backward(self, dout, *, input_grad=True):
        """dx = dout ∘ f'(z) (z the cached input): seed 002's "× f'(z)" step of the δ recursion."""
        z = self._cached()
        dout = as_array(f"{type(self).__name__}.backward", "dout", dout)
        if dout.shape != z.shape:
            raise ValueError(
                f"{type(self).__name__}.backward: dout has shape {dout.shape}, expected {z.shape}"
            )
        return dout * type(self).f_prime(z) if input_grad else None


class Sigmoid(_Activation):
    """Elementwise σ(z); any shape."""

    f, f_prime = staticmethod(act.sigmoid), staticmethod(act.sigmoid_prime)


class ReLU(_Activation):
    """Elementwise max(z, 0); any shape; derivative 0 at z = 0 like PyTorch.

    The same numbers as :func:`cnnmath.relu` and ``dout * relu_prime(z)``, computed faster: forward
    is ``np.fmax(z, 0)`` (0 for NaN and -inf, like relu's ``np.where(z > 0, z, 0)``; 10x faster here)
    and caches only the boolean mask z > 0, which is all that backward needs (dx = dout ∘ mask).
    """

    f, f_prime = staticmethod(act.relu), staticmethod(act.relu_prime)

    def forward(self, x):
        x = as_array("ReLU.forward", "x", x)
        self._cache = x > 0
        return np.fmax(x, 0.0)

    def backward(self, dout, *, input_grad=True):
        mask = self._cached()
        dout = as_array("ReLU.backward", "dout", dout)
        if dout.shape != mask.shape:
            raise ValueError(f"ReLU.backward: dout has shape {dout.shape}, expected {mask.shape}")
        return dout * mask if input_grad else None


class Tanh(_Activation):
    """Elementwise tanh(z); any shape."""

    f, f_prime = staticmethod(act.tanh), staticmethod(act.tanh_prime)


class Sequential(Layer):
    """Layers applied in order; ``backward`` runs them in reverse. ``.layers`` is the list."""

    def __init__(self, *layers):
        super().__init__()
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise ValueError(f"Sequential: argument {i} must be a cnnmath.nn layer, got {layer!r}")
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout, *, input_grad=True):
        """Each layer's backward, last to first; returns dx. input_grad=False: the first layer computes
        only its parameter gradients (its backward gets input_grad=False) and None is returned."""
        for i, layer in enumerate(reversed(self.layers)):
            if input_grad or i < len(self.layers) - 1:
                dout = layer.backward(dout)
            else:
                dout = layer.backward(dout, input_grad=False)
        return dout

    def parameters(self):
        for layer in self.layers:
            yield from layer.parameters()

    def __getitem__(self, i):
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)

    def __repr__(self) -> str:
        inner = "".join(
            f"\n  ({i}): " + repr(layer).replace("\n", "\n  ") for i, layer in enumerate(self.layers)
        )
        return f"Sequential({inner}\n)"


def sgd_step(model: Layer, lr, *, weight_decay=0.0) -> None:
    """One step of plain gradient descent, in place: w <- w - lr (dw + weight_decay · w), b <- b - lr db.

    model: a Sequential or a single layer, after ``backward``. Weight decay applies to the
    weights "w" only, as in seed 002 (its penalty (λ/2) Σ w² leaves the biases out); PyTorch's
    SGD(weight_decay=λ) would also decay the biases.
    """
    if not isinstance(model, Layer):
        raise ValueError(
            f"sgd_step: model must be a cnnmath.nn layer or Sequential, got {type(model).__name__}"
        )
    for name, value in (("lr", lr), ("weight_decay", weight_decay)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < np.inf:
            raise ValueError(f"sgd_step: {name} must be a finite number >= 0, got {value!r}")
    for layer, name in model.parameters():
        if name not in layer.grads:
            raise RuntimeError(f"sgd_step: {layer!r} has no gradient for {name!r}; call backward first")
        g = layer.grads[name]
        if weight_decay and name == "w":
            g = g + weight_decay * layer.params[name]
        layer.params[name] -= lr * g
