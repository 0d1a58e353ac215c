"""cnnmath.data.idx (read_idx, write_idx) on IDX bytes written by hand."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from cnnmath import data


def _idx(code: int, dims: tuple[int, ...], payload: bytes) -> bytes:
    """An IDX file built by hand with struct (independent of cnnmath.data.write_idx)."""
    return struct.pack(f">BBBB{len(dims)}I", 0, 0, code, len(dims), *dims) + payload


# (code, dims, big-endian payload, expected array)
IDX_CASES = [
    (0x08, (2, 2, 3), bytes(range(12)), np.arange(12, dtype=np.uint8).reshape(2, 2, 3)),
    (0x08, (4,), bytes([0, 9, 255, 7]), np.array([0, 9, 255, 7], dtype=np.uint8)),
    (0x09, (3,), struct.pack(">3b", -128, -1, 127), np.array([-128, -1, 127], dtype=np.int8)),
    (0x0B, (2,), struct.pack(">2h", -2, 513), np.array([-2, 513], dtype=np.int16)),
    (0x0C, (1, 2), struct.pack(">2i", 70000, -5), np.array([[70000, -5]], dtype=np.int32)),
    (0x0D, (2,), struct.pack(">2f", 1.5, -0.25), np.array([1.5, -0.25], dtype=np.float32)),
    (0x0E, (2, 1), struct.pack(">2d", np.pi, -1e300), np.array([[np.pi], [-1e300]])),
    (0x08, (0, 28, 28), b"", np.zeros((0, 28, 28), dtype=np.uint8)),
]


@pytest.mark.parametrize(
    ("code", "dims", "payload", "expected"), IDX_CASES, ids=[f"idx{i}" for i in range(len(IDX_CASES))]
)
@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gz"])
def test_read_idx_reads_hand_written_files(tmp_path, code, dims, payload, expected, gz):
    raw = _idx(code, dims, payload)
    path = tmp_path / ("f.idx.gz" if gz else "f.idx")
    path.write_bytes(gzip.compress(raw) if gz else raw)
    a = data.read_idx(path)
    assert a.dtype == expected.dtype and a.dtype.isnative
    assert a.shape == dims
    np.testing.assert_array_equal(a, expected)
    a[...] = 0  # a writeable copy, not a view of the file's bytes
    # write_idx produces exactly the hand-made bytes, compressed or not
    out = tmp_path / ("g.idx.gz" if gz else "g.idx")
    data.write_idx(out, expected)
    written = out.read_bytes()
    assert (gzip.decompress(written) if gz else written) == raw


def test_write_idx_accepts_any_byte_order_and_stores_big_endian(tmp_path):
    data.write_idx(tmp_path / "le", np.array([1, 256], dtype="<i4"))
    assert (tmp_path / "le").read_bytes() == bytes([0, 0, 0x0C, 1, 0, 0, 0, 2]) + bytes(
        [0, 0, 0, 1, 0, 0, 1, 0]
    )
    np.testing.assert_array_equal(data.read_idx(tmp_path / "le"), [1, 256])


def _bad(tmp_path, raw: bytes, name="bad-idx"):
    path = tmp_path / name
    path.write_bytes(raw)
    return path


BAD_FILES = [
    (b"", r"0 bytes is too short for an IDX file"),
    (b"\x00\x00", r"2 bytes is too short"),
    (b"\x89PNG\r\n\x1a\n" + bytes(20), r"not an IDX file: magic number 0x89504E47 must be 0x0000TTDD"),
    (bytes([0, 0, 0x0A, 1, 0, 0, 0, 1, 5]), r"magic number 0x00000A01 .*dtype code TT one of 0x08 \(uint8\)"),
    (bytes([0, 0, 8, 0]), r"magic number 0x00000800 .*DD >= 1 dims"),
    (
        bytes([0, 0, 8, 3, 0, 0, 0, 2]),
        r"0x00000803 announces 3 dims, but the file ends after 8 bytes, inside the 16",
    ),
    (
        _idx(8, (2, 3, 3), bytes(17)),
        r"magic number 0x00000803 \(dtype uint8, dims \(2, 3, 3\)\) needs 18 data bytes after the "
        r"16-byte header, but the file has 17: truncated",
    ),
    (
        _idx(8, (2,), bytes(3)),
        r"0x00000801 \(dtype uint8, dims \(2,\)\) needs 2 data bytes .* has 3: too long",
    ),
    (_idx(0x0E, (2,), bytes(12)), r"dtype float64, dims \(2,\)\) needs 16 data bytes"),
    (b"\x1f\x8b" + bytes(10), r"corrupt gzip data"),
    (
        _idx(8, (2**16,) * 4, b""),
        r"dims \(65536, 65536, 65536, 65536\)\) needs 18446744073709551616 data bytes.*cannot be right",
    ),
    (gzip.compress(_idx(8, (4,), bytes(4)))[:-6], r"corrupt gzip data"),
]


@pytest.mark.parametrize(("raw", "message"), BAD_FILES, ids=[f"bad{i}" for i in range(len(BAD_FILES))])
def test_read_idx_explains_bad_files(tmp_path, raw, message):
    path = _bad(tmp_path, raw)
    with pytest.raises(ValueError, match=message) as info:
        data.read_idx(path)
    assert str(info.value).startswith(f"read_idx: {path}: ")


def test_read_idx_missing_file_and_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"read_idx: .*nope-idx1-ubyte: no such file"):
        data.read_idx(tmp_path / "nope-idx1-ubyte")
    with pytest.raises(FileNotFoundError, match=r"a directory, not a file"):
        data.read_idx(tmp_path)


def test_write_idx_rejects_what_idx_cannot_store(tmp_path):
    with pytest.raises(
        ValueError,
        match=r"write_idx: IDX stores only uint8, int8, int16, int32, float32, float64; got dtype int64",
    ):
        data.write_idx(tmp_path / "x", np.arange(3))
    with pytest.raises(ValueError, match=r"write_idx: array must have 1 to 255 dimensions, got shape \(\)"):
        data.write_idx(tmp_path / "x", np.uint8(3))


@pytest.mark.parametrize("path", [None, 3, b"x-idx1-ubyte"])
def test_paths_that_are_not_paths_are_named(tmp_path, path):
    """pathlib's TypeError named neither the function nor the argument."""
    with pytest.raises(
        ValueError, match=r"^read_idx: path must be a file system path \(str or pathlib.Path\)"
    ):
        data.read_idx(path)
    with pytest.raises(ValueError, match=r"^write_idx: path must be a file system path"):
        data.write_idx(path, np.zeros(3, np.uint8))
