"""Data sets as NCHW float64 arrays: scikit-learn's 8×8 digits and MNIST from its IDX files.

    digits = load_digits()                  # bundled with scikit-learn: no download
    digits.x_train.shape                    # (1347, 1, 8, 8), standardized with the training mean/std
    mnist = load_mnist("data/mnist")        # MNIST's four IDX files (as published, .gz or not)

IDX is MNIST's file format: a 4-byte big-endian magic number ``0x00 0x00 <dtype code> <ndim>``,
then ``ndim`` big-endian uint32 sizes, then the data in C order, big-endian. MNIST's images are
``0x00000803`` (unsigned bytes, 3-D: N × 28 × 28), its labels ``0x00000801`` (unsigned bytes, 1-D).
:func:`read_idx` raises ``FileNotFoundError`` or a ``ValueError`` that names the file, the magic
number, the dtype and the dims whenever the bytes do not add up.
"""

from __future__ import annotations

import gzip
import math
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..ops.checks import check_int

__all__ = ["IDX_DTYPES", "MNIST_FILES", "Split", "load_digits", "load_mnist", "read_idx", "write_idx"]

# IDX dtype code -> numpy dtype (big-endian on disk).
IDX_DTYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = ", ".join(f"0x{c:02X} ({d.name})" for c, d in IDX_DTYPES.items())
MNIST_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


@dataclass(frozen=True, repr=False)
class Split:
    """A train/test split. x_*: (N, 1, H, W) float64 (NCHW); y_*: (N,) int64 class ids.

    ``pixel_mean`` and ``pixel_std`` are the two numbers the images were standardized with
    (x = (pixels - mean) / std, both from the *training* images); 0 and 1 if they were not.
    The background (a pixel value of 0) is then ``-pixel_mean / pixel_std``.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    pixel_mean: float = 0.0
    pixel_std: float = 1.0

    @property
    def background(self) -> float:
        return -self.pixel_mean / self.pixel_std

    def __repr__(self) -> str:
        return (
            f"Split(x_train {self.x_train.shape}, y_train {self.y_train.shape}, "
            f"x_test {self.x_test.shape}, y_test {self.y_test.shape})"
        )


# ---------------------------------------------------------------- scikit-learn's digits


def load_digits(*, test_size: int = 450, seed: int = 0, standardize: bool = True) -> Split:
    """scikit-learn's 1,797 handwritten digits (8×8, 17 grey levels 0..16) as a fixed stratified split.

    test_size images go to the test set, stratified by class (each digit keeps its share), chosen by
    ``sklearn.model_selection.train_test_split(random_state=seed)``: the same split on every run.
    Pixels are scaled to [0, 1] (÷ 16); with ``standardize=True`` (the default) they are then
    standardized with the mean and standard deviation of the *training* pixels (two scalars).
    Returns a :class:`Split` with x (N, 1, 8, 8) float64 and y (N,) int64.
    """
    from sklearn.datasets import load_digits as sk_load_digits
    from sklearn.model_selection import train_test_split

    check_int("load_digits", "test_size", test_size, minimum=10)
    check_int("load_digits", "seed", seed, minimum=0)
    d = sk_load_digits()
    x = d.images.reshape(-1, 1, 8, 8).astype(np.float64) / 16.0
    y = d.target.astype(np.int64)
    if test_size > len(y) - 10:
        raise ValueError(f"load_digits: test_size={test_size} leaves too few of the {len(y)} images to train")
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_size, stratify=y, random_state=seed
    )
    mean, std = (float(x_train.mean()), float(x_train.std())) if standardize else (0.0, 1.0)
    return Split((x_train - mean) / std, y_train, (x_test - mean) / std, y_test, mean, std)


# ---------------------------------------------------------------- IDX files


def read_idx(path) -> np.ndarray:
    """Read one IDX file (gzip-compressed or not: detected from its first two bytes).

    Returns an array in native byte order with the file's dims and dtype (uint8 for MNIST).
    Raises FileNotFoundError if there is no such file, ValueError naming the file, magic number,
    dtype and dims if the header is invalid or the data size does not match the header.
    """
    path = Path(path)
    if not path.is_file():
        what = "a directory, not a file" if path.is_dir() else "no such file"
        raise FileNotFoundError(f"read_idx: {path}: {what}")
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise ValueError(f"read_idx: {path}: corrupt gzip data ({e}); download the file again") from None
    if len(raw) < 4:
        raise ValueError(
            f"read_idx: {path}: {len(raw)} bytes is too short for an IDX file (a 4-byte magic number first)"
        )
    magic = int.from_bytes(raw[:4], "big")
    code, ndim = raw[2], raw[3]
    if raw[:2] != b"\x00\x00" or code not in IDX_DTYPES or ndim == 0:
        raise ValueError(
            f"read_idx: {path}: not an IDX file: magic number 0x{magic:08X} must be 0x0000TTDD with "
            f"dtype code TT one of {_CODES} and DD >= 1 dims (MNIST: 0x00000803 images, 0x00000801 labels)"
        )
    dtype, header = IDX_DTYPES[code], 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(
            f"read_idx: {path}: magic number 0x{magic:08X} announces {ndim} dims, but the file ends "
            f"after {len(raw)} bytes, inside the {header}-byte header"
        )
    dims = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = math.prod(dims) * dtype.itemsize  # exact: np.prod would overflow int64 silently
    if len(raw) - header != expected:
        problem = "truncated (an interrupted download?)" if len(raw) - header < expected else "too long"
        if expected >= 2**63:
            problem = "the header's dims cannot be right (more bytes than a 64-bit size can count)"
        raise ValueError(
            f"read_idx: {path}: magic number 0x{magic:08X} (dtype {dtype.name}, dims {dims}) needs "
            f"{expected} data bytes after the {header}-byte header, but the file has {len(raw) - header}: "
            f"{problem}"
        )
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(dims).astype(dtype.newbyteorder("="))


def write_idx(path, array) -> None:
    """Write ``array`` as an IDX file (gzip-compressed if the name ends in ``.gz``).

    array: any shape with at least one dimension, dtype uint8, int8, int16, int32, float32 or
    float64 (stored big-endian, as the format requires).
    """
    a = np.asarray(array)
    codes = {d.newbyteorder("="): c for c, d in IDX_DTYPES.items()}
    if a.dtype.newbyteorder("=") not in codes:
        names = ", ".join(d.name for d in IDX_DTYPES.values())
        raise ValueError(f"write_idx: IDX stores only {names}; got dtype {a.dtype}")
    if a.ndim == 0 or a.ndim > 255:
        raise ValueError(f"write_idx: array must have 1 to 255 dimensions, got shape {a.shape}")
    code = codes[a.dtype.newbyteorder("=")]
    data = bytes([0, 0, code, a.ndim]) + b"".join(n.to_bytes(4, "big") for n in a.shape)
    data += np.ascontiguousarray(a, dtype=IDX_DTYPES[code]).tobytes()
    path = Path(path)
    path.write_bytes(gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)


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
    directory = Path(directory)
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
