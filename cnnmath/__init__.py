"""cnnmath: the mathematics of CNN backpropagation, in numpy, checked three ways.

Conventions: float64, NCHW like PyTorch. ``x`` is (N, C, H, W), (C, H, W) or a plain 2-D image
(H, W) used with a 2-D kernel (KH, KW); results keep the rank of the input. Weights
``w: (F, C, KH, KW)``, bias ``b: (F,)``. Gradients are named ``d<name>`` with the shape of <name>.

Fast vectorized forms live at the top level; :mod:`cnnmath.reference` has the seeds' index formulas
as plain loops; :mod:`cnnmath.seedform` has the seeds' "full convolution with the rotated kernel"
route; :mod:`cnnmath.nn` has layers with ``forward``/``backward``.
"""

from .conv import conv2d, conv2d_backward, conv_output_size
from .conv_matrix import conv_matrix
from .gradcheck import numerical_gradient
from .seedform import delta_full_conv, dilate, full_conv, pad, rot180, weight_grad_correlate

__all__ = [
    "conv2d",
    "conv2d_backward",
    "conv_matrix",
    "conv_output_size",
    "delta_full_conv",
    "dilate",
    "full_conv",
    "numerical_gradient",
    "pad",
    "rot180",
    "weight_grad_correlate",
]
__version__ = "0.1.0"
