"""Reference forms: the seeds' index formulas as plain Python loops.

Slow, readable next to the lecture text, and (where the math allows) usable on numpy object
arrays of SymPy symbols. The fast forms in :mod:`cnnmath` are tested against these.
"""

from .conv import conv2d, conv2d_backward

__all__ = ["conv2d", "conv2d_backward"]
