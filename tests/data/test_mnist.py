"""cnnmath.data.mnist: load_mnist on tiny MNIST files written by hand."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from cnnmath import data


def _idx(code: int, dims: tuple[int, ...], payload: bytes) -> bytes:
    """An IDX file built by hand with struct (independent of cnnmath.data.write_idx)."""
    return struct.pack(f">BBBB{len(dims)}I", 0, 0, code, len(dims), *dims) + payload


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
    with pytest.raises(ValueError, match=r"^load_mnist: directory must be a file system path .*, got None$"):
        data.load_mnist(None)  # pathlib's TypeError before
    with pytest.raises(ValueError, match=r"load_mnist: limit must be an integer >= 1, got 0"):
        data.load_mnist(tmp_path, limit=0)
