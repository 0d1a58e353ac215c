"""The lectures' other routes to the same numbers as :mod:`cnnmath.ops`, each proved equal to it:

* :mod:`~cnnmath.seedforms.full_convolution` — rot180, zero insertion (dilate), zero padding, the "full
  convolution with the rotated kernel" backward pass, the input-correlated-with-δ weight gradient,
  the Kronecker form of the mean-pool backward pass;
* :mod:`~cnnmath.seedforms.matrices` — a convolution
  and a pooling layer written as one (sparse) matrix, the "CNN as a sparse fully connected layer" view;
* :mod:`~cnnmath.seedforms.columns` — im2col: every window as a column, as the notebooks show it;
* :mod:`~cnnmath.seedforms.seed000` — seed 000's small network in its own notation (1-based ι, Γ);
* :mod:`~cnnmath.seedforms.twoconv` — two conv layers with the batch index written out;
* :mod:`~cnnmath.seedforms.conv_proofs` and :mod:`~cnnmath.seedforms.dilated_proofs` — the conv
  layer's forward formula and backward routes (and the dilated layer's) proved exactly, in a
  polynomial ring, against the derivative of the loop forward pass over grids of sizes (imported
  by name; they use the SymPy toolkit of :mod:`cnnmath.symbolic`).

They work on floats and (where stated) on numpy object arrays of SymPy symbols.
"""

from . import seed000
from .columns import im2col
from .full_convolution import (
    delta_full_conv,
    dilate,
    full_conv,
    mean_pool_backward_kron,
    pad,
    rot180,
    weight_grad_correlate,
)
from .matrices import conv_matrix, pool_matrix

__all__ = [
    "conv_matrix",
    "delta_full_conv",
    "dilate",
    "full_conv",
    "im2col",
    "mean_pool_backward_kron",
    "pad",
    "pool_matrix",
    "rot180",
    "seed000",
    "weight_grad_correlate",
]
