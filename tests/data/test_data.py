"""cnnmath.data (IDX files, MNIST, the digits split), on bytes written by hand."""

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


# ---- MNIST -------------------------------------------------------------------------------------


def _write_mnist(directory, rng, n_train=5, n_test=3, hw=(4, 4), gz=False):
    """Four tiny MNIST-format files written by hand; returns the arrays they hold."""
    arrays = {
        "x_train": rng.integers(0, 256, size=(n_train, *hw), dtype=np.uint8),
        "y_train": rng.integers(0, 10, size=n_train, dtype=np.uint8),
        "x_test": rng.integers(0, 256, size=(n_test, *hw), dtype=np.uint8),
        "y_test": rng.integers(0, 10, size=n_test, dtype=np.uint8),
    }
    suffix = ".gz" if gz else ""
    for key, a in arrays.items():
        raw = _idx(0x08, a.shape, a.tobytes())
        (directory / (data.MNIST_FILES[key] + suffix)).write_bytes(gzip.compress(raw) if gz else raw)
    return arrays


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gz"])
def test_load_mnist_on_small_hand_written_files(tmp_path, rng, gz):
    arrays = _write_mnist(tmp_path, rng, gz=gz)
    split = data.load_mnist(tmp_path)
    assert split.x_train.shape == (5, 1, 4, 4) and split.x_test.shape == (3, 1, 4, 4)
    assert split.x_train.dtype == np.float64 and split.y_train.dtype == np.int64
    np.testing.assert_array_equal(split.x_train[:, 0] * 255, arrays["x_train"])
    np.testing.assert_array_equal(split.x_test[:, 0] * 255, arrays["x_test"])
    np.testing.assert_array_equal(split.y_train, arrays["y_train"])
    np.testing.assert_array_equal(split.y_test, arrays["y_test"])
    assert split.x_train.max() <= 1.0 and split.x_train.min() >= 0.0
    small = data.load_mnist(str(tmp_path), limit=2)
    assert small.x_train.shape == (2, 1, 4, 4) and small.y_test.shape == (2,)
    np.testing.assert_array_equal(small.y_train, arrays["y_train"][:2])


def test_load_mnist_explains_missing_and_inconsistent_files(tmp_path, rng):
    with pytest.raises(FileNotFoundError, match=r"load_mnist: .*absent: no such directory"):
        data.load_mnist(tmp_path / "absent")
    with pytest.raises(
        FileNotFoundError, match=r"has neither train-images-idx3-ubyte nor train-images-idx3-ubyte.gz"
    ):
        data.load_mnist(tmp_path)
    _write_mnist(tmp_path, rng)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(
        FileNotFoundError, match=r"neither t10k-labels-idx1-ubyte nor t10k-labels-idx1-ubyte.gz"
    ):
        data.load_mnist(tmp_path)
    labels = tmp_path / "t10k-labels-idx1-ubyte"
    labels.write_bytes(_idx(0x08, (4,), bytes([1, 2, 3, 4])))
    with pytest.raises(
        ValueError, match=r"t10k-images-idx3-ubyte has 3 images but .*t10k-labels-idx1-ubyte has 4"
    ):
        data.load_mnist(tmp_path, limit=2)  # checked before the limit applies
    labels.write_bytes(_idx(0x08, (3,), bytes([1, 12, 3])))
    with pytest.raises(ValueError, match=r"t10k-labels-idx1-ubyte: labels must be 0..9, found 12"):
        data.load_mnist(tmp_path)
    labels.write_bytes(_idx(0x0C, (3,), bytes(12)))
    with pytest.raises(ValueError, match=r"expected unsigned bytes, labels \(N,\); got int32 \(3,\)"):
        data.load_mnist(tmp_path)
    labels.write_bytes(_idx(0x08, (3,), bytes(2)))  # truncated: read_idx's message comes through
    with pytest.raises(ValueError, match=r"read_idx: .*t10k-labels-idx1-ubyte: magic number 0x00000801"):
        data.load_mnist(tmp_path)
    with pytest.raises(ValueError, match=r"load_mnist: limit must be an integer >= 1, got 0"):
        data.load_mnist(tmp_path, limit=0)


# ---- scikit-learn's digits -----------------------------------------------------------------------


def test_load_digits_is_a_fixed_stratified_standardized_split():
    from sklearn.datasets import load_digits as sk

    raw = sk()
    d = data.load_digits()
    assert d.x_train.shape == (1347, 1, 8, 8) and d.x_test.shape == (450, 1, 8, 8)
    assert d.y_train.dtype == np.int64 and d.x_train.dtype == np.float64
    # every image is used exactly once: undo the scaling and match the multiset of images
    pixels = np.concatenate([d.x_train, d.x_test]) * d.pixel_std + d.pixel_mean
    both = np.round(pixels * 16).astype(int).reshape(1797, 64)
    key = np.lexsort(both.T[::-1])
    ref = raw.data.astype(int)
    np.testing.assert_array_equal(both[key], ref[np.lexsort(ref.T[::-1])])
    # stratified: each class keeps its share (450/1797 of it, rounded) in the test set
    share = np.bincount(raw.target) * 450 / 1797
    assert np.all(np.abs(np.bincount(d.y_test) - share) <= 1)
    # standardized with the *training* statistics only
    assert abs(d.x_train.mean()) < 1e-12 and abs(d.x_train.std() - 1) < 1e-12
    assert abs(d.x_test.mean()) > 1e-6
    assert d.background == pytest.approx(d.x_train.min())
    # the same split every time; another seed gives another split
    again = data.load_digits()
    np.testing.assert_array_equal(again.x_test, d.x_test)
    assert not np.array_equal(data.load_digits(seed=1).y_test, d.y_test)
    plain = data.load_digits(standardize=False)
    assert (plain.pixel_mean, plain.pixel_std, plain.background) == (0.0, 1.0, 0.0)
    np.testing.assert_array_equal(plain.x_train * 16, np.round(plain.x_train * 16))
    assert plain.x_train.max() == 1.0
    assert repr(d) == "Split(x_train (1347, 1, 8, 8), y_train (1347,), x_test (450, 1, 8, 8), y_test (450,))"
    with pytest.raises(ValueError, match=r"load_digits: test_size=1790 leaves too few of the 1797 images"):
        data.load_digits(test_size=1790)
