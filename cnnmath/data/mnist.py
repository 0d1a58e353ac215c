"""MNIST from its four IDX files (names as published, optionally .gz) as a :class:`Split`."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..ops.checks import check_int
from .idx import as_path, read_idx
from .split import Split

__all__ = ["MNIST_FILES", "load_mnist"]

MNIST_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


def _find(directory: Path, stem: str) -> Path:
    for name in (stem, stem + ".gz"):
        if (directory / name).is_file():
            return directory / name
    raise FileNotFoundError(
        f"load_mnist: {directory} has neither {stem} nor {stem}.gz; it needs the four MNIST files "
        f"{', '.join(MNIST_FILES.values())} (each may end in .gz), e.g. the MNIST/raw folder that "
        f"torchvision.datasets.MNIST(root, download=True) creates"
    )


def load_mnist(directory, *, limit: int | None = None) -> Split:
    """MNIST from the four IDX files in ``directory`` (names as published, optionally .gz).

    limit: keep the first ``limit`` images of each split (None: all 60,000 / 10,000; as float64 the
    whole training set takes 376 MB). Returns a :class:`Split`: x (N, 1, H, W) float64 in [0, 1]
    (pixel / 255; H = W = 28 for MNIST), y (N,) int64. Raises FileNotFoundError naming the missing
    file, ValueError for files that are not MNIST-shaped (dtype, dims, counts, labels).
    """
    directory = as_path("load_mnist", "directory", directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"load_mnist: {directory}: no such directory (it should hold MNIST's files)")
    limit = None if limit is None else check_int("load_mnist", "limit", limit, minimum=1)
    paths = {key: _find(directory, stem) for key, stem in MNIST_FILES.items()}
    a = {key: read_idx(path) for key, path in paths.items()}
    for key, path in paths.items():
        want, got = "images (N, H, W)" if key[0] == "x" else "labels (N,)", a[key]
        if got.dtype != np.uint8 or got.ndim != (3 if key[0] == "x" else 1):
            raise ValueError(
                f"load_mnist: {path}: expected unsigned bytes, {want}; got {got.dtype} {got.shape}"
            )
    for part in ("train", "test"):
        (px, x), (py, y) = ((paths[k], a[k]) for k in (f"x_{part}", f"y_{part}"))
        if len(x) != len(y):
            raise ValueError(f"load_mnist: {px} has {len(x)} images but {py} has {len(y)} labels")
        if y.size and y.max() > 9:
            raise ValueError(f"load_mnist: {py}: labels must be 0..9, found {y.max()}")
    x = {k: a[k][:limit, None].astype(np.float64) / 255.0 for k in ("x_train", "x_test")}
    y = {k: a[k][:limit].astype(np.int64) for k in ("y_train", "y_test")}
    return Split(x["x_train"], y["y_train"], x["x_test"], y["y_test"])
