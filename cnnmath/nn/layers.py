"""The layers: the Layer base class, the layers that call the conv / pool / dense kernels, and the
parameter-free Flatten, Sigmoid, ReLU and Tanh.

Each layer caches in ``forward`` what its ``backward`` needs; call them in pairs. Parameter layers
hold ``params = {"w": ..., "b": ...}`` and, after ``backward``, ``grads`` with the same keys and
shapes. Unlike PyTorch, ``backward`` *overwrites* ``grads`` (no accumulation, no zero_grad).
``backward(dout, input_grad=False)`` computes only the parameter gradients and returns None: the
first layer of a network in training needs no dx (PyTorch skips it too: the input does not
require grad), and for Conv2D that is most of the backward pass.

What the caches hold is a matter of speed, not of mathematics: Conv2D keeps the im2col columns of
its input (the forward pass built them; the weight gradient needs them again), MaxPool2D keeps
where the first maximum of each window sits (Zeiler & Fergus's "switches"). Both are built with the
kernels' own helpers in :mod:`cnnmath.ops.conv` and :mod:`cnnmath.ops.pool`, and the tests check that
every layer returns exactly the numbers ``conv2d``, ``conv2d_backward``, ``max_pool2d`` and
``max_pool2d_backward`` return.

Initialisation copies PyTorch's default for Conv2d and Linear (kaiming_uniform_ with a=√5, which
works out to): w and b both ~ U(-1/√fan_in, 1/√fan_in), fan_in = in_channels·KH·KW (Conv2D) or
in_features (Dense); drawn from the numpy Generator ``rng`` (default ``np.random.default_rng(0)``),
w first, then b. Import everything from :mod:`cnnmath.nn`, which adds ``Sequential`` and ``sgd_step``.
"""

from __future__ import annotations

import math

import numpy as np

from ..ops import activations as act
from ..ops import conv, pool
from ..ops.checks import as_array, check_int, check_kernel_size, check_shape
from ..ops.conv_args import check_dz, conv_args
from ..ops.dense import backward as fc_backward
from ..ops.dense import dense_args
from ..ops.dense import forward as fc_forward
from ..ops.pool_args import check_dy, pool_args, pool_stride

__all__ = [
    "AvgPool2D",
    "Conv2D",
    "Dense",
    "Flatten",
    "Layer",
    "MaxPool2D",
    "ReLU",
    "Sigmoid",
    "Tanh",
    "check_model",
]


class Layer:
    """Base class: ``forward(x)`` / ``backward(dout, *, input_grad=True) -> dx`` (micrograd / CS231n
    style; dx is None when input_grad=False). ``layer(x)`` is ``layer.forward(x)``; a layer without
    parameters has empty dicts. A layer of your own needs the ``input_grad`` keyword only if it is
    the first layer of a network trained with :mod:`cnnmath.nn.train` (Sequential passes it only then).
    """

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self._cache = None

    def __call__(self, x):
        return self.forward(x)

    def parameters(self):
        """Yield (layer, name) pairs: the array is ``layer.params[name]``, its gradient is
        ``layer.grads[name]``."""
        for name in self.params:
            yield self, name

    def _cached(self):
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward: call forward first")
        return self._cache

    def _args(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._args()})"


def check_model(fn: str, model) -> Layer:
    """A cnnmath.nn layer or Sequential (what predict, evaluate, the training loop and the figures run)."""
    if not isinstance(model, Layer):
        raise ValueError(f"{fn}: model must be a cnnmath.nn layer or Sequential, got {type(model).__name__}")
    return model


def _uniform(fn: str, rng, fan_in: int, w_shape: tuple[int, ...]) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0) if rng is None else rng
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"{fn}: rng must be a numpy Generator (np.random.default_rng(seed)) or None, got {rng!r}"
        )
    bound = 1.0 / np.sqrt(fan_in)
    w = rng.uniform(-bound, bound, size=w_shape)
    return {"w": w, "b": rng.uniform(-bound, bound, size=w_shape[0])}


def _k(k: tuple[int, int]):
    return k[0] if k[0] == k[1] else k


class Conv2D(Layer):
    """Convolution layer. x: (N, C, H, W) or (C, H, W) -> (N, F, Ho, Wo); w: (F, C, KH, KW), b: (F,).
    ``dilation`` D: the kernel's taps sit D pixels apart (as in ``torch.nn.Conv2d``); the repr shows
    it only when it is not 1, as PyTorch's does."""

    def __init__(self, in_channels, out_channels, kernel_size, *, stride=1, padding=0, dilation=1, rng=None):
        super().__init__()
        self.in_channels = check_int("Conv2D", "in_channels", in_channels, minimum=1)
        self.out_channels = check_int("Conv2D", "out_channels", out_channels, minimum=1)
        self.kernel_size = check_kernel_size("Conv2D", kernel_size)
        self.stride = check_int("Conv2D", "stride", stride, minimum=1)
        self.padding = check_int("Conv2D", "padding", padding, minimum=0)
        self.dilation = check_int("Conv2D", "dilation", dilation, minimum=1)
        KH, KW = self.kernel_size
        self.params = _uniform(
            "Conv2D", rng, self.in_channels * KH * KW, (self.out_channels, self.in_channels, KH, KW)
        )

    def forward(self, x):
        """z = conv2d(x, w, b), keeping the im2col columns for the weight gradient."""
        x = as_array("Conv2D.forward", "x", x)  # the kept columns are copies, so no copy of x is needed
        w, b = self.params["w"], self.params["b"]
        kw = {"stride": self.stride, "padding": self.padding, "dilation": self.dilation}
        a = conv_args("Conv2D.forward", x, w, b, **kw)
        z, cols = conv.forward(a, keep_cols=True)
        self._cache = (a, cols)
        return a.restore(z.reshape(len(a.x), self.out_channels, *a.out_hw))

    def backward(self, dout, *, input_grad=True):
        """conv2d_backward on the kept columns; returns dx with x's shape, or None (input_grad=False)."""
        a, cols = self._cached()
        dz = check_dz("Conv2D.backward", a, dout, name="dout")
        dx, dw, db = conv.backward(a, dz, cols=cols, input_grad=input_grad)
        self.grads = {"w": dw, "b": db}
        return None if dx is None else a.restore(dx)

    def _args(self) -> str:
        k = _k(self.kernel_size)
        i, o = self.in_channels, self.out_channels
        dilation = f", dilation={self.dilation}" if self.dilation != 1 else ""
        return f"{i}, {o}, kernel_size={k}, stride={self.stride}, padding={self.padding}{dilation}"


