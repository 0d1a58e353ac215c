"""cnnmath: the mathematics of CNN backpropagation, in numpy, checked three ways.

Conventions: float64, NCHW like PyTorch. ``x`` is (N, C, H, W), (C, H, W) or a plain 2-D image
(H, W) used with a 2-D kernel (KH, KW); results keep the rank of the input. Weights
``w: (F, C, KH, KW)``, bias ``b: (F,)``. Gradients are named ``d<name>`` with the shape of <name>.

Fast vectorized forms live at the top level; :mod:`cnnmath.reference` has the seeds' index formulas
as plain loops; :mod:`cnnmath.seedform` has the seeds' "full convolution with the rotated kernel"
route; :mod:`cnnmath.symbolic` has the SymPy helpers; :mod:`cnnmath.nn` has layers with
``forward``/``backward``.
"""

from .activations import relu, relu_prime, sigmoid, sigmoid_prime, tanh, tanh_prime
from .conv import conv2d, conv2d_backward, conv_output_size
from .conv_matrix import conv_matrix
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
from .pool_matrix import pool_matrix
from .seedform import (
    delta_full_conv,
    dilate,
    full_conv,
    mean_pool_backward_kron,
    pad,
    rot180,
    weight_grad_correlate,
)

__all__ = [
    "avg_pool2d",
    "avg_pool2d_backward",
    "conv2d",
    "conv2d_backward",
    "conv_matrix",
    "conv_output_size",
    "delta_full_conv",
    "dense",
    "dense_backward",
    "dilate",
    "full_conv",
    "l2_penalty",
    "lp_pool2d",
    "lp_pool2d_backward",
    "max_pool2d",
    "max_pool2d_argmax",
    "max_pool2d_backward",
    "mean_pool_backward_kron",
    "numerical_gradient",
    "pad",
    "pool_matrix",
    "relu",
    "relu_prime",
    "rot180",
    "sigmoid",
    "sigmoid_prime",
    "softmax",
    "softmax_cross_entropy",
    "squared_error",
    "tanh",
    "tanh_prime",
    "weight_grad_correlate",
]
__version__ = "0.1.0"
