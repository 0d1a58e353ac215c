"""cnnmath: the mathematics of CNN backpropagation, in numpy, checked three ways.

Conventions: float64, NCHW like PyTorch. ``x`` is (N, C, H, W), (C, H, W) or a plain 2-D image
(H, W) used with a 2-D kernel (KH, KW); results keep the rank of the input. Weights
``w: (F, C, KH, KW)``, bias ``b: (F,)``. Gradients are named ``d<name>`` with the shape of <name>.

The fast vectorized forms (:mod:`cnnmath.ops`) are re-exported here, and ``import cnnmath`` imports
numpy only. The other forms are subpackages, imported by name: :mod:`cnnmath.reference` (the seeds'
index formulas as plain loops), :mod:`cnnmath.seedforms` (the lectures' other routes: rot180, full
convolution, conv as a matrix, ...), :mod:`cnnmath.symbolic` (SymPy), :mod:`cnnmath.nn` (layers with
``forward``/``backward``, Sequential, training), :mod:`cnnmath.data`, :mod:`cnnmath.check`,
:mod:`cnnmath.widgets` and :mod:`cnnmath.viz`.
"""

from .ops.activations import relu, relu_prime, sigmoid, sigmoid_prime, tanh, tanh_prime
from .ops.conv import conv2d, conv2d_backward
from .ops.conv_args import conv_output_size
from .ops.conv_transpose import conv_transpose2d
from .ops.dense import dense, dense_backward, l2_penalty
from .ops.gradcheck import numerical_gradient
from .ops.losses import softmax, softmax_cross_entropy, squared_error
from .ops.pool import (
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
    "conv_transpose2d",
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
__version__ = "0.1.0"
