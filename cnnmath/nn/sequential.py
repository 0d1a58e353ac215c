"""``Sequential`` (layers applied in order) and plain gradient descent on its parameters.

    model = Sequential(Conv2D(1, 8, 3, padding=1), ReLU(), MaxPool2D(2), Flatten(), Dense(8 * 14 * 14, 10))
    loss, dlogits = softmax_cross_entropy(model.forward(x), labels)
    model.backward(dlogits)          # fills layer.grads for every parameter layer (and returns dx)
    sgd_step(model, lr=0.1)          # w <- w - lr dw, in place

The layers themselves are in :mod:`cnnmath.nn.layers`; import everything from :mod:`cnnmath.nn`.
"""

from __future__ import annotations

from ..ops.checks import check_real
from .layers import Layer, check_model

__all__ = ["Sequential", "check_rates", "sgd_step"]


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


def check_rates(fn: str, lr, weight_decay=0.0) -> None:
    """The learning rate and the weight decay of gradient descent: finite real numbers >= 0 (checked
    by sgd_step, and up front by the loops that call it)."""
    check_real(fn, "lr", lr, minimum=0)
    check_real(fn, "weight_decay", weight_decay, minimum=0)


def sgd_step(model: Layer, lr, *, weight_decay=0.0) -> None:
    """One step of plain gradient descent, in place: w <- w - lr (dw + weight_decay · w), b <- b - lr db.

    model: a Sequential or a single layer, after ``backward``. Weight decay applies to the
    weights "w" only, as in seed 002 (its penalty (λ/2) Σ w² leaves the biases out); PyTorch's
    SGD(weight_decay=λ) would also decay the biases.
    """
    check_model("sgd_step", model)
    check_rates("sgd_step", lr, weight_decay)
    for layer, name in model.parameters():
        if name not in layer.grads:
            raise RuntimeError(f"sgd_step: {layer!r} has no gradient for {name!r}; call backward first")
        g = layer.grads[name]
        if weight_decay and name == "w":
            g = g + weight_decay * layer.params[name]
        layer.params[name] -= lr * g
