"""Reference forms: the seeds' index formulas as plain Python loops.

Slow, readable next to the lecture text, and (where the math allows) usable on numpy object
arrays of SymPy symbols. The fast forms in :mod:`cnnmath` are tested against these.
"""

from .conv import conv2d, conv2d_backward
from .conv_transpose import conv_transpose2d
from .dense import dense, dense_backward, mlp_backward, mlp_forward
from .pool import (
    avg_pool2d,
    avg_pool2d_backward,
    lp_pool2d,
    lp_pool2d_backward,
    max_pool2d,
    max_pool2d_backward,
)

__all__ = [
    "avg_pool2d",
    "avg_pool2d_backward",
    "conv2d",
    "conv2d_backward",
    "conv_transpose2d",
    "dense",
    "dense_backward",
    "lp_pool2d",
    "lp_pool2d_backward",
    "max_pool2d",
    "max_pool2d_backward",
    "mlp_backward",
    "mlp_forward",
]
