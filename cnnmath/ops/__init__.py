"""The fast form: vectorized numpy for conv, pool, dense, activations and losses, forward and backward
side by side; :mod:`cnnmath` re-exports these forms. Imports numpy only. One tool is imported by name:
``finite_diff`` (notebook 18's difference schemes).

The modules ``checks``, ``conv_args`` and ``pool_args`` check and normalise arguments; the loop
forms in :mod:`cnnmath.reference` use them too, so the three forms reject bad input alike.
``_col2im`` is the convolution engine's private dx scatter; ``_tiled_max`` is max pooling's engine
for windows that tile the input (the default stride); ``_tuning`` holds the convolution engine's
tuning knobs, each with what it was measured to pay.
"""

from .activations import relu, relu_prime, sigmoid, sigmoid_prime, tanh, tanh_prime
from .conv import conv2d, conv2d_backward
from .conv_args import conv_output_size
from .dense import dense, dense_backward, l2_penalty
from .gradcheck import numerical_gradient
from .losses import softmax, softmax_cross_entropy, squared_error
from .pool import (
    avg_pool2d,
    avg_pool2d_backward,
    lp_pool2d,
    lp_pool2d_backward,
    max_pool2d,
    max_pool2d_argmax,
    max_pool2d_backward,
)

__all__ = [
    "avg_pool2d",
    "avg_pool2d_backward",
    "conv2d",
    "conv2d_backward",
    "conv_output_size",
    "dense",
    "dense_backward",
    "l2_penalty",
    "lp_pool2d",
    "lp_pool2d_backward",
    "max_pool2d",
    "max_pool2d_argmax",
    "max_pool2d_backward",
    "numerical_gradient",
    "relu",
    "relu_prime",
    "sigmoid",
    "sigmoid_prime",
    "softmax",
    "softmax_cross_entropy",
    "squared_error",
    "tanh",
    "tanh_prime",
]
