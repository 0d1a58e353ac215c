"""Data sets as NCHW float64 arrays: scikit-learn's 8×8 digits and MNIST from its IDX files.

    digits = load_digits()                  # bundled with scikit-learn: no download
    digits.x_train.shape                    # (1347, 1, 8, 8), standardized with the training mean/std
    mnist = load_mnist("data/mnist")        # MNIST's four IDX files (as published, .gz or not)

One concept a module: :mod:`~cnnmath.data.split` (the :class:`Split` every loader returns),
:mod:`~cnnmath.data.digits` (scikit-learn's digits), :mod:`~cnnmath.data.idx` (MNIST's file format:
:func:`read_idx`, :func:`write_idx`), :mod:`~cnnmath.data.mnist` (:func:`load_mnist`, built on it) and
:mod:`~cnnmath.data.augment` (shifted copies for training; import it by name).
"""

from .digits import load_digits
from .idx import IDX_DTYPES, read_idx, write_idx
from .mnist import MNIST_FILES, load_mnist
from .split import Split

__all__ = ["IDX_DTYPES", "MNIST_FILES", "Split", "load_digits", "load_mnist", "read_idx", "write_idx"]
