"""Read and write IDX files, gzip-compressed or not.

IDX is MNIST's file format: a 4-byte big-endian magic number ``0x00 0x00 <dtype code> <ndim>``,
then ``ndim`` big-endian uint32 sizes, then the data in C order, big-endian. MNIST's images are
``0x00000803`` (unsigned bytes, 3-D: N × 28 × 28), its labels ``0x00000801`` (unsigned bytes, 1-D).
:func:`read_idx` raises ``FileNotFoundError`` or a ``ValueError`` that names the file, the magic
number, the dtype and the dims whenever the bytes do not add up.
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from pathlib import Path

import numpy as np

__all__ = ["IDX_DTYPES", "read_idx", "write_idx"]

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


def as_path(fn: str, name: str, path) -> Path:
    """A str or os.PathLike as a Path (pathlib's own TypeError does not say which function or argument)."""
    if not isinstance(path, str | os.PathLike):
        raise ValueError(f"{fn}: {name} must be a file system path (str or pathlib.Path), got {path!r}")
    return Path(path)


def read_idx(path) -> np.ndarray:
    """Read one IDX file (gzip-compressed or not: detected from its first two bytes).

    Returns an array in native byte order with the file's dims and dtype (uint8 for MNIST).
    Raises FileNotFoundError if there is no such file, ValueError naming the file, magic number,
    dtype and dims if the header is invalid or the data size does not match the header.
    """
    path = as_path("read_idx", "path", path)
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
    path = as_path("write_idx", "path", path)
    path.write_bytes(gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)