class _Pool2D(Layer):
    """What the pooling layers share: the window and the stride (None = the window, an int or a pair,
    checked as the functional API checks them), and the argument checks under the layer's own name."""

    def __init__(self, kernel_size, *, stride=None):
        super().__init__()
        name = type(self).__name__
        self.kernel_size = check_kernel_size(name, kernel_size)
        pool_stride(name, stride, self.kernel_size)
        self.stride = tuple(stride) if isinstance(stride, list) else stride

    def _args(self) -> str:
        stride = _k(self.kernel_size) if self.stride is None else self.stride
        return f"kernel_size={_k(self.kernel_size)}, stride={stride}"


class MaxPool2D(_Pool2D):
    """Max pooling over the last two axes (stride defaults to kernel_size), x: (..., H, W).

    forward keeps the switches: where each window's first maximum sits (pool.max_switches).
    backward only spreads dy through them, as max_pool2d_backward does.
    """

    def forward(self, x):
        a = pool_args("MaxPool2D.forward", x, self.kernel_size, self.stride)
        y, routes = pool.max_switches(a)
        self._cache = (a, routes)
        return y

    def backward(self, dout, *, input_grad=True):
        a, routes = self._cached()
        dy = check_dy("MaxPool2D.backward", a, dout, name="dout")
        return routes.route(dy) if input_grad else None


class AvgPool2D(_Pool2D):
    """Average pooling over the last two axes (stride defaults to kernel_size), x: (..., H, W)."""

    def forward(self, x):
        a = pool_args("AvgPool2D.forward", x, self.kernel_size, self.stride)
        self._cache = a
        return pool.window_mean(a)

    def backward(self, dout, *, input_grad=True):
        a = self._cached()
        dy = check_dy("AvgPool2D.backward", a, dout, name="dout")
        return pool.mean_backward(a, dy) if input_grad else None


class Dense(Layer):
    """Fully connected layer. x: (N, in_features) -> (N, out_features); w: (out, in), b: (out,)."""

    def __init__(self, in_features, out_features, *, rng=None):
        super().__init__()
        self.in_features = check_int("Dense", "in_features", in_features, minimum=1)
        self.out_features = check_int("Dense", "out_features", out_features, minimum=1)
        self.params = _uniform("Dense", rng, self.in_features, (self.out_features, self.in_features))

    def forward(self, x):
        x, w = dense_args("Dense.forward", x, self.params["w"])
        self._cache = np.array(x)
        return fc_forward(self._cache, w, self.params["b"])

    def backward(self, dout, *, input_grad=True):
        x = self._cached()
        dout = as_array("Dense.backward", "dout", dout)
        check_shape("Dense.backward", "dout", dout, (*x.shape[:-1], self.out_features), f"x.shape={x.shape}")
        dx, dw, db = fc_backward(dout, x, self.params["w"])
        self.grads = {"w": dw, "b": db}
        return dx if input_grad else None

    def _args(self) -> str:
        return f"{self.in_features}, {self.out_features}"


class Flatten(Layer):
    """(N, d1, d2, ...) -> (N, d1·d2·...) in C order (like torch.nn.Flatten()); backward reshapes back."""

    def forward(self, x):
        x = as_array("Flatten.forward", "x", x)
        if x.ndim < 2:
            raise ValueError(f"Flatten.forward: x must be at least 2-D (N, ...), got shape {x.shape}")
        self._cache = x.shape
        return x.reshape(x.shape[0], math.prod(x.shape[1:]))

    def backward(self, dout, *, input_grad=True):
        shape = self._cached()
        dout = as_array("Flatten.backward", "dout", dout)
        expected = (shape[0], math.prod(shape[1:]))
        if dout.shape != expected:
            raise ValueError(f"Flatten.backward: dout has shape {dout.shape}, expected {expected}")
        return dout.reshape(shape) if input_grad else None


class _Activation(Layer):
    """An elementwise activation: forward keeps its input z, backward multiplies by f'(z)."""

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


class ReLU(Layer):
    """Elementwise max(z, 0); any shape; derivative 0 at z = 0 like PyTorch.

    The same numbers as :func:`cnnmath.relu` and ``dout * relu_prime(z)``, computed faster: forward
    is ``np.fmax(z, 0)`` (0 for NaN and -inf, like relu's ``np.where(z > 0, z, 0)``; 10x faster here)
    and caches only the boolean mask z > 0, which is all that backward needs (dx = dout ∘ mask).
    """

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
